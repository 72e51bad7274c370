"""SIGTERM and Ctrl+C end a Tk app as ``sys.exit()`` would (``python -m craft_tk run``):
its ``atexit`` work runs (a ``CRAFT_TK_TRACE`` file is written), even while Tk sleeps.

Python runs a signal's handler only when the main thread runs Python, and Tk's mainloop
may sleep for as long as nothing happens: each signal also wakes Tk, from a thread that
hears it through Python's wake-up file descriptor. Where the handler lands inside Tk (an
engine's callback may swallow exceptions), it raises nothing there: a Tk callback of its
own raises ``SystemExit``, which ``mainloop()`` re-raises. ``update()`` or a modal
dialog's wait would drop it, so then it is raised in the code that called them, as soon
as that code runs again (a trace on that one frame; a tracer already set keeps running
until then, and again for ``atexit``; coverage's C tracer does not run frame traces). A
second signal ends the app at once.
"""

import atexit
import os
import signal
import sys
import threading
import tkinter
import types
from typing import Any, Optional, Sequence

__all__ = ["exit_cleanly_on"]

_TKINTER = os.path.dirname(tkinter.__file__)  # the package's folder: dialogs wait in other files of it
_MAINLOOPS = {tkinter.Misc.mainloop.__code__, tkinter.mainloop.__code__}
_CALLBACK = tkinter.CallWrapper.__call__.__code__
_exiting = False


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
    if _exiting:  # asked again: now
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    _exiting = True
    code = 128 + signum
    root = getattr(tkinter, "_default_root", None)
    if root is None or not _in_tk(frame):
        raise SystemExit(code)
    try:
        root.after(0, _exit_from_tk, code)
    except tkinter.TclError:  # the root is going: no Tk code runs any more
        raise SystemExit(code) from None


def _in_tk(frame: Optional[types.FrameType]) -> bool:
    """Whether ``frame`` runs inside a call into Tk (its loop, a callback of it)."""
    while frame is not None:
        if _is_tkinter(frame):
            return True
        frame = frame.f_back
    return False


def _is_tkinter(frame: types.FrameType) -> bool:
    return frame.f_code.co_filename.startswith(_TKINTER)


def _exit_from_tk(code: int) -> None:
    """A Tk callback: raise ``SystemExit(code)``, which a mainloop running it re-raises;
    under ``update()`` or a dialog's wait, also raise it in their caller when it resumes."""
    caller = _caller_waiting_on_tk(sys._getframe(1))
    if caller is not None:
        _raise_when_resumed(caller, code)
    raise SystemExit(code)


def _caller_waiting_on_tk(frame: Optional[types.FrameType]) -> Optional[types.FrameType]:
    """The code that called ``update()`` or a dialog, which runs Tk's events now (``frame``
    being tkinter's wrapper of a callback); None when a mainloop does."""
    entry = None
    while frame is not None and _is_tkinter(frame):
        if frame.f_code in _MAINLOOPS:
            return None
        if frame.f_code is not _CALLBACK:
            entry = frame
        frame = frame.f_back
    return frame if entry is not None else None


def _raise_when_resumed(frame: types.FrameType, code: int) -> None:
    """Raise ``SystemExit(code)`` in ``frame`` at its next line, with tracing on meanwhile.
    A trace function that raises turns tracing off: a tracer already set is set again
    for the exit's ``atexit`` work."""
    previous: Any = sys.gettrace()
    frames_own: Any = frame.f_trace

    def exit_here(traced: types.FrameType, event: str, arg: Any) -> Any:
        traced.f_trace = frames_own
        if previous is not None:
            atexit.register(sys.settrace, previous)
        raise SystemExit(code)

    frame.f_trace = exit_here
    if previous is None:
        sys.settrace(lambda traced, event, arg: None)  # tracing on, so that the frame's trace runs


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
