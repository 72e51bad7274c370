"""Start-up and memory of one panel, craft_tk against the raw engine, in a fresh process.

``python -m bench.startup --engine cef|tkhtml --side craft|raw`` shows a page in a Tk
window and prints one JSON object:

- ``connected_ms``: from creating the panel (craft: ``WebPanel(...)``; raw: initialising
  CEF and creating its browser, or creating tkinterweb's ``HtmlFrame``) to the page's
  script reaching Python (craft: ``panel.connected``; raw: the page calls a bound
  Python function from its script);
- ``first_paint_ms``: from the same moment to the page's background colour on the screen,
  read from the X server (python-xlib) at the panel's centre;
- ``idle_rss_mb``: resident memory of the process tree (CEF's processes and the
  ``cef-host`` helper included) with that one panel idle for two seconds;
- ``second_panel_rss_mb``: what a second panel with the same page adds, idle as well.
- ``second_panel_connected_ms``: ``connected_ms`` of that second panel (what the process
  had to set up once, such as compiled scripts, is there already).

With ``--preload`` the craft side calls ``craft_tk.preload()`` first and makes its first
panel half a second later, as an app that calls it before building its window (for
``cef-host`` the helper, and its Chromium, start during that time).

Modules are imported before the clock starts on both sides (craft: ``load_backend``).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import tkinter as tk
from typing import Any, Callable, Dict, List, Tuple

from Xlib import X, display

from . import raw_cef_settings
from ._proc import tree_usage

COLOUR = (0x3A, 0x7D, 0x44)
PAGE = """<!doctype html><html><head><style>
  html, body { margin: 0; height: 100%%; background: #3a7d44; }
</style></head><body><p>start-up</p><script>%s</script></body></html>"""
WIDTH, HEIGHT, IDLE_S = 400, 300, 2.0
HEAD_START_S = 0.5  # with --preload: what an app does between preload() and its first panel


class Screen:
    """One pixel of the X screen at a time (the display Tk uses)."""

    def __init__(self) -> None:
        self.display = display.Display()
        self.root = self.display.screen().root

    def shows_page(self, widget: tk.Misc) -> bool:
        x = widget.winfo_rootx() + widget.winfo_width() // 2
        y = widget.winfo_rooty() + widget.winfo_height() // 2
        data = self.root.get_image(x, y, 1, 1, X.ZPixmap, 0xFFFFFFFF).data
        return all(abs(a - b) <= 2 for a, b in zip((data[2], data[1], data[0]), COLOUR))


class Timer:
    def __init__(self, root: tk.Tk) -> None:
        self.root = root
        self.screen = Screen()

    def until(self, started: float, connected: Callable[[], bool], widget: tk.Misc) -> Tuple[float, float]:
        """Milliseconds from ``started`` to ``connected()`` and to the page on screen."""
        times: Dict[str, float] = {}
        deadline = time.monotonic() + 60
        while len(times) < 2:
            self.root.update()
            now = time.perf_counter()
            if "connected" not in times and connected():
                times["connected"] = now
            if "painted" not in times and widget.winfo_ismapped() and self.screen.shows_page(widget):
                times["painted"] = now
            if time.monotonic() > deadline:
                raise RuntimeError("the page did not start within 60 s: {}".format(sorted(times)))
            time.sleep(0.0005)
        return (times["connected"] - started) * 1000, (times["painted"] - started) * 1000

    def idle_rss_mb(self) -> float:
        self.root.after(int(IDLE_S * 1000), self.root.quit)
        self.root.mainloop()
        return tree_usage(os.getpid()).rss_mb


def place(widget: tk.Widget, index: int) -> None:
    """Panel ``index`` at its own place in the window, at the same size on both sides."""
    widget.place(x=index * (WIDTH + 10), y=0, width=WIDTH, height=HEIGHT)


def craft_side(engine: str, root: tk.Tk) -> List[Tuple[float, float, float]]:
    import craft_tk

    craft_tk.load_backend(engine)  # a no-op after preload()
    web_panel = craft_tk.WebPanel  # its modules imported before the clock, as the raw side's are
    timer = Timer(root)
    figures = []
    for index in range(2):
        started = time.perf_counter()
        panel = web_panel(root, html=PAGE % "", backend=engine, width=WIDTH, height=HEIGHT)
        place(panel, index)
        connected, painted = timer.until(started, lambda: panel.connected, panel)
        figures.append((connected, painted, timer.idle_rss_mb()))
    return figures


def raw_cef(root: tk.Tk) -> List[Tuple[float, float, float]]:
    from cefpython3 import cefpython as cef

    from craft_tk.backends._cef_gl import gl_switches
    from craft_tk.backends._glib_pump import GlibPump

    folder = tempfile.mkdtemp(prefix="craft-bench-")
    page = os.path.join(folder, "page.html")
    with open(page, "w") as out:
        out.write(PAGE % "loaded();")
    timer = Timer(root)
    figures, browsers, pump = [], [], []
    try:
        for index in range(2):
            frame = tk.Frame(root, width=WIDTH, height=HEIGHT)
            place(frame, index)
            root.update()
            started = time.perf_counter()
            if not pump:
                cef.Initialize(raw_cef_settings(cef, external_message_pump=True), gl_switches(root))  # craft_tk's GL
                pump.append(GlibPump(root, cef.MessageLoopWork))  # as craft_tk runs it
            info = cef.WindowInfo()
            info.SetAsChild(frame.winfo_id(), [0, 0, WIDTH, HEIGHT])
            loaded: List[bool] = []
            browser = cef.CreateBrowserSync(info, url="file://" + page)
            bindings = cef.JavascriptBindings(bindToFrames=False, bindToPopups=False)
            bindings.SetFunction("loaded", lambda: loaded.append(True))
            browser.SetJavascriptBindings(bindings)
            browsers.append(browser)
            connected, painted = timer.until(started, lambda: bool(loaded), frame)
            figures.append((connected, painted, timer.idle_rss_mb()))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    pump[0].stop()
    for browser in browsers:
        browser.CloseBrowser(True)
    for _ in range(20):
        root.update()
        time.sleep(0.005)
    cef.Shutdown()
    return figures


def raw_tkhtml(root: tk.Tk) -> List[Tuple[float, float, float]]:
    import pythonmonkey  # noqa: F401 (imported before the clock, as craft's side does)
    import tkinterweb

    timer = Timer(root)
    figures = []
    for index in range(2):
        started = time.perf_counter()
        frame = tkinterweb.HtmlFrame(root, messages_enabled=False, javascript_enabled=True, width=WIDTH,
                                     height=HEIGHT)
        loaded: List[bool] = []
        frame.javascript.register("loaded", lambda: loaded.append(True))
        frame.load_html(PAGE % "loaded();")
        place(frame, index)
        connected, painted = timer.until(started, lambda: bool(loaded), frame)
        figures.append((connected, painted, timer.idle_rss_mb()))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("--engine", required=True, choices=["cef", "tkhtml"])
    parser.add_argument("--side", required=True, choices=["craft", "raw"])
    parser.add_argument("--preload", action="store_true",
                        help="craft side: call craft_tk.preload() first, {} s before the first panel".format(HEAD_START_S))
    args = parser.parse_args()
    preloaded = time.perf_counter()
    preload = args.preload and args.side == "craft"
    if preload:
        import craft_tk

        craft_tk.preload(args.engine)
    root = tk.Tk()
    root.geometry("{}x{}+0+0".format(2 * WIDTH + 20, HEIGHT + 20))
    root.update()
    while preload and time.perf_counter() - preloaded < HEAD_START_S:  # the app's own start-up
        root.update()
        time.sleep(0.01)
    if args.side == "craft":
        figures = craft_side(args.engine, root)
    else:
        figures = raw_cef(root) if args.engine == "cef" else raw_tkhtml(root)
    (connected, painted, one), (second_connected, _, two) = figures
    print(json.dumps({"connected_ms": connected, "first_paint_ms": painted, "idle_rss_mb": one,
                      "second_panel_rss_mb": two - one, "second_panel_connected_ms": second_connected}))
    root.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
