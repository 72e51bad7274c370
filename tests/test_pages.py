"""Pages as a user sees them: two panels apart, files by URL, windows, pixels on screen."""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import unittest

import craft_tk

from .support import ENGINE, EngineTestCase, screenshot_pixel

WORLD = """<html><body><p id="who">{name}</p><script>
  var me = '{name}';
  function whoami() {{ return me + ':' + document.getElementById('who').textContent; }}
  window.marker = '{name}';
  craft.on('ask', function () {{
    craft.send('answer', {{who: whoami(), marker: window.marker, other: typeof otherMarker}});
  }});
  craft.on('start-timer', function () {{
    setTimeout(function () {{ craft.send('timer', whoami()); }}, 30);
  }});
</script><script>
  var otherMarker = window.marker === 'A' ? 'B' : 'A';
  craft.on('ask-second-script', function () {{ craft.send('second', me + otherMarker); }});
</script></body></html>"""


CLICK_APP = textwrap.dedent("""
    import subprocess, sys
    import craft_tk

    window = craft_tk.create_window(\"\"\"<!doctype html><html><head><style>
      body { margin: 0; font-family: sans-serif; }
      #n { font-size: 20px; padding: 8px; border: 1px solid #ccc; }
    </style></head><body>
      <button onclick="clicked()">Click me</button>
      <p id="n">0</p>
      <script>
        var n = 0;
        function clicked() {
          n++;
          craft.send('clicked', n + ' clicks');  // queued first: the DOM change below
          document.getElementById('n').textContent = n + ' clicks';  // may run a nested update
        }
        craft.on('ping', function (d) { craft.send('pong', d); });
      </script></body></html>\"\"\", backend=sys.argv[1], width=400, height=300)
    window.geometry("400x300+0+0")
    clicks, pongs = [], []
    window.on("clicked", clicks.append)
    window.on("pong", pongs.append)
    window.after(20000, window.destroy)  # a safety net; the output shows if it was needed

    def click():
        if not window.panel.connected:
            return window.after(20, click)
        x, y = window.panel.winfo_rootx() + 15, window.panel.winfo_rooty() + 10
        window.after(300, lambda: subprocess.Popen(["xdotool", "mousemove", str(x), str(y), "click", "1"]))
        window.after(300, wait_for_click)

    def wait_for_click():
        if not clicks:
            return window.after(20, wait_for_click)
        window.emit("ping", "after the click")
        wait_for_pong()

    def wait_for_pong():
        if not pongs:
            return window.after(20, wait_for_pong)
        window.destroy()

    click()
    window.mainloop()
    print("clicked", clicks, "pongs", pongs)
""")


class TwoPanels(EngineTestCase):
    def test_each_page_has_its_own_window_document_and_craft(self) -> None:
        panel_a = self.panel(WORLD.format(name="A"), width=390)
        panel_a.pack_configure(side="left", fill="both", expand=True)
        panel_b = self.panel(WORLD.format(name="B"), width=390)
        panel_b.pack_configure(side="left", fill="both", expand=True)
        answers_a, answers_b = self.collect(panel_a, "answer"), self.collect(panel_b, "answer")
        timers_a, timers_b = self.collect(panel_a, "timer"), self.collect(panel_b, "timer")
        second_a = self.collect(panel_a, "second")
        panel_a.emit("start-timer")
        panel_b.emit("start-timer")
        panel_a.emit("ask")
        panel_a.emit("ask-second-script")
        self.wait_for(lambda: answers_a and second_a and timers_a and timers_b, "both pages to answer")
        self.pump(0.05)
        self.assertEqual(answers_a, [{"who": "A:A", "marker": "A", "other": "string"}])
        self.assertEqual(answers_b, [], "an emit to panel A must not reach panel B")
        self.assertEqual(second_a, ["AB"], "a later script sees the page's earlier var and function")
        self.assertEqual((timers_a, timers_b), (["A:A"], ["B:B"]), "timers keep their page's document")
        panel_b.emit("ask")
        self.wait_for(lambda: answers_b, "panel B's answer")
        self.assertEqual(answers_b, [{"who": "B:B", "marker": "B", "other": "string"}])


