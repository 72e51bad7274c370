"""``WebPanel``: a Tk frame showing a web page, with the IPC methods of the seed."""

import asyncio
import functools
import os
import tkinter as tk
from typing import Any, Callable, Dict, List, Optional, Sequence, TypeVar, overload

from typing_extensions import Literal

from craft_tk import jsbridge

from . import _protocol as protocol
from ._app import app
from ._channels import DEFAULT_BUFFER, DEFAULT_WINDOW, Channel
from ._dispatcher import Dispatcher
from ._driver import failure_of
from ._drops import Drop
from ._menus import Menu
from ._native_ui import NativeUi
from ._services import check_services, install_services
from ._errors import IpcError
from ._eventloop import TkAsyncio
from ._html import add_csp
from ._inspector import Inspector
from ._security import DEFAULT_CSP, OriginPolicy
from ._state import SharedState
from ._tap import Tap
from ._trace import Trace
from ._typed import Contract
from ._watch import PageWatcher, watched_folder
from .backends import Page, devtools_port_wanted, load_backend

__all__ = ["BackendName", "IpcMethods", "WebPanel"]

F = TypeVar("F", bound=Callable[..., Any])
ChannelAcceptor = TypeVar("ChannelAcceptor", bound=Callable[[Channel], Any])
BackendName = Literal["auto", "cef", "tkhtml", "loopback"]


def _from_any_thread(method: F) -> F:
    """Make a panel method safe from any thread: called off the Tk thread, it is handed
    to the Tk thread (fire and forget; a failure reaches ``on_ipc_error``)."""
    @functools.wraps(method)
    def run(self: "WebPanel", *args: Any, **kwargs: Any) -> Any:
        driver = self._dispatcher.driver
        if driver.on_tk_thread():
            return method(self, *args, **kwargs)
        done = driver.submit(functools.partial(method, self, *args, **kwargs))
        done.add_done_callback(functools.partial(_report_thread_failure, self._dispatcher, method.__name__))
        return None

    return run  # type: ignore[return-value]


def _report_thread_failure(dispatcher: Dispatcher, what: str, done: Any) -> None:
    failure = failure_of(done, IpcError, what + "()")
    if failure is not None:
        dispatcher.report(failure)


