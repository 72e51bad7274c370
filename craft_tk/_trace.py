"""IPC traces in the Chrome Trace Event format (open them in Perfetto or chrome://tracing).

Each panel is a process track with three threads: page -> native, native -> page, and
notes (errors, console). An invoke is a span on its caller's thread from the call to the
answer; everything else is an instant. Channel data is linked by flow arrows to the
acknowledgement that took it off the sender's window.
"""

import atexit
import logging
import os
from typing import Any, Callable, Dict, List, Optional, Tuple

import orjson

from ._ipc_log import Row, RowReader
from ._protocol import Kind
from ._tap import Tap

__all__ = ["Trace", "trace_events"]

log = logging.getLogger("craft_tk")
_THREADS = {"in": (1, "page -> native"), "out": (2, "native -> page"), "note": (3, "errors and console")}


def trace_events(rows: List[Row], pending: List[Tuple[Optional[str], str, int, float, str]],
                 end: float) -> List[Dict[str, Any]]:
    """The trace events of ``rows`` (times in seconds); invokes still ``pending`` at
    ``end`` are spans up to it."""
    processes: Dict[Optional[str], int] = {}
    events: List[Dict[str, Any]] = []
    unacked: Dict[Tuple[int, str, str], List[int]] = {}  # (pid, sender, channel): flow ids
    flow_ids = [0]

    def pid_of(label: Optional[str]) -> int:
        if label not in processes:
            processes[label] = pid = len(processes) + 1
            events.append({"ph": "M", "name": "process_name", "pid": pid, "args": {"name": "panel {}".format(label)}})
            for tid, title in _THREADS.values():
                events.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": title}})
        return processes[label]

    for row in rows:
        pid, tid = pid_of(row.label), _THREADS[row.direction][0]
        args: Dict[str, Any] = {"size": row.size}
        if row.payload:
            args["payload"] = row.payload
        if row.kind in (Kind.RESULT, Kind.ERROR, Kind.CANCEL) and row.round_trip is not None:
            caller = _THREADS["out" if row.direction == "in" else "in"][0] if row.kind != Kind.CANCEL else tid
            args.update(id=row.call_id, outcome=row.outcome or "ok")
            events.append({"ph": "X", "cat": "invoke", "name": row.name, "pid": pid, "tid": caller,
                           "ts": _us(row.time - row.round_trip), "dur": _us(row.round_trip), "args": args})
            continue
        name = "{} {}".format(row.kind, row.name).strip()
        if row.kind in (Kind.CHAN_DATA, Kind.CHAN_ACK):  # a slice of 1 us: flow arrows bind to slices
            events.append({"ph": "X", "cat": "channel", "name": name, "pid": pid, "tid": tid, "ts": _us(row.time),
                           "dur": 1, "args": args})
        else:
            events.append({"ph": "i", "s": "t", "cat": row.kind, "name": name, "pid": pid, "tid": tid,
                           "ts": _us(row.time), "args": args})
        if row.kind == Kind.CHAN_DATA:
            flow_ids[0] += 1
            unacked.setdefault((pid, row.direction, row.name), []).append(flow_ids[0])
            events.append({"ph": "s", "cat": "channel", "name": row.name, "id": flow_ids[0], "pid": pid, "tid": tid,
                           "ts": _us(row.time)})
        elif row.kind == Kind.CHAN_ACK:
            sender = "out" if row.direction == "in" else "in"
            waiting = unacked.get((pid, sender, row.name), [])
            count = row.ack_count if row.ack_count is not None else len(waiting)
            for flow in waiting[:count]:
                events.append({"ph": "f", "bp": "e", "cat": "channel", "name": row.name, "id": flow, "pid": pid,
                               "tid": tid, "ts": _us(row.time)})
            del waiting[:count]
    for label, side, call_id, started, name in pending:
        events.append({"ph": "X", "cat": "invoke", "name": name, "pid": pid_of(label), "tid": _THREADS[side][0],
                       "ts": _us(started), "dur": _us(max(end - started, 0.0)),
                       "args": {"id": call_id, "outcome": "pending"}})
    return events


def _us(seconds: float) -> float:
    return round(seconds * 1e6, 3)


class Trace:
    """Records every message of the panels it is attached to until ``stop()``, which
    writes ``path`` (also at exit, if not stopped before)."""

    def __init__(self, path: str, payloads: bool = True) -> None:
        self.path = os.path.abspath(path)
        self.payloads = payloads
        self.tap = Tap(capacity=None, max_chars=None)
        self._detach: List[Callable[[], None]] = []
        self._stopped = False
        atexit.register(self.stop)

    def follow(self, target: Any) -> "Trace":
        """Record ``target``: a panel, or ``craft_tk.app`` (every panel); returns self."""
        self._detach.append(target.add_tap(self.tap))
        return self

    def stop(self) -> str:
        """Stop recording and write the file (once); returns its path."""
        if self._stopped:
            return self.path
        self._stopped = True
        atexit.unregister(self.stop)
        for detach in self._detach:
            detach()
        reader = RowReader(self.tap.started, self.payloads)
        records = list(self.tap.records)
        rows = reader.rows(records)
        end = (records[-1][0] - self.tap.started) if records else 0.0
        events = trace_events(rows, reader.pending(), end)
        try:
            with open(self.path, "wb") as out:
                out.write(orjson.dumps({"traceEvents": events, "displayTimeUnit": "ms",
                                        "otherData": {"producer": "craft_tk"}}))
        except OSError as error:
            log.error("could not write the IPC trace %s: %s", self.path, error)
        return self.path
