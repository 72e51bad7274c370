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
import time
from typing import Any, Deque, List, Optional, Tuple

__all__ = ["IN", "OUT", "NOTE", "Record", "Tap"]

IN, OUT, NOTE = "in", "out", "note"
Record = Tuple[float, str, Optional[str], Any, bool]

DEFAULT_CAPACITY = 50_000


class Tap:
    """Records what crosses the panels it is attached to; ``capacity=None`` keeps all."""

    def __init__(self, capacity: Optional[int] = DEFAULT_CAPACITY) -> None:
        self.records: Deque[Record] = collections.deque(maxlen=capacity)
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
        return (list(self.records)[kept - new:] if new > 0 else []), total

    def clear(self) -> None:
        self.records.clear()
