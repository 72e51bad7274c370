"""The wire protocol: the one place that says what crosses between native and page.

A *wire string* is a JSON array of messages; each message is an object whose ``kind``
names its shape. Everything queued in one tick crosses as one wire string. The page side
mirrors this file in ``jsbridge/craft.d.ts``.

===========  =========  ==========================================================
kind         direction  fields
===========  =========  ==========================================================
``hello``    page ->    ``page``: an id made fresh by each page load
``welcome``  -> page    ``invokeTimeout``: default ms for page invokes, or null
``event``    both       ``name``: str, ``data``: any JSON value
``fault``    page ->    ``message``, ``name``, ``stack``, and ``source``/``line`` where
                        known: a page-side listener threw, or an uncaught error
``invoke``   both       ``id``: int, ``name``: str, ``args``: list
``result``   both       ``id``: the invoke's id, ``value``: any JSON value
``error``    both       ``id``, ``error``: {``name``, ``message``, ``code``, ``stack``}
``cancel``   both       ``id``: the caller gave up (abort, timeout, future.cancel())
``progress`` -> page    ``id`` of the page's invoke, ``done``, ``total`` (or null),
                        ``detail``: how far the native handler is (coalesced)
``state``    both       ``ops``: [[path, value] | [path] (delete)], in order;
                        -> page also ``version`` (pages drop patches they have), or,
                        answering one state message of that page, ``settle``: the
                        paths it wrote, with ``ops`` native's values where they differ
===========  =========  ==========================================================

``chan-open``  both     ``name``, ``window``: this end exists and takes ``window`` unacked messages
``chan-data``  both     ``name`` and ``data`` (JSON) or ``bin`` (base64 of bytes)
``chan-ack``   both     ``name``, ``count``: messages consumed since the last ack
``chan-close`` both     ``name``, ``reason`` (str or null)

``welcome`` also carries ``state`` (the snapshot) and ``stateVersion``.

Channel data that is a string (or bytes, as base64) crosses outside the JSON, so that the
page parses only a small envelope: such a wire string is ``~`` + the JSON array + a
newline + the payloads one after the other, and each of those messages carries
``raw`` (a string's length in UTF-16 units) or ``rawBin`` (bytes) instead of
``data``/``bin``, in order.

From the page, a wire string's first element is the secret of its page load (a string
handed over in the bridge script, never readable by the page's own scripts): native
accepts ``hello`` only with a secret it issued, and other messages only with the secret
of the connected page, and it checks the secret before it parses anything. The page puts
a newline before each message (``["secret"\n,{...}\n,{...}]``, still plain JSON; JSON
text never holds a raw newline), so that a message native cannot decode (nested too
deep, a lone surrogate) is refused alone and the others of its wire string still go
through. No message may be longer than the panel's ``max_message_size`` (characters of
JSON; ``MAX_MESSAGE_SIZE`` by default), on either side, nor nested deeper than
``MAX_DEPTH``.

Invoke ids are counted by the caller; each side keys what it answers by the peer's ids
and what it awaits by its own, so the two directions never collide.
"""

import re
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Union

import orjson

from ._errors import MessageTooLarge, ProtocolError

__all__ = [
    "BOOT_MARK",
    "MAX_DEPTH",
    "MAX_MESSAGE_SIZE",
    "Batch",
    "Cancel",
    "Chunk",
    "ChannelMessage",
    "ErrorReply",
    "Event",
    "Fault",
    "Hello",
    "Invoke",
    "Kind",
    "Message",
    "Result",
    "StateOps",
    "boot_text",
    "bridge_script",
    "cancel",
    "chan_ack",
    "chan_close",
    "chan_data",
    "chan_open",
    "check_size",
    "decode_batch",
    "encode",
    "encode_batch",
    "encode_channel_data",
    "error",
    "event",
    "fault",
    "hello",
    "invoke",
    "page_wire",
    "progress",
    "result",
    "state_patch",
    "state_ops",
    "state_settle",
    "welcome",
    "read_boot",
    "size_of",
]

