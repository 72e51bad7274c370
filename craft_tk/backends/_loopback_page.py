"""What the loopback page reads and keeps (see ``_loopback``): native's wire strings
decoded with ``_protocol``, its channel ends and its copy of the shared state, the
page-side counterparts of ``_channels`` and ``_state``.

A channel end never sends past native's window (what does not fit waits in ``waiting``)
and acks what it consumed; what it receives waits in ``pending``, holding native's
credit, until a ``message`` listener or ``take()`` consumes it. The state copy follows the
protocol: the snapshot of boot or welcome, native's patches newer than it, the page's own
writes applied at once and sent once per tick, and native's ``settle`` answers to them.
"""

import base64
import collections
from typing import TYPE_CHECKING, Any, Callable, Deque, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import orjson

from .. import _protocol as protocol
from .._errors import ChannelClosed, StateError
from .._listeners import Listeners
from .._protocol import Kind
from .._state import _INDEX, FORBIDDEN_KEYS, _check_keys, _copy

if TYPE_CHECKING:
    from ._loopback import LoopbackPage

__all__ = ["DEFAULT_WINDOW", "LoopbackChannel", "PageState", "decode"]

Outgoing = Union[bytes, Callable[[], bytes]]  # a message, or one encoded when the tick's batch goes
Path = Tuple[str, ...]
StatePath = Union[str, Sequence[Union[str, int]]]
DEFAULT_WINDOW = 32  # craft.js's default receive window
_MISSING = object()
_NATIVE_ONLY = frozenset({Kind.WELCOME, Kind.PROGRESS, Kind.STATE})  # kinds whose fields _protocol does not parse


def decode(wire: str) -> Iterator[Any]:
    """The messages of a wire string from native, in order: ``_protocol``'s tuple for each
    kind it parses (a channel payload sent after the JSON put back in the body as ``data``,
    or ``bin`` for bytes), and the message itself, a dict, for the kinds only native sends
    (welcome, progress, and state, whose ``version`` and ``settle`` the page needs)."""
    envelope, payloads = wire, ""
    if wire.startswith("~"):  # "~" + the JSON + newline + the payloads (see _protocol)
        newline = wire.index("\n")
        envelope, payloads = wire[1:newline], wire[newline + 1:]
    take = _utf16_reader(payloads)
    for body in orjson.loads(envelope):
        if body.get("kind") in _NATIVE_ONLY:
            yield body
            continue
        message = protocol._parse(body)
        if isinstance(message, protocol.ChannelMessage) and ("raw" in body or "rawBin" in body):
            body = dict(body)
            if "raw" in body:
                body["data"] = take(body.pop("raw"))
            else:
                body["bin"] = take(body.pop("rawBin"))
            message = message._replace(body=body)
        yield message


def _utf16_reader(text: str) -> Callable[[int], str]:
    """Cuts ``text`` in order, each piece ``units`` long in UTF-16 code units (as JavaScript counts)."""
    if text.isascii():
        data: Union[str, bytes] = text
        width = 1
    else:
        data, width = text.encode("utf-16-le", "surrogatepass"), 2
    at = [0]

    def take(units: int) -> str:
        piece = data[at[0] * width:(at[0] + units) * width]
        at[0] += units
        return piece if isinstance(piece, str) else piece.decode("utf-16-le", "surrogatepass")

    return take