class IpcMethods:
    """The IPC surface shared by ``WebPanel`` and ``CraftWindow``; see ``Dispatcher``."""

    _dispatcher: Dispatcher
    _ui: NativeUi

    @overload
    def on(self, name: str) -> Callable[[F], F]: ...
    @overload
    def on(self, name: str, fn: Callable[..., Any]) -> Callable[[], None]: ...

    def on(self, name: str, fn: Optional[Callable[..., Any]] = None) -> Any:
        """Call ``fn(data)`` for each event ``name`` from the page; returns an unsubscribe
        function, or, without ``fn``, a decorator (which returns the function)."""
        return self._dispatcher.on(name, fn)

    @overload
    def once(self, name: str) -> Callable[[F], F]: ...
    @overload
    def once(self, name: str, fn: Callable[..., Any]) -> Callable[[], None]: ...

    def once(self, name: str, fn: Optional[Callable[..., Any]] = None) -> Any:
        """Like ``on``, for the next event only."""
        return self._dispatcher.once(name, fn)

    def off(self, name: str, fn: Optional[Callable[..., Any]] = None) -> None:
        """Remove ``fn`` (or every listener) from event ``name``."""
        self._dispatcher.off(name, fn)

    def emit(self, name: str, data: Any = None, throttle: Optional[float] = None,
             debounce: Optional[float] = None) -> None:
        """Send event ``name`` to the page; safe from any thread, batched per tick.
        ``throttle=ms`` / ``debounce=ms`` coalesce a busy event to its latest value."""
        self._dispatcher.emit(name, data, throttle=throttle, debounce=debounce)

    def on_ipc_error(self, fn: Callable[[IpcError], Any]) -> Callable[[IpcError], Any]:
        """Call ``fn(error)`` for every IPC failure; usable as a decorator."""
        return self._dispatcher.on_ipc_error(fn)

    @overload
    def handle(self, name: str, *, thread: bool = False, schema: Any = None) -> Callable[[F], F]: ...
    @overload
    def handle(self, name: str, fn: Callable[..., Any], thread: bool = False,
               schema: Any = None) -> Callable[[], None]: ...

    def handle(self, name: str, fn: Optional[Callable[..., Any]] = None, thread: bool = False,
               schema: Any = None) -> Any:
        """Answer the page's ``craft.invoke(name, ...)``: ``fn`` plain, ``async def``, or
        blocking with ``thread=True``. The page's arguments are checked against ``fn``'s
        annotations (dataclasses, ``TypedDict``, pydantic models...) or ``schema`` (for
        the first argument: a type, a model, anything with ``parse``, or a callable).
        Returns a remover, or, without ``fn``, a decorator."""
        return self._dispatcher.handle(name, fn, thread, schema)

    def remove_handler(self, name: str) -> None:
        """Forget the handler of ``name``."""
        self._dispatcher.remove_handler(name)

    def on_progress(self, name: str, fn: Callable[[float, Optional[float], Any], Any]) -> Callable[[], None]:
        """Call ``fn(done, total, detail)`` on the Tk thread for the progress each call of
        handler ``name`` reports (``current_invocation().progress()``), coalesced as the
        page sees it: a ``ttk.Progressbar`` can follow it. Returns a remover."""
        return self._dispatcher.on_progress(name, fn)

    def expose(self, api: Any, prefix: str = "", thread: bool = False) -> Callable[[], None]:
        """Answer ``craft.invoke(prefix + name, ...)`` with each public method of ``api``
        (pywebview's ``js_api``), each as ``handle`` would (annotations checked, ``allow``
        respected; ``thread=True`` for blocking ones). Returns a function removing them all."""
        return self._dispatcher.expose(api, prefix, thread)

    def evaluate(self, expression: str, timeout: Optional[float] = None) -> "asyncio.Future[Any]":
        """The JSON value of JavaScript ``expression`` in the page (a Promise is awaited):
        ``title = await panel.evaluate("document.title")``. Fails with ``RemoteError`` when
        it throws. From another thread it returns a ``concurrent.futures.Future``."""
        return self._dispatcher.evaluate(expression, timeout)  # type: ignore[no-any-return]

    def create_channel(self, name: str, window: int = DEFAULT_WINDOW, buffer: int = DEFAULT_BUFFER) -> Channel:
        """Open native's end of channel ``name``: ``send``, ``on("message"|"close")``,
        ``close``, ``async for``. The page connects with ``craft.connectChannel(name)``.
        ``window``: messages the page may send before native consumes them; ``buffer``:
        bytes a plain ``send`` may queue beyond the page's window before ``ChannelFull``."""
        return self._dispatcher.create_channel(name, window, buffer)

    @overload
    def on_channel(self, name: str) -> Callable[[ChannelAcceptor], ChannelAcceptor]: ...
    @overload
    def on_channel(self, name: str, fn: ChannelAcceptor) -> ChannelAcceptor: ...

    def on_channel(self, name: str, fn: Optional[Callable[[Channel], Any]] = None) -> Any:
        """Accept each channel the page opens as ``name``: ``fn(channel)``; or a decorator."""
        return self._dispatcher.on_channel(name, fn)

    def set_menu(self, items: Sequence[Any]) -> Menu:
        """Give the window a menubar: ``Submenu("File", [MenuItem("Save", "save",
        accelerator="Ctrl+S"), SEPARATOR, ...])``. Choosing an item, or pressing its
        accelerator whichever widget has the keyboard, runs the native handler
        ``menu:<id>``, else the page's ``craft.handle('menu:<id>')``. ``enabled``/``checked``
        may name a shared-state path to follow. Returns the ``Menu`` (``menu.item(id)``)."""
        return self._ui.set_menubar(items)

    def set_context_menu(self, items: Optional[Sequence[Any]]) -> Optional[Menu]:
        """Open a native menu of ``items`` (as ``set_menu``'s) on a right click in the page,
        unless a page listener called ``preventDefault()``; None removes it."""
        return self._ui.set_context_menu(items)

    def add_shortcut(self, accelerator: str, action: Any) -> Callable[[], None]:
        """Run ``action`` (a function, or a menu id: ``menu:<id>`` as for an item) when
        ``accelerator`` (``"Ctrl+K"``) is pressed, whichever widget of the window has the
        keyboard; the page and the browser then do not see the key. Returns a remover."""
        return self._ui.add_shortcut(accelerator, action)

    def on_drop(self, fn: Callable[[Drop], Any]) -> Callable[[], None]:
        """Call ``fn(drop)`` for files, links or text dropped on the panel from other
        applications, after the page's ``drop`` event: ``drop.paths``, ``drop.x``/``y``,
        ``drop.target`` (the id of the element under the pointer), ``drop.handled``,
        ``drop.urls`` and ``drop.text``. Returns a remover."""
        return self._ui.on_drop(fn)

    def invoke(self, name: str, *args: Any, timeout: Optional[float] = None) -> "asyncio.Future[Any]":
        """Call the page's ``craft.handle(name, fn)``: ``await`` it inside a coroutine, or
        ``add_done_callback`` outside one. ``cancel()`` aborts the page handler's signal.
        From another thread it returns a ``concurrent.futures.Future`` instead."""
        return self._dispatcher.invoke(name, *args, timeout=timeout)


