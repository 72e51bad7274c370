"""Which GL Chromium draws with: SwiftShader where this process cannot draw on a GPU.

Apart from ``_cef`` so that the bench's raw CEF baselines start Chromium the same way
without importing craft_tk's transport.
"""

import logging
import os
import tkinter as tk
from typing import Dict

from ._xwindows import direct_rendering

__all__ = ["gl_switches"]

log = logging.getLogger("craft_tk.cef")

# Without direct rendering (``direct_rendering``: Xvfb, VNC, most virtual machines,
# containers, ssh -X) Chromium's GPU process draws through Mesa's software rasterizer,
# whose start-up held 0.3-1.7 GB for about a second in 1 start of 10 under Xvfb (a GLX call
# in swrast_dri). There craft_tk has Chromium draw with SwiftShader, the software GL CEF
# ships: no spike in 30 starts, a GPU process of 58 MB, first paint 495-751 ms instead of
# 217-244. --disable-gpu (composite on the CPU, SwiftShader for WebGL only) paints in
# 148-168 ms, but Chromium 66 then prints "Lost UI shared context." whatever the log
# severity: an app's choice (CRAFT_TK_CEF_GL=cpu), not the default.
_GL_CHOICES: Dict[str, Dict[str, str]] = {
    "swiftshader": {"use-gl": "swiftshader"}, "cpu": {"disable-gpu": ""}, "system": {}}


def gl_switches(widget: tk.Misc) -> Dict[str, str]:
    """SwiftShader where GL could not draw on a GPU (``direct_rendering``), or what
    ``CRAFT_TK_CEF_GL`` chooses: ``auto`` (the default), ``swiftshader``, ``cpu``, ``system``."""
    choice = (os.environ.get("CRAFT_TK_CEF_GL") or "auto").strip().lower()
    if choice != "auto" and choice not in _GL_CHOICES:
        log.warning("CRAFT_TK_CEF_GL is %r: it can be auto, %s; using auto", choice, ", ".join(_GL_CHOICES))
        choice = "auto"
    if choice == "auto":
        choice = "system" if direct_rendering(widget) else "swiftshader"
    return _GL_CHOICES[choice]
