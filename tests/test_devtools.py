"""DevTools on a real engine: a CDP client (pychrome) attaches to ``devtools_port`` and
evaluates in the live page; with ``debug=True``, F12 opens DevTools on CEF (in process
and in the helper) and the IPC inspector on Tkhtml, which has no DevTools."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import tkinter as tk
from typing import List

import craft_tk

from .support import ENGINE, EngineTestCase

APP = textwrap.dedent("""
    import sys, tkinter as tk, craft_tk
    root = tk.Tk()
    panel = craft_tk.WebPanel(root, backend=sys.argv[1], devtools_port=int(sys.argv[2]), width=400, height=300,
                              html="<title>inspected page</title><p>hi</p>")
    panel.pack()
    panel.on('from-cdp', lambda data: (print('from cdp:', data, flush=True), root.after(200, root.destroy)))
    root.after(60000, root.destroy)
    root.mainloop()
""")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def devtools_windows() -> List[str]:
    """The X windows on the root that are mapped and window-sized (CEF's DevTools window
    has no name): compared before and after, the new one is DevTools."""
    listing = subprocess.run(["xwininfo", "-root", "-children"], stdout=subprocess.PIPE, universal_newlines=True).stdout
    found = []
    for line in listing.splitlines():
        size = re.search(r"\)\s+(\d+)x(\d+)\+", line)
        if line.strip().startswith("0x") and size and int(size.group(1)) > 200 and int(size.group(2)) > 200:
            found.append(line.split()[0])
    return found


class DevTools(EngineTestCase):
    def is_cef(self, panel: craft_tk.WebPanel) -> bool:
        return panel.backend in ("cef", "cef-host")

    def test_a_cdp_client_attaches_to_the_port_and_evaluates_in_the_page(self) -> None:
        import pychrome

        probe = self.panel("<p>engine</p>")
        if not self.is_cef(probe):
            self.skipTest("Tkhtml has no DevTools protocol")  # its counterpart: the inspector (F12 test)
        folder = tempfile.mkdtemp(prefix="craft-devtools-")
        self.addCleanup(shutil.rmtree, folder, True)
        script = os.path.join(folder, "app.py")
        with open(script, "w") as out:
            out.write(APP)
        port = free_port()
        env = dict(os.environ, CRAFT_TK_CEF_CACHE=folder)
        app = subprocess.Popen([sys.executable, script, ENGINE, str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True, env=env)
        self.addCleanup(app.wait)
        self.addCleanup(app.kill)
        browser = pychrome.Browser(url="http://127.0.0.1:{}".format(port))
        deadline = time.monotonic() + 30
        pages = []
        while time.monotonic() < deadline and not pages:
            try:
                pages = [tab for tab in browser.list_tab() if tab._kwargs.get("type") == "page"]
            except Exception:  # not listening yet
                time.sleep(0.2)
        self.assertTrue(pages, "a page listed on the DevTools port")
        tab = pages[0]
        tab.start()
        try:
            titles = []
            while time.monotonic() < deadline and titles[-1:] != ["inspected page"]:
                titles.append(tab.Runtime.evaluate(expression="document.title", _timeout=10)["result"].get("value"))
                time.sleep(0.1)
            self.assertEqual(titles[-1], "inspected page", "the app's page, once loaded")
            kind = tab.Runtime.evaluate(expression="typeof craft.invoke", _timeout=10)["result"]["value"]
            self.assertEqual(kind, "function", "the page with its bridge")
            tab.Runtime.evaluate(expression="craft.send('from-cdp', 42)", _timeout=10)
        finally:
            tab.stop()
        output, _ = app.communicate(timeout=30)
        self.assertIn("from cdp: 42", output, "an event sent from DevTools reached the app")

    def test_f12_opens_devtools_on_cef_and_the_inspector_on_tkhtml(self) -> None:
        before = devtools_windows()
        panel = self.panel("<p style='font-size:40px'>debug</p>", debug=True)
        self.root.lift()
        self.pump(0.3)
        subprocess.run(["xdotool", "mousemove", str(panel.winfo_rootx() + 60), str(panel.winfo_rooty() + 30),
                        "click", "1"], check=True)
        self.pump(0.3)
        subprocess.run(["xdotool", "key", "F12"], check=True)
        if self.is_cef(panel):
            opened = self.wait_for(lambda: [w for w in devtools_windows() if w not in before], "a DevTools window")
            panel.close_devtools()
            self.wait_for(lambda: not [w for w in devtools_windows() if w in opened], "DevTools to close")
        else:
            self.wait_for(lambda: [w for w in self.root.winfo_children() if isinstance(w, tk.Toplevel)
                                   and w.title().startswith("craft_tk inspector")], "the inspector window")

    def test_show_devtools_from_python(self) -> None:
        before = devtools_windows()
        panel = self.panel("<p>plain</p>")
        panel.show_devtools()
        if self.is_cef(panel):
            opened = self.wait_for(lambda: [w for w in devtools_windows() if w not in before], "a DevTools window")
            panel.close_devtools()
            self.wait_for(lambda: not [w for w in devtools_windows() if w in opened], "DevTools to close")
        else:
            self.wait_for(lambda: [w for w in self.root.winfo_children() if isinstance(w, tk.Toplevel)],
                          "the inspector window")
