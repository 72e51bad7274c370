"""SIGTERM and Ctrl+C end a Tk app as ``sys.exit()`` would (``python -m craft_tk run``):
its ``atexit`` work runs (a ``CRAFT_TK_TRACE`` file is written), even while Tk sleeps.

Python runs a signal's handler only when the main thread runs Python, and Tk's mainloop
may sleep for as long as nothing happens: each signal also wakes Tk, from a thread that
hears it through Python's wake-up file descriptor. A ``SystemExit`` raised inside a Tk
callback ends the app only when ``mainloop()`` runs it (tkinter re-raises it there);
``update()`` alone would drop it, so there it is raised in the app's code that called
``update()``, as soon as that code runs again (a trace on that one frame).
"""

import os
import signal
import sys
import threading
import tkinter
import types
from typing import Any, Optional, Sequence

__all__ = ["exit_cleanly_on"]

_exiting = False  # an exit is under way: signals after it change nothing
_CALLBACK = tkinter.CallWrapper.__call__.__code__
_MAINLOOP = tkinter.Misc.mainloop.__code__
_TKINTER_FILE = _MAINLOOP.co_filename


def exit_cleanly_on(signals: Sequence[int] = (signal.SIGTERM, signal.SIGINT)) -> None:
    """From now on, each of ``signals`` ends the app with status 128 + its number."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    for signum in signals:
        signal.signal(signum, _exit)
    signal.set_wakeup_fd(write_end)
    threading.Thread(target=_wake_tk_on_signals, args=(read_end,), name="craft_tk-signals", daemon=True).start()


def _exit(signum: int, frame: Optional[types.FrameType]) -> None:
    global _exiting
    if _exiting:
        return
    _exiting = True
    code = 128 + signum
    caller = _app_frame_outside_tk_callbacks(frame)
    if caller is frame:
        raise SystemExit(code)

    def exit_there(traced: types.FrameType, event: str, arg: object) -> Any:
        if traced is caller:
            sys.settrace(None)
            raise SystemExit(code)
        return None

    assert caller is not None
    caller.f_trace = exit_there
    sys.settrace(lambda traced, event, arg: None)  # tracing on, so that the caller's trace runs


def _app_frame_outside_tk_callbacks(frame: Optional[types.FrameType]) -> Optional[types.FrameType]:
    """Where a ``SystemExit`` ends the app: ``frame`` itself when it is outside Tk
    callbacks or in one that ``mainloop()`` runs (maybe after a modal dialog it is in
    closes); else the app's frame that called into Tk (``update()``...)."""
    callback = None
    here = frame
    while here is not None:
        if here.f_code is _CALLBACK:
            callback = here
        elif here.f_code is _MAINLOOP:
            return frame
        here = here.f_back
    if callback is None:
        return frame
    outside = callback.f_back
    while outside is not None and outside.f_code.co_filename == _TKINTER_FILE:
        outside = outside.f_back
    return outside if outside is not None else frame


def _wake_tk_on_signals(read_end: int) -> None:
    """Each signal wakes Tk's mainloop, which then runs the signal's handler."""
    while os.read(read_end, 64):
        root = getattr(tkinter, "_default_root", None)
        if root is None:
            continue  # no Tk yet, or no more: the main thread runs Python, and the handler with it
        try:
            root.tk.call("info", "patchlevel")  # handed to Tk's thread, which wakes to run it
        except Exception:  # Tk gone, or not in its mainloop (then the main thread runs Python)
            pass
