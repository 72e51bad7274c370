"""The loopback backend: no browser, a Python double of the page, for unit tests.

As Tauri's ``mockIPC``: the core runs exactly as with a real engine (same wire strings,
batching, hello/welcome), and the page is a ``LoopbackPage`` that the test drives from
Python, with names that follow craft.js::

    panel = craft_tk.WebPanel(root, backend="loopback")   # or LoopbackTransport.headless(core)
    page = panel.transport.page
    page.on("update-data", received.append)               # craft.on
    page.send("user-action", {"type": "click"})           # craft.send
    user = page.invoke("get-user", 7, timeout=1)          # craft.invoke: a Future
    page.handle("get-selection", lambda: "text")          # craft.handle
    log = page.connect_channel("log", window=4)           # craft.connectChannel
    page.set_state("settings.theme", "dark")              # craft.state.settings.theme = ...
    page.watch_state("theme", lambda new, old: ...)       # craft.watchState
    root.update()

It plays the page's role of the wire protocol, reading native's messages with
``_protocol`` and writing its own with its encoders; it is not a port of craft.js.
Guarantees, as for the page: everything runs on the driver's thread (Tk's); what the page
queues in one tick crosses as one wire string, and nothing before native's ``welcome``.
Every page invoke settles: with native's value; with the exception native's ``error``
describes (``error_from_reply``: ``RemoteError`` carrying native's ``name``, ``code`` and
message, or ``HandlerNotFound``, ``NotAllowed``); with ``InvokeTimeout``; or cancelled.
Failures of the page's own code (listeners, ``on_progress``, watchers) go to
``listener_errors`` and to native as a ``fault``, as craft.js reports them. Channel ends
and the state copy are in ``_loopback_page``. It never replaces the real-engine tests.
"""

import asyncio
import base64
import inspect
import itertools
import tkinter as tk
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Union

from craft_tk import jsbridge

from .. import _protocol as protocol
from .._driver import Driver
from .._errors import HandlerNotFound, InvokeTimeout, error_from_reply
from .._eventloop import TkAsyncio
from .._invoke import describe_exception
from .._listeners import Listeners
from .._protocol import Kind, read_boot
from ._base import Page, PageHost
from ._loopback_page import DEFAULT_WINDOW, LoopbackChannel, Outgoing, PageState, StatePath, decode

if TYPE_CHECKING:
    from .._dispatcher import Dispatcher

__all__ = ["LoopbackChannel", "LoopbackPage", "LoopbackTransport", "decode"]

_page_ids = itertools.count(1)


class _Call:
    """One of the page's invokes, waiting for native."""

    __slots__ = ("name", "future", "on_progress", "uses_default", "timer")

    def __init__(self, name: str, future: "asyncio.Future[Any]", on_progress: Optional[Callable[..., Any]],
                 uses_default: bool) -> None:
        self.name = name
        self.future = future
        self.on_progress = on_progress
        self.uses_default = uses_default  # armed with welcome's invokeTimeout
        self.timer: Optional[asyncio.TimerHandle] = None


