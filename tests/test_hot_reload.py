"""Hot reload on a real engine: a watched local page reloads when its HTML, JS or CSS
changes, keeping the shared state; ``python -m craft_tk run --reload`` also restarts the
app when its Python changes; ``craft_tk run`` ends an app on SIGTERM as ``sys.exit()``
would, idle or driving Tk with ``update()``."""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from typing import List

import craft_tk

from .support import ENGINE, EngineTestCase

PAGE = """<html><head><link rel="stylesheet" href="style.css"></head><body>
<p id="v">{version}</p><script src="app.js"></script>
<script>craft.send('shown', {{version: document.getElementById('v').textContent,
  script: window.scriptVersion || null, count: craft.state.count}});</script></body></html>"""


def write(folder: str, name: str, text: str) -> None:
    with open(os.path.join(folder, name), "w") as out:
        out.write(text)


def page_folder(test: EngineTestCase) -> str:
    """A temporary folder (removed after ``test``) with the page, its script and its style."""
    folder = tempfile.mkdtemp(prefix="craft-hot-")
    test.addCleanup(shutil.rmtree, folder, True)
    write(folder, "index.html", PAGE.format(version="one"))
    write(folder, "app.js", "window.scriptVersion = 1;")
    write(folder, "style.css", "p { color: black; }")
    return folder


class HotReload(EngineTestCase):
    def test_editing_the_page_its_script_or_its_style_reloads_it_with_the_state_kept(self) -> None:
        folder = page_folder(self)
        state = craft_tk.SharedState({"count": 0})
        panel = craft_tk.WebPanel(self.root, url=os.path.join(folder, "index.html"), backend=ENGINE, watch=True,
                                  state=state)
        panel.pack(fill="both", expand=True)
        shown = self.collect(panel, "shown")
        self.wait_for(lambda: shown, "the first page")
        self.assertEqual(shown[-1], {"version": "one", "script": 1, "count": 0})
        state.count = 5
        self.pump(0.2)
        write(folder, "index.html", PAGE.format(version="two"))
        self.wait_for(lambda: shown[-1]["version"] == "two", "the edited page, without a restart")
        self.assertEqual(shown[-1]["count"], 5, "the shared state survives the reload")
        write(folder, "app.js", "window.scriptVersion = 2;")
        self.wait_for(lambda: shown[-1]["script"] == 2, "the page again after its script changed")
        loads = len(shown)
        write(folder, "style.css", "p { color: red; }")
        self.wait_for(lambda: len(shown) > loads, "a reload after the stylesheet changed")
        loads = len(shown)
        write(folder, "notes.txt", "not a page file")
        self.pump(1.0)
        self.assertEqual(len(shown), loads, "files the page does not use do not reload it")

    def test_a_panel_without_watch_does_not_reload(self) -> None:
        folder = page_folder(self)
        panel = craft_tk.WebPanel(self.root, url=os.path.join(folder, "index.html"), backend=ENGINE)
        panel.pack(fill="both", expand=True)
        shown = self.collect(panel, "shown")
        self.wait_for(lambda: shown, "the first page")
        write(folder, "index.html", PAGE.format(version="two"))
        self.pump(1.0)
        self.assertEqual(len(shown), 1)


APP = """import atexit, sys, tkinter as tk, craft_tk
print('app version {version}', flush=True)
atexit.register(lambda: print('app version {version} ended cleanly', flush=True))
root = tk.Tk()
panel = craft_tk.WebPanel(root, url={page!r}, backend={engine!r}, width=300, height=200)
panel.pack()
panel.on('shown', lambda data: print('page', data['version'], flush=True))
root.mainloop()
"""


class RunReload(EngineTestCase):
    def test_run_reload_restarts_on_python_changes_and_reloads_on_page_changes(self) -> None:
        folder = page_folder(self)
        page = os.path.join(folder, "index.html")
        write(folder, "app.py", APP.format(version=1, page=page, engine=ENGINE))
        log = open(os.path.join(folder, "out.txt"), "a")  # the app's output; read through another handle
        self.addCleanup(log.close)
        process = subprocess.Popen([sys.executable, "-m", "craft_tk", "run", "--reload", "app.py"], cwd=folder,
                                   stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(process.wait)
        self.addCleanup(process.terminate)

        def lines() -> List[str]:
            with open(log.name) as written:
                return written.read().splitlines()

        self.wait_for(lambda: "page one" in lines(), "the app's page", timeout=30)
        write(folder, "index.html", PAGE.format(version="two"))
        self.wait_for(lambda: "page two" in lines(), "the page reloaded in the running app", timeout=30)
        self.assertEqual(lines().count("app version 1"), 1, lines())
        write(folder, "app.py", APP.format(version=2, page=page, engine=ENGINE))
        self.wait_for(lambda: "app version 2" in lines(), "the app restarted with its new code", timeout=30)
        self.assertIn("app version 1 ended cleanly", lines(), "stopped as by sys.exit(): its atexit work ran")
        self.wait_for(lambda: lines().count("page two") == 2, "its page shown again", timeout=30)
        self.assertIsNone(process.poll())


SIGNALLED_APP = """import atexit, sys, time, tkinter as tk, craft_tk
atexit.register(lambda: print('ended cleanly', flush=True))
root = tk.Tk()
panel = craft_tk.WebPanel(root, html='<p>idle</p>', backend={engine!r}, width=300, height=200)
panel.pack()
root.after(300, lambda: print('ready', flush=True))  # then nothing happens: Tk sleeps
if sys.argv[1] == 'mainloop':
    root.mainloop()
else:  # an app that drives Tk itself, its time spent in a Tk callback: the signal lands in one
    def busy():
        time.sleep(0.05)
        root.after(1, busy)
    busy()
    while True:
        root.update()
"""


class RunSignals(EngineTestCase):
    def run_and_terminate(self, loop: str) -> List[str]:
        """Run SIGNALLED_APP with ``craft_tk run``, send SIGTERM once it is idle; its output."""
        folder = tempfile.mkdtemp(prefix="craft-signals-")
        self.addCleanup(shutil.rmtree, folder, True)
        write(folder, "app.py", SIGNALLED_APP.format(engine=ENGINE))
        process = subprocess.Popen([sys.executable, "-m", "craft_tk", "run", "app.py", loop], cwd=folder,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        self.addCleanup(process.kill)
        lines: List[str] = []
        while "ready" not in lines:
            line = process.stdout.readline()
            self.assertTrue(line, "the app ended before it was ready: {}".format(lines))
            lines.append(line.strip())
        time.sleep(0.5)
        process.terminate()
        out, _ = process.communicate(timeout=20)
        self.assertEqual(process.returncode, 143, lines + out.splitlines())
        return lines + out.splitlines()

    def test_sigterm_ends_an_idle_app_as_sys_exit_would(self) -> None:
        self.assertIn("ended cleanly", self.run_and_terminate("mainloop"))

    def test_sigterm_ends_an_app_that_drives_tk_with_update_as_well(self) -> None:
        self.assertIn("ended cleanly", self.run_and_terminate("update"))