class LoopbackChannel:
    """The page's end of a channel (``craft.connectChannel``): ``send``, ``on("message"|
    "close", fn)``, ``close``, and ``take()`` to consume what waits in ``pending``."""

    def __init__(self, page: "LoopbackPage", name: str, window: int) -> None:
        self.name = name
        self.window = window
        self.closed = False
        self.close_reason: Optional[str] = None
        self.pending: Deque[Any] = collections.deque()  # received, not consumed: native's credit is used
        self.waiting: Deque[bytes] = collections.deque()  # sent, held until native's window has room
        self._page = page
        self._listeners = Listeners(lambda event, error: page._failed("channel {!r} {} listener".format(
            name, event), error), lambda: page._driver.loop)
        self._peer_window: Optional[int] = None  # None until native's end exists
        self._unacked = 0
        self._consumed = 0
        self._ack_scheduled = False
        self._closing: Optional[Tuple[Optional[str]]] = None

    def send(self, data: Any) -> None:
        """Send JSON data, or bytes; held in ``waiting`` while native's window is full.
        Raises ``ChannelClosed``, or ``TypeError`` for what JSON cannot carry."""
        if self.closed or self._closing is not None:
            raise ChannelClosed("channel {!r} is closed".format(self.name), self.close_reason)
        if isinstance(data, (bytes, bytearray, memoryview)):
            self.waiting.append(protocol.chan_data(self.name, bin=base64.b64encode(bytes(data)).decode("ascii")))
        else:
            self.waiting.append(protocol.chan_data(self.name, data))
        self._pump()

    def close(self, reason: Optional[str] = None) -> None:
        """Close after what was already sent; native's end gets ``close`` with ``reason``."""
        if not self.closed and self._closing is None:
            self._closing = (reason,)
            self._pump()

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """``on("message", fn(data))`` (it consumes, and so acks) or ``on("close", fn(reason))``."""
        if event not in ("message", "close"):
            raise ValueError("channel events are 'message' and 'close', not {!r}".format(event))
        remove = self._listeners.add(event, fn)
        self._deliver()
        return remove

    def off(self, event: str, fn: Any = None) -> None:
        self._listeners.remove(event, fn)

    def take(self, count: Optional[int] = None) -> List[Any]:
        """Consume up to ``count`` (default: all) ``pending`` messages, as a slow consumer
        would; native gets their ack, which lets it send more."""
        taken: List[Any] = []
        while self.pending and (count is None or len(taken) < count):
            taken.append(self._take())
        return taken

    # -- driven by the page ------------------------------------------------------------------

    def _peer_opened(self, window: int) -> None:
        self._peer_window = max(1, window)
        self._pump()

    def _acked(self, count: int) -> None:
        self._unacked = max(0, self._unacked - count)
        self._pump()

    def _received(self, data: Any) -> None:
        self.pending.append(data)
        self._deliver()

    def _pump(self) -> None:
        if self.closed or self._peer_window is None:
            return
        while self.waiting and self._unacked < self._peer_window:
            self._unacked += 1
            self._page._queue(self.waiting.popleft())
        if self._closing is not None and not self.waiting:
            self._shut(self._closing[0], tell_peer=True)

    def _deliver(self) -> None:
        while self.pending and self._listeners.has("message"):
            self._listeners.fire("message", self._take())

    def _take(self) -> Any:
        self._consumed += 1
        if not self._ack_scheduled:
            self._ack_scheduled = True
            self._page._driver.call_soon(self._ack)
        return self.pending.popleft()

    def _ack(self) -> None:
        self._ack_scheduled = False
        if self._consumed and not self.closed:
            self._page._queue(protocol.chan_ack(self.name, self._consumed))
        self._consumed = 0

    def _shut(self, reason: Optional[str], tell_peer: bool) -> None:
        if self.closed:
            return
        self.closed = True
        self.close_reason = reason
        if self._page._channels.get(self.name) is self:
            del self._page._channels[self.name]
        if tell_peer:
            self._page._queue(protocol.chan_close(self.name, reason))
        self.waiting.clear()
        self._listeners.fire("close", reason)


