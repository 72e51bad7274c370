"""Tap records read as rows: one per message that crossed, with its kind, name, size and,
for answers, the round trip of the invoke they answer. Shared by the inspector and the
trace; the page's secret never reaches a row."""

from typing import Any, Dict, Iterable, Iterator, List, NamedTuple, Optional, Tuple

import orjson

from ._protocol import Kind
from ._tap import IN, NOTE, Record

__all__ = ["Row", "RowReader", "ERROR_KINDS", "CHANNEL_KINDS"]

PAYLOAD_CHARS = 200
ERROR_KINDS = frozenset({Kind.ERROR, Kind.FAULT, "ipc-error"})
CHANNEL_KINDS = frozenset({Kind.CHAN_OPEN, Kind.CHAN_DATA, Kind.CHAN_ACK, Kind.CHAN_CLOSE})


HIDDEN = "(hidden)"  # the text of a note or fault whose data is not shown
UNDECODABLE: Dict[str, Any] = dict(kind="undecodable")  # a row for what is not a message (never sent)
Item = Tuple[float, str, Optional[str], Any, int, bool]  # time, direction, label, message or note, size, shows data


class Row(NamedTuple):
    time: float  # seconds since the tap started
    direction: str  # "in" (page -> native), "out" (native -> page), "note"
    label: Optional[str]  # the panel's
    kind: str  # a protocol kind, or "ipc-error" / "console"
    name: str  # event, handler or channel name; state paths; the error's text
    size: int  # bytes of the message's JSON (and its raw payload)
    call_id: Optional[int]
    round_trip: Optional[float]  # seconds, on a result or error row
    outcome: str  # "ok", the error's message, "cancelled"
    payload: str  # the message's data, truncated; "" when payloads are hidden
    ack_count: Optional[int] = None  # a channel acknowledgement's count


class RowReader:
    """Turns records into rows, pairing each answer with its invoke across calls."""

    def __init__(self, started: float, payloads: bool = True) -> None:
        self.started = started
        self.payloads = payloads
        self._calls: Dict[Tuple[Optional[str], str, int], Tuple[float, str]] = {}  # (label, caller's side, id)

    def rows(self, records: Iterable[Record]) -> List[Row]:
        return [self.row(item) for item in self.items(records)]

    def items(self, records: Iterable[Record]) -> Iterator[Item]:
        """One item per message (or note) of ``records``: cheap; ``row(item)`` reads it."""
        for when, direction, label, payload, shows_data in records:
            if direction == NOTE:
                yield when, direction, label, payload, 0, shows_data
                continue
            for message, size in _messages(payload, direction == IN):
                yield when, direction, label, message, size, shows_data

    def row(self, item: Item) -> Row:
        when, direction, label, message, size, shows_data = item
        if direction == NOTE:
            kind, text = message
            shown = _clip(text) if self.payloads and shows_data else HIDDEN
            return Row(when - self.started, direction, label, kind, shown, len(text), None, None, "", "")
        return self._row(when, direction, label, message, size, shows_data)

    def pending(self) -> List[Tuple[Optional[str], str, int, float, str]]:
        """Invokes not answered yet: (label, caller's side, id, time, name)."""
        return [(label, side, call_id, when - self.started, name)
                for (label, side, call_id), (when, name) in self._calls.items()]

    def _row(self, when: float, direction: str, label: Optional[str], message: Dict[str, Any], size: int,
             shows_data: bool) -> Row:
        kind = str(message.get("kind", "?"))
        name = message.get("name")
        call_id = message.get("id") if isinstance(message.get("id"), int) else None
        round_trip, outcome, data = None, "", None
        if kind == Kind.INVOKE and call_id is not None:
            self._calls[(label, direction, call_id)] = (when, str(name))
            data = message.get("args")
        elif kind in (Kind.RESULT, Kind.ERROR, Kind.CANCEL) and call_id is not None:
            caller = "out" if direction == IN else "in"
            if kind == Kind.CANCEL:  # sent by the caller itself
                caller = direction
            started = self._calls.pop((label, caller, call_id), None)
            if started is not None:
                round_trip, name = when - started[0], started[1]
            error = message.get("error")
            outcome = ("cancelled" if kind == Kind.CANCEL else
                       (_clip(str(error.get("message", ""))) if self.payloads and shows_data else "failed")
                       if isinstance(error, dict) else "ok")
            data = message.get("value") if kind == Kind.RESULT else error
        elif kind == Kind.PROGRESS:
            started = self._calls.get((label, "in", call_id)) if call_id is not None else None
            name = started[1] if started else None
            data = {"done": message.get("done"), "total": message.get("total")}
        elif kind == Kind.STATE:
            ops = message.get("ops") or []
            name = ", ".join(".".join(map(str, op[0])) for op in ops if isinstance(op, list) and op
                             and isinstance(op[0], list))
            data = ops
        elif kind == Kind.FAULT:
            name = message.get("name")
            outcome = _clip(str(message.get("message", ""))) if self.payloads and shows_data else HIDDEN
        elif kind in CHANNEL_KINDS:
            data = message.get("data", message.get("count", message.get("reason")))
        else:
            data = message.get("data")
        payload = _short(data) if self.payloads and shows_data and data is not None else ""
        count = message.get("count") if kind == Kind.CHAN_ACK and isinstance(message.get("count"), int) else None
        return Row(when - self.started, direction, label, kind, "" if name is None else _clip(str(name)), size,
                   call_id, round_trip, outcome, payload, count)