MAX_MESSAGE_SIZE = 32 * 1024 * 1024  # characters of JSON per message, the default bound
MAX_DEPTH = 1024  # nesting of a page's message; orjson >= 3.9.11 refuses deeper by itself
BOOT_MARK = "/*craft-boot*/null"  # where craft.js takes its boot object (see bridge_script)


class Kind:
    """The message kinds (the ``kind`` field)."""

    HELLO = "hello"
    WELCOME = "welcome"
    EVENT = "event"
    FAULT = "fault"
    INVOKE = "invoke"
    RESULT = "result"
    ERROR = "error"
    CANCEL = "cancel"
    STATE = "state"
    CHAN_OPEN = "chan-open"
    CHAN_DATA = "chan-data"
    CHAN_ACK = "chan-ack"
    CHAN_CLOSE = "chan-close"
    PROGRESS = "progress"


class Hello(NamedTuple):
    """A page announces itself; ``page`` differs on every load, ``url`` is its address."""

    page: str
    url: str = ""


class Event(NamedTuple):
    """A named event with a JSON payload."""

    name: str
    data: Any


class Fault(NamedTuple):
    """The page reports one of its own failures."""

    message: str
    name: Optional[str]
    stack: Optional[str]
    source: Optional[str] = None
    line: Optional[int] = None


class Invoke(NamedTuple):
    """A call of handler ``name`` with ``args``; answered by Result or ErrorReply."""

    id: int
    name: str
    args: List[Any]


class Result(NamedTuple):
    """The value an invoke resolved to."""

    id: int
    value: Any


class ErrorReply(NamedTuple):
    """The error an invoke rejected with: ``error`` has name, message, code, stack."""

    id: int
    error: Dict[str, Any]


class Cancel(NamedTuple):
    """The caller of invoke ``id`` no longer wants its answer."""

    id: int


class StateOps(NamedTuple):
    """State changes a page made, in order: [path, value] sets, [path] deletes."""

    ops: List[Any]


class ChannelMessage(NamedTuple):
    """A channel message of any ``chan-*`` kind; ``body`` is the whole message."""

    kind: str
    name: str
    body: Dict[str, Any]


Message = Union[Hello, Event, Fault, Invoke, Result, ErrorReply, Cancel, StateOps, ChannelMessage]
_CHANNEL_KINDS = frozenset({Kind.CHAN_OPEN, Kind.CHAN_DATA, Kind.CHAN_ACK, Kind.CHAN_CLOSE})


# -- building messages: the only place the wire format is written ----------------------------


def event(name: str, data: Any, sender: Optional[str] = None) -> bytes:
    """An ``event`` (``sender``: the label of the page that sent it through native);
    raises ``TypeError`` naming the problem if ``data`` is not JSON."""
    if sender is None:
        return encode({"kind": Kind.EVENT, "name": name, "data": data})
    return encode({"kind": Kind.EVENT, "name": name, "data": data, "from": sender})


def invoke(call_id: int, name: str, args: List[Any]) -> bytes:
    return encode({"kind": Kind.INVOKE, "id": call_id, "name": name, "args": args})


def result(call_id: int, value: Any) -> bytes:
    return encode({"kind": Kind.RESULT, "id": call_id, "value": value})


def error(call_id: int, description: Dict[str, Any]) -> bytes:
    """An ``error`` answer; ``description`` has name, message, code, stack."""
    return encode({"kind": Kind.ERROR, "id": call_id, "error": description})


def cancel(call_id: int) -> bytes:
    return encode({"kind": Kind.CANCEL, "id": call_id})


def progress(call_id: int, done: float, total: Optional[float], detail: Any) -> bytes:
    return encode({"kind": Kind.PROGRESS, "id": call_id, "done": done, "total": total, "detail": detail})


def welcome(invoke_timeout_ms: Optional[float], state: Any, state_version: int) -> bytes:
    return encode({"kind": Kind.WELCOME, "invokeTimeout": invoke_timeout_ms, "state": state,
                   "stateVersion": state_version})


def state_patch(version: int, ops: List[Any]) -> bytes:
    """Native's changes of one tick, for every page."""
    return encode({"kind": Kind.STATE, "version": version, "ops": ops})


