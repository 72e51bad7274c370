"""Navigation on a real engine: redirects obey the origin policy, fragment links scroll."""

import os
import shutil
import tempfile
import time
from typing import Callable, List, Optional

import craft_tk

from .support import ENGINE, HttpServer
from .test_security import SecurityTestCase

REMOTE = "<html><body><script>craft.send('where', 'remote');</script><p>remote</p></body></html>"


class NavigationTestCase(SecurityTestCase):
    def wait_for_text(self, panel, accept: Callable[[str], bool], what: str) -> str:
        """The text of the page the panel shows, once ``accept(text)``: asked of each page
        with the bridge, every 0.1 s (a page may still be on its way)."""
        texts: List[str] = []
        panel.on("text", texts.append)
        next_ask = [0.0]

        def shown() -> Optional[str]:
            if texts and accept(texts[-1]):
                return texts[-1]
            if panel.connected and time.monotonic() > next_ask[0]:
                next_ask[0] = time.monotonic() + 0.1
                panel.run_js("craft.send('text', document.body.textContent);")
            return None

        return self.wait_for(shown, what)


class LoadsBeforeShown(NavigationTestCase):
    def test_the_last_page_asked_for_before_the_panel_is_shown_is_the_one_it_shows(self) -> None:
        # On CEF the browser is made when Tk maps the panel, with the page to show.
        site = HttpServer(self, {"page.html": "<html><body><script>craft.send('where', 'site');</script></body></html>"})
        panel = craft_tk.WebPanel(self.root, html="<script>craft.send('where', 'first');</script>",
                                  allowed_origins=[site.origin], backend=ENGINE)
        panel.on_ipc_error(self.ipc_errors.append)
        where = self.collect(panel, "where")
        panel.load_html("<script>craft.send('where', 'second');</script>")
        panel.load_url(site.origin + "/page.html")
        self.pump(0.2)
        panel.pack(fill="both", expand=True)
        self.wait_for(lambda: where, "the page to connect")
        self.pump(0.3)
        self.assertEqual(where, ["site"])


class Redirects(NavigationTestCase):
    FORM = """<html><body style="margin:0"><form method="post" action="/away">
      <input type="hidden" name="q" value="1">
      <input type="submit" value="send" style="width:300px; height:120px; font-size:48px">
      </form><script>craft.send('where', 'form');</script></body></html>"""

    def servers(self):
        """B serves the remote page; A redirects /away to it, /home to its own page."""
        b = HttpServer(self, {"remote.html": REMOTE})
        a = HttpServer(self, {"page.html": "<html><body><script>craft.send('where', 'a');</script></body></html>",
                          "form.html": self.FORM},
                   {"/away": b.origin + "/remote.html", "/home": "/page.html"})
        return a, b

    def test_a_redirect_outside_the_policy_is_refused_before_any_request(self) -> None:
        a, b = self.servers()
        panel = self.panel("<p>start</p>")
        where = self.collect(panel, "where")
        panel.load_url(a.origin + "/away")
        self.wait_for(lambda: self.refusals(), "the refused redirect's report")
        self.assertIn(b.origin + "/remote.html", self.refusals()[0])
        self.wait_for_text(panel, lambda text: "Blocked" in text, "the panel to say the page was blocked")
        self.pump(0.3)
        self.assertEqual(b.requests, [], "no request reached the refused origin")
        self.assertEqual(where, [], "the refused page is not shown")
        self.assertEqual(len(self.refusals()), 1, self.refusals())

    def test_redirects_within_the_policy_are_followed(self) -> None:
        a, b = self.servers()
        panel = self.panel("<p>start</p>", allowed_origins=[b.origin])
        where = self.collect(panel, "where")
        panel.load_url(a.origin + "/home")
        self.wait_for(lambda: where == ["a"], "the same-origin redirect's page, with the bridge")
        panel.load_url(a.origin + "/away")
        self.wait_for(lambda: where == ["a", "remote"], "the allowed origin's page, with the bridge")
        self.assertEqual((b.requests, self.refusals()), (["/remote.html"], []))

    def test_a_form_posted_and_redirected_outside_the_policy_is_refused(self) -> None:
        a, b = self.servers()
        panel = self.panel("<p>start</p>")
        where = self.collect(panel, "where")
        panel.load_url(a.origin + "/form.html")
        self.wait_for(lambda: where == ["form"], "the form page")
        self.click(panel, 60, 40)
        self.wait_for(lambda: self.refusals(), "the refused redirect's report")
        self.assertIn(b.origin + "/remote.html", self.refusals()[0])
        self.pump(0.3)
        self.assertIn("POST /away", a.requests, "the form was posted")
        self.assertEqual(b.requests, [], "no request reached the refused origin")
        self.assertEqual(where, ["form"], "the refused page is not shown")


