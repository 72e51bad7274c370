"""An asyncio event loop driven by Tk's mainloop.

Tk owns the thread. ``TkAsyncio`` runs one asyncio iteration whenever asyncio has work:
ready callbacks (``after(0)``), the next timer (``after(ms)``), or a readable file
descriptor of the loop's selector (``createfilehandler``, which also covers the
self-pipe written by ``call_soon_threadsafe``). When asyncio has nothing to do, nothing
runs: an idle app costs no CPU.

Guarantees: one driver per Tk interpreter (``TkAsyncio.of(widget)``); callbacks run on
the Tk thread, in asyncio's order (``call_last``'s at the end of the iteration or page
batch under way); ``call_soon_threadsafe`` is the way in from any other
thread.

Your own async code just works on the Tk thread: the loop counts as *running* there
between steps too, so ``asyncio.create_task()``, ``asyncio.get_running_loop()`` and
``asyncio.ensure_future()`` work in any Tk callback, and a loop made before the first
panel (``asyncio.get_event_loop()``, with the tasks already on it) is the one Tk drives.
(So is ``asyncio.run()`` refused inside a Tk callback, as inside any running loop.)
"""

import asyncio
import contextlib
import math
import threading
import time
import tkinter as tk
import warnings
from asyncio import events
from typing import Any, Callable, ContextManager, Dict, List, Optional

from ._driver import HandOver

__all__ = ["TkAsyncio"]

_TK_MASKS = {1: tk.READABLE, 2: tk.WRITABLE, 3: tk.READABLE | tk.WRITABLE}
STEP_BUDGET_S = 0.002  # longest run of asyncio callbacks before Tk gets its turn