INSPECTOR_KEY = "Ctrl+Shift+I"  # with debug=True: opens the IPC inspector
DEVTOOLS_KEY = "F12"  # with debug=True: opens DevTools (the inspector on Tkhtml)


class WebPanel(IpcMethods, tk.Frame):  # the IPC methods first, also in help()
    """A ``tk.Frame`` that shows a page and talks to it through ``window.craft``.

    Pack or grid it like any widget. ``backend`` is ``"auto"``, ``"cef"``, ``"tkhtml"``
    or ``"loopback"`` (see ``craft_tk.backends``). ``invoke_timeout`` (seconds) is the
    default timeout of invokes in both directions; ``allow`` lists the only handler names
    the page may invoke. ``state`` is the shared state the page sees as ``craft.state``
    (default: the app's, see ``create_shared_state``). ``debug=True`` lets native tracebacks
    reach the page. ``events`` and ``handlers`` (``TypedDict``s) make the panel typed: see
    ``create_typed_window``. Security: only the app's own content (HTML strings, local
    files, URLs the app loads) and ``allowed_origins`` (``["https://example.com"]``, or
    ``["*"]``) get the bridge, and a page cannot navigate elsewhere; ``csp`` replaces the
    default Content-Security-Policy of HTML strings (``""``: none); messages over
    ``max_message_size`` characters of JSON are refused both ways. Destroying the panel
    closes its browser and settles every pending invoke. Example::

        panel = WebPanel(root, html="<script>craft.send('hi', 1)</script>")
        panel.pack(fill="both", expand=True)
        panel.on("hi", print)
    """

    def __init__(
        self,
        master: Optional[tk.Misc] = None,
        html: Optional[str] = None,
        url: Optional[str] = None,
        backend: BackendName = "auto",
        debug: bool = False,
        base_url: Optional[str] = None,
        invoke_timeout: Optional[float] = None,
        allow: Optional[Sequence[str]] = None,
        state: Optional[SharedState] = None,
        events: Any = None,
        handlers: Any = None,
        allowed_origins: Optional[Sequence[str]] = None,
        csp: Optional[str] = None,
        max_message_size: int = protocol.MAX_MESSAGE_SIZE,
        services: Sequence[str] = (),
        label: Optional[str] = None,
        watch: Optional[bool] = None,
        devtools_port: Optional[int] = None,
        trace_payloads: bool = True,
        **frame_options: Any
    ) -> None:
        """Show ``html`` (or the page at ``url``, a URL or a local path) in a new frame.

        ``master``: the parent widget. ``backend``: "auto", "cef", "tkhtml" or
        "loopback". ``debug``: native tracebacks reach the page and the log.
        ``base_url``: what relative links of ``html`` resolve against.
        ``invoke_timeout``: seconds, for invokes both ways. ``allow``: the only handler
        names the page may invoke. ``state``: the shared state the page sees (default:
        the app's). ``events``/``handlers``: a typed contract. ``allowed_origins``,
        ``csp``, ``max_message_size``: see the README's Security section. ``watch``:
        reload when the files of a local page change (default: the ``CRAFT_TK_WATCH``
        environment variable, set by ``python -m craft_tk run --reload``).
        ``devtools_port``: CEF listens there for DevTools clients (``chrome://inspect``,
        CDP); once per process, also from ``CRAFT_TK_DEVTOOLS_PORT``. ``trace_payloads=False``:
        the inspector and traces never show this panel's message data. Other keyword
        arguments go to ``tk.Frame`` (``width``, ``height``...).
        """
        if html is not None and url is not None:
            raise ValueError("give html= or url=, not both")
        check_services(services)  # before anything is made
        self._services = tuple(services or ())
        transport_class = load_backend(backend)
        frame_options.setdefault("width", 800)
        frame_options.setdefault("height", 600)
        super().__init__(master, **frame_options)
        contract = Contract(events, handlers) if events is not None or handlers is not None else None
        self._csp = DEFAULT_CSP if csp is None else csp
        self._dispatcher = Dispatcher(TkAsyncio.of(self), debug, invoke_timeout, allow, state, contract,
                                      max_message_size, OriginPolicy(allowed_origins))
        self._dispatcher.trace_payloads = trace_payloads
        self._dispatcher.devtools_port = devtools_port_wanted(devtools_port)
        self.label: str = app.add(self, label)  # craft_tk.app knows it by this
        try:
            if watch is None:
                watch = os.environ.get("CRAFT_TK_WATCH", "") not in ("", "0")
            self._watcher: Optional[PageWatcher] = None
            if watch:  # first: without watchdog, nothing else is made
                self._watcher = PageWatcher(self, TkAsyncio.of(self).call_soon_threadsafe, self.reload)
            self._dispatcher.label = self._dispatcher.invocations.label = self.label
            self._dispatcher.handle_builtin("send-to", self._send_to)
            self._dispatcher.handle_builtin("broadcast", self._broadcast)
            self._ui = NativeUi(self, self._dispatcher)
            self.backend: str = transport_class.name
            self.transport = transport_class(self, self._dispatcher, self._bridge_script)
            self._dispatcher.transport = self.transport
            self._ui.watch_shortcuts(self.transport)
            self._drops_timer: Optional[str] = None
            self._dispatcher.when_connected(self._accept_drops_soon)
            if debug:
                self._ui.add_shortcut(INSPECTOR_KEY, lambda: Inspector(self))
                self._ui.add_shortcut(DEVTOOLS_KEY, self.show_devtools)
            install_services(self, self._dispatcher, services)
        except BaseException:
            app.remove(self.label)
            raise
        self._closed = False
        self.bind("<Destroy>", self._on_destroy, add="+")
        if url is not None:
            self.load_url(url)
        else:
            self.load_html(html or "", base_url)
        app.opened(self)

    @property
    def state(self) -> SharedState:
        """The shared state this panel's page sees as ``craft.state``."""
        return self._dispatcher.state

    def _bridge_script(self) -> str:
        """craft.js, preceded by what this page load starts from: its secret, the size
        limit and the state snapshot."""
        dispatcher = self._dispatcher
        boot = {"secret": dispatcher.secrets.issue(), "maxMessageSize": dispatcher.max_message_size,
                "debug": dispatcher.debug, "contextMenu": self._ui.context_menu is not None, "label": self.label,
                "services": list(self._services)}
        boot.update(dispatcher.state.welcome())
        return protocol.bridge_script(jsbridge.bridge_source(), boot)

    def add_tap(self, tap: Tap) -> Callable[[], None]:
        """Let ``tap`` record what crosses (the inspector and traces use it); returns the
        function that stops it."""
        return self._dispatcher.add_tap(tap)

    def remove_tap(self, tap: Tap) -> None:
        """Stop ``tap`` recording this panel, if it does."""
        self._dispatcher.remove_tap(tap)

    @property
    def trace_payloads(self) -> bool:
        """False when the panel was made with ``trace_payloads=False``: no inspector or
        trace shows its data."""
        return self._dispatcher.trace_payloads

    def describe_channels(self) -> List[Dict[str, Any]]:
        """The open channels with their windows and buffers (what the inspector shows)."""
        return self._dispatcher.channels.describe()

    def trace(self, path: str, payloads: bool = True) -> Trace:
        """Record what crosses as a Chrome trace (Perfetto, chrome://tracing) at ``path``;
        returns the ``Trace``, whose ``stop()`` writes the file (so does the end of the
        program). ``payloads=False`` leaves the messages' data out."""
        return Trace(path, payloads).follow(self)

    def _accept_drops_soon(self) -> None:
        """Become a drop target 0.1 s after the first page connects: loading tkdnd (about
        10 ms, once per Tk interpreter) stays out of the time to the first page. A Tk
        timer, outside any asyncio step (tkdnd's loading runs Tcl that may spin Tk)."""
        def accept() -> None:
            self._drops_timer = None
            if not self._closed:
                self._ui.accept_drops()

        if self._drops_timer is None and not self._closed:
            self._drops_timer = self.after(100, accept)

    @property
    def connected(self) -> bool:
        """True while the page's bridge is connected."""
        return self._dispatcher.connected

    @_from_any_thread
    def load_html(self, html: str, base_url: Optional[str] = None) -> None:
        """Show ``html`` (with the panel's Content-Security-Policy); the bridge reconnects."""
        if self._watcher is not None:
            self._watcher.follow(None)  # a string from Python: no file to watch
        self.transport.load(Page(html=add_csp(html, self._csp), base_url=base_url))

    @_from_any_thread
    def load_url(self, url: str) -> None:
        """Show the page at ``url`` (a path is taken as a local file); its origin is trusted."""
        url = as_url(url)
        self._dispatcher.policy.add(url)
        if self._watcher is not None:
            self._watcher.follow(watched_folder(url))
        self.transport.load(Page(url=url))

    @_from_any_thread
    def reload(self) -> None:
        """Load the current page again."""
        self.transport.reload()

    @_from_any_thread
    def show_devtools(self) -> None:
        """Open Chromium's DevTools for the page (CEF, in process or in the helper); on
        Tkhtml, which has none, the IPC inspector."""
        if not self.transport.show_devtools():
            Inspector(self)

    @_from_any_thread
    def close_devtools(self) -> None:
        """Close the DevTools ``show_devtools`` opened (CEF)."""
        self.transport.close_devtools()

    @_from_any_thread
    def run_js(self, script: str) -> None:
        """Run JavaScript in the page, fire and forget (not on the loopback backend)."""
        self.transport.execute(script)

    @_from_any_thread
    def close(self) -> None:
        """Close the browser and stop the IPC; ``destroy()`` calls it."""
        if not self._closed:
            self._closed = True
            if self._drops_timer is not None:
                try:
                    self.after_cancel(self._drops_timer)
                except tk.TclError:
                    pass  # the interpreter is going
                self._drops_timer = None
            if self._watcher is not None:
                self._watcher.stop()
            app.remove(self.label)
            self._dispatcher.close()
            self.transport.close()

    def _send_to(self, label: str, name: str, data: Any = None) -> None:
        """The page's ``craft.sendTo(label, name, data)``: an event to another panel's page."""
        app.emit(name, data, to=label)

    def _broadcast(self, name: str, data: Any = None) -> List[str]:
        """The page's ``craft.broadcast(name, data)``: to every other panel's page."""
        return app.emit(name, data, to=lambda panel: panel is not self)

    def _on_destroy(self, event: tk.Event) -> None:
        if event.widget is self:
            self.close()


def as_url(location: str) -> str:
    """``location`` as a URL: a path becomes a ``file://`` URL, a URL stays as it is."""
    scheme = location.split("/", 1)[0]
    if ":" in scheme and len(scheme) > 2:  # "http:", "about:blank"; not "C:" or a path
        return location
    return "file://" + os.path.abspath(location)
