"""Drives glib's default main context from Tk, which is how CEF's message pump runs.

With ``external_message_pump``, cefpython schedules its work through glib's default
context. Tk never runs glib, so this module does it the way a glib main loop would:
prepare and query give the file descriptors and the timeout glib is waiting on; Tk
watches those (``createfilehandler``, ``after``), and when one fires we check and
dispatch, then ask again. Idle, nothing runs; busy, latency is one Tk event.

One gap needs the engine's help (``work``, CEF's ``MessageLoopWork``): work CEF's UI
thread is given while a dispatch runs long (the page's next message arriving while
Python handles a big batch) waits for cefpython's 33 ms timer: measured, the next
dispatch came from that timer, 33-34 ms later, and 200,000 page events reached Python
at half the rate the page sent them. After a dispatch longer than ``follow_up_after``
seconds, the pump runs the engine's work once more at once, and again while that is
long too. Nothing of the pump is watched meanwhile: a callback that spins Tk (a dialog)
inside that work gets no dispatch nested in it, as cefpython's own pump refuses one
inside its work.
"""

import ctypes
import select
import time
import tkinter as tk
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["GlibPump", "iterate_default_context"]

_G_IO_IN, _G_IO_OUT, _G_IO_PRI = 1, 4, 2
# cefpython's pump asks for work every 33 ms even when idle. After a few such ticks in a row
# with nothing else happening, tick every IDLE_TIMEOUT_MS instead: any message (a file
# descriptor waking) brings back glib's own timing at once.
IDLE_TICK_MS = 30
IDLE_TICKS_BEFORE_SLOWING = 4
IDLE_TIMEOUT_MS = 100
TICK_ECHO_S = 0.005
FOLLOW_UP_AFTER_S = 0.001  # a dispatch this long may have left work waiting for the 33 ms timer


class _GPollFD(ctypes.Structure):
    _fields_ = [("fd", ctypes.c_int), ("events", ctypes.c_ushort), ("revents", ctypes.c_ushort)]


def _load_glib() -> Any:
    glib = ctypes.CDLL("libglib-2.0.so.0")
    glib.g_main_context_default.restype = ctypes.c_void_p
    glib.g_main_context_acquire.argtypes = [ctypes.c_void_p]
    glib.g_main_context_prepare.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    glib.g_main_context_query.argtypes = [
        ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(_GPollFD), ctypes.c_int,
    ]
    glib.g_main_context_check.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(_GPollFD), ctypes.c_int]
    glib.g_main_context_dispatch.argtypes = [ctypes.c_void_p]
    glib.g_main_context_iteration.argtypes = [ctypes.c_void_p, ctypes.c_int]
    return glib