def _messages(wire: Any, from_page: bool) -> Iterator[Tuple[Dict[str, Any], int]]:
    """The messages of a wire string with their sizes, read as they are asked for; from
    the page, without its secret."""
    if isinstance(wire, bytes):
        wire = wire.decode("utf-8", "replace")
    if from_page and not wire.startswith("~"):  # a newline before each message (see _protocol)
        pieces = wire.split("\n,")
        if len(pieces) > 1 and pieces[-1].endswith("]"):
            pieces[-1] = pieces[-1][:-1]
            for piece in pieces[1:]:
                yield _one(piece), len(piece)
            return
    payloads = ""
    if wire.startswith("~"):  # channel payloads after the envelope (see _protocol)
        wire, _, payloads = wire[1:].partition("\n")
    try:
        messages = orjson.loads(wire)
    except orjson.JSONDecodeError:  # refused before decoding anyway; show it as one row
        yield UNDECODABLE, len(wire)
        return
    if not isinstance(messages, list):
        yield UNDECODABLE, len(wire)
        return
    at = 0
    for message in messages[1:] if from_page else messages:
        if not isinstance(message, dict):
            message = UNDECODABLE
        size = len(orjson.dumps(message))
        if isinstance(message.get("raw"), int):
            text, at = _utf16_slice(payloads, at, message["raw"])
            message, size = dict(message, data=text), size + len(text)
        elif isinstance(message.get("rawBin"), int):
            message = dict(message, data="<{:,} bytes>".format(message["rawBin"] * 3 // 4))
            at += message["rawBin"]
            size += message["rawBin"]
        yield message, size


def _one(text: str) -> Dict[str, Any]:
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        return UNDECODABLE
    return message if isinstance(message, dict) else UNDECODABLE


def _utf16_slice(text: str, start: int, units: int) -> Tuple[str, int]:
    """The ``units`` UTF-16 code units of ``text`` from ``start`` (a str index), and the
    index after them."""
    end = start + units
    if text.isascii():
        return text[start:end], end
    end, counted = start, 0
    while counted < units and end < len(text):
        counted += 2 if ord(text[end]) > 0xFFFF else 1
        end += 1
    return text[start:end], end


def _short(value: Any) -> str:
    try:
        text = orjson.dumps(value).decode("utf-8")
    except TypeError:
        text = repr(value)
    return _clip(text)


def _clip(text: str) -> str:
    """``text``, cut to PAYLOAD_CHARS: what a row keeps of a message stays small."""
    return text if len(text) <= PAYLOAD_CHARS else text[:PAYLOAD_CHARS - 1] + "\u2026"
