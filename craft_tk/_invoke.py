"""Invoke/handle, both ways: native handlers for the page, page handlers for native.

Guarantees:
- Every invoke settles: with its value, its error, a timeout, a cancellation, or
  ``PageGone``/``PanelClosed`` when the page or panel goes. None is left pending.
- A native handler may be plain, ``async def``, or ``thread=True`` (run on a worker
  thread; Tk keeps running). Inside it, ``current_invocation()`` tells which call it is
  answering and whether the page has cancelled it.
- Failures reach the panel's ``on_ipc_error``, also those its caller sees.
"""

import asyncio
import contextvars
import difflib
import functools
import inspect
import threading
import traceback
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

import orjson

from . import _protocol as protocol
from ._errors import (
    HandlerError,
    HandlerNotFound,
    InvokeTimeout,
    IpcError,
    MessageTooLarge,
    NotAllowed,
    ProtocolError,
    SerializationError,
    ValidationError,
    error_from_reply,
)
from ._progress import ProgressReporter
from ._typed import argument_binder, validation_error
from ._validate import Mismatch

__all__ = ["Invocation", "Invocations", "current_invocation"]

Send = Callable[[bytes], None]
Report = Callable[[IpcError], None]


class Invocation:
    """A call a native handler is answering (``current_invocation()`` inside the handler)."""

    def __init__(self, call_id: int, name: str, args: List[Any], load: int = 0, label: Optional[str] = None) -> None:
        self.id = call_id
        self.name = name
        self.args = args
        self.load = load  # the page load that asked: an answer never reaches another
        self.label = label  # the label of the panel whose page asked
        self._cancelled = False
        self._cancel_event: Optional[threading.Event] = None  # made when asked for: most calls never are
        # While its handler runs: makes the reporter on the first progress() (most calls report none).
        self._reporting: Optional[Callable[[], ProgressReporter]] = None
        self._answered = False
        self.reporter: Optional[ProgressReporter] = None

    @property
    def cancelled(self) -> bool:
        """True once the page aborted the call or went away: a thread handler may stop."""
        return self._cancelled

    @property
    def cancel_event(self) -> threading.Event:
        """Set once the call is cancelled: a thread handler may wait on it."""
        with _LOCK:
            if self._cancel_event is None:
                self._cancel_event = threading.Event()
                if self._cancelled:
                    self._cancel_event.set()
            return self._cancel_event

    def _cancel(self) -> None:
        """Mark the call cancelled (the page gave up, or went)."""
        with _LOCK:
            self._cancelled = True
            event = self._cancel_event
        if event is not None:
            event.set()

    def progress(self, done: float, total: Optional[float] = None, detail: Any = None) -> None:
        """Tell the page call (``craft.options({onProgress})``) and native ``on_progress``
        listeners how far the work is; safe from any thread, coalesced (latest wins)."""
        if self._cancelled:
            return
        reporter = self.reporter
        if reporter is None:
            with _LOCK:  # a thread handler may report while the Tk thread answers
                if self.reporter is None:
                    if self._reporting is None or self._answered:
                        return  # no handler runs for it (any more)
                    self.reporter = self._reporting()
                reporter = self.reporter
        reporter.report(done, total, detail)

    def _stop_reporting(self) -> None:
        """The call is answered: what progress is pending goes now, nothing after."""
        with _LOCK:
            self._answered = True
            self._reporting = None
            reporter = self.reporter
        if reporter is not None:
            reporter.finish()


_PLAIN_VALUES = frozenset((type(None), bool, int, float, str, list, dict, tuple))  # never awaitable
_LOCK = threading.Lock()  # an invocation's lazily made parts, against cancelling or answering it


_current: "contextvars.ContextVar[Optional[Invocation]]" = contextvars.ContextVar("craft_invocation", default=None)


def current_invocation() -> Optional[Invocation]:
    """The invoke being answered by the handler that calls this, or None."""
    return _current.get()


class _Handler(NamedTuple):
    fn: Callable[..., Any]
    thread: bool
    bind: Optional[Callable[[List[Any]], List[Any]]]  # checks and converts the page's arguments
    check_result: Optional[Callable[[Any, str], Any]]  # the contract's result type


