"""What waits to cross to the page, and how it crosses: one panel's outbox.

Messages queued in one tick cross as one wire string, in the order they were queued;
channel data follows in wire strings of at most the transport's ``post_size`` (a big
stream delays an event or an invoke by one post at most), up to a budget per tick.
Until the page is ready (``open``), everything waits. Entries queued ``for_load``
(invokes, answers, channel messages) mean something only to the page load they were
queued under: ``drop_load`` forgets them when that load goes; events and state patches
wait for the next load. Tk thread only.
"""

import collections
from typing import Callable, Deque, List, Union

from . import _protocol as protocol

__all__ = ["CHUNK_BUDGET_BYTES", "DEFAULT_POST_SIZE", "Outbox"]

CHUNK_BUDGET_BYTES = 1024 * 1024  # channel data per flush, after everything else
DEFAULT_POST_SIZE = 128 * 1024  # for transports that do not say (see Transport.post_size)

Entry = Union[bytes, Callable[[], bytes]]  # callables encode at flush time: state patches


class _ForThisLoad:
    """An entry for the page load it was queued under: a reload or navigation drops it."""

    __slots__ = ("encoded",)

    def __init__(self, encoded: Entry) -> None:
        self.encoded = encoded

    def __call__(self) -> bytes:
        return self.encoded if isinstance(self.encoded, bytes) else self.encoded()


class Outbox:
    """Queues messages and posts them through ``post(wire)`` once per tick, when open."""

    def __init__(self, schedule: Callable[[Callable[[], None]], None], post: Callable[[str], None],
                 post_size: Callable[[], int]) -> None:
        self._schedule = schedule
        self._post = post
        self._post_size = post_size
        self._messages: List[Entry] = []
        self._chunks: Deque[Union[bytes, protocol.Chunk]] = collections.deque()  # channel data, sent fairly
        self._scheduled = False
        self.open = False  # the page can take messages
        self.closed = False  # the panel is gone: nothing is queued any more

    def __len__(self) -> int:
        return len(self._messages) + len(self._chunks)

    def add(self, encoded: Entry, for_load: bool = False) -> None:
        if not self.closed:
            self._messages.append(_ForThisLoad(encoded) if for_load else encoded)
            self._flush_soon()

    def add_first(self, encoded: bytes) -> None:
        """Queue ``encoded`` before everything else (the welcome of a page load)."""
        self._messages.insert(0, encoded)
        self._flush_soon()

    def add_chunk(self, encoded: Union[bytes, protocol.Chunk]) -> None:
        if not self.closed:
            self._chunks.append(encoded)
            self._flush_soon()

    def opened(self) -> None:
        self.open = True
        self._flush_soon()

    def drop_load(self) -> None:
        """The page load went: forget what was for it, keep events and state patches."""
        self.open = False
        self._chunks.clear()
        self._messages = [entry for entry in self._messages if not isinstance(entry, _ForThisLoad)]

    def close(self) -> None:
        self.closed = True
        self.open = False
        self._messages = []
        self._chunks.clear()

    def _flush_soon(self) -> None:
        if not self._scheduled and self.open:
            self._scheduled = True
            self._schedule(self._flush)

    def _flush(self) -> None:
        """Post the tick's messages as one wire string, then channel data up to a budget."""
        self._scheduled = False
        if not self.open or not (self._messages or self._chunks):
            return
        current: List[Union[bytes, protocol.Chunk]] = [entry if isinstance(entry, bytes) else entry()
                                                       for entry in self._messages]
        self._messages = []
        posts = [current]
        size = sum(len(part) for part in current)  # type: ignore[arg-type]
        budget = CHUNK_BUDGET_BYTES
        post_size = self._post_size()
        while self._chunks and budget > 0:
            chunk = self._chunks.popleft()
            chunk_size = protocol.size_of(chunk)
            if current and size + chunk_size > post_size:
                current, size = [], 0
                posts.append(current)
            current.append(chunk)
            size += chunk_size
            budget -= chunk_size
        if self._chunks:
            self._flush_soon()
        for parts in posts:
            if parts:
                self._post(protocol.encode_batch(parts))