def state_settle(paths: List[Any], ops: List[Any]) -> bytes:
    """The answer to one page's state message: the paths it wrote, native's values where they differ."""
    return encode({"kind": Kind.STATE, "settle": paths, "ops": ops})


def chan_open(name: str, window: int) -> bytes:
    return encode({"kind": Kind.CHAN_OPEN, "name": name, "window": window})


def chan_data(name: str, data: Any = None, bin: Optional[str] = None) -> bytes:
    """A ``chan-data`` message with its payload in the JSON, ``data`` or ``bin`` (base64),
    as a page sends it (for stand-in pages; native sends ``encode_channel_data``'s)."""
    if bin is not None:
        return encode({"kind": Kind.CHAN_DATA, "name": name, "bin": bin})
    return encode({"kind": Kind.CHAN_DATA, "name": name, "data": data})


def state_ops(ops: List[Any]) -> bytes:
    """A page's ``state`` message: its writes of one tick, in order (for stand-in pages)."""
    return encode({"kind": Kind.STATE, "ops": ops})


def chan_ack(name: str, count: int) -> bytes:
    return encode({"kind": Kind.CHAN_ACK, "name": name, "count": count})


def chan_close(name: str, reason: Optional[str]) -> bytes:
    return encode({"kind": Kind.CHAN_CLOSE, "name": name, "reason": reason})


def hello(page: str) -> bytes:
    """A page's first message (for stand-in pages; craft.js writes its own)."""
    return encode({"kind": Kind.HELLO, "page": page})


def fault(message: str, name: Optional[str], stack: Optional[str]) -> bytes:
    """A page's report of its own failure (for stand-in pages)."""
    return encode({"kind": Kind.FAULT, "message": message, "name": name, "stack": stack})


def page_wire(secret: str, messages: List[bytes]) -> str:
    """A wire string as a page sends it: its secret, then each message after a newline."""
    return '["' + secret + '"' + "".join("\n," + message.decode("utf-8") for message in messages) + "]"


def encode(message: dict) -> bytes:
    """Encode one message; raise ``TypeError`` naming the problem if it is not JSON."""
    try:
        return orjson.dumps(message)
    except TypeError as error:
        raise TypeError("IPC data must be JSON-serialisable: {}".format(error)) from None


class Chunk(NamedTuple):
    """A channel message whose payload string travels after the JSON of its wire string."""

    envelope: bytes
    payload: str


def encode_channel_data(name: str, data: Any, binary: bool = False) -> Union[bytes, Chunk]:
    """The ``chan-data`` message of ``data``: a ``Chunk`` for a string (or, with
    ``binary``, base64 text), plain JSON otherwise. Raises ``TypeError`` if not JSON."""
    if binary:
        return Chunk(encode({"kind": Kind.CHAN_DATA, "name": name, "rawBin": len(data)}), data)
    if isinstance(data, str):
        units = len(data) if data.isascii() else len(data.encode("utf-16-le")) // 2
        return Chunk(encode({"kind": Kind.CHAN_DATA, "name": name, "raw": units}), data)
    return encode({"kind": Kind.CHAN_DATA, "name": name, "data": data})


def size_of(part: Union[bytes, Chunk]) -> int:
    """How long an encoded message is on the wire."""
    return len(part.envelope) + len(part.payload) if isinstance(part, Chunk) else len(part)


def encode_batch(encoded: List[Union[bytes, Chunk]]) -> str:
    """Join already-encoded messages into one wire string (see the module's docstring)."""
    if not any(isinstance(part, Chunk) for part in encoded):
        return (b"[" + b",".join(encoded) + b"]").decode("utf-8")  # type: ignore[arg-type]
    envelopes = [part.envelope if isinstance(part, Chunk) else part for part in encoded]
    payloads = [part.payload for part in encoded if isinstance(part, Chunk)]
    return "~" + (b"[" + b",".join(envelopes) + b"]").decode("utf-8") + "\n" + "".join(payloads)


def _text(message: dict, field: str, required: bool = True) -> Optional[str]:
    value = message.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ProtocolError("{!r} message needs a string {!r}".format(message.get("kind"), field))
    return value