class GlibPump:
    """Runs glib's default context (or ``context``) from one Tk interpreter's event loop;
    ``work`` runs the engine's pending work directly (see the module's doc)."""

    def __init__(self, root: tk.Misc, work: Optional[Callable[[], Any]] = None, context: Optional[int] = None,
                 follow_up_after: float = FOLLOW_UP_AFTER_S) -> None:
        self._glib = _load_glib()
        self._context = context or self._glib.g_main_context_default()
        self._glib.g_main_context_acquire(self._context)
        self._root = root
        self._fds = (_GPollFD * 16)()
        self._count = 0
        self._priority = ctypes.c_int()
        self._timeout = ctypes.c_int()
        self._watched: Dict[int, int] = {}
        self._poller = select.poll()
        self._poll_signature: List[Tuple[int, int]] = []
        self._after_id: Optional[str] = None
        self._dispatch_command = root.register(self._dispatch)  # one Tcl command for all timers
        self._work = work
        self._follow_up_after = follow_up_after
        self._working = 0  # dispatches and follow-ups under way (nested by a Tk loop in a callback)
        self._follow_up_id: Optional[str] = None
        self._follow_up_command = root.register(self._follow_up)
        self._stopped = False
        self._idle_ticks = 0
        self._last_tick = 0.0
        self._wait()

    def _wait(self) -> None:
        """Prepare and query: learn what glib waits on, and have Tk watch it."""
        glib = self._glib
        glib.g_main_context_prepare(self._context, ctypes.byref(self._priority))
        while True:
            count = glib.g_main_context_query(
                self._context, self._priority.value, ctypes.byref(self._timeout), self._fds, len(self._fds)
            )
            if count <= len(self._fds):
                break
            self._fds = (_GPollFD * count)()
        self._count = count
        signature = [(self._fds[i].fd, self._fds[i].events) for i in range(count)]
        if signature != self._poll_signature:  # the set glib waits on rarely changes
            self._poll_signature = signature
            self._poller = select.poll()
            for fd, events in signature:
                self._poller.register(fd, events)
        wanted: Dict[int, int] = {}
        for i in range(count):
            poll_fd = self._fds[i]
            mask = (tk.READABLE if poll_fd.events & (_G_IO_IN | _G_IO_PRI) else 0) | (
                tk.WRITABLE if poll_fd.events & _G_IO_OUT else 0
            )
            wanted[poll_fd.fd] = wanted.get(poll_fd.fd, 0) | mask
        for fd in set(self._watched) - set(wanted):
            self._root.tk.deletefilehandler(fd)
        for fd, mask in wanted.items():
            if self._watched.get(fd) != mask:
                self._root.tk.createfilehandler(fd, mask, self._dispatch)
        self._watched = wanted
        self._cancel_timer()
        timeout = self._timeout.value
        if timeout >= IDLE_TICK_MS and self._idle_ticks >= IDLE_TICKS_BEFORE_SLOWING:
            timeout = max(timeout, IDLE_TIMEOUT_MS)  # only CEF's idle tick is pending: tick slower
        if timeout >= 0:
            self._after_id = self._root.tk.call("after", timeout, self._dispatch_command)

    def _dispatch(self, *fd_event: Any) -> None:
        """Poll without blocking, check, dispatch what is ready, then wait again."""
        if self._stopped:
            return
        # CEF is idle when its timer ticks and nothing wakes it in between but the echo of
        # its own tick (a file descriptor right after it).
        now = time.monotonic()
        if not fd_event:
            self._idle_ticks += 1
            self._last_tick = now
        elif now - self._last_tick > TICK_ECHO_S:
            self._idle_ticks = 0
        if self._count:
            ready = dict(self._poller.poll(0))
            for i in range(self._count):
                self._fds[i].revents = ready.get(self._fds[i].fd, 0) & (self._fds[i].events | 0x38)
        long = self._working_on(self._check_and_dispatch)
        if not self._stopped:
            self._wait()
            self._follow_up_if(long)

    def _check_and_dispatch(self) -> None:
        if self._glib.g_main_context_check(self._context, self._priority.value, self._fds, self._count):
            self._glib.g_main_context_dispatch(self._context)

    def _working_on(self, run: Callable[[], Any]) -> bool:
        """``run()``, counted as the engine's work under way; whether it took long."""
        started = time.perf_counter()
        self._working += 1
        try:
            run()
        finally:
            self._working -= 1
        return time.perf_counter() - started > self._follow_up_after

    def _follow_up_if(self, long: bool) -> None:
        if long and self._work is not None and self._follow_up_id is None:
            self._follow_up_id = self._root.tk.call("after", 0, self._follow_up_command)

    def _follow_up(self) -> None:
        """The engine's work, once, right after a long dispatch (see the module's doc)."""
        self._follow_up_id = None
        if self._stopped or self._working or self._work is None:
            return  # never the engine's work nested in its own: the dispatch's end asks again
        self._unwatch()  # nor a dispatch nested in this work (cefpython's guard does not see it)
        try:
            long = self._working_on(self._work)
        finally:
            if not self._stopped:
                self._wait()
        self._follow_up_if(long)

    def _unwatch(self) -> None:
        """Have Tk watch nothing of glib's until the next ``_wait()``."""
        for fd in self._watched:
            self._root.tk.deletefilehandler(fd)
        self._watched = {}
        self._cancel_timer()

    def _cancel_timer(self) -> None:
        if self._after_id is not None:
            self._root.tk.call("after", "cancel", self._after_id)
            self._after_id = None

    def stop(self) -> None:
        """Stop watching (the root is going); glib keeps its state for a later pump."""
        self._stopped = True
        try:
            self._unwatch()
            if self._follow_up_id is not None:
                self._root.tk.call("after", "cancel", self._follow_up_id)
            self._root.deletecommand(self._dispatch_command)
            self._root.deletecommand(self._follow_up_command)
        except tk.TclError:
            pass  # the interpreter is already gone
        self._watched = {}
        self._after_id = self._follow_up_id = None



def iterate_default_context() -> None:
    """One non-blocking iteration of glib's default context, with no Tk involved."""
    glib = _load_glib()
    glib.g_main_context_iteration(glib.g_main_context_default(), 0)
