"""Browser windows that Tk does not own, inside Tk frames (both CEF transports).

- The browser needs a mapped X window as its parent: ``when_mapped`` waits for it.
- Keyboard focus: a click in the browser gives it the X input focus; a later click on a
  Tk widget moves Tk's focus to that widget, but not the X focus, which stays with the
  browser. ``reclaim_focus_on_tk_clicks`` makes a click on any Tk widget take the X
  focus back for the window whose widget now has Tk's focus.
- Closing: X destroys a window's children with it, and a CEF browser whose window is
  destroyed under it never finishes closing (its renderer process lives on).
  ``detach_windows`` moves such windows out of a Tk window about to be destroyed.
"""

import ctypes
import glob
import os
import tkinter as tk
from typing import Any, Callable, Dict, Iterable, List

__all__ = ["detach_children", "detach_windows", "direct_rendering", "reclaim_focus_on_tk_clicks", "server_has_extension",
           "when_mapped"]


def when_mapped(widget: tk.Misc, fn: Callable[[], None]) -> None:
    """Call ``fn()`` now if ``widget`` is mapped, else once, when it first is."""
    if widget.winfo_ismapped():
        fn()
        return

    def mapped(event: tk.Event) -> None:
        if event.widget is widget:
            widget.unbind("<Map>", binding)
            fn()

    binding = widget.bind("<Map>", mapped, add="+")


def reclaim_focus_on_tk_clicks(widget: tk.Misc) -> None:
    """Install the reclaiming binding once per Tk interpreter."""
    root = widget._root()  # type: ignore[attr-defined]
    if getattr(root, "_craft_focus_bound", False):
        return
    root._craft_focus_bound = True

    def clicked(event: Any) -> None:
        # Tcl paths, not widget objects: Tk's own dialogs' widgets are unknown to tkinter.
        try:
            target = str(root.tk.call("focus")) or str(event.widget)
            root.tk.call("focus", "-force", target)  # after the class bindings: Tk's focus is right
        except tk.TclError:
            pass  # a widget being destroyed

    root.bind_all("<ButtonPress>", clicked, add="+")


def detach_windows(widget: tk.Misc, windows: Iterable[int]) -> None:
    """Unmap X ``windows`` (inside ``widget``'s window, not Tk's own) and make them
    children of the root window, so that destroying ``widget`` leaves them to their owner.

    Done on a connection of our own, synchronously, so that it happens before Tk destroys
    the widget; errors (a window already gone) are ignored.
    """
    xlib, display = _xlib(), _display(widget)
    if display is None:
        return
    previous = xlib.XSetErrorHandler(_IGNORE_X_ERRORS)
    try:
        root = xlib.XDefaultRootWindow(display)
        for window in windows:
            xlib.XUnmapWindow(display, window)
            xlib.XReparentWindow(display, window, root, 0, 0)
        xlib.XSync(display, 0)  # every error of ours arrives while ours is the handler
    finally:
        xlib.XSetErrorHandler(previous)


def detach_children(widget: tk.Misc) -> None:
    """``detach_windows`` for every X child of ``widget`` (such as what another process
    embedded in a Tk container frame)."""
    xlib, display = _xlib(), _display(widget)
    if display is None:
        return
    root, parent = ctypes.c_ulong(), ctypes.c_ulong()
    children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
    windows: List[int] = []
    previous = xlib.XSetErrorHandler(_IGNORE_X_ERRORS)
    try:
        if xlib.XQueryTree(display, widget.winfo_id(), ctypes.byref(root), ctypes.byref(parent),
                           ctypes.byref(children), ctypes.byref(count)):
            windows = [children[i] for i in range(count.value)]
            if children:
                xlib.XFree(children)
    finally:
        xlib.XSetErrorHandler(previous)
    detach_windows(widget, windows)


# X extensions through which a client's GL draws on the GPU itself.
_DIRECT_RENDERING = ("DRI3", "DRI2", "NV-GLX")


def direct_rendering(widget: tk.Misc) -> bool:
    """Whether GL in this process can draw on a GPU for ``widget``'s display: the display is
    local, its server offers direct rendering, this machine has a GPU device, and
    ``LIBGL_ALWAYS_SOFTWARE`` is not set. Otherwise Mesa draws in software."""
    if os.environ.get("LIBGL_ALWAYS_SOFTWARE", "").strip() not in ("", "0", "false"):
        return False
    if not widget.winfo_screen().startswith((":", "unix:")):  # over the network (ssh -X)
        return False
    if not (glob.glob("/dev/dri/*") or os.path.exists("/dev/nvidiactl")):  # a container
        return False
    return any(server_has_extension(widget, name) for name in _DIRECT_RENDERING)


def server_has_extension(widget: tk.Misc, name: str) -> bool:
    """Whether the X server of ``widget``'s display offers the extension ``name``."""
    display = _display(widget)
    if display is None:
        return False
    number = ctypes.c_int()
    return bool(_xlib().XQueryExtension(display, name.encode(), ctypes.byref(number), ctypes.byref(number),
                                        ctypes.byref(number)))


_ignore_x_errors = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda display, error: 0)
_IGNORE_X_ERRORS = ctypes.cast(_ignore_x_errors, ctypes.c_void_p)
_loaded: List[Any] = []
_displays: Dict[str, Any] = {}


def _xlib() -> Any:
    if not _loaded:
        xlib = ctypes.CDLL("libX11.so.6")
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        xlib.XUnmapWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        xlib.XReparentWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int, ctypes.c_int]
        window_p = ctypes.POINTER(ctypes.c_ulong)
        xlib.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, window_p, window_p, ctypes.POINTER(window_p),
                                    ctypes.POINTER(ctypes.c_uint)]
        xlib.XFree.argtypes = [ctypes.c_void_p]
        xlib.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        int_p = ctypes.POINTER(ctypes.c_int)
        xlib.XQueryExtension.argtypes = [ctypes.c_void_p, ctypes.c_char_p, int_p, int_p, int_p]
        xlib.XSetErrorHandler.restype = ctypes.c_void_p
        xlib.XSetErrorHandler.argtypes = [ctypes.c_void_p]
        _loaded.append(xlib)
    return _loaded[0]


def _display(widget: tk.Misc) -> Any:
    """One X connection per display for the process, opened when first needed."""
    name = widget.winfo_screen()
    if name not in _displays:
        _displays[name] = _xlib().XOpenDisplay(name.encode()) or None
    return _displays[name]
