"""What the IPC core needs of the loop that drives it.

``Driver`` is that interface: an asyncio loop owned by one thread (Tk's, in an app),
a way in from other threads, and ``submit`` to hand work over. ``TkAsyncio`` is the
driver of every panel; ``LoopDriver`` drives the core from a plain asyncio loop, with no
Tk and no display (the headless test tier uses it).
"""

import asyncio
import concurrent.futures
import contextlib
import threading
from typing import Any, Callable, ContextManager, Optional, Set, Type

from typing_extensions import Protocol

from ._errors import IpcError, PanelClosed

__all__ = ["Driver", "HandOver", "LoopDriver", "failure_of"]


class Driver(Protocol):
    """The loop the core runs on, and the thread that owns it."""

    loop: asyncio.AbstractEventLoop

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback(*args)`` soon, on the owning thread; from that thread only."""

    def call_soon_threadsafe(self, callback: Callable[..., Any], *args: Any) -> None:
        """The same, from any thread."""

    def call_last(self, callback: Callable[[], Any]) -> None:
        """Run ``callback()`` after what is ready now, from the owning thread only: at the
        end of the page batch or loop iteration under way, else in the next step (a flush
        of what they queued)."""

    def on_tk_thread(self) -> bool:
        """Whether the caller runs on the owning thread."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> "concurrent.futures.Future[Any]":
        """Run ``fn(*args)`` on the owning thread, from any thread; a future of it."""

    def batch(self) -> ContextManager[None]:
        """Handle a batch from the page inside: what it makes ready runs when it ends,
        at once where the driver may (answers then leave in the same event)."""


class HandOver:
    """``submit`` for a driver: work from other threads, run on the owning thread.

    The returned ``concurrent.futures`` future carries ``fn``'s result, or the outcome of
    the asyncio future ``fn`` returns; cancelling it cancels that asyncio future. Work
    not done when the driver closes fails with ``PanelClosed``.
    """

    _hand_over_lock = threading.Lock()  # one for all drivers: closing is rare

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._thread = threading.get_ident()  # the owning thread
        self._closed = False
        self._pending_submits: Set["concurrent.futures.Future[Any]"] = set()

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback(*args)`` in the next loop step; owning thread only."""
        self.loop.call_soon(callback, *args)

    def call_last(self, callback: Callable[[], Any]) -> None:
        """Run ``callback()`` in the next loop step (a driver that knows its iterations
        runs it at the end of the one under way)."""
        self.loop.call_soon(callback)

    def call_soon_threadsafe(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback(*args)`` on the owning thread soon; safe from any thread."""
        with self._hand_over_lock:  # never onto a loop that closed meanwhile
            if not self._closed and not self.loop.is_closed():
                self.loop.call_soon_threadsafe(callback, *args)

    def on_tk_thread(self) -> bool:
        """Whether the caller runs on the owning thread (Tk's, in an app)."""
        return threading.get_ident() == self._thread

    def submit(self, fn: Callable[..., Any], *args: Any) -> "concurrent.futures.Future[Any]":
        outcome: "concurrent.futures.Future[Any]" = concurrent.futures.Future()

        def run() -> None:
            if outcome.done():
                return  # cancelled by its caller meanwhile
            try:
                result = fn(*args)
            except BaseException as error:
                if not outcome.done():
                    outcome.set_exception(error)
                return
            if isinstance(result, asyncio.Future):
                _chain(result, outcome, self.loop)
            elif not outcome.done():
                outcome.set_result(result)

        with self._hand_over_lock:  # closing cannot slip between the check and the hand-over
            if self._closed or self.loop.is_closed():
                outcome.set_exception(PanelClosed("the loop is closed: {} was not run".format(_name_of(fn))))
                return outcome
            self._pending_submits.add(outcome)
            outcome.add_done_callback(self._pending_submits.discard)
            self.loop.call_soon_threadsafe(run)
        return outcome

    def _fail_handed_over(self) -> None:
        """The driver closes (call it with ``_closed`` set): what was handed over and is
        not done fails; nothing more can be handed over."""
        with self._hand_over_lock:
            self._closed = True
            outcomes = list(self._pending_submits)
        for outcome in outcomes:
            if not outcome.done():
                outcome.set_exception(PanelClosed("the loop closed before this was done"))


class LoopDriver(HandOver):
    """A driver over a plain asyncio loop owned by the calling thread: the core without
    Tk, for headless tests and tools. ``run_until_idle`` runs what is ready."""

    def __init__(self, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        super().__init__(loop if loop is not None else asyncio.new_event_loop())

    def batch(self) -> ContextManager[None]:
        """Nothing special: headless tests step the loop themselves (``run_until_idle``)."""
        return contextlib.nullcontext()

    def run_until_idle(self, rounds: int = 100) -> None:
        """Run ready callbacks (and what they schedule at once) until none is left."""
        for _ in range(rounds):
            self.loop.call_soon(self.loop.stop)
            self.loop.run_forever()
            if not self.loop._ready:  # type: ignore[attr-defined]
                return

    def close(self) -> None:
        self._fail_handed_over()
        self.loop.close()


def failure_of(done: "concurrent.futures.Future[Any]", kind: Type[IpcError], what: str) -> Optional[IpcError]:
    """What to report of work handed over from a thread that failed: its error if it is a
    ``kind``, else one saying ``what`` failed; None when it did not fail (or the panel went)."""
    error = None if done.cancelled() else done.exception()
    if error is None or isinstance(error, PanelClosed):
        return None
    if isinstance(error, kind):
        return error
    return kind("{} from another thread failed: {}: {}".format(what, type(error).__name__, error))


def _name_of(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


def _chain(source: "asyncio.Future[Any]", target: "concurrent.futures.Future[Any]",
           loop: asyncio.AbstractEventLoop) -> None:
    """Settle ``target`` (another thread's) as ``source`` (the loop's) settles; a
    cancelled ``target`` cancels ``source`` on the loop's thread."""
    def copy(done: "asyncio.Future[Any]") -> None:
        if target.done():
            return
        if done.cancelled():
            target.cancel()
        elif done.exception() is not None:
            target.set_exception(done.exception())  # type: ignore[arg-type]
        else:
            target.set_result(done.result())

    def cancel_source(done: "concurrent.futures.Future[Any]") -> None:
        if done.cancelled() and not loop.is_closed():
            loop.call_soon_threadsafe(source.cancel)

    source.add_done_callback(copy)
    target.add_done_callback(cancel_source)
