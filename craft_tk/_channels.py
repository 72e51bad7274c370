"""Channels: named, ordered, flow-controlled streams between native and one page.

Guarantees:
- Per channel: in order, no loss, no duplicates. Either end may open first; what is sent
  before the other end exists waits (up to ``buffer`` bytes) and goes on connect.
- Backpressure: each end takes at most ``window`` messages that its consumer has not
  taken yet (listeners, or an ``async for``); native enforces its window, closing a
  channel whose page end sends past it. ``await channel.send(x)`` / ``drain()``
  wait while the peer lags; a plain ``send`` past the window buffers up to ``buffer``
  bytes (32 MiB by default: a burst of thousands of log lines goes through), then raises
  ``ChannelFull``: memory stays bounded.
- ``bytes``/``bytearray``/``memoryview`` arrive in the page as ``Uint8Array``, and a
  page's ``Uint8Array``/``ArrayBuffer`` arrives as ``bytes``.
- Close: either end's ``close(reason)`` reaches the other as ``close``; sending on a
  closed channel raises ``ChannelClosed``; ``async for`` ends. A reload, a navigation or a
  destroyed panel closes every channel with a reason. A name can be opened again after.
- Threads: ``send`` and ``close`` are safe from any thread (handed to the Tk thread, in
  order; ``send`` then returns a ``concurrent.futures.Future``); the rest is Tk thread only.
"""

import asyncio
import base64
import collections
import concurrent.futures
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Deque, Dict, List, Optional, Set, Tuple, Union

from . import _protocol as protocol
from ._errors import ChannelClosed, ChannelFull, IpcError, ListenerError, ProtocolError, SerializationError
from ._listeners import Listeners

if TYPE_CHECKING:
    from ._driver import Driver

__all__ = ["Channel", "Channels", "DEFAULT_BUFFER", "DEFAULT_WINDOW"]

Encoded = Union[bytes, protocol.Chunk]  # a channel message ready for the wire

DEFAULT_WINDOW = 32
DEFAULT_BUFFER = 32 * 1024 * 1024  # bytes waiting for the peer's window, per channel end
_BINARY = (bytes, bytearray, memoryview)