def _id(message: dict) -> int:
    value = message.get("id")
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProtocolError("{!r} message needs an integer 'id'".format(message.get("kind")))
    return value


def _parse(message: Any) -> Message:
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object, got {}".format(type(message).__name__))
    kind = message.get("kind")
    if kind == Kind.EVENT:  # the hot path: checked inline
        name = message.get("name")
        if type(name) is not str:
            raise ProtocolError("'event' message needs a string 'name'")
        return Event(name, message.get("data"))
    if kind == Kind.INVOKE:
        args = message.get("args", [])
        if not isinstance(args, list):
            raise ProtocolError("'invoke' message needs a list 'args'")
        return Invoke(_id(message), _text(message, "name"), args)  # type: ignore[arg-type]
    if kind == Kind.RESULT:
        return Result(_id(message), message.get("value"))
    if kind == Kind.ERROR:
        error = message.get("error")
        if not isinstance(error, dict):
            raise ProtocolError("'error' message needs an object 'error'")
        return ErrorReply(_id(message), error)
    if kind == Kind.CANCEL:
        return Cancel(_id(message))
    if kind in _CHANNEL_KINDS:
        return ChannelMessage(kind, _text(message, "name"), message)  # type: ignore[arg-type]
    if kind == Kind.STATE:
        ops = message.get("ops")
        if not isinstance(ops, list):
            raise ProtocolError("'state' message needs a list 'ops'")
        return StateOps(ops)
    if kind == Kind.HELLO:
        url = message.get("url")
        return Hello(_text(message, "page"), url if isinstance(url, str) else "")  # type: ignore[arg-type]
    if kind == Kind.FAULT:
        line = message.get("line")
        return Fault(
            _text(message, "message"),  # type: ignore[arg-type]
            _text(message, "name", required=False),
            _text(message, "stack", required=False),
            _text(message, "source", required=False),
            line if isinstance(line, int) and not isinstance(line, bool) else None,
        )
    raise ProtocolError("unknown message kind {!r}".format(kind))


class Batch(NamedTuple):
    """A decoded wire string: the page load's secret (None if absent) and its messages."""

    secret: Optional[str]
    messages: Iterator[Union[Message, ProtocolError]]


def decode_batch(wire: Any) -> Batch:
    """The secret and messages of a wire string; a ``ProtocolError`` stands in for each
    bad message, and a bad message never hides the good ones around it."""
    if not isinstance(wire, (str, bytes)):
        return _failed("a wire message must be a string, got {}".format(type(wire).__name__))
    try:
        batch = _loads(wire)
    except (ValueError, RecursionError) as error:
        return _decode_each(wire, error)
    if not isinstance(batch, list):
        batch = [batch]
    if batch and isinstance(batch[0], str):
        return Batch(batch[0], _parse_all(batch, 1))
    return Batch(None, _parse_all(batch, 0))


