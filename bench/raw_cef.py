"""The honest CEF baseline: a bare cefpython3 binding round trip, no craft_tk IPC.

``python -m bench.raw_cef N`` (on the Python with cefpython3) shows a page in a Tk frame;
the page calls a bound Python function N times in a row, each time from the callback by
which Python answered the previous call (``JavascriptCallback.Call``, at once, inside the
binding); then Python calls a page function N times in a row, each time when the page
answered the previous call through a binding (``native``). CEF's message pump is glib's default context driven by Tk file handlers and
timers, as craft_tk drives it (``GlibPump``: the pump is the engine's cost, not the
IPC's); there is no asyncio loop and no craft_tk message, batch or dispatcher. Prints
``{"p50_ms", "p99_ms"}`` of the round trips, timed in Python between successive calls.
"""

import json
import sys
import time
import tkinter as tk
from typing import Any, List

from cefpython3 import cefpython as cef

from craft_tk.backends._cef_gl import gl_switches
from craft_tk.backends._glib_pump import GlibPump

from . import WARM_UP, percentile, raw_cef_settings

PAGE = """<html><body><p>raw</p><script>
  function go(n) {
    var i = 0;
    function next() { ping(i, function () { if (++i < n) { next(); } else { done(); } }); }
    next();
  }
  exportEcho(function (i) { back(i); });
</script></body></html>"""



def main(n: int) -> None:
    root = tk.Tk()
    root.geometry("400x300+0+0")
    frame = tk.Frame(root, width=400, height=300)
    frame.pack(fill="both", expand=True)
    root.update()
    cef.Initialize(raw_cef_settings(cef, external_message_pump=True), gl_switches(root))  # craft_tk's GL
    pump = GlibPump(root, cef.MessageLoopWork)  # as craft_tk runs it
    info = cef.WindowInfo()
    info.SetAsChild(frame.winfo_id(), [0, 0, 400, 300])
    browser = cef.CreateBrowserSync(info, url="data:text/html," + PAGE)
    times: List[float] = []
    loaded: List[bool] = []

    def ping(i: Any, callback: Any) -> None:
        times.append(time.perf_counter())
        callback.Call()

    bindings = cef.JavascriptBindings(bindToFrames=False, bindToPopups=False)
    bindings.SetFunction("ping", ping)
    bindings.SetFunction("done", lambda: root.quit())
    echo: List[Any] = []
    bindings.SetFunction("exportEcho", echo.append)
    back_times: List[float] = []

    def back(i: Any) -> None:
        back_times.append(time.perf_counter())
        if i < n + WARM_UP:
            echo[0].Call(i + 1)
        else:
            root.quit()

    bindings.SetFunction("back", back)
    browser.SetJavascriptBindings(bindings)

    class Load:
        def OnLoadEnd(self, frame: Any, **_: Any) -> None:
            if frame.IsMain():
                loaded.append(True)

    browser.SetClientHandler(Load())
    deadline = time.monotonic() + 30
    while not (loaded and echo) and time.monotonic() < deadline:
        root.update()
        time.sleep(0.001)
    browser.GetMainFrame().ExecuteFunction("go", n + WARM_UP)
    root.after(60000, root.quit)
    root.mainloop()
    trips = [b - a for a, b in zip(times[WARM_UP:], times[WARM_UP + 1:])]
    echo[0].Call(0)
    root.mainloop()
    native = [b - a for a, b in zip(back_times[WARM_UP:], back_times[WARM_UP + 1:])]
    print(json.dumps({"p50_ms": percentile(trips, 50) * 1000, "p99_ms": percentile(trips, 99) * 1000,
                      "native_p50_ms": percentile(native, 50) * 1000, "native_p99_ms": percentile(native, 99) * 1000,
                      "trips": len(trips) + len(native)}))
    pump.stop()
    browser.CloseBrowser(True)
    for _ in range(20):
        root.update()
        time.sleep(0.005)
    cef.Shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
