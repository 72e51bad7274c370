"""Throttle and debounce for events, so that high-frequency emits cost one message per interval.

Both keep only the latest value and always deliver it:
- ``throttle``: the first value goes at once, then at most one per interval; what came in
  between is replaced by the latest, sent when the interval ends.
- ``debounce``: nothing goes until ``ms`` pass without a new value; then the latest goes.
Tk thread only (``Dispatcher.emit`` moves calls from other threads there first).
"""

import asyncio
from typing import Any, Callable, Dict, Optional, Tuple

__all__ = ["Coalescers"]

_NOTHING = object()


class _Coalescer:
    def __init__(self, loop: asyncio.AbstractEventLoop, send: Callable[[Any], None], mode: str, ms: float) -> None:
        self._loop = loop
        self._send = send
        self._mode = mode
        self._seconds = ms / 1000.0
        self._latest: Any = _NOTHING
        self._timer: Optional[asyncio.TimerHandle] = None

    def push(self, value: Any) -> None:
        if self._mode == "debounce":
            self._latest = value
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self._loop.call_later(self._seconds, self._flush)
        elif self._timer is None:  # throttle, outside an interval: send now, open one
            self._send(value)
            self._timer = self._loop.call_later(self._seconds, self._interval_over)
        else:
            self._latest = value

    def _flush(self) -> None:
        self._timer = None
        value, self._latest = self._latest, _NOTHING
        if value is not _NOTHING:
            self._send(value)

    def _interval_over(self) -> None:
        self._timer = None
        if self._latest is not _NOTHING:
            value, self._latest = self._latest, _NOTHING
            self._send(value)
            self._timer = self._loop.call_later(self._seconds, self._interval_over)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class Coalescers:
    """One throttle or debounce per (event name, mode, interval)."""

    def __init__(self, loop: Callable[[], asyncio.AbstractEventLoop]) -> None:
        self._loop = loop
        self._by_key: Dict[Tuple[str, str, float], _Coalescer] = {}

    def push(self, name: str, mode: str, ms: float, value: Any, send: Callable[[Any], None]) -> None:
        key = (name, mode, ms)
        coalescer = self._by_key.get(key)
        if coalescer is None:
            coalescer = self._by_key[key] = _Coalescer(self._loop(), send, mode, ms)
        coalescer.push(value)

    def cancel_all(self) -> None:
        for coalescer in self._by_key.values():
            coalescer.cancel()
        self._by_key.clear()