class _TkSelectorEventLoop(asyncio.SelectorEventLoop):  # type: ignore[name-defined,misc]
    """A selector loop that tells Tk when work is added while it is not running."""

    _wake: Callable[[], None] = staticmethod(lambda: None)  # type: ignore[assignment]

    def call_soon(self, *args: Any, **kwargs: Any) -> asyncio.Handle:  # type: ignore[override]
        handle = super().call_soon(*args, **kwargs)
        self._wake()
        return handle

    def call_at(self, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:  # type: ignore[override]
        handle = super().call_at(*args, **kwargs)
        self._wake()
        return handle

    # Every change to the file descriptors the loop watches goes through these four: Tk's
    # file handlers are brought in line by the step that follows, and only then.
    fds_changed = True

    def _fds_change(self) -> None:
        self.fds_changed = True
        self._wake()

    def _add_reader(self, *args: Any, **kwargs: Any) -> Any:
        self._fds_change()
        return super()._add_reader(*args, **kwargs)  # type: ignore[misc]

    def _remove_reader(self, *args: Any, **kwargs: Any) -> Any:
        self._fds_change()
        return super()._remove_reader(*args, **kwargs)  # type: ignore[misc]

    def _add_writer(self, *args: Any, **kwargs: Any) -> Any:
        self._fds_change()
        return super()._add_writer(*args, **kwargs)  # type: ignore[misc]

    def _remove_writer(self, *args: Any, **kwargs: Any) -> Any:
        self._fds_change()
        return super()._remove_writer(*args, **kwargs)  # type: ignore[misc]


class TkAsyncio(HandOver):
    """Steps one asyncio loop from one Tk interpreter's event loop (a ``Driver``)."""

    def __init__(self, root: tk.Misc) -> None:
        self.root = root
        loop = _adopt_or_make_loop()
        super().__init__(loop)
        loop._wake = self._wake  # type: ignore[assignment]
        # One Tcl command for every step: tkinter's after() makes (and deletes) a command
        # per call, whose names can collide when Python reuses an object id.
        self._step_command = root.register(self._step)
        self._after_id: Optional[str] = None
        self._after_delay = -1
        self._fds: Dict[int, int] = {}
        self._stepping = False
        self._steps = 0  # steps begun: tells a step's end-of-iteration callback from a stale one
        self._deadline = 0.0  # when the step under way gives Tk its turn
        self._held = 0  # running() blocks in progress: no step may start inside one
        self._batching = 0  # batch() blocks in progress: they step when they end
        self._batch_scope = _BatchScope(self)
        self._running_scope = _RunningScope(self)
        self._last: List[Callable[[], Any]] = []  # call_last()'s: the end of the batch or iteration runs them
        asyncio.set_event_loop(self.loop)
        events._set_running_loop(self.loop)  # Tk callbacks see it running (see module doc)
        self._watch_fds()
        self._wake()  # tasks made on an adopted loop before Tk drove it

    @classmethod
    def of(cls, widget: tk.Misc) -> "TkAsyncio":
        """The driver of ``widget``'s Tk interpreter, made on first use."""
        root = widget._root()  # type: ignore[attr-defined]
        driver = getattr(root, "_craft_asyncio", None)
        if driver is None or driver._closed:
            driver = cls(root)
            root._craft_asyncio = driver
            root.bind("<Destroy>", driver._on_root_destroy, add="+")
        return driver

    def running(self) -> ContextManager[None]:
        """Run Tk code that needs the loop running (PythonMonkey) and may spin Tk
        (``update()``): no asyncio step starts inside it. Work scheduled meanwhile runs
        in the next step, as if it came from a step."""
        return self._running_scope

    # -- stepping ---------------------------------------------------------------------

    def _wake(self) -> None:
        """Ask Tk for a step now (ignored off the Tk thread: the self-pipe wakes us)."""
        if self._closed or threading.get_ident() != self._thread:
            return
        if self._stepping:
            return  # the step in progress reschedules itself
        self._schedule(0)  # also inside a batch: a listener's dialog may spin Tk before it ends

    def call_last(self, callback: Callable[[], Any]) -> None:
        """Run ``callback()`` at the end of the page batch or asyncio iteration under way
        (else in the next step): what one Tk event queued for the page leaves in one post,
        without an asyncio iteration of its own. Tk thread only."""
        self._last.append(callback)
        self._wake()  # should a listener spin Tk (a dialog) before the batch ends

    def _run_flushes(self) -> None:
        """Run what ``call_last`` collected, then what those add for as long as no
        callback is ready and the step's budget lasts. On Tkhtml a page's flush causes
        native's answer: it leaves at once, without an asyncio iteration of its own,
        unless the page queued promise jobs meanwhile, which must run first, as in a
        browser. An outbox with more channel data than a flush's budget asks again each
        time: the budget stops it."""
        self._run_last()
        ready = self.loop._ready  # type: ignore[attr-defined]
        while self._last and not ready and time.perf_counter() <= self._deadline:  # close() empties _last
            self._run_last()

    def _run_last(self) -> None:
        """Run what ``call_last`` collected (what they add waits for the next call)."""
        callbacks, self._last = self._last, []
        for index, callback in enumerate(callbacks):
            try:
                callback()
            except Exception as error:  # reported as asyncio reports a failed callback
                self.loop.call_exception_handler({"message": "call_last() callback failed",
                                                  "exception": error, "callback": callback})
            except BaseException:  # SystemExit, KeyboardInterrupt: the rest still runs later
                self._last[:0] = callbacks[index + 1:]
                raise

    def _cancel_scheduled(self) -> None:
        if self._after_id is not None:
            self.root.tk.call("after", "cancel", self._after_id)
            self._after_id = None
            self._after_delay = -1

    def batch(self) -> ContextManager[None]:
        """Handle a batch from the page inside; then step at once, in the Tk callback that
        delivered it, rather than after a trip through Tk's queue: what the batch made
        ready (answers, awaiting coroutines, their messages) leaves in the same event.
        Inside a step, inside ``running()`` (a page engine's call: Tkhtml) or off the Tk
        thread, the next step runs it as usual."""
        if self._closed or self._stepping or self._held or threading.get_ident() != self._thread:
            return _NO_BATCH
        return self._batch_scope

    def _end_batch(self) -> None:
        """Run what a batch made ready. When that is only flushes (``call_last``: the
        answer of a plain handler, say), they run here, without an asyncio iteration."""
        loop = self.loop
        try:
            if self._last and not loop._ready:  # type: ignore[attr-defined]
                self._deadline = time.perf_counter() + STEP_BUDGET_S
                self._run_flushes()
            if loop._ready or self._last:  # type: ignore[attr-defined]
                self._step()
                return
        except (SystemExit, KeyboardInterrupt) as exit_:  # raise it where Tk's callbacks do
            self.root.after(0, _raise, exit_)
            return
        if self._closed:
            return  # a flush closed the driver (its root went): nothing left to watch
        self._watch_fds()  # what a step would have done: a handler may have added a reader
        if self._after_delay == 0:  # a wake-up for work done here already: Tk waits for timers only
            self._cancel_scheduled()
            self._schedule_next()

    def _schedule(self, delay: int) -> None:
        if self._after_id is not None:
            if 0 <= self._after_delay <= delay:
                return
            self.root.tk.call("after", "cancel", self._after_id)
        self._after_delay = delay
        self._after_id = self.root.tk.call("after", delay, self._step_command)

    def _schedule_next(self) -> None:
        loop = self.loop
        if loop._ready or self._last:  # type: ignore[attr-defined]
            self._schedule(0)
        elif loop._scheduled:  # type: ignore[attr-defined]
            when = loop._scheduled[0]._when  # type: ignore[attr-defined]
            self._schedule(max(0, math.ceil((when - loop.time()) * 1000)))

    def _step(self, *_: Any) -> None:
        self._cancel_scheduled()  # entered from a batch or a file handler: the pending after is moot
        if self._closed:
            return
        if self._stepping or self._held:
            # Re-entered through a nested update() (a page script can cause one). Whoever
            # is running now schedules the next step when it ends. Until then stop watching
            # the loop's file descriptors: a readable one would keep that update() spinning.
            self._watch_fds(stop=True)
            return
        self._stepping = True
        self._steps += 1
        self._deadline = time.perf_counter() + STEP_BUDGET_S
        events._set_running_loop(None)  # run_forever() sets it for the step itself
        try:
            self.loop.call_soon(self._end_of_iteration, self._steps)
            self.loop.run_forever()
        finally:
            self._stepping = False
            events._set_running_loop(None if self._closed else self.loop)
            if self._closed and not self.loop.is_closed():
                self.loop.close()  # the root went during this step (an async listener destroyed it)
        if not self._closed:
            self._watch_fds()
            self._schedule_next()

    def _end_of_iteration(self, step: int) -> None:
        """Runs last in each asyncio iteration of a step: chained callbacks (a flush, a
        promise job, what they cause) get another iteration in the same ``run_forever``,
        without a trip through Tk's queue, until none is left or the step's budget is
        spent; then the loop stops and Tk gets its turn."""
        if step != self._steps:
            return  # left over from a step that stopped early (the app called loop.stop())
        if not self._closed:
            self._run_flushes()
        loop = self.loop
        more = loop._ready or self._last  # type: ignore[attr-defined]
        if more and not self._closed and time.perf_counter() <= self._deadline:
            loop.call_soon(self._end_of_iteration, step)
        else:
            loop.stop()

    def _watch_fds(self, stop: bool = False) -> None:
        """Have Tk watch the loop's file descriptors (none with ``stop``)."""
        loop = self.loop
        if not stop and not loop.fds_changed:  # type: ignore[attr-defined]
            return
        selector = loop._selector  # type: ignore[attr-defined]
        wanted = {} if stop else {fd: _TK_MASKS[key.events] for fd, key in selector.get_map().items()}
        for fd in set(self._fds) - set(wanted):
            self.root.tk.deletefilehandler(fd)
        for fd, mask in wanted.items():
            if self._fds.get(fd) != mask:
                self.root.tk.createfilehandler(fd, mask, self._step)
        self._fds = wanted
        loop.fds_changed = stop  # type: ignore[attr-defined]  # after a stop, watch them again

    def _on_root_destroy(self, event: tk.Event) -> None:
        if event.widget is self.root:
            self.close()

    def close(self) -> None:
        """Stop stepping and close the loop; pending callbacks are dropped."""
        if self._closed:
            return
        self._fail_handed_over()  # closed from now on
        try:
            for fd in self._fds:
                self.root.tk.deletefilehandler(fd)
            if self._after_id is not None:
                self.root.tk.call("after", "cancel", self._after_id)
            self.root.deletecommand(self._step_command)
        except tk.TclError:
            pass  # the interpreter is already gone
        self._fds = {}
        self._last = []
        in_step = self._stepping or self.loop.is_running()  # the step closes it when it ends
        if self.on_tk_thread() and events._get_running_loop() is self.loop and not in_step:
            events._set_running_loop(None)
        if getattr(self.root, "_craft_asyncio", None) is self:
            del self.root._craft_asyncio  # type: ignore[attr-defined]
        if not in_step:
            self.loop.close()


class _BatchScope:
    """``TkAsyncio.batch()`` on the Tk thread: counts nested batches; the outermost one's
    end runs what they made ready (a plain class: a batch per wire string from the page)."""

    __slots__ = ("_driver",)

    def __init__(self, driver: TkAsyncio) -> None:
        self._driver = driver

    def __enter__(self) -> None:
        self._driver._batching += 1

    def __exit__(self, *_: Any) -> None:
        driver = self._driver
        driver._batching -= 1
        if not driver._batching and not driver._closed and not driver._stepping and not driver._held:
            driver._end_batch()


class _RunningScope:
    """``TkAsyncio.running()``: the loop counts as running and no step starts inside; the
    outermost one's end has Tk step for what was scheduled meanwhile."""

    __slots__ = ("_driver",)

    def __init__(self, driver: TkAsyncio) -> None:
        self._driver = driver

    def __enter__(self) -> None:
        driver = self._driver
        if events._get_running_loop() is not driver.loop:
            events._set_running_loop(driver.loop)
        driver._held += 1

    def __exit__(self, *_: Any) -> None:
        driver = self._driver
        driver._held -= 1
        if not driver._held and not driver._stepping and not driver._closed:
            driver._watch_fds()
            driver._wake()


_NO_BATCH = contextlib.nullcontext()


def _raise(error: BaseException) -> None:
    raise error


def _adopt_or_make_loop() -> _TkSelectorEventLoop:
    """The thread's current event loop, made Tk-driven, if it is an idle selector loop
    (so that tasks an app created before its first panel run); else a new loop."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            current = asyncio.get_event_loop()
    except RuntimeError:
        current = None
    if current is None or current.is_closed() or current.is_running() or "_wake" in vars(current):
        return _TkSelectorEventLoop()  # none, finished, or another Tk root's
    if isinstance(current, _TkSelectorEventLoop):
        return current
    if type(current) is asyncio.SelectorEventLoop:
        current.__class__ = _TkSelectorEventLoop  # the same loop, now telling Tk of new work
        return current  # type: ignore[return-value]
    return _TkSelectorEventLoop()

