"""Security on a real engine: the secret per load, origins, frames, CSP, size limits, leaks."""

import os
import subprocess
from typing import List

import craft_tk
from craft_tk import MessageTooLarge, Refused

from .support import EngineTestCase, HttpServer

PROBE = """<html><body><p>probe</p><script>
function report(label, fn) {
  try { craft.send('probe', {label: label, value: fn()}); }
  catch (error) { craft.send('probe', {label: label, error: error.name, message: error.message}); }
}
function settle(label, promise) {
  promise.then(function (value) { craft.send('settled', {label: label, ok: true, value: value}); },
               function (error) { craft.send('settled', {label: label, ok: false, name: error.name,
                                                          message: error.message, stack: error.remoteStack || null}); });
}
</script></body></html>"""


class SecurityTestCase(EngineTestCase):
    def probe(self, **options) -> craft_tk.WebPanel:
        panel = self.panel(PROBE, **options)
        self.probes, self.settled = {}, {}
        panel.on("probe", lambda data: self.probes.__setitem__(data["label"], data))
        panel.on("settled", lambda data: self.settled.__setitem__(data["label"], data))
        return panel

    def probed(self, panel, label: str, expression: str) -> dict:
        panel.run_js("report({!r}, function () {{ return {}; }});".format(label, expression))
        return self.wait_for(lambda: self.probes.get(label), "the page's probe " + label)

    def page_result(self, panel, label: str, call: str) -> dict:
        panel.run_js("settle({!r}, {});".format(label, call))
        return self.wait_for(lambda: self.settled.get(label), "the page's invoke " + label)

    def refusals(self) -> List[str]:
        return [str(error) for error in self.ipc_errors if isinstance(error, Refused)]

    def is_cef(self, panel) -> bool:
        return panel.backend.startswith("cef")

    def click(self, panel, x: int = 40, y: int = 20) -> None:
        """A real mouse click at (x, y) of the panel, through the X server."""
        self.root.update()
        subprocess.run(["xdotool", "mousemove", str(panel.winfo_rootx() + x), str(panel.winfo_rooty() + y),
                        "click", "1"], check=True)


class TheSecretOfEachLoad(SecurityTestCase):
    def test_scripts_without_the_secret_cannot_speak_for_the_page(self) -> None:
        panel = self.probe()
        forged = self.collect(panel, "forged")
        self.assertEqual(self.probed(panel, "boot", "typeof window.__craftBoot")["value"], "undefined",
                         "the page's scripts cannot read the secret")
        panel.run_js("""
          __craftHostPost('[{"kind": "event", "name": "forged", "data": 1}]');
          __craftHostPost('["guess", {"kind": "event", "name": "forged", "data": 2}]');
          __craftHostPost('["guess", {"kind": "hello", "page": "impostor"}]');
          craft.send('forged', 'the real page');
        """)
        self.wait_for(lambda: forged, "the real page's event")
        self.pump(0.2)
        self.assertEqual(forged, ["the real page"])
        self.assertEqual(len(self.refusals()), 3, self.refusals())
        self.assertTrue(all("secret" in refusal for refusal in self.refusals()))
        self.assertTrue(panel.connected, "a forged hello does not take the page's place")

    def test_after_a_reload_the_old_loads_secret_is_refused(self) -> None:
        panel = self.probe()
        old = panel._dispatcher.secrets.connected
        panel.reload()
        self.wait_for(lambda: panel.connected, "the reloaded page")
        self.assertNotEqual(panel._dispatcher.secrets.connected, old, "each load has its own secret")
        stale = self.collect(panel, "stale")
        panel.run_js("__craftHostPost('[\"%s\", {\"kind\": \"event\", \"name\": \"stale\", \"data\": 1}]');" % old)
        self.wait_for(lambda: self.refusals(), "the stale message's refusal")
        self.assertEqual(stale, [])