class Channel:
    """One end of channel ``name``: ``send``, ``on("message"|"close", fn)``, ``close``,
    and ``async for message in channel``."""

    def __init__(self, owner: "Channels", name: str, window: int, buffer: int) -> None:
        self.name = name
        self.window = window
        self.buffer = buffer
        self.closed = False
        self.close_reason: Optional[str] = None
        self._owner = owner
        self._listeners = Listeners(self._listener_failed, owner.loop)
        self._peer_window: Optional[int] = None  # None until the page's end exists
        self._unacked = 0  # sent, not yet consumed by the page
        self._outgoing: Deque[Tuple[Encoded, "asyncio.Future[None]"]] = collections.deque()
        self._waiting_bytes = 0  # of _outgoing, bounded by ``buffer``
        self._inbox: Deque[Any] = collections.deque()
        self._consumed = 0  # consumed here, not yet acked to the page
        self._ack_scheduled = False
        self._waiters: Deque["asyncio.Future[Any]"] = collections.deque()
        self._iterating = 0
        self._closing: Optional[Tuple[Optional[str]]] = None

    # -- sending --------------------------------------------------------------------------

    def send(self, data: Any) -> "Union[asyncio.Future[None], concurrent.futures.Future[None]]":
        """Send ``data`` (JSON, or bytes); the returned future resolves once it is on its
        way within the peer's window. Raises ``ChannelClosed``, ``ChannelFull``,
        ``SerializationError`` at once; from another thread the future carries them (and
        they reach ``on_ipc_error``)."""
        driver = self._owner.driver
        if not driver.on_tk_thread():
            return driver.submit(self._send_for_thread, data)
        if self.closed or self._closing is not None:
            raise ChannelClosed("channel {!r} is closed".format(self.name), self.close_reason)
        try:
            if isinstance(data, _BINARY):
                encoded = protocol.encode_channel_data(self.name, base64.b64encode(bytes(data)).decode("ascii"), True)
            else:
                encoded = protocol.encode_channel_data(self.name, data)
        except TypeError as error:
            raise SerializationError("channel {!r}: {}".format(self.name, error)) from None
        size = protocol.size_of(encoded)
        protocol.check_size(encoded, self._owner.max_message_size, "a message on channel {!r}".format(self.name))
        if self._outgoing and self._waiting_bytes + size > self.buffer:
            raise ChannelFull("channel {!r}: {} messages ({:,} bytes) wait for the page to consume, over buffer={:,}; "
                              "await send() or drain()".format(self.name, len(self._outgoing), self._waiting_bytes,
                                                               self.buffer))
        future = self._owner.loop().create_future()
        self._outgoing.append((encoded, future))
        self._waiting_bytes += size
        self._pump()
        return future

    def _send_for_thread(self, data: Any) -> "asyncio.Future[None]":
        try:
            return self.send(data)  # type: ignore[return-value]
        except IpcError as error:
            self._owner.report(error)  # a thread's plain send() is seldom checked
            raise
        except (ChannelClosed, ChannelFull) as error:
            self._owner.report(IpcError("channel {!r}: a send from another thread failed: {}".format(self.name, error)))
            raise

    async def drain(self) -> None:
        """Wait until everything sent so far is on its way (the peer has room for it)."""
        if self._outgoing:
            await asyncio.gather(*[future for _, future in self._outgoing], return_exceptions=True)

    def close(self, reason: Optional[str] = None) -> None:
        """Close after what was already sent; the page's end gets ``close`` with ``reason``."""
        driver = self._owner.driver
        if not driver.on_tk_thread():
            driver.submit(self.close, reason)
            return
        if self.closed or self._closing is not None:
            return
        self._closing = (reason,)
        self._pump()

    # -- receiving --------------------------------------------------------------------------

    def on(self, event: str, fn: Callable[..., Any]) -> Callable[[], None]:
        """``on("message", fn(data))`` or ``on("close", fn(reason))``; returns an unsubscribe."""
        if event not in ("message", "close"):
            raise ValueError("channel events are 'message' and 'close', not {!r}".format(event))
        remove = self._listeners.add(event, fn)
        if event == "message":
            self._deliver()
        return remove

    def off(self, event: str, fn: Optional[Callable[..., Any]] = None) -> None:
        self._listeners.remove(event, fn)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        self._iterating += 1
        try:
            while True:
                if self._inbox:
                    yield self._take()
                    continue
                if self.closed:
                    return
                waiter = self._owner.loop().create_future()
                self._waiters.append(waiter)
                await waiter
        finally:
            self._iterating -= 1

    # -- driven by Channels ----------------------------------------------------------------

    def _peer_opened(self, window: int) -> None:
        self._peer_window = max(1, window)
        self._pump()

    def _received(self, data: Any) -> None:
        self._inbox.append(data)
        self._deliver()

    def _in_flight(self) -> int:
        """Messages received and not yet acknowledged: never more than ``window``."""
        return len(self._inbox) + self._consumed

    def _acked(self, count: int) -> None:
        self._unacked = max(0, self._unacked - count)
        self._pump()

    def _shut(self, reason: Optional[str], tell_peer: bool) -> None:
        """Close now (the peer closed, or the page or panel went)."""
        if self.closed:
            return
        self.closed = True
        self.close_reason = reason
        self._owner._forget(self)
        if tell_peer:  # behind this channel's data, which rides the chunk queue
            self._owner.send_chunk(protocol.chan_close(self.name, reason))
        error = ChannelClosed("channel {!r} closed before this was sent".format(self.name), reason)
        self._waiting_bytes = 0
        while self._outgoing:
            _, future = self._outgoing.popleft()
            if not future.done():
                future.set_exception(error)
                future.exception()  # a plain send() need not be awaited: no "never retrieved" noise
        self._wake_waiters()
        self._listeners.fire("close", reason)

    # -- internals --------------------------------------------------------------------------

    def _pump(self) -> None:
        """Hand the page what its window has room for; then, if closing, the close."""
        if self.closed or self._peer_window is None:
            return
        while self._outgoing and self._unacked < self._peer_window:
            encoded, future = self._outgoing.popleft()
            self._waiting_bytes -= protocol.size_of(encoded)
            self._unacked += 1
            self._owner.send_chunk(encoded)
            if not future.done():
                future.set_result(None)
        if self._closing is not None and not self._outgoing:
            self._shut(self._closing[0], tell_peer=True)

    def _deliver(self) -> None:
        while self._inbox:
            if self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                return  # the iterator takes it (and acks) when it runs
            if self._iterating or not self._listeners.has("message"):
                return  # nobody consumes yet: the page's window fills, backpressure
            self._listeners.fire("message", self._take())

    def _take(self) -> Any:
        data = self._inbox.popleft()
        self._consumed += 1
        if not self._ack_scheduled and not self.closed:
            self._ack_scheduled = True
            self._owner.loop().call_soon(self._ack)
        return data

    def _ack(self) -> None:
        self._ack_scheduled = False
        if self._consumed and not self.closed:
            count, self._consumed = self._consumed, 0
            self._owner.send(protocol.chan_ack(self.name, count))

    def _wake_waiters(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)

    def _listener_failed(self, event: str, error: BaseException) -> None:
        failure = ListenerError("channel {!r} {} listener raised {}: {}".format(
            self.name, event, type(error).__name__, error), event)
        failure.__cause__ = error
        self._owner.report(failure)