def handler_entry(name: str, fn: Callable[..., Any], thread: bool = False, schema: Any = None,
                  declared_args: Any = None, check_result: Optional[Callable[[Any, str], Any]] = None) -> _Handler:
    """A handler as ``Invocations`` keeps it: its arguments checked against a contract's
    ``declared_args``, ``schema`` (first argument) and ``fn``'s annotations."""
    if not callable(fn):
        raise TypeError("handler for {!r} must be callable".format(name))
    return _Handler(fn, thread, argument_binder(fn, name, declared_args, schema), check_result)


class _Pending(NamedTuple):
    name: str
    future: "asyncio.Future[Any]"
    timer: Optional[asyncio.TimerHandle]
    on_cancel: Callable[["asyncio.Future[Any]"], None]  # the future's done-callback: tells the page of a cancel


def describe_exception(error: BaseException, debug: bool) -> Dict[str, Any]:
    """What the page learns of a native exception: no traceback, and no file name of an
    ``OSError`` (local paths), unless ``debug``."""
    code = getattr(error, "code", None)
    message = str(error)
    if not debug and isinstance(error, OSError) and (error.filename is not None or error.filename2 is not None):
        message = error.strerror or type(error).__name__
    return {
        "name": type(error).__name__,
        "message": message,
        "code": code if isinstance(code, (str, int)) and not isinstance(code, bool) else None,
        "stack": "".join(traceback.format_exception(type(error), error, error.__traceback__)) if debug else None,
    }