class Origins(SecurityTestCase):
    LINK_PAGE = """<html><body style="margin:0"><a id="go" href="{url}"
      style="display:block; font-size:48px; height:200px; background:#cdf">go away</a>
      <script>craft.send('where', 'start');</script></body></html>"""

    def remote(self) -> HttpServer:
        return HttpServer(self, {"remote.html": "<html><body><script>craft.send('where', 'remote');"
                                                    "</script><p>remote</p></body></html>"})

    def test_a_link_outside_the_allowed_origins_is_blocked(self) -> None:
        server = self.remote()
        panel = self.panel(self.LINK_PAGE.format(url=server.origin + "/remote.html"), connect=False)
        where = self.collect(panel, "where")
        self.wait_for(lambda: where, "the first page")
        self.click(panel)
        self.wait_for(lambda: self.refusals(), "the blocked navigation's report")
        self.pump(0.5)
        self.assertEqual(where, ["start"], "the page stayed")
        self.assertEqual(server.requests, [], "nothing was fetched from the blocked origin")
        self.assertIn(server.origin + "/remote.html", self.refusals()[0])
        self.assertIn("allowed_origins", self.refusals()[0])

    def test_allowed_origins_let_the_navigation_through_with_the_bridge(self) -> None:
        server = self.remote()
        panel = self.panel(self.LINK_PAGE.format(url=server.origin + "/remote.html"), connect=False,
                           allowed_origins=[server.origin])
        where = self.collect(panel, "where")
        self.wait_for(lambda: where, "the first page")
        self.click(panel)
        self.wait_for(lambda: where == ["start", "remote"], "the remote page's bridge")
        self.assertEqual(self.refusals(), [])

    def test_popups_never_open_a_window_and_obey_the_same_policy(self) -> None:
        server = self.remote()
        panel = self.panel(self.LINK_PAGE.format(url="#"), connect=False)
        where = self.collect(panel, "where")
        self.wait_for(lambda: where, "the first page")
        if not self.is_cef(panel):
            self.skipTest("Tkhtml pages have no window.open")
        panel.run_js("window.open({!r});".format(server.origin + "/remote.html"))
        self.wait_for(lambda: self.refusals(), "the blocked popup's report")
        self.pump(0.3)
        self.assertEqual((where, server.requests), (["start"], []))

    def test_frames_inside_the_page_get_no_bridge(self) -> None:
        panel = self.probe()
        if not self.is_cef(panel):
            self.skipTest("Tkhtml runs no script inside an <iframe>: there is no frame to refuse")
        heard = self.collect(panel, "from-frame")
        panel.run_js("""
          window.addEventListener && window.addEventListener('message', function (event) {
            craft.send('from-frame', event.data);
          });
          var frame = document.createElement('iframe');
          frame.setAttribute('srcdoc', '<script>parent.postMessage([typeof craft, typeof __craftHostPost].join(), "*");' +
            'try { parent.__craftHostPost(\\'["x", {"kind": "hello", "page": "frame"}]\\', function () {}); }' +
            'catch (e) { parent.postMessage("threw " + e.name, "*"); }<\\/script>');
          document.body.appendChild(frame);
        """)
        self.wait_for(lambda: heard, "the frame's report")
        self.assertEqual(heard[0], "undefined,undefined", "the frame's own window has no bridge")
        self.wait_for(lambda: self.refusals(), "the refusal of the frame's forged hello")
        self.assertTrue(panel.connected)


class ContentSecurityPolicy(SecurityTestCase):
    def page(self, server: HttpServer) -> str:
        return """<html><head></head><body><p>csp</p>
          <img src="{0}/pixel.png">
          <script>craft.send('csp', document.getElementsByTagName('meta').length ?
            document.querySelector('meta').getAttribute('content') : null);</script>
          <script src="{0}/remote.js"></script></body></html>""".format(server.origin)

    def test_html_strings_get_the_default_policy(self) -> None:
        server = HttpServer(self, {"pixel.png": "", "remote.js": "craft.send('remote-script', 1);"})
        panel = self.panel(self.page(server), connect=False)
        policy = self.collect(panel, "csp")
        self.wait_for(lambda: policy, "the page's policy")
        self.assertEqual(policy, [craft_tk.DEFAULT_CSP], "the default policy is the page's first meta")

    def test_the_default_policy_keeps_the_network_out(self) -> None:
        server = HttpServer(self, {"pixel.png": "", "remote.js": "craft.send('remote-script', 1);"})
        panel = self.panel(self.page(server), connect=False)
        if not self.is_cef(panel):
            self.skipTest("Tkhtml does not enforce CSP (see the README): its pages load what they name")
        policy = self.collect(panel, "csp")
        ran = self.collect(panel, "remote-script")
        self.wait_for(lambda: policy, "the page's first script")
        self.pump(0.5)  # nothing may happen: give a request the time it would take
        self.assertEqual((server.requests, ran), ([], []), "no image, no remote script")

    def test_csp_can_be_left_out(self) -> None:
        server = HttpServer(self, {"pixel.png": "", "remote.js": "craft.send('remote-script', 1);"})
        panel = self.panel(self.page(server), connect=False, csp="")
        policy = self.collect(panel, "csp")
        ran = self.collect(panel, "remote-script")
        self.wait_for(lambda: policy, "the page's policy")
        self.assertEqual(policy, [None])
        self.wait_for(lambda: ran, "the remote script, allowed without a policy")

    def test_csp_can_be_replaced(self) -> None:
        custom = self.panel("<html><head></head><body><script>craft.send('csp', "
                            "document.querySelector('meta').getAttribute('content'));</script></body></html>",
                            connect=False, csp="default-src 'self' 'unsafe-inline'")
        mine = self.collect(custom, "csp")
        self.wait_for(lambda: mine, "the custom policy")
        self.assertEqual(mine, ["default-src 'self' 'unsafe-inline'"])