class FragmentLinks(SecurityTestCase):
    PAGE = """<html><body style="margin:0"><a id="go" href="#sec"
      style="display:block; font-size:48px; height:200px; background:#cdf">down</a>
      <div style="height:3000px">spacer</div><h2 id="sec">section</h2>
      <script>
        var marker = 'original';
        if (window.addEventListener) {
          window.addEventListener('hashchange', function () { craft.send('hash', location.hash + ' ' + marker); });
        }
        function report(label, fn) { craft.send('probe', {label: label, value: fn()}); }
        function settle(label, promise) {
          promise.then(function (value) { craft.send('settled', {label: label, ok: true, value: value}); },
                       function (error) { craft.send('settled', {label: label, ok: false, name: error.name}); });
        }
        craft.send('where', 'start');
      </script></body></html>"""

    def page_panel(self, **options):
        options.setdefault("html", self.PAGE)
        panel = self.panel(connect=False, **options)
        self.probes, self.settled = {}, {}
        panel.on("probe", lambda data: self.probes.__setitem__(data["label"], data))
        panel.on("settled", lambda data: self.settled.__setitem__(data["label"], data))
        panel.handle("echo", lambda value: value)
        return panel

    def follow_the_fragment_link(self, panel) -> None:
        """Click the link; the page scrolls to its section and stays the same document."""
        where, hashes = self.collect(panel, "where"), self.collect(panel, "hash")
        self.wait_for(lambda: where == ["start"], "the page")
        self.click(panel)
        if self.is_cef(panel):
            self.wait_for(lambda: hashes, "the hash change")
            self.assertEqual(hashes, ["#sec original"], "location.hash is #sec, in the same document")
            self.assertGreater(self.probed(panel, "scrolled", "window.scrollY")["value"], 1000)
        else:  # Tkhtml pages have no location: the view scrolls to the section
            html = panel.transport._view.html
            self.wait_for(lambda: html.yview()[0] > 0.5, "the view to scroll to the section")
        self.assertEqual(self.probed(panel, "marker", "marker")["value"], "original")
        self.assertEqual(self.page_result(panel, "echo", "craft.invoke('echo', 'still here')")["value"],
                         "still here", "the page's bridge is still connected")
        self.assertEqual((where, self.refusals()), (["start"], []), "no other page was loaded")
        expected = ["start"]
        if self.is_cef(panel):  # the page's own reload, at its URL with the hash
            panel.run_js("location.reload();")
            expected.append("start")
            self.wait_for(lambda: where == expected, "the page itself again after location.reload()")
        panel.reload()
        expected.append("start")
        self.wait_for(lambda: where == expected, "the page itself again after reload()")
        self.assertEqual(self.page_result(panel, "again", "craft.invoke('echo', 'again')")["value"], "again")

    def test_a_fragment_link_scrolls_an_html_string_page(self) -> None:
        self.follow_the_fragment_link(self.page_panel())

    def test_a_fragment_link_scrolls_an_html_string_page_with_a_base_url(self) -> None:
        self.follow_the_fragment_link(self.page_panel(base_url="https://example.com/app/"))

    def page_file(self, name: str) -> str:
        """The path of a temporary local file holding PAGE (removed after the test)."""
        folder = tempfile.mkdtemp(prefix="craft-navigation-")
        self.addCleanup(shutil.rmtree, folder, True)
        path = os.path.join(folder, name)
        with open(path, "w") as out:
            out.write(self.PAGE)
        return path

    def test_a_fragment_link_scrolls_a_local_file(self) -> None:
        self.follow_the_fragment_link(self.page_panel(html=None, url=self.page_file("page.html")))

    def test_a_link_to_a_section_of_another_file_opens_it_there_with_its_bridge(self) -> None:
        path = self.page_file("second.html")
        panel = self.page_panel(html="""<html><body style="margin:0"><a href="file://{}#sec"
          style="display:block; font-size:48px; height:200px; background:#cdf">second</a>
          <script>craft.send('where', 'first');</script></body></html>""".format(path))
        where = self.collect(panel, "where")
        self.wait_for(lambda: where == ["first"], "the first page")
        self.click(panel)
        self.wait_for(lambda: where == ["first", "start"] and panel.connected, "the second page, with its bridge")
        if self.is_cef(panel):
            self.assertEqual(self.probed(panel, "hash", "location.hash")["value"], "#sec")
            self.wait_for(lambda: self.probed(panel, "scrolled-" + str(time.monotonic()), "window.scrollY")["value"]
                          > 1000, "the page to scroll to the section")
        else:
            html = panel.transport._view.html
            self.wait_for(lambda: html.yview()[0] > 0.5, "the view to scroll to the section")
        self.assertEqual(self.page_result(panel, "echo", "craft.invoke('echo', 'second')")["value"], "second")
        self.assertEqual(self.refusals(), [])


class LocalErrorPages(NavigationTestCase):
    def test_error_pages_show_no_local_path(self) -> None:
        folder = tempfile.mkdtemp(prefix="craft-navigation-")
        self.addCleanup(shutil.rmtree, folder, True)
        panel = self.panel("<p>start</p>")
        for location in (folder, os.path.join(folder, "missing.html")):
            panel.load_url(location)
            text = self.wait_for_text(panel, lambda text: text not in ("start", ""), "the error page")
            self.assertNotIn(folder, text)
            self.assertNotIn("craft-navigation-", text)
            panel.load_html("<p>start</p>")
            self.wait_for_text(panel, lambda text: text == "start", "the start page again")
