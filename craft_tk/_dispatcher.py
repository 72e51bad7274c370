"""The IPC core of one panel: listeners, the ordered outbox, and the page connection.

The messages queued for the page in one Tk tick cross as one ``Transport.post`` call,
in the order they were queued; channel data follows in posts of about 128 KB. Until the page says ``hello`` (after every load, reload or
navigation) messages wait in the outbox; none is lost. Only the connected page load
speaks: wire strings without its secret are refused (``_security.PageSecrets``), and so
are messages over ``max_message_size``. Failures (malformed input,
listeners that raise, page faults) go to ``on_ipc_error`` handlers and to the
``craft_tk`` logger, never up into Tk's loop.
"""

import atexit
import functools
import logging
import weakref
from typing import Any, Callable, FrozenSet, List, Optional, Sequence, TypeVar, Union

import orjson

from . import _protocol as protocol
from ._channels import DEFAULT_BUFFER, DEFAULT_WINDOW, Channel, Channels
from ._coalesce import Coalescers
from ._errors import (
    InvokeError,
    IpcError,
    ListenerError,
    MessageTooLarge,
    PageError,
    PageGone,
    PanelClosed,
    ProtocolError,
    Refused,
    SerializationError,
    ValidationError,
)
from ._driver import Driver
from ._app import _sender, app
from ._invoke import Invocations, handler_entry
from ._listeners import Listeners
from ._outbox import DEFAULT_POST_SIZE, Outbox
from ._tap import Tap
from ._state import SharedState, app_state
from ._security import OriginPolicy, PageSecrets
from ._typed import Contract, checked_listener, result_check
from .backends._base import Transport

__all__ = ["Dispatcher"]

log = logging.getLogger("craft_tk")
page_log = logging.getLogger("craft_tk.page")  # what the page says: console output and its errors
_PAGE_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "log": logging.INFO, "warning": logging.WARNING,
                "warn": logging.WARNING, "error": logging.ERROR}
_live: "weakref.WeakSet[Dispatcher]" = weakref.WeakSet()

BUILTIN_PREFIX = "craft:"  # craft_tk's own handlers, both sides
WIRE_OVERHEAD = 64  # a wire string is its messages plus the secret and brackets

F = TypeVar("F", bound=Callable[..., Any])
ErrorHandler = Callable[[IpcError], Any]