class SizeLimits(SecurityTestCase):
    def test_oversized_messages_are_refused_both_ways_and_nothing_else_breaks(self) -> None:
        panel = self.probe(max_message_size=1000)
        panel.handle("echo", lambda value: value)
        panel.handle("big", lambda: "x" * 2000)
        sent = self.probed(panel, "send", "craft.send('big', 'x'.repeat(2000))")
        self.assertEqual(sent["error"], "MessageTooLarge")
        self.assertIn("max_message_size", sent["message"])
        self.assertEqual(self.page_result(panel, "arg", "craft.invoke('echo', 'x'.repeat(2000))")["name"],
                         "MessageTooLarge")
        self.assertEqual(self.page_result(panel, "result", "craft.invoke('big')")["name"], "MessageTooLarge")
        state_write = self.probed(panel, "state", "(craft.state.huge = 'x'.repeat(2000))")
        self.assertEqual(state_write["error"], "MessageTooLarge")
        self.assertNotIn("huge", panel.state)
        with self.assertRaises(MessageTooLarge):
            panel.emit("big", "x" * 2000)
        self.post_with_secret(panel, "'{\"kind\": \"event\", \"name\": \"forged-big\", \"data\": \"' + "
                                     "'x'.repeat(5000) + '\"}'")
        self.wait_for(lambda: any(isinstance(e, MessageTooLarge) for e in self.ipc_errors), "the refusal")
        small = self.collect(panel, "small")
        panel.run_js("for (var i = 0; i < 200; i++) { craft.send('small', 'message number ' + i); }")
        self.wait_for(lambda: len(small) == 200, "200 small messages, 4,000 characters in all")
        self.assertEqual(small[-1], "message number 199")
        self.assertEqual(self.page_result(panel, "after", "craft.invoke('echo', 'fine')")["value"], "fine")


class NoLeaks(SecurityTestCase):
    def test_the_page_sees_no_traceback_path_or_secret(self) -> None:
        panel = self.probe()

        @panel.handle("read")
        def read(name):
            with open(os.path.join("/home/someone/private", name)) as handle:
                return handle.read()

        panel.handle("boom", lambda: 1 / 0)
        for label, call in (("read", "craft.invoke('read', 'notes.txt')"), ("boom", "craft.invoke('boom')"),
                            ("missing", "craft.invoke('no-such')")):
            result = self.page_result(panel, label, call)
            text = repr(result)
            self.assertFalse(result["ok"])
            self.assertIsNone(result["stack"])
            for leak in ("Traceback", "/home/someone", __file__, os.path.dirname(craft_tk.__file__),
                         panel._dispatcher.secrets.connected):
                self.assertNotIn(leak, text, label)
        self.assertEqual(self.settled["read"]["message"], "No such file or directory")
        panel.destroy()
        debug = self.probe(debug=True)
        debug.handle("read", read)
        result = self.page_result(debug, "debug", "craft.invoke('read', 'notes.txt')")
        self.assertIn("/home/someone/private/notes.txt", result["message"] + result["stack"])