class LoopbackPage:
    """The page side, in Python: see the module's docstring for the API."""

    def __init__(self, host: PageHost, driver: Driver, boot: Optional[Dict[str, Any]] = None) -> None:
        boot = boot or {}
        self._host = host
        self._driver = driver
        self._secret = boot.get("secret", "")  # from the bridge's boot, as craft.js reads it
        self._listeners = Listeners(lambda name, error: self._failed("listener for {!r}".format(name), error),
                                    lambda: driver.loop)
        self._outbox: List[Outgoing] = []
        self._flush_scheduled = False
        self._calls: Dict[int, _Call] = {}  # our invokes, by id
        self._next_id = 1
        self._handlers: Dict[str, Callable[..., Any]] = {}
        self._running: Dict[int, "asyncio.Future[Any]"] = {}  # native's invokes our async handlers answer
        self._channels: Dict[str, LoopbackChannel] = {}
        self._native_opens: Dict[str, int] = {}  # native ends waiting for ours: name -> window
        self._state = PageState(boot.get("state") or {}, boot.get("stateVersion", -1), self._queue, self._failed)
        self.connected = False
        self.ready: "asyncio.Future[LoopbackPage]" = driver.loop.create_future()
        self.invoke_timeout: Optional[float] = None  # seconds, as welcome says
        self.batches_received = 0
        self.listener_errors: List[BaseException] = []

    # -- events ----------------------------------------------------------------------------

    def send(self, name: str, data: Any = None) -> None:
        """Queue event ``name`` for native (``craft.send``); ``TypeError`` if not JSON."""
        self._queue(protocol.event(name, data))

    def on(self, name: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Listen to native event ``name``; returns an unsubscribe function."""
        return self._listeners.add(name, fn)

    def once(self, name: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        return self._listeners.add(name, fn, once=True)

    def off(self, name: str, fn: Any = None) -> None:
        self._listeners.remove(name, fn)

    def post_raw(self, wire: Any) -> None:
        """Hand ``wire`` to native untouched: for testing malformed input."""
        self._host.receive(wire)

    # -- invoke: ours to native, and native's to our handlers -------------------------------

    def invoke(self, name: str, *args: Any, timeout: Optional[float] = None,
               on_progress: Optional[Callable[[float, Optional[float], Any], Any]] = None) -> "asyncio.Future[Any]":
        """Call native's handler ``name``; a future of its value (see the module's docstring).

        ``timeout`` in seconds (0: none) defaults to welcome's ``invokeTimeout``; once it
        passes, or when the future is cancelled, native is sent ``cancel``.
        ``on_progress(done, total, detail)`` follows the handler's progress reports.
        """
        call_id = self._next_id
        self._next_id += 1
        encoded = protocol.invoke(call_id, name, list(args))  # TypeError for arguments JSON cannot carry
        future = self._driver.loop.create_future()
        self._calls[call_id] = _Call(name, future, on_progress, timeout is None)
        self._queue(encoded)
        self._arm(call_id, self.invoke_timeout if timeout is None else timeout)
        future.add_done_callback(lambda done: self._call_done(call_id, done))
        return future

    def handle(self, name: str, fn: Callable[..., Any]) -> Callable[[], None]:
        """Answer native's ``panel.invoke(name, *args)`` with ``fn(*args)``: its value, or
        an ``error`` for what it raises. An awaitable is awaited, and cancelled when native
        cancels the call. Returns a function that removes the handler."""
        self._handlers[name] = fn

        def remove() -> None:
            if self._handlers.get(name) is fn:
                del self._handlers[name]

        return remove

    # -- channels and state ------------------------------------------------------------------

    def connect_channel(self, name: str, window: int = DEFAULT_WINDOW) -> "LoopbackChannel":
        """The page's end of channel ``name``, taking ``window`` unacked messages (the open one if any)."""
        channel = self._channels.get(name)
        if channel is None:
            channel = self._channels[name] = LoopbackChannel(self, name, window)
            self._queue(protocol.chan_open(name, window))
            if name in self._native_opens:
                channel._peer_opened(self._native_opens.pop(name))
        return channel

    @property
    def state(self) -> Dict[str, Any]:
        """The page's copy of the shared state (read it; write with ``set_state``)."""
        return self._state.data

    @property
    def state_version(self) -> int:
        """The version of native's last patch the copy holds."""
        return self._state.version

    def set_state(self, path: StatePath, value: Any) -> None:
        """Set the value at ``path`` (dotted, or a sequence of keys) here, and tell native."""
        self._state.set(path, value)

    def delete_state(self, path: StatePath) -> None:
        """Delete the key at ``path`` here, and tell native."""
        self._state.delete(path)

    def get_state(self, path: StatePath, default: Any = None) -> Any:
        """The value at ``path`` in the page's copy, or ``default``."""
        return self._state.get(path, default)

    def watch_state(self, path: StatePath, fn: Callable[[Any, Any], Any]) -> Callable[[], None]:
        """Call ``fn(new, old)`` (plain copies) when the value at ``path`` changes; returns an unsubscribe."""
        return self._state.watch(path, fn)

    # -- driven by the transport -------------------------------------------------------------

    def start(self) -> None:
        hello = protocol.hello("loopback-{}".format(next(_page_ids)))
        self._host.receive(protocol.page_wire(self._secret, [hello]))

    def deliver(self, wire: str) -> None:
        """A wire string from native."""
        self.batches_received += 1
        for message in decode(wire):
            if isinstance(message, protocol.Event):
                self._listeners.fire(message.name, message.data)
            elif isinstance(message, protocol.Invoke):
                self._answer(message)
            elif isinstance(message, (protocol.Result, protocol.ErrorReply)):
                self._answered_by_native(message)
            elif isinstance(message, protocol.Cancel):
                task = self._running.pop(message.id, None)
                if task is not None:
                    task.cancel()
            elif isinstance(message, protocol.ChannelMessage):
                self._channel_message(message)
            elif message["kind"] == Kind.WELCOME:
                self._welcome(message)
            elif message["kind"] == Kind.PROGRESS:
                self._progress(message)
            else:
                self._state.receive(message)

    def close(self) -> None:
        """The page goes away (a new load, the transport closed): its running handlers are
        cancelled, its pending invokes too, and it sends nothing more."""
        self.connected = False
        self._outbox = []
        running, self._running = self._running, {}
        for task in running.values():
            task.cancel()
        calls, self._calls = self._calls, {}
        for call in calls.values():
            if call.timer is not None:
                call.timer.cancel()
            call.future.cancel()

    # -- internals ---------------------------------------------------------------------------

    def _welcome(self, message: Dict[str, Any]) -> None:
        self._state.welcome(message.get("state") or {}, message.get("stateVersion", -1))
        ms = message.get("invokeTimeout")
        self.invoke_timeout = ms / 1000 if ms else None
        for call_id, call in list(self._calls.items()):
            if call.uses_default:
                self._arm(call_id, self.invoke_timeout)
        self.connected = True
        if not self.ready.done():
            self.ready.set_result(self)
        self._schedule_flush()

    def _arm(self, call_id: int, seconds: Optional[float]) -> None:
        call = self._calls.get(call_id)
        if call is not None and seconds and call.timer is None:
            call.timer = self._driver.loop.call_later(seconds, self._expire, call_id, seconds)

    def _expire(self, call_id: int, seconds: float) -> None:
        call = self._take_call(call_id)
        if call is not None and not call.future.done():
            message = "invoke {!r} had no answer in {:g} ms".format(call.name, seconds * 1000)
            call.future.set_exception(InvokeTimeout(message, call.name))
            self._queue(protocol.cancel(call_id))

    def _call_done(self, call_id: int, future: "asyncio.Future[Any]") -> None:
        if future.cancelled() and self._take_call(call_id) is not None:  # the test gave up: abort it
            self._queue(protocol.cancel(call_id))

    def _answered_by_native(self, reply: Union[protocol.Result, protocol.ErrorReply]) -> None:
        call = self._take_call(reply.id)
        if call is None or call.future.done():
            return  # answered after a timeout or a cancellation: nobody waits
        if isinstance(reply, protocol.Result):
            call.future.set_result(reply.value)
        else:
            call.future.set_exception(error_from_reply(reply.error, call.name))

    def _take_call(self, call_id: int) -> Optional[_Call]:
        """Our invoke ``call_id``, no longer waiting for native (its timer stopped)."""
        call = self._calls.pop(call_id, None)
        if call is not None and call.timer is not None:
            call.timer.cancel()
        return call

    def _progress(self, message: Dict[str, Any]) -> None:
        call = self._calls.get(message.get("id"))  # type: ignore[arg-type]
        if call is not None and call.on_progress is not None:
            try:
                call.on_progress(message.get("done"), message.get("total"), message.get("detail"))
            except Exception as error:
                self._failed("onProgress of invoke {!r}".format(call.name), error)

    def _answer(self, message: protocol.Invoke) -> None:
        fn = self._handlers.get(message.name)
        if fn is None:
            self._reply_error(message.id, HandlerNotFound("No handler registered for {!r}".format(message.name)))
            return
        try:
            outcome = fn(*message.args)
        except Exception as error:
            self._reply_error(message.id, error)
            return
        if not inspect.isawaitable(outcome):
            self._reply(message.id, outcome)
            return
        task = asyncio.ensure_future(outcome, loop=self._driver.loop)
        self._running[message.id] = task
        task.add_done_callback(lambda done: self._answered(message.id, done))

    def _answered(self, call_id: int, task: "asyncio.Future[Any]") -> None:
        if self._running.get(call_id) is not task:
            return  # native cancelled it: it waits for no answer
        del self._running[call_id]
        if task.cancelled():
            self._reply_error(call_id, asyncio.CancelledError("the handler was cancelled"))
        elif task.exception() is not None:
            self._reply_error(call_id, task.exception())  # type: ignore[arg-type]
        else:
            self._reply(call_id, task.result())

    def _reply(self, call_id: int, value: Any) -> None:
        try:
            encoded = protocol.result(call_id, value)
        except TypeError as error:
            self._reply_error(call_id, error)
            return
        self._queue(encoded)

    def _reply_error(self, call_id: int, error: BaseException) -> None:
        self._queue(protocol.error(call_id, describe_exception(error, debug=True)))  # a page's error has its stack

    def _channel_message(self, message: protocol.ChannelMessage) -> None:
        name, body = message.name, message.body
        channel = self._channels.get(name)
        if message.kind == Kind.CHAN_OPEN:
            if channel is None:
                self._native_opens[name] = body.get("window") or DEFAULT_WINDOW
            else:
                channel._peer_opened(body.get("window") or DEFAULT_WINDOW)
        elif message.kind == Kind.CHAN_CLOSE:
            self._native_opens.pop(name, None)
            if channel is not None:
                channel._shut(body.get("reason"), tell_peer=False)
        elif channel is None:
            return  # for an end already closed here
        elif message.kind == Kind.CHAN_ACK:
            channel._acked(body.get("count") or 0)
        else:
            channel._received(base64.b64decode(body["bin"]) if "bin" in body else body.get("data"))

    def _queue(self, message: Outgoing) -> None:
        self._outbox.append(message)
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if self.connected and self._outbox and not self._flush_scheduled:
            self._flush_scheduled = True
            self._driver.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        batch, self._outbox = self._outbox, []
        if batch:
            encoded = [message() if callable(message) else message for message in batch]
            self._host.receive(protocol.page_wire(self._secret, encoded))

    def _failed(self, where: str, error: BaseException) -> None:
        """A failure of the page's own code: reported to native, as craft.js does."""
        self.listener_errors.append(error)
        self._queue(protocol.fault("{}: {}".format(where, error), type(error).__name__, None))


