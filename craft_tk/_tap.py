"""A tap on a panel's IPC: what crossed, kept raw in a bounded ring for the inspector and
the trace to read later.

The dispatcher calls a tap only while one is attached, and a call only appends a tuple:
no decoding, no formatting on the hot path (``_ipc_log`` turns records into rows when a
reader asks). Records are ``(time, direction, label, payload, shows_data)``, where
``shows_data`` is False for a panel made with ``trace_payloads=False``, and ``payload``:

- ``IN``: a wire string from the page (its secret still in it: readers drop it);
- ``OUT``: a wire string to the page;
- ``NOTE``: ``(kind, text)``: an IPC error, or a line of the page's console.
"""

import collections
import itertools
import time
from typing import Any, Deque, Iterator, List, Optional, Tuple

__all__ = ["IN", "OUT", "NOTE", "Record", "Ring", "Tap"]

IN, OUT, NOTE = "in", "out", "note"
Record = Tuple[float, str, Optional[str], Any, bool]

DEFAULT_CAPACITY = 50_000
DEFAULT_MAX_CHARS = 64 * 1024 * 1024  # of payloads: 50,000 records of 32 MB each would not fit in memory


class Ring:
    """Records in order, the oldest dropped past ``capacity`` records or ``max_chars``
    characters of payload (None: no bound); the newest record always stays."""

    def __init__(self, capacity: Optional[int] = DEFAULT_CAPACITY, max_chars: Optional[int] = DEFAULT_MAX_CHARS) -> None:
        self._records: Deque[Record] = collections.deque()
        self._sizes: Deque[int] = collections.deque()
        self._capacity, self._max_chars = capacity, max_chars
        self.chars = 0  # the payload characters kept

    def append(self, record: Record) -> None:
        size = _size(record)
        self._records.append(record)
        self._sizes.append(size)
        self.chars += size
        capacity, max_chars = self._capacity, self._max_chars
        while len(self._records) > 1 and ((capacity is not None and len(self._records) > capacity)
                                          or (max_chars is not None and self.chars > max_chars)):
            self.popleft()

    def extend(self, records: List[Record]) -> None:
        for record in records:
            self.append(record)

    def popleft(self) -> Record:
        self.chars -= self._sizes.popleft()
        return self._records.popleft()

    def newest(self, count: int) -> List[Record]:
        """The last ``count`` records, oldest first."""
        return list(itertools.islice(reversed(self._records), count))[::-1]

    def clear(self) -> None:
        self._records.clear()
        self._sizes.clear()
        self.chars = 0

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records)


def _size(record: Record) -> int:
    """The characters of a record's payload: its wire string, or its note's text."""
    payload = record[3]
    if record[1] == NOTE:
        return len(payload[1])
    return len(payload) if isinstance(payload, (str, bytes)) else 0


class Tap:
    """Records what crosses the panels it is attached to, in a ``Ring`` (``None`` bounds
    keep all)."""

    def __init__(self, capacity: Optional[int] = DEFAULT_CAPACITY, max_chars: Optional[int] = DEFAULT_MAX_CHARS) -> None:
        self.records = Ring(capacity, max_chars)
        self.total = 0  # records ever appended: readers keep their place by it
        self.started = time.perf_counter()

    def wire_in(self, label: Optional[str], wire: Any, shows_data: bool = True) -> None:
        self.records.append((time.perf_counter(), IN, label, wire, shows_data))
        self.total += 1

    def wire_out(self, label: Optional[str], wire: str, shows_data: bool = True) -> None:
        self.records.append((time.perf_counter(), OUT, label, wire, shows_data))
        self.total += 1

    def note(self, label: Optional[str], kind: str, text: str, shows_data: bool = True) -> None:
        self.records.append((time.perf_counter(), NOTE, label, (kind, text), shows_data))
        self.total += 1

    def since(self, seen: int) -> Tuple[List[Record], int]:
        """The records after the first ``seen`` ever appended (those still kept), and the
        new count to pass next time."""
        total = self.total
        kept = len(self.records)
        new = min(total - seen, kept)
        return (self.records.newest(new) if new > 0 else []), total

    def clear(self) -> None:
        self.records.clear()