class Dispatcher:
    """Carries one panel's messages; all methods run on the Tk thread except ``emit``."""

    def __init__(
        self,
        driver: Driver,
        debug: bool = False,
        invoke_timeout: Optional[float] = None,
        allow: Optional[Sequence[str]] = None,
        state: Optional[SharedState] = None,
        contract: Optional[Contract] = None,
        max_message_size: int = protocol.MAX_MESSAGE_SIZE,
        policy: Optional[OriginPolicy] = None,
    ) -> None:
        self.driver = driver
        self.policy = policy if policy is not None else OriginPolicy()
        self.contract = contract
        self.max_message_size = max_message_size
        self.secrets = PageSecrets()
        self.debug = debug
        self.transport: Optional[Transport] = None
        self._events = Listeners(self._listener_failed, lambda: driver.loop)
        self._outbox = Outbox(driver.call_last, self._post, self._post_size)
        self.invocations = Invocations(self._enqueue_for_load, lambda: driver.loop, self.report, debug, invoke_timeout, allow,
                                       max_message_size, app.handlers)
        self._error_handlers: List[ErrorHandler] = []
        self.channels = Channels(self._enqueue_for_load, self._enqueue_chunk, driver, self.report,
                                 max_message_size)
        self._coalescers = Coalescers(lambda: driver.loop)
        self._page: Optional[str] = None
        self.page_url = ""  # the connected page's address, as it said in its hello
        self._scripts: List[str] = []  # evaluate()s waiting for the page to connect
        self._on_connect: List[Callable[[], Any]] = []  # run once at the next hello
        self.keyboard: Optional[Any] = None  # the Shortcuts of the panel's toplevel
        self.label: Optional[str] = None  # the panel's, in craft_tk.app
        self._closed = False
        self.devtools_port: Optional[int] = None  # for CEF: where CDP clients attach
        self.taps: List[Tap] = []  # inspectors and traces reading what crosses (see add_tap)
        self.trace_payloads = True  # False: inspectors and traces show no message data of this panel
        self.state = state if state is not None else app_state()
        self._detach_state = self.state.attach(self._enqueue, self.report, driver)
        _live.add(self)

    # -- app-facing -----------------------------------------------------------------------

    def on(self, name: str, fn: Optional[Callable[..., Any]] = None) -> Any:
        """Call ``fn(data)`` for each page event ``name``; return an unsubscribe function.

        Without ``fn``, return a decorator that registers the function and returns it.
        ``on("invoke", fn(name, args, respond))`` is the seed's invoke hook instead.
        """
        if fn is None:
            return _decorator(lambda fn: self.on(name, fn))
        if name == "invoke":  # the seed's restriction hook, not a page event
            return self.invocations.add_hook(fn)
        return self._add_listener(name, fn)

    def handle(self, name: str, fn: Optional[Callable[..., Any]] = None, thread: bool = False,
               schema: Any = None) -> Any:
        """Answer the page's ``craft.invoke(name, *args)`` with ``fn(*args)``.

        ``fn`` may be plain, ``async def``, or blocking with ``thread=True``. Arguments are
        checked against the contract, ``schema`` (first argument) and ``fn``'s annotations.
        Returns a function that removes the handler, or, without ``fn``, a decorator.
        """
        if fn is None:
            return _decorator(lambda fn: self.handle(name, fn, thread, schema))
        if isinstance(name, str) and name.startswith(BUILTIN_PREFIX):
            raise ValueError("handler names starting with {!r} are craft_tk's own; choose another than {!r}"
                             .format(BUILTIN_PREFIX, name))
        declared = self.contract.require_handler(name) if self.contract is not None else None
        return self.invocations.handle(name, handler_entry(name, fn, thread, schema, declared.args if declared else None,
                                                           result_check(declared.result) if declared else None))

    def handle_builtin(self, name: str, fn: Callable[..., Any]) -> None:
        """Register craft_tk's own handler ``craft:<name>`` (allowed even with ``allow``)."""
        self.invocations.handle(BUILTIN_PREFIX + name, handler_entry(name, fn))
        self.invocations.builtins.add(BUILTIN_PREFIX + name)

    def remove_handler(self, name: str) -> None:
        """Forget the handler of ``name``."""
        self.invocations.remove_handler(name)

    def on_progress(self, name: str, fn: Callable[..., Any]) -> Callable[[], None]:
        """Call ``fn(done, total, detail)`` for the progress of each call of handler
        ``name`` (what ``current_invocation().progress()`` reports); returns a remover."""
        return self.invocations.on_progress(name, fn)

    def create_channel(self, name: str, window: int = DEFAULT_WINDOW, buffer: int = DEFAULT_BUFFER) -> Channel:
        """Open native's end of channel ``name`` (the page's is ``craft.connectChannel``)."""
        if self._closed:
            raise PanelClosed("cannot open channel {!r}: the panel is closed".format(name))
        return self.channels.create(name, window, buffer)

    def on_channel(self, name: str, fn: Optional[Callable[[Channel], Any]] = None) -> Any:
        """Accept channels the page opens as ``name``: ``fn(channel)`` gets native's end."""
        if fn is None:
            return _decorator(lambda fn: self.channels.accept(name, fn))
        self.channels.accept(name, fn)
        return fn

    def invoke(self, name: str, *args: Any, timeout: Optional[float] = None) -> Any:
        """Call the page's ``craft.handle(name, fn)``; await the result or add a callback.

        On the Tk thread: an ``asyncio.Future``; raises ``SerializationError`` at once for
        arguments JSON cannot carry, and ``PanelClosed`` after the panel is destroyed. From
        another thread: a ``concurrent.futures.Future`` (``.result(timeout)``), which
        carries those errors.
        """
        if not self.driver.on_tk_thread():
            return self.driver.submit(functools.partial(self.invoke, name, *args, timeout=timeout))
        if self._closed:
            raise PanelClosed("cannot invoke {!r}: the panel is closed".format(name))
        return self.invocations.invoke(name, args, timeout)

    def evaluate(self, expression: str, timeout: Optional[float] = None) -> Any:
        """The value of a JavaScript ``expression`` in the page (awaited when it is a
        Promise), as JSON: ``await panel.evaluate("document.title")``. It fails with
        ``RemoteError`` (its ``name``, such as ``ReferenceError``) when it throws. Runs
        once the page is connected. On the Tk thread an ``asyncio.Future``; from another
        thread a ``concurrent.futures.Future``."""
        if not self.driver.on_tk_thread():
            return self.driver.submit(functools.partial(self.evaluate, expression, timeout=timeout))
        if self._closed:
            raise PanelClosed("cannot evaluate JavaScript: the panel is closed")
        if not isinstance(expression, str):
            raise TypeError("evaluate() takes JavaScript source as a str, got {!r}".format(type(expression).__name__))
        call_id, future = self.invocations.expect("evaluate", timeout)
        # The page's bridge answers with a result or an error message for call_id.
        self._scripts.append("window.__craftEvaluate({}, function () {{ return (\n{}\n); }});"
                             .format(call_id, expression))
        self._run_scripts()
        return future

    def expose(self, api: Any, prefix: str = "", thread: bool = False) -> Callable[[], None]:
        """Answer ``craft.invoke(prefix + name, ...)`` with each public method of ``api``
        (names without a leading underscore), as ``handle`` would: annotations checked,
        ``allow=`` respected, ``thread=True`` for blocking methods. Returns a remover."""
        removers = []
        for name in dir(api):
            method = getattr(api, name)
            if not name.startswith("_") and callable(method) and not isinstance(method, type):
                removers.append(self.handle(prefix + name, method, thread=thread))

        def remove() -> None:
            for remover in removers:
                remover()

        return remove

    def once(self, name: str, fn: Optional[Callable[..., Any]] = None) -> Any:
        """Like ``on``, for the next event only."""
        if fn is None:
            return _decorator(lambda fn: self.once(name, fn))
        return self._add_listener(name, fn, once=True)

    def off(self, name: str, fn: Optional[Callable[..., Any]] = None) -> None:
        """Remove ``fn`` from ``name``, or every listener of ``name``."""
        self._events.remove(name, fn)

    def emit(self, name: str, data: Any = None, throttle: Optional[float] = None,
             debounce: Optional[float] = None, sender: Optional[str] = None) -> None:
        """Send event ``name`` with ``data`` to the page; safe from any thread.

        ``throttle=ms`` sends at most one ``name`` event per interval, ``debounce=ms`` only
        after ``ms`` without a new one; either way the latest value always arrives.
        Raises ``SerializationError`` (a ``TypeError``) at once if ``data`` is not JSON,
        ``MessageTooLarge`` over ``max_message_size``, ``ContractError``/``ValidationError``
        on a typed panel for a name or payload outside its contract, and ``PanelClosed``
        after the panel is destroyed. ``sender``: the label of the panel whose page sent
        it (a page-to-page message), given to the page's listeners.
        """
        if self._closed:
            raise PanelClosed("cannot emit {!r}: the panel is closed".format(name))
        if not isinstance(name, str):
            raise TypeError("event name must be a str, got {!r}".format(name))
        if throttle is not None and debounce is not None:
            raise ValueError("give throttle= or debounce=, not both")
        try:
            encoded = protocol.event(name, data, sender)
        except TypeError as error:
            raise SerializationError("event {!r}: {}".format(name, error)) from None
        if len(encoded) > self.max_message_size:
            protocol.check_size(encoded, self.max_message_size, "event {!r}".format(name))  # raises
        if self.contract is not None and not name.startswith(BUILTIN_PREFIX):  # as the page will see it
            self.contract.require_event(name)
            self.contract.check_event(name, orjson.loads(encoded)["data"], "native")
        if throttle is not None or debounce is not None:
            mode, ms = ("throttle", throttle) if throttle is not None else ("debounce", debounce)
            self._on_tk_thread(self._coalescers.push, name, mode, ms, encoded, self._enqueue)
        else:
            self._on_tk_thread(self._enqueue, encoded)

    def _on_tk_thread(self, fn: Callable[..., Any], *args: Any) -> None:
        if self.driver.on_tk_thread():
            fn(*args)
        else:
            self.driver.call_soon_threadsafe(fn, *args)

    def add_tap(self, tap: Tap) -> Callable[[], None]:
        """Let ``tap`` record what crosses from now on; returns the function that stops it."""
        if tap not in self.taps:
            self.taps.append(tap)
        return functools.partial(self.remove_tap, tap)

    def remove_tap(self, tap: Tap) -> None:
        """Stop ``tap`` recording, if it does."""
        if tap in self.taps:
            self.taps.remove(tap)

    def on_ipc_error(self, fn: F) -> F:
        """Call ``fn(error)`` with every IPC failure of this panel; usable as a decorator."""
        self._error_handlers.append(fn)
        return fn

    @property
    def connected(self) -> bool:
        """True while a page has said hello and not gone away since."""
        return self._page is not None

    # -- transport-facing -----------------------------------------------------------------

    def receive(self, wire: str) -> bool:
        """Handle a wire string from the page; never raises. Its secret and size are
        checked before anything of it is parsed. True when it held a ``hello`` that was
        accepted (a transport may then take the page's receive function)."""
        if not isinstance(wire, (str, bytes)):
            self.report(ProtocolError("a wire message must be a string, got {}".format(type(wire).__name__)))
            return False
        if len(wire) > self.max_message_size + WIRE_OVERHEAD:
            self.report(MessageTooLarge("refused {:,} characters from the page: over max_message_size ({:,})"
                                        .format(len(wire), self.max_message_size)))
            return False
        secret = self.secrets.sender_of(wire)
        if secret is None:
            self.report(Refused("refused a wire string without the secret of a page load of this panel"))
            return False
        for tap in self.taps:
            tap.wire_in(self.label, wire, self.trace_payloads)
        secret, messages = protocol.decode_batch(wire)
        with self.driver.batch():
            token = _sender.set(self.label)  # what listeners and handlers see as sender()
            try:
                return self._handle_batch(secret, messages)
            finally:
                _sender.reset(token)

    def _handle_batch(self, secret: Optional[str], messages: Any) -> bool:
        accepted_hello = False
        from_page = secret == self.secrets.connected and self._page is not None
        plain_events = from_page and self.contract is None
        fire, event = self._fire_event, protocol.Event
        refused = 0
        for message in messages:
            if plain_events and type(message) is event:  # the hot path; fire() never raises
                fire(message[0], message[1])  # name, data
                continue
            if isinstance(message, protocol.Hello):
                if not self.secrets.admits_hello(secret):
                    refused += 1
                    continue
                self._connect(message.page, secret, message.url)  # type: ignore[arg-type]
                from_page = accepted_hello = True
            elif not from_page:
                refused += 1  # a page load that is gone, or one not connected yet
                continue
            try:
                self._handle(message)
            except Exception as error:  # whatever the page sends, Tk's loop survives
                self.report(IpcError("failed to handle a message from the page: {!r}".format(error)))
        if refused:
            self.report(Refused("refused {} message{} without the secret of the connected page load".format(
                refused, "" if refused == 1 else "s")))
        return accepted_hello

    def allows(self, url: str, main_frame: bool = True) -> bool:
        """Whether a page at ``url`` may be shown with the bridge (navigated to, or heard
        from); a refusal reaches ``on_ipc_error``. Frames other than the main one never are."""
        if not main_frame:
            self.report(Refused("refused the bridge to a frame inside the page ({})".format(url)))
            return False
        if self.policy.allows(url):
            return True
        self.report(Refused("blocked {}: its origin is not in allowed_origins".format(url)))
        return False

    def allowed_origins(self) -> List[str]:
        """The origin policy as a list, for a transport that decides in another process."""
        return self.policy.as_list()

    def shortcuts(self) -> FrozenSet[str]:
        """The key chords the app binds in the panel's toplevel (see ``_shortcuts``)."""
        return self.keyboard.chords if self.keyboard is not None else frozenset()

    def shortcut(self, chord: str) -> None:
        """The page had the keyboard when ``chord`` was pressed: run its action."""
        if self.keyboard is not None and not self._closed:
            self.keyboard.press(chord)

    def page_loading(self, failure: Optional[str] = None) -> None:
        """The page is going: hold outgoing messages until the next hello.

        With ``failure`` (the browser crashed), everything pending settles with it and
        ``on_ipc_error`` is told.
        """
        if failure is not None:
            self.report(IpcError(failure))
        self.secrets.page_gone()
        if self._page is not None or failure is not None:
            why = failure or "the page reloaded or navigated away"
            self.invocations.abandon(lambda name: PageGone("{} before answering {!r}".format(why, name), name))
            self.channels.close_all(failure or "page reloaded or navigated away")
            self._outbox.drop_load()  # invokes, answers, channel messages; events and state wait
            self._scripts = []
        self._outbox.open = False  # until the next hello
        self._page = None

    def close(self) -> None:
        """Settle everything pending, drop what is queued, refuse further calls."""
        self._closed = True
        self._page = None
        self._on_connect = []
        self._outbox.close()
        self._coalescers.cancel_all()
        self.channels.close_all("panel closed")
        self._detach_state()
        self.invocations.abandon(lambda name: PanelClosed("the panel closed before answering {!r}".format(name)))

    def page_log(self, level: str, message: str, source: Optional[str] = None, line: Optional[int] = None) -> None:
        """The page's console output, to the ``craft_tk.page`` logger at its level; craft.js's
        own lines ("craft: ...", already a ``PageError``) at debug."""
        where = _where(source, line)
        if message.startswith("craft: "):
            level = "debug"
        for tap in self.taps:
            tap.note(self.label, "console", "{}: {}{}".format(level, message, where), self.trace_payloads)
        page_log.log(_PAGE_LEVELS.get(level, logging.INFO), "%s%s", message, where)

    def page_error(self, message: str, source: Optional[str] = None, line: Optional[int] = None) -> None:
        """An uncaught error the transport saw in a page script: a ``PageError``."""
        self.report(PageError(message, None, None, source, line))

    def report(self, error: IpcError) -> None:
        """Send ``error`` to the logger and every ``on_ipc_error`` handler.

        One line each; a failure its caller also receives (an invoke's error) at WARNING,
        the rest at ERROR, page errors on the ``craft_tk.page`` logger. The traceback of
        a native exception follows with ``debug=True``, and for listener failures, which
        nobody else sees."""
        for tap in self.taps:
            tap.note(self.label, "ipc-error", "{}: {}".format(type(error).__name__, error), self.trace_payloads)
        cause = error.__cause__
        with_traceback = cause is not None and (self.debug or isinstance(error, ListenerError))
        exc_info = (type(cause), cause, cause.__traceback__) if with_traceback and cause is not None else None
        if isinstance(error, PageError):
            where = _where(error.source, error.line)
            page_log.error("%s%s", error, where)
        else:
            level = logging.WARNING if isinstance(error, InvokeError) else logging.ERROR
            log.log(level, "IPC error: %s", error, exc_info=exc_info)  # type: ignore[arg-type]
        for handler in list(self._error_handlers):
            try:
                handler(error)
            except Exception:
                log.exception("on_ipc_error handler %r raised", handler)

    # -- internals ------------------------------------------------------------------------

    def _add_listener(self, name: str, fn: Callable[..., Any], once: bool = False) -> Callable[[], None]:
        if self.contract is not None:
            self.contract.require_event(name)
        return self._events.add(name, checked_listener(name, fn), once)

    def _handle(self, message: Any) -> None:
        if isinstance(message, protocol.Event):
            if self.contract is None:
                self._fire_event(message.name, message.data)
            else:
                try:
                    data = self.contract.check_event(message.name, message.data)
                except ValidationError as error:
                    self.report(error)
                else:
                    self._fire_event(message.name, data)
        elif isinstance(message, protocol.Invoke):
            self.invocations.on_invoke(message)
        elif isinstance(message, (protocol.Result, protocol.ErrorReply)):
            self.invocations.on_reply(message)
        elif isinstance(message, protocol.Cancel):
            self.invocations.on_cancel(message)
        elif isinstance(message, protocol.ChannelMessage):
            self.channels.on_message(message)
        elif isinstance(message, protocol.StateOps):
            self._page_state(message.ops)
        elif isinstance(message, protocol.Hello):
            pass  # connected by receive(), which knows the batch's secret
        elif isinstance(message, protocol.Fault):
            self.report(PageError(message.message, message.name, message.stack, message.source, message.line))
        else:  # a ProtocolError from decode_batch; an undecodable call still settles
            self.report(message)
            if message.call_id is not None:
                self.invocations.on_undecodable(message)

    def _fire_event(self, name: str, data: Any) -> None:
        """A page event: the panel's listeners, then the app's (``app.on``); never raises."""
        self._events.fire(name, data)
        app.fire(name, data, self.report)

    def _page_state(self, ops: List[Any]) -> None:
        """Apply a page's state writes, report the refused ones, and settle the message
        with that page (native's values where the page's copy now differs)."""
        written, refused = self.state.apply_from_page(ops)
        for error in refused:
            self.report(error)
        state = self.state

        def settle() -> bytes:  # encoded at flush time: native's values as they are then
            return protocol.state_settle([list(path) for path, _ in written], state.settle(written))

        self._enqueue_for_load(settle)

    def _run_scripts(self) -> None:
        if self._page is None or self.transport is None:
            return
        scripts, self._scripts = self._scripts, []
        for script in scripts:
            self.transport.execute(script)

    def _connect(self, page: str, secret: str, url: str = "") -> None:
        log.info("the page connected (load %s)", page)
        self._page = page
        self.page_url = url
        self.secrets.connect(secret)
        self.driver.call_soon(self._run_scripts)
        timeout = self.invocations.timeout
        snapshot = self.state.welcome()
        welcome = protocol.welcome(timeout * 1000 if timeout else None, snapshot["state"], snapshot["stateVersion"])
        self._outbox.add_first(welcome)
        self._outbox.opened()
        waiting, self._on_connect = self._on_connect, []
        for fn in waiting:
            self.driver.call_soon(fn)

    def when_connected(self, fn: Callable[[], Any]) -> None:
        """Run ``fn()`` on the Tk thread once the page is connected (now, if it is)."""
        if self._page is not None:
            self.driver.call_soon(fn)
        else:
            self._on_connect.append(fn)

    def _enqueue(self, encoded: Union[bytes, Callable[[], bytes]]) -> None:
        self._outbox.add(encoded)

    def _enqueue_for_load(self, encoded: Union[bytes, Callable[[], bytes]]) -> None:
        """Queue a message that means something only to the page load it is for."""
        self._outbox.add(encoded, for_load=True)

    def _enqueue_chunk(self, encoded: Union[bytes, protocol.Chunk]) -> None:
        self._outbox.add_chunk(encoded)

    def _post_size(self) -> int:
        return getattr(self.transport, "post_size", DEFAULT_POST_SIZE)

    def _post(self, wire: str) -> None:
        if self.transport is None:
            return
        for tap in self.taps:
            tap.wire_out(self.label, wire, self.trace_payloads)
        try:
            self.transport.post(wire)
        except Exception as error:
            failure = IpcError("could not deliver {} bytes to the page: {}".format(len(wire), error))
            failure.__cause__ = error
            self.report(failure)

    def _listener_failed(self, name: str, error: BaseException) -> None:
        if isinstance(error, ValidationError):  # the payload did not fit the listener's annotation
            self.report(error)
            return
        failure = ListenerError("listener for {!r} raised {}: {}".format(name, type(error).__name__, error), name)
        failure.__cause__ = error
        self.report(failure)


def _where(source: Optional[str], line: Optional[int]) -> str:
    """" (source:line)" or " (source)", for a page's log line; "" when unknown."""
    if not source:
        return ""
    return " ({}:{})".format(source, line) if line is not None else " ({})".format(source)


@atexit.register
def _warn_of_unsent_messages() -> None:
    """An app that never ran ``mainloop()`` (or quit before its page connected) loses
    what it queued for the page: say so at exit instead of in silence."""
    for dispatcher in list(_live):
        unsent = len(dispatcher._outbox)
        if unsent and not dispatcher._closed:
            log.warning("%d message%s for the page %s never sent: did the app run mainloop()? "
                        "(the page connects once Tk's loop runs)", unsent, "" if unsent == 1 else "s",
                        "was" if unsent == 1 else "were")


def _decorator(register: Callable[[Any], Any]) -> Callable[[F], F]:
    """A decorator that registers the function and gives it back unchanged."""
    def decorate(fn: F) -> F:
        register(fn)
        return fn

    return decorate