class LoopbackTransport:
    """A transport whose page is a ``LoopbackPage``; a new one on every load."""

    name = "loopback"

    def __init__(self, frame: Optional[tk.Frame], host: PageHost, bridge: Callable[[], str],
                 driver: Optional[Driver] = None) -> None:
        self._host = host
        self._bridge = bridge
        self._driver: Driver = driver if driver is not None else TkAsyncio.of(frame)  # type: ignore[arg-type]
        self.page = LoopbackPage(host, self._driver)
        self.posts = 0

    @classmethod
    def headless(cls, core: "Dispatcher") -> "LoopbackTransport":
        """A loopback page loaded for a core with no Tk and no display (a ``Dispatcher``
        on a ``LoopDriver``), made its transport: run the loop to connect it."""
        def bridge() -> str:
            boot = {"secret": core.secrets.issue(), "maxMessageSize": core.max_message_size}
            boot.update(core.state.welcome())
            return protocol.bridge_script(jsbridge.bridge_source(), boot)

        transport = cls(None, core, bridge, core.driver)
        core.transport = transport
        transport.load(Page())
        return transport

    def load(self, page: Page) -> None:
        self.page.close()
        self._host.page_loading()
        boot = read_boot(self._bridge(), jsbridge.bridge_source())
        self.page = LoopbackPage(self._host, self._driver, boot)
        self._driver.call_soon(self.page.start)  # a real page says hello a little later

    def reload(self) -> None:
        self.load(Page())

    def post(self, wire: str) -> None:
        self.posts += 1
        self.page.deliver(wire)

    def show_devtools(self) -> bool:
        return False

    def close_devtools(self) -> None:
        pass

    def execute(self, script: str) -> None:
        raise NotImplementedError("the loopback backend runs no JavaScript; drive transport.page instead")

    def close(self) -> None:
        self.page.close()
