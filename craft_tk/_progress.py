"""Progress of a native handler's work, reported to the page call that started it.

``current_invocation().progress(done, total, detail)`` from any thread (a ``thread=True``
handler's included). Updates are coalesced to what an eye can follow: the first goes at
once, then at most one per ``INTERVAL_S``, always the latest, and the last one before
the answer. The page sees them through ``craft.options({onProgress})``; native
``on_progress(name, fn)`` listeners (a ``ttk.Progressbar``) see the same updates.
"""

import asyncio
import threading
import time
from typing import Any, Callable, Optional, Tuple

__all__ = ["INTERVAL_S", "ProgressReporter"]

INTERVAL_S = 0.033  # about 30 updates a second at most
Update = Tuple[float, Optional[float], Any]


class ProgressReporter:
    """Coalesces one invocation's progress; ``send(update)`` runs on the loop's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, send: Callable[[Update], None],
                 loop_thread: Optional[int] = None) -> None:
        self._loop = loop
        self._loop_thread = threading.get_ident() if loop_thread is None else loop_thread
        self._send = send
        self._latest: Optional[Update] = None  # not sent yet
        self._last_sent = 0.0
        self._timer: Optional[asyncio.TimerHandle] = None
        self._done = False

    def report(self, done: float, total: Optional[float] = None, detail: Any = None) -> None:
        """Note progress; safe from any thread."""
        for value, what in ((done, "done"), (total, "total")):
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
                raise TypeError("progress {} must be a number, got {!r}".format(what, value))
        if threading.get_ident() == self._loop_thread:
            self._update((done, total, detail))
        else:
            try:
                self._loop.call_soon_threadsafe(self._update, (done, total, detail))
            except RuntimeError:
                pass  # the loop closed (the panel went): nobody to tell

    def finish(self) -> None:
        """The handler is done: send what is pending now, and nothing after."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._latest is not None and not self._done:
            self._flush()
        self._done = True

    def _update(self, update: Update) -> None:
        if self._done:
            return
        self._latest = update
        wait = self._last_sent + INTERVAL_S - time.monotonic()
        if wait <= 0:
            self._flush()
        elif self._timer is None:
            self._timer = self._loop.call_later(wait, self._flush)

    def _flush(self) -> None:
        self._timer = None
        if self._latest is None or self._done:
            return
        update, self._latest = self._latest, None
        self._last_sent = time.monotonic()
        self._send(update)