class Urls(EngineTestCase):
    def test_a_local_file_gets_the_bridge_before_its_first_script(self) -> None:
        folder = tempfile.mkdtemp(prefix="craft-test-")
        self.addCleanup(shutil.rmtree, folder, True)
        path = os.path.join(folder, "page.html")
        with open(path, "w") as out:
            out.write("""<html><body><script>
              craft.send('from-file', typeof window.craft.send);
              craft.on('ping', function (d) { craft.send('pong', d); });
            </script></body></html>""")
        panel = self.panel("<p>first</p>")
        from_file = self.collect(panel, "from-file")
        pongs = self.collect(panel, "pong")
        panel.load_url(path)
        self.wait_for(lambda: from_file, "the file's first script")
        panel.emit("ping", "to the file")
        self.wait_for(lambda: pongs, "the file page's answer")
        self.assertEqual((from_file, pongs), (["function"], ["to the file"]))


    def test_navigating_to_a_web_page_reconnects_the_bridge(self) -> None:
        folder = tempfile.mkdtemp(prefix="craft-www-")
        self.addCleanup(shutil.rmtree, folder, True)
        with open(os.path.join(folder, "remote.html"), "w") as out:
            out.write("""<html><body><p>served over http</p><script>
              craft.ready.then(function () { craft.send('remote', 'connected'); });
              craft.on('ping', function (d) { craft.send('pong', d); });
            </script></body></html>""")
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=folder)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        panel = self.panel("<p>a local page first</p>")
        remote, pongs = self.collect(panel, "remote"), self.collect(panel, "pong")
        panel.load_url("http://127.0.0.1:{}/remote.html".format(server.server_address[1]))
        self.wait_for(lambda: remote, "the web page's bridge")
        panel.emit("ping", "over http")
        self.wait_for(lambda: pongs, "the web page's answer")
        self.assertEqual((remote, pongs), (["connected"], ["over http"]))


class Windows(EngineTestCase):
    def test_create_window_is_a_toplevel_with_the_ipc_methods(self) -> None:
        window = craft_tk.create_window(
            "<script>craft.on('ping', function (d) { craft.send('pong', d); });</script>",
            title="Seed window", width=320, height=240, backend=ENGINE, master=self.root,
        )
        self.addCleanup(window.destroy)
        pongs = []
        window.on("pong", pongs.append)
        window.emit("ping", {"from": "window"})
        self.wait_for(lambda: pongs, "the window's page to answer")
        self.assertEqual(pongs, [{"from": "window"}])
        self.assertEqual(window.title(), "Seed window")
        self.assertEqual(window.panel.backend, craft_tk.load_backend(ENGINE).name)


class OnScreen(EngineTestCase):
    geometry = "600x400+0+0"

    def test_a_real_click_in_the_page_reaches_native(self) -> None:
        # In a real app, with mainloop(): nested event loops behave differently under update().
        app = subprocess.run(
            [sys.executable, "-c", CLICK_APP, ENGINE], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, timeout=60,
        )
        self.assertEqual(app.returncode, 0, app.stderr[-2000:])
        self.assertIn("clicked ['1 clicks'] pongs ['after the click']", app.stdout)

    def test_the_page_is_rendered_inside_the_tk_window(self) -> None:
        import tkinter as tk

        banner = tk.Label(self.root, text="native", bg="#00ff00", height=4)
        banner.pack(fill="x")
        panel = self.panel(
            '<html><body style="margin:0; background-color:#ff00aa">'
            '<div style="height:2000px; background-color:#ff00aa">page</div></body></html>'
        )
        self.root.lift()
        self.wait_for(lambda: panel.winfo_height() > 100, "the panel to be laid out")
        x = panel.winfo_rootx() + panel.winfo_width() // 2
        y = panel.winfo_rooty() + panel.winfo_height() // 2
        self.wait_for(lambda: screenshot_pixel(x, y) == "#ff00aa", "the page colour at the panel's centre", 20)
        self.assertEqual(screenshot_pixel(banner.winfo_rootx() + 5, banner.winfo_rooty() + 5), "#00ff00")


if __name__ == "__main__":
    unittest.main()