class Channels:
    """The channels of one panel, by name, and the page's opens that wait for native."""

    def __init__(self, send: Callable[[bytes], None], send_chunk: Callable[[Encoded], None],
                 driver: "Driver", report: Callable[[IpcError], None],
                 max_message_size: int = protocol.MAX_MESSAGE_SIZE) -> None:
        self.max_message_size = max_message_size
        self.send = send
        self.send_chunk = send_chunk
        self.driver = driver
        self.loop = lambda: driver.loop
        self.report = report
        self._open: Dict[str, Channel] = {}
        self._page_opens: Dict[str, int] = {}  # page ends waiting for a native end
        self._cut_off: Set[str] = set()  # closed for sending past the window: their data is dropped
        self._acceptors: Dict[str, Callable[[Channel], Any]] = {}

    def describe(self) -> List[Dict[str, Any]]:
        """The open channels as the inspector shows them: name, window (this end's and the
        page's), sent but unconsumed, waiting to be sent (messages, bytes), received but
        unconsumed."""
        return [{"name": c.name, "window": c.window, "peer_window": c._peer_window, "unacked": c._unacked,
                 "waiting": len(c._outgoing), "waiting_bytes": c._waiting_bytes, "inbox": len(c._inbox)}
                for c in self._open.values()]

    def create(self, name: str, window: int = DEFAULT_WINDOW, buffer: int = DEFAULT_BUFFER) -> Channel:
        """Open native's end of ``name``; one open channel per name. Tk thread only."""
        if not self.driver.on_tk_thread():
            raise RuntimeError("create_channel() is for the Tk thread: open the channel there and hand it "
                               "to the worker thread, whose channel.send() and close() are safe")
        if name in self._open:
            raise ValueError("channel {!r} is already open; close it first".format(name))
        channel = Channel(self, name, window, buffer)
        self._open[name] = channel
        self.send(protocol.chan_open(name, window))
        if name in self._page_opens:
            channel._peer_opened(self._page_opens.pop(name))
        return channel

    def accept(self, name: str, fn: Callable[[Channel], Any]) -> None:
        """Make native's end whenever the page connects to ``name``, and pass it to ``fn``."""
        self._acceptors[name] = fn
        if name in self._page_opens and name not in self._open:
            self._accept(name, self._page_opens.pop(name))

    def on_message(self, message: protocol.ChannelMessage) -> None:
        body, name = message.body, message.name
        channel = self._open.get(name)
        if message.kind == protocol.Kind.CHAN_OPEN:
            self._cut_off.discard(name)
            window = body.get("window")
            window = window if isinstance(window, int) and window > 0 else DEFAULT_WINDOW
            if channel is not None:
                channel._peer_opened(window)
            elif name in self._acceptors:
                self._accept(name, window)
            else:
                self._page_opens[name] = window  # native may create it later
        elif message.kind == protocol.Kind.CHAN_CLOSE:
            self._page_opens.pop(name, None)
            if channel is not None:
                reason = body.get("reason")
                channel._shut(reason if isinstance(reason, str) else None, tell_peer=False)
        elif message.kind == protocol.Kind.CHAN_ACK:
            if channel is None:
                return  # the page consumed after native closed: nothing to refill
            count = body.get("count")
            if isinstance(count, int) and count > 0:
                channel._acked(count)
        elif channel is None:
            if name not in self._cut_off:
                self.report(ProtocolError("{} for channel {!r}, which is not open".format(message.kind, name)))
        elif channel._in_flight() >= channel.window:
            # The page's end ignored the window native announced: refuse, close, report.
            self.report(ProtocolError("channel {!r}: the page sent past the receive window of {} messages; "
                                      "closed".format(name, channel.window)))
            channel._shut("the page sent past the channel's receive window", tell_peer=True)
            self._cut_off.add(name)
        elif "bin" in body:
            try:
                channel._received(base64.b64decode(body["bin"], validate=True))
            except (TypeError, ValueError) as error:
                self.report(ProtocolError("channel {!r}: bad binary data: {}".format(name, error)))
        else:
            channel._received(body.get("data"))

    def close_all(self, reason: str) -> None:
        """The page or panel went: close every channel with ``reason``."""
        self._page_opens.clear()
        self._cut_off.clear()
        for channel in list(self._open.values()):
            channel._shut(reason, tell_peer=False)

    def _accept(self, name: str, window: int) -> None:
        channel = self.create(name)
        channel._peer_opened(window)
        try:
            self._acceptors[name](channel)
        except Exception as error:
            failure = ListenerError("on_channel handler for {!r} raised {}: {}".format(name, type(error).__name__, error), name)
            failure.__cause__ = error
            self.report(failure)

    def _forget(self, channel: Channel) -> None:
        if self._open.get(channel.name) is channel:
            del self._open[channel.name]