class Invocations:
    """The invoke bookkeeping of one panel, in both directions; Tk thread only."""

    def __init__(
        self,
        send: Send,
        loop: Callable[[], asyncio.AbstractEventLoop],
        report: Report,
        debug: bool = False,
        timeout: Optional[float] = None,
        allow: Optional[Sequence[str]] = None,
        max_message_size: int = protocol.MAX_MESSAGE_SIZE,
        fallback: Optional[Dict[str, "_Handler"]] = None,
    ) -> None:
        self.max_message_size = max_message_size
        self._thread = threading.get_ident()  # the loop's: progress from other threads is handed over
        self.fallback: Dict[str, _Handler] = fallback if fallback is not None else {}  # the app's handlers
        self.label: Optional[str] = None  # the panel's, for current_invocation().label
        self._send = send
        self._loop = loop
        self._report = report
        self.debug = debug
        self.timeout = timeout
        self.allow = None if allow is None else frozenset(allow)
        self._handlers: Dict[str, _Handler] = {}
        self.builtins: Set[str] = set()  # craft_tk's own handlers ("craft:..."), allowed always
        self._hooks: List[Callable[..., Any]] = []
        self._incoming: Dict[int, Tuple[Invocation, "asyncio.Future[Any]"]] = {}
        self._outgoing: Dict[int, _Pending] = {}
        self._next_id = 1
        self._progress_listeners: Dict[str, List[Callable[..., Any]]] = {}
        self._load = 0  # counts page loads: ids and answers belong to one load

    # -- native handlers, for the page ----------------------------------------------------

    def handle(self, name: str, entry: _Handler) -> Callable[[], None]:
        """Answer the page's ``craft.invoke(name, ...)`` with ``entry`` (see ``handler_entry``:
        its ``bind`` raises ``ValidationError`` for arguments that do not fit, its
        ``check_result`` ``Mismatch`` for a result that does not). One handler per name:
        registering a second raises ``ValueError`` (``remove_handler`` the first). Returns a
        remover."""
        if name in self._handlers:
            raise ValueError("a handler for {!r} is already registered; remove_handler() it first".format(name))
        self._handlers[name] = entry

        def remove() -> None:
            if self._handlers.get(name) is entry:
                del self._handlers[name]

        return remove

    def _handler_of(self, name: str) -> Optional[_Handler]:
        """The panel's handler of ``name``, else the app's (``app.handle``), else None."""
        return self._handlers.get(name) or self.fallback.get(name)

    def remove_handler(self, name: str) -> None:
        """Forget the handler of ``name`` (no error if there is none)."""
        self._handlers.pop(name, None)

    def add_hook(self, hook: Callable[..., Any]) -> Callable[[], None]:
        """The seed's ``on('invoke', (name, args, respond) => ...)``: see every invoke first.

        A hook that calls ``respond(value)`` answers the invoke itself;
        ``respond({"error": "message"})`` refuses it with that message.
        """
        self._hooks.append(hook)
        return lambda: self._hooks.remove(hook) if hook in self._hooks else None

    def on_invoke(self, message: protocol.Invoke) -> None:
        """The page invoked ``message.name``: answer it, one way or another."""
        invocation = Invocation(message.id, message.name, message.args, self._load, self.label)
        stale = self._incoming.pop(message.id, None)
        if stale is not None:  # the page reused an id it still waits on: that call is over
            self._cancel(*stale)
        refusal = self._screen(invocation)
        if refusal is not None:
            kind, payload = refusal
            if kind == "value":
                self._reply_value(invocation, payload)
            else:
                self._reply_error(invocation, payload)
            return
        handler = self._handler_of(message.name)
        assert handler is not None  # _screen found it
        args = message.args
        if handler.bind is not None:
            try:
                args = handler.bind(args)
            except ValidationError as error:
                self._reply_error(invocation, self._refuse(error))
                return
        invocation._reporting = functools.partial(self._new_reporter, invocation)
        token = _current.set(invocation)  # only a handler that runs can report progress
        try:
            answered, outcome = self._start(handler, args)
        except Exception as error:
            self._reply_error(invocation, self._handler_failed(invocation, error))
            return
        finally:
            _current.reset(token)
        if answered:
            self._reply_value(invocation, outcome, handler)
            return
        self._incoming[message.id] = (invocation, outcome)
        outcome.add_done_callback(lambda done: self._finished(invocation, done))

    def _start(self, handler: _Handler, args: List[Any]) -> Tuple[bool, Any]:
        """Run ``handler``: ``(True, value)`` when it answered at once, else ``(False,
        future)``. Raises what a plain handler raises."""
        if handler.thread:
            context = contextvars.copy_context()
            return False, self._loop().run_in_executor(None, context.run, handler.fn, *args)
        result = handler.fn(*args)
        if type(result) in _PLAIN_VALUES or not inspect.isawaitable(result):
            return True, result
        return False, asyncio.ensure_future(result, loop=self._loop())

    def call_here(self, name: str, args: Sequence[Any] = ()) -> bool:
        """Run the native handler of ``name`` for native's own sake (a menu item chosen):
        False when there is none. Its failure reaches ``on_ipc_error``."""
        handler = self._handler_of(name)
        if handler is None:
            return False
        try:
            answered, outcome = self._start(handler, list(args))
        except Exception as error:
            self._local_failure(name, error)
            return True
        if not answered:
            outcome.add_done_callback(
                lambda done: None if done.cancelled() or done.exception() is None
                else self._local_failure(name, done.exception()))  # type: ignore[arg-type]
        return True

    def _local_failure(self, name: str, error: BaseException) -> None:
        failure = HandlerError("handler {!r} raised {}: {}".format(name, type(error).__name__, error), name)
        failure.__cause__ = error
        self._report(failure)

    def on_cancel(self, message: protocol.Cancel) -> None:
        """The page gave up on its invoke: cancel the handler's work, send no answer."""
        entry = self._incoming.pop(message.id, None)
        if entry is not None:
            self._cancel(*entry)

    def on_undecodable(self, error: ProtocolError) -> None:
        """A call (or its answer) that native could not decode: settle it with ``error``."""
        call_id = error.call_id
        if error.kind == protocol.Kind.INVOKE and call_id is not None:
            name = error.call_name or "?"
            self._reply_error(Invocation(call_id, name, [], self._load), describe_exception(error, False))
        elif call_id is not None:
            pending = self._take_outgoing(call_id)
            if pending is not None:
                pending.future.set_exception(ProtocolError("the page's answer to {!r} could not be decoded: {}"
                                                           .format(pending.name, error)))

    # -- page handlers, for native --------------------------------------------------------

    def invoke(self, name: str, args: Sequence[Any], timeout: Optional[float] = None) -> "asyncio.Future[Any]":
        """Call the page's ``craft.handle(name, fn)``; returns a future of its answer.

        ``timeout`` (seconds) defaults to the panel's. ``future.cancel()`` aborts the
        page handler's ``AbortSignal``.
        """
        call_id = self._next_id
        try:
            encoded = protocol.invoke(call_id, name, list(args))
        except TypeError as error:
            raise SerializationError("arguments of invoke {!r}: {}".format(name, error)) from None
        protocol.check_size(encoded, self.max_message_size, "invoke {!r}".format(name))
        call_id, future = self.expect(name, timeout)
        self._send(encoded)
        return future

    def expect(self, name: str, timeout: Optional[float] = None) -> Tuple[int, "asyncio.Future[Any]"]:
        """A new call id and the future its answer (a ``result`` or ``error`` from the
        page, with that id) settles; for invokes, and for ``evaluate``."""
        call_id = self._next_id
        self._next_id += 1
        loop = self._loop()
        future = loop.create_future()
        seconds = self.timeout if timeout is None else timeout
        timer = loop.call_later(seconds, self._expire, call_id) if seconds else None
        on_cancel = functools.partial(self._outgoing_done, call_id)
        self._outgoing[call_id] = _Pending(name, future, timer, on_cancel)
        future.add_done_callback(on_cancel)
        return call_id, future

    def on_reply(self, message: Any) -> None:
        """The page answered one of native's invokes."""
        pending = self._take_outgoing(message.id)
        if pending is None:
            return  # answered after a timeout or a cancellation: nobody waits any more
        if isinstance(message, protocol.Result):
            pending.future.set_result(message.value)
        else:
            error = error_from_reply(message.error, pending.name)
            self._report(error)
            pending.future.set_exception(error)

    # -- the page or the panel goes ---------------------------------------------------------

    def abandon(self, make_error: Callable[[str], BaseException]) -> None:
        """Settle everything pending with ``make_error(handler_name)``; cancel handlers.
        What the handlers of that page load still return goes nowhere."""
        self._load += 1
        outgoing, self._outgoing = self._outgoing, {}
        for pending in outgoing.values():
            if pending.timer is not None:
                pending.timer.cancel()
            if not pending.future.done():
                pending.future.set_exception(make_error(pending.name))
        incoming, self._incoming = self._incoming, {}
        for invocation, future in incoming.values():
            self._cancel(invocation, future)

    # -- internals --------------------------------------------------------------------------

    def _screen(self, invocation: Invocation) -> Optional[Tuple[str, Any]]:
        """Why this invoke is not for its handler: ("value", v), ("error", e), or None."""
        name = invocation.name
        if self.allow is not None and name not in self.allow and name not in self.builtins:
            return "error", self._refuse(NotAllowed("Handler {!r} is not allowed".format(name), name))
        answers: List[Any] = []
        for hook in list(self._hooks):
            try:
                hook(name, invocation.args, lambda value=None: answers.append(value))
            except Exception as error:
                failure = NotAllowed("the invoke hook failed on {!r}: {}".format(name, error), name)
                failure.__cause__ = error
                return "error", self._refuse(failure)
            if answers:
                answer = answers[0]
                if isinstance(answer, dict) and "error" in answer:
                    return "error", self._refuse(NotAllowed(str(answer["error"]), name))
                return "value", answer
        if name not in self._handlers and name not in self.fallback:
            return "error", self._refuse(HandlerNotFound("No handler registered for {!r}{}".format(
                name, self._suggestion(name)), name))
        return None

    def _suggestion(self, name: str) -> str:
        """" (did you mean 'x'?)" for a near miss among the names the page may call."""
        names = [known for known in list(self._handlers) + list(self.fallback)
                 if (self.allow is None or known in self.allow) and known not in self.builtins]
        close = difflib.get_close_matches(name, names, n=1) if isinstance(name, str) else []
        return " (did you mean {!r}?)".format(close[0]) if close else ""

    def _refuse(self, error: IpcError) -> Dict[str, Any]:
        self._report(error)
        return describe_exception(error, debug=False)

    def _handler_failed(self, invocation: Invocation, error: BaseException) -> Dict[str, Any]:
        self._local_failure(invocation.name, error)
        return describe_exception(error, self.debug)

    @staticmethod
    def _cancel(invocation: Invocation, future: "asyncio.Future[Any]") -> None:
        invocation._cancel()
        future.cancel()

    def on_progress(self, name: str, fn: Callable[[float, Optional[float], Any], Any]) -> Callable[[], None]:
        """Call ``fn(done, total, detail)`` on the Tk thread for the progress of every call
        of handler ``name``, coalesced as the page sees it. Returns a remover."""
        listeners = self._progress_listeners.setdefault(name, [])
        listeners.append(fn)
        return lambda: listeners.remove(fn) if fn in listeners else None

    def _progressed(self, invocation: Invocation, update: Tuple[float, Optional[float], Any]) -> None:
        if invocation.load != self._load or invocation.cancelled:
            return
        done, total, detail = update
        try:
            encoded = protocol.progress(invocation.id, done, total, detail)
        except TypeError as error:
            self._report(SerializationError("progress detail of {!r}: {}".format(invocation.name, error)))
            return
        self._send(encoded)
        for fn in list(self._progress_listeners.get(invocation.name, ())):
            try:
                fn(done, total, detail)
            except Exception as error:
                failure = HandlerError("progress listener of {!r} raised {}: {}".format(
                    invocation.name, type(error).__name__, error), invocation.name)
                failure.__cause__ = error
                self._report(failure)

    def _finished(self, invocation: Invocation, future: "asyncio.Future[Any]") -> None:
        entry = self._incoming.get(invocation.id)
        if entry is None or entry[0] is not invocation or invocation.cancelled:
            return  # cancelled by the page, or the page is gone: nobody to answer
        del self._incoming[invocation.id]
        if future.cancelled():
            error: BaseException = asyncio.CancelledError("the handler was cancelled")
            self._reply_error(invocation, self._handler_failed(invocation, error))
        elif future.exception() is not None:
            self._reply_error(invocation, self._handler_failed(invocation, future.exception()))  # type: ignore
        else:
            self._reply_value(invocation, future.result())

    def _new_reporter(self, invocation: Invocation) -> ProgressReporter:
        return ProgressReporter(self._loop(), functools.partial(self._progressed, invocation), self._thread)

    def _reply_value(self, invocation: Invocation, value: Any, handler: Optional[_Handler] = None) -> None:
        """Answer ``invocation`` with ``value`` (checked against the result type of its
        ``handler``, looked up when not given)."""
        failure: IpcError
        invocation._stop_reporting()  # the last progress goes before the answer
        if invocation.load != self._load:
            return  # asked by a page load that is gone (the handler reloaded the page)
        try:
            encoded = protocol.result(invocation.id, value)
            if len(encoded) > self.max_message_size:  # (the description is built only then)
                protocol.check_size(encoded, self.max_message_size, "the value returned by {!r}".format(invocation.name))
        except TypeError as error:
            failure = SerializationError("the value returned by {!r} cannot be sent: {}".format(invocation.name, error))
            self._report(failure)
            self._reply_error(invocation, describe_exception(failure, False))
            return
        except MessageTooLarge as error:
            self._report(error)
            self._reply_error(invocation, describe_exception(error, False))
            return
        if handler is None:
            handler = self._handler_of(invocation.name)
        if handler is not None and handler.check_result is not None:
            try:  # check what the page will receive: dataclasses and the like as JSON
                handler.check_result(orjson.loads(encoded)["value"], "result")
            except Mismatch as mismatch:
                failure = validation_error(invocation.name, "the result of handler", mismatch)
                self._report(failure)
                self._reply_error(invocation, describe_exception(failure, False))
                return
        self._send(encoded)

    def _reply_error(self, invocation: Invocation, error: Dict[str, Any]) -> None:
        invocation._stop_reporting()
        if invocation.load != self._load:
            return  # asked by a page load that is gone
        self._send(protocol.error(invocation.id, error))

    def _take_outgoing(self, call_id: int) -> Optional[_Pending]:
        """The pending call ``call_id``, no longer pending, its timer stopped; None when
        nobody waits for it any more."""
        pending = self._outgoing.pop(call_id, None)
        if pending is None or pending.future.done():
            return None
        if pending.timer is not None:
            pending.timer.cancel()
        pending.future.remove_done_callback(pending.on_cancel)  # settled by us: no cancel to tell
        return pending

    def _expire(self, call_id: int) -> None:
        pending = self._take_outgoing(call_id)
        if pending is None:
            return
        error = InvokeTimeout("invoke {!r} had no answer in time".format(pending.name), pending.name)
        self._report(error)
        pending.future.set_exception(error)
        self._send(protocol.cancel(call_id))

    def _outgoing_done(self, call_id: int, future: "asyncio.Future[Any]") -> None:
        if future.cancelled():
            pending = self._outgoing.pop(call_id, None)
            if pending is not None:
                if pending.timer is not None:
                    pending.timer.cancel()
                self._send(protocol.cancel(call_id))