class PageState:
    """The page's copy of the shared state, kept as the protocol says: the snapshot of
    boot or welcome, native's patches newer than it, the page's own writes applied at once
    and sent once per tick, and native's ``settle`` answers to them. Until a write is
    settled, native's patches do not overwrite its path (they may echo an older write)."""

    def __init__(self, data: Dict[str, Any], version: int, queue: Callable[[Outgoing], None],
                 failed: Callable[[str, BaseException], None]) -> None:
        self.data = data
        self.version = version
        self._queue = queue
        self._failed = failed
        self._watchers: List[Tuple[Path, Callable[[Any, Any], Any]]] = []
        self._out: Optional[Dict[Path, list]] = None  # this tick's writes, by path, in order
        self._in_flight: Dict[Path, int] = {}  # sent writes native has not settled

    def welcome(self, data: Dict[str, Any], version: int) -> None:
        if version != self.version:
            self._changing(None, lambda: setattr(self, "data", data))
            self.version = version

    def receive(self, message: Dict[str, Any]) -> None:
        """A ``state`` message: a patch (``version``) or a ``settle`` of our writes."""
        if "settle" in message:
            for path in message["settle"]:
                key = page_path(path)
                left = self._in_flight.pop(key, 0) - 1
                if left > 0:
                    self._in_flight[key] = left
        elif message.get("version", 0) <= self.version:
            return  # already in the snapshot this page has
        else:
            self.version = message["version"]
        ops = [op for op in message.get("ops", []) if not self._is_in_flight(page_path(op[0]))]
        self._changing([page_path(op[0]) for op in ops], lambda: self._apply(*ops))

    def get(self, path: StatePath, default: Any = None) -> Any:
        """The value at ``path`` (dotted, or a sequence of keys), or ``default``."""
        value = self._lookup(page_path(path))
        return default if value is _MISSING else value

    def set(self, path: StatePath, value: Any) -> None:
        """Write here at once, and to native with this tick's other writes."""
        self._write(page_path(path), value)

    def delete(self, path: StatePath) -> None:
        self._write(page_path(path), _MISSING)

    def watch(self, path: StatePath, fn: Callable[[Any, Any], Any]) -> Callable[[], None]:
        """Call ``fn(new, old)`` (plain copies) when the value at ``path`` changes; returns an unsubscribe."""
        entry = (page_path(path), fn)
        self._watchers.append(entry)
        return lambda: self._watchers.remove(entry) if entry in self._watchers else None

    def _write(self, path: Path, value: Any) -> None:
        for key in path:
            if key in FORBIDDEN_KEYS:
                raise StateError("the key {!r} is not allowed in shared state".format(key))
        if value is _MISSING:
            op: list = [list(path)]
        else:
            op = [list(path), _copy(value)]  # StateError if not JSON
            _check_keys(op[1], ".".join(path))
        self._changing([path], lambda: self._apply(op))
        if self._out is None:
            self._out = {}
            self._queue(self._encode)
        self._out.pop(path, None)  # the last write to a path wins, sent in its place
        self._out[path] = op

    def _lookup(self, path: Path) -> Any:
        node: Any = self.data
        for key in path:
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and _INDEX.match(key) and int(key) < len(node):
                node = node[int(key)]
            else:
                return _MISSING
        return node

    def _encode(self) -> bytes:
        """This tick's writes as one ``state`` message; now in flight."""
        writes, self._out = self._out or {}, None
        for path in writes:
            self._in_flight[path] = self._in_flight.get(path, 0) + 1
        return protocol.state_ops(list(writes.values()))

    def _is_in_flight(self, path: Path) -> bool:
        return any(path[:depth] in self._in_flight for depth in range(1, len(path) + 1))

    def _apply(self, *ops: list) -> None:
        for op in ops:
            self._apply_one(op)

    def _apply_one(self, op: list) -> None:
        path = page_path(op[0])
        parent = self._lookup(path[:-1]) if path else _MISSING
        if isinstance(parent, dict):
            if len(op) == 2:
                parent[path[-1]] = op[1]
            else:
                parent.pop(path[-1], None)
        elif isinstance(parent, list) and _INDEX.match(path[-1]) and int(path[-1]) <= len(parent):
            index = int(path[-1])
            if len(op) == 1:
                del parent[index:index + 1]
            elif index == len(parent):
                parent.append(op[1])
            else:
                parent[index] = op[1]

    def _changing(self, paths: Optional[List[Path]], change: Callable[[], Any]) -> None:
        """Make ``change``, then call the watchers of ``paths`` (None: all) whose value changed."""
        before = [(entry, _json(self._lookup(entry[0]))) for entry in self._watchers
                  if paths is None or any(_related(entry[0], path) for path in paths)]
        change()
        for entry, old in before:
            new = _json(self._lookup(entry[0]))
            if new != old and entry in self._watchers:
                try:
                    entry[1](_plain(new), _plain(old))
                except Exception as error:
                    self._failed("state watcher for {!r}".format(".".join(entry[0])), error)


def page_path(path: Any) -> Path:
    """A path as a page names it: a tuple of strings (``"a.b"`` is ``("a", "b")``)."""
    return tuple(path.split(".")) if isinstance(path, str) else tuple(str(key) for key in path)


def _related(a: Path, b: Path) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def _json(value: Any) -> Optional[bytes]:
    return None if value is _MISSING else orjson.dumps(value)


def _plain(encoded: Optional[bytes]) -> Any:
    return None if encoded is None else orjson.loads(encoded)