def _orjson_limits_depth() -> bool:
    try:
        orjson.loads("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2))
    except orjson.JSONDecodeError:
        return True
    return False


_DEPTH_CHECKED_BY_ORJSON = _orjson_limits_depth()
_DROP_ALL_BUT_BRACKETS_AND_QUOTES = bytes(byte for byte in range(256) if byte not in b'[]{}"')


def _too_deep(text: Union[str, bytes]) -> bool:
    """Whether ``text`` nests deeper than MAX_DEPTH (strings aside). Older orjson (the
    last for Python 3.7) has no limit and crashes on deep input, so it is asked first."""
    if len(text) <= MAX_DEPTH:
        return False  # too short to hold that many openers
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
        return False  # the common case: too few openers to be that deep
    # Drop escaped backslashes and quotes, keep brackets and quotes, then drop strings.
    data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    kept = data.translate(None, _DROP_ALL_BUT_BRACKETS_AND_QUOTES).replace(b'""', b"")  # most strings
    outside_strings = b"".join(kept.split(b'"')[::2]) if b'"' in kept else kept
    brackets = outside_strings.replace(b"{", b"[").replace(b"}", b"]")
    for _ in range(MAX_DEPTH):  # each pass removes one level of nesting
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            return False
        brackets = shorter
    return b"[]" in brackets


def _loads(text: Union[str, bytes]) -> Any:
    if not _DEPTH_CHECKED_BY_ORJSON and _too_deep(text):
        raise ValueError("depth limit exceeded: nested deeper than {}".format(MAX_DEPTH))
    return orjson.loads(text)


_CALL_START = re.compile(r'\{"kind":"(invoke|result|error)","id":(\d+)(?:,"name":("(?:[^"\\]|\\.)*"))?')


def _decode_each(wire: Union[str, bytes], error: Exception) -> Batch:
    """A wire string that does not decode whole: decode each newline-separated message
    alone, so that one bad message is refused and the others go through."""
    text = wire.decode("utf-8", "replace") if isinstance(wire, bytes) else wire
    pieces = text.split("\n")
    if len(pieces) < 2:
        return _failed("malformed JSON from the page: {}".format(error))
    head = pieces[0]
    secret = head[2:-1] if head.startswith('["') and head.endswith('"') else None
    last = len(pieces) - 1
    pieces[last] = pieces[last][:-1] if pieces[last].endswith("]") else pieces[last]

    def messages() -> Iterator[Union[Message, ProtocolError]]:
        for piece in pieces[1:]:
            piece = piece[1:] if piece.startswith(",") else piece
            try:
                message = _loads(piece)
            except (ValueError, RecursionError) as problem:
                yield _undecodable(piece, problem)
                continue
            try:
                yield _parse(message)
            except ProtocolError as bad:
                yield bad

    return Batch(secret, messages())


def _undecodable(piece: str, problem: Exception) -> ProtocolError:
    """The error for a message that does not decode; for an invoke or its answer it
    names the call (``kind``, ``call_id``, ``call_name``), so that the call still settles."""
    error = ProtocolError("a message from the page could not be decoded: {}".format(str(problem)[:200]))
    start = _CALL_START.match(piece)
    if start is not None:
        error.kind = start.group(1)
        error.call_id = int(start.group(2))
        try:
            error.call_name = orjson.loads(start.group(3)) if start.group(3) else None
        except ValueError:
            error.call_name = None
    return error


def _failed(problem: str) -> Batch:
    return Batch(None, iter([ProtocolError(problem)]))


def _parse_all(batch: List[Any], start: int) -> Iterator[Union[Message, ProtocolError]]:
    event, new_event = Kind.EVENT, tuple.__new__
    for index in range(start, len(batch)):
        message = batch[index]
        if type(message) is dict and message.get("kind") == event and type(message.get("name")) is str:
            # The hot path, inline: an Event made as a tuple is, without NamedTuple's __new__.
            yield new_event(Event, (message["name"], message.get("data")))  # type: ignore[type-var]
            continue
        try:
            yield _parse(message)
        except ProtocolError as error:
            yield error


def check_size(encoded: Union[bytes, Chunk], limit: int, what: str) -> None:
    """Raise ``MessageTooLarge`` if ``encoded`` is longer than ``limit``."""
    size = size_of(encoded)
    if size > limit:
        raise MessageTooLarge("{} is {:,} bytes of JSON, over the panel's max_message_size of {:,}"
                              .format(what, size, limit))


def bridge_script(source: str, boot: Dict[str, Any]) -> str:
    """craft.js (``source``) handed ``boot`` (secret, limits, state snapshot) as an
    argument of its closure: no global ever holds the secret."""
    text = orjson.dumps(boot).decode("utf-8")
    # Safe inside <script> and in pre-ES2019 engines: no "</", no raw U+2028/U+2029.
    text = text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return source.replace(BOOT_MARK, text, 1)


def boot_text(bridge: str, source: str) -> str:
    """The boot object's JSON in a bridge script made from ``source``."""
    start = source.index(BOOT_MARK)
    return bridge[start:len(bridge) - (len(source) - start - len(BOOT_MARK))]  # "<\\/" is JSON for "</"


def read_boot(bridge: str, source: str) -> Dict[str, Any]:
    """The boot object in a bridge script made from ``source`` (for stand-in pages)."""
    return orjson.loads(boot_text(bridge, source))
