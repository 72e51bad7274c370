"""Idle CPU of a raw app, the baseline of ``idle_cpu_percent``.

``python -m bench.raw_idle cef|tkhtml SECONDS`` prints the CPU percent of this process
tree over SECONDS of Tk's mainloop showing a page: for CEF, cefpython's own Tk example
pump (``MessageLoopWork`` from ``after(10)``); for Tkhtml, a bare tkinterweb frame.
"""

import sys
import tkinter as tk

from . import raw_cef_settings
from .__main__ import idle_cpu_percent

PAGE = "<html><body><p>idle</p></body></html>"


def main(engine: str, seconds: float) -> None:
    root = tk.Tk()
    root.geometry("400x300+0+0")
    frame = tk.Frame(root, width=400, height=300)
    frame.pack(fill="both", expand=True)
    root.update()
    if engine == "cef":
        from cefpython3 import cefpython as cef

        from craft_tk.backends._cef_gl import gl_switches

        cef.Initialize(raw_cef_settings(cef), gl_switches(root))
        info = cef.WindowInfo()
        info.SetAsChild(frame.winfo_id(), [0, 0, 400, 300])
        browser = cef.CreateBrowserSync(info, url="data:text/html," + PAGE)

        def pump() -> None:
            cef.MessageLoopWork()
            root.after(10, pump)

        pump()
        for _ in range(100):
            root.update()
            cef.MessageLoopWork()
        print(idle_cpu_percent(root, seconds))
        browser.CloseBrowser(True)
        for _ in range(50):
            cef.MessageLoopWork()
        cef.Shutdown()
    else:
        import tkinterweb

        view = tkinterweb.HtmlFrame(frame, messages_enabled=False)
        view.pack(fill="both", expand=True)
        view.load_html(PAGE)
        print(idle_cpu_percent(root, seconds))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
