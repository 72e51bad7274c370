"""The Tkhtml transport: tkinterweb's HTML widget, with JavaScript by PythonMonkey.

craft_tk takes over tkinterweb's script execution so that each page runs in a world of
its own (``jsbridge/tkhtml-world.js``): two panels never see each other's ``window``,
``document`` or ``craft``. The bridge runs in a page's world before its first script.
A world's ``document`` is browser-shaped (``jsbridge/tkhtml-dom.js``: events, geometry,
classList...), with Tk's events and Tkhtml's layout brought in by ``_tkhtml_dom.py``.
JavaScript is entered only with the asyncio loop marked running, which PythonMonkey's
promises and timers need. Python -> page is one string per batch, which keeps
PythonMonkey's garbage collector away from its many-distinct-strings trap.
"""

import asyncio
import collections
import ctypes
import functools
import logging
import re
import tkinter as tk
import urllib.parse
from typing import Any, Callable, Deque, Dict, Optional, Set

from craft_tk import jsbridge

from .._errors import BackendUnavailable
from .._eventloop import TkAsyncio
from .._protocol import BOOT_MARK, boot_text
from ._base import Page, PageHost
from ._navigation import BLOCKED_PAGE, RedirectRefused, asked_on_tk_thread, open_page, same_url
from ._pm_jobs import release_promise_jobs
from .._keys import chord_from_tk
from ._tkhtml_dom import FIELD_STYLE, OWN_ATTRIBUTES, TkEvents

try:
    import pythonmonkey as pm
    import tkinterweb
    from tkinterweb import utilities
except ImportError as error:  # pragma: no cover - depends on the environment
    raise BackendUnavailable(
        "the 'tkhtml' backend needs tkinterweb and pythonmonkey (Python >= 3.8): "
        "pip install 'craft_tk[tkhtml]' ({})".format(error)
    ) from error

__all__ = ["TkhtmlTransport"]

log = logging.getLogger("craft_tk.tkhtml")

_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}
_make_world: Any = None


_posted_since_collect = 0
COLLECT_EVERY_BYTES = 32 * 1024 * 1024


def _collect_now_and_then(size: int) -> None:
    """After every 32 MB sent into pages, collect SpiderMonkey's garbage and give freed
    memory back to the system.

    Measured without it: a 1 GB channel stream into a Tkhtml page grew the process by
    1.2 GB, all of it freed memory that glibc kept (``malloc_trim`` returned it). With it,
    memory stays bounded (see ``bench``, ``channel_memory_growth_mb_*``).
    """
    global _posted_since_collect
    _posted_since_collect += size
    if _posted_since_collect >= COLLECT_EVERY_BYTES:
        _posted_since_collect = 0
        pm.collect()
        if _malloc_trim is not None:
            _malloc_trim(0)


def _load_malloc_trim() -> Any:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None


_malloc_trim = _load_malloc_trim()


def _class_binding_commands(html: Any) -> Set[str]:
    """The Tcl commands of the class bindings tkinterweb makes for ``html`` (``bind_class``,
    whose commands Tk keeps until the root is destroyed)."""
    tags = [getattr(html, name, "") for name in _OWN_TAGS] + [str(html) + ".document", "Html"]
    return set().union(*(_bound_commands(html, tag) for tag in tags if tag))


def _release_view(view: Any, class_commands: Set[str]) -> None:
    """Destroy ``view`` and what Tk would keep of it: the class bindings of its own tags and
    their commands, each holding the widget's Python objects (24 commands a panel). Those
    the shared ``Html`` class binding still calls stay, until a newer panel replaces them."""
    html, tcl = view.html, view.tk
    commands = class_commands | _class_binding_commands(html)  # with those bound since
    for tag in (getattr(html, name, "") for name in _OWN_TAGS):
        for sequence in tcl.splitlist(tcl.call("bind", tag)):
            tcl.call("bind", tag, sequence, "")
    if view.winfo_exists():
        view.destroy()
    _delete_commands(html, commands - _bound_commands(html, "Html"))


def _bound_commands(widget: tk.Misc, tag: str) -> Set[str]:
    """The Python callbacks the bindings of ``tag`` call (tkinter's scripts: ``[name %# ...]``)."""
    tcl = widget.tk
    if tag.startswith(".") and not tcl.call("winfo", "exists", tag):
        return set()  # a window's bindings die with it
    scripts = [tcl.call("bind", tag, sequence) for sequence in tcl.splitlist(tcl.call("bind", tag))]
    return set(_BOUND_COMMAND.findall(" ".join(scripts)))


def _delete_commands(widget: tk.Misc, names: Set[str]) -> None:
    root = widget._root()  # type: ignore[attr-defined]
    for name in names.intersection(widget.tk.splitlist(widget.tk.call("info", "commands"))):
        widget.tk.deletecommand(name)
        if name in (root._tclCommands or ()):  # tkinter's list of what to delete with the root
            root._tclCommands.remove(name)


_OWN_TAGS = ("node_tag", "tkinterweb_tag", "scrollable_node_tag")
_BOUND_COMMAND = re.compile(r"\[(\S+) %#")


def _uncaught(text: str) -> str:
    """A page error as the world describes it (its first line, then the stack), as CEF's
    read: ``uncaught ReferenceError: x is not defined``."""
    return "uncaught " + text.split("\n", 1)[0]


def _world_factory() -> Any:
    global _make_world
    if _make_world is None:
        # The worlds' timers are _PageTimers': the source sees them as parameters of the
        # function around it, in place of PythonMonkey's globals; so is the page DOM's installer.
        around = "(function (setTimeout, setInterval, clearTimeout, clearInterval, installDom, craftBridge," \
            " makeRunner) { return (" + jsbridge.read("tkhtml-world.js") + "\n); })"
        timers = _PageTimers()
        install_dom = pm.eval(jsbridge.read("tkhtml-dom.js"), {"filename": "tkhtml-dom.js"})
        make_runner = pm.eval(jsbridge.read("tkhtml-runner.js"), {"filename": "tkhtml-runner.js"})
        _make_world = pm.eval(around, {"filename": "tkhtml-world.js"})(
            timers.set_timeout, timers.set_interval, timers.clear, timers.clear, install_dom, _compiled_bridge(),
            make_runner)
    return _make_world


FLUSHING_MARK = "/*craft-flushing*/null"  # where craft.js takes its host's flushing (end.js)


def _compiled_bridge() -> Any:
    """craft.js compiled once for the process, as ``bridge(scope, boot, pristine,
    flushing)``: a world starts it with its page's scope and that load's boot object, so
    that no page pays for parsing it (3-5 ms a page here, most of what a page adds to
    Tkhtml's start-up). The names of ``jsbridge.PAGE_WINDOW_NAMES`` are bound to the page's, not
    looked up through its scope (a ``with`` over a Proxy, whose trap ran for every global
    name craft.js used, ``undefined`` included). The header shares craft.js's first line,
    so that its line numbers stay its own."""
    source = jsbridge.bridge_source().replace(BOOT_MARK, "__craftBoot", 1).replace(FLUSHING_MARK, "__craftFlushing", 1)
    names = ", ".join("{0} = __craftScope.{0}".format(name) for name in jsbridge.PAGE_WINDOW_NAMES)
    return pm.eval("(function (__craftScope, __craftBoot, __craftPristine, __craftFlushing) { var " + names + "; " + source +
                   "\n})", {"filename": "craft.js"})


class _PageTimers:
    """``setTimeout``/``setInterval`` for page worlds, on the running asyncio loop (Tk's).

    PythonMonkey's own timers keep every timer's function for the life of the process (in
    a debug table), and with it the page's world, its document and its panel: a closed
    page was never freed. These forget a timer once it has fired or is cleared.
    """

    def __init__(self) -> None:
        self._handles: Dict[int, asyncio.TimerHandle] = {}
        self._last_id = 0

    def set_timeout(self, fn: Any, ms: Any = 0) -> int:
        return self._start(fn, ms, False)

    def set_interval(self, fn: Any, ms: Any = 0) -> int:
        return self._start(fn, ms, True)

    def clear(self, timer_id: Any) -> None:
        try:
            handle = self._handles.pop(int(timer_id), None)
        except (TypeError, ValueError, OverflowError):
            return  # not a timer id: nothing to clear, as in a browser
        if handle is not None:
            handle.cancel()

    def _start(self, fn: Any, ms: Any, repeat: bool) -> int:
        self._last_id += 1
        timer_id = self._last_id
        try:
            delay = max(float(ms or 0), 0.0) / 1000
        except (TypeError, ValueError):
            delay = 0.0
        if delay != delay:  # NaN, as a browser takes it
            delay = 0.0
        loop = asyncio.get_running_loop()

        def fire() -> None:
            if repeat:
                self._handles[timer_id] = loop.call_later(delay, fire)
            else:
                self._handles.pop(timer_id, None)
            try:
                fn()
            except Exception as error:  # the page's error: reported like its scripts'
                log.warning("page timer raised: %s", error)

        self._handles[timer_id] = loop.call_later(delay, fire)
        return timer_id


class TkhtmlTransport:
    """Shows pages in a tkinterweb ``HtmlFrame`` packed into the panel's frame."""

    name = "tkhtml"

    @staticmethod
    def preload(devtools_port: Optional[int] = None) -> None:
        """Compile the page worlds' scripts (craft.js, the DOM) now, not in the first page."""
        _world_factory()

    def __init__(self, frame: tk.Frame, host: PageHost, bridge: Callable[[], str]) -> None:
        self._host = host
        self._bridge = bridge
        self._driver = TkAsyncio.of(frame)
        release_promise_jobs(self._driver.loop)
        self._loading = False  # inside load(): what the page says waits for Tk's loop
        self._held: Deque[Callable[[], Any]] = collections.deque()  # for the core, in order
        self._page = Page()
        self._world: Any = None
        self._deliver: Any = None  # the world's receive(wire)
        self._page_flush: Any = None  # the page's craft.js flush, run at the end of an iteration
        self._world_root: Optional[str] = None
        replaced = _bound_commands(frame, "Html")  # tkinterweb binds this class anew for each widget
        self._view = tkinterweb.HtmlFrame(
            frame,
            messages_enabled=False,
            javascript_enabled=True,
            on_script=self._on_script,
            on_element_script=self._on_element_script,
            on_link_click=self._on_link_click,
            on_form_submit=self._on_form_submit,
            request_func=self._request,  # pages follow only the redirects the policy allows
            on_navigate_fail=self._on_navigate_fail,
            defaultstyle=utilities.DEFAULT_STYLE + FIELD_STYLE,
        )
        # Tk events as the page's DOM events; keys the app binds are its shortcuts, not the page's
        self._events = TkEvents(self._view, self._fire, lambda event: chord_from_tk(event) in host.shortcuts())
        self._downloads = self._view.html  # tkinterweb's download settings, read on its threads
        self._allows = asked_on_tk_thread(frame, host.allows)
        self._view.pack(fill="both", expand=True)
        self._class_commands = _class_binding_commands(self._view.html)  # deleted by close()
        _delete_commands(frame, replaced - _bound_commands(frame, "Html"))  # called by nothing now
        # A page with no script of its own still gets its bridge, also after navigation.
        self._view.html.bind("<<DoneLoading>>", self._on_done_loading, add="+")
        self._view.html.bind(utilities.DOM_CONTENT_LOADED_EVENT, self._on_content_loaded, add="+")

    def load(self, page: Page) -> None:
        self._page = page
        self._leave_page()
        self._loading = True
        try:
            with self._driver.running():  # tkinterweb runs inline scripts during the load
                if page.html is not None:
                    self._view.load_html(page.html, base_url=page.base_url)
                else:
                    self._view.load_url(page.url or "about:blank", force=True)  # also a URL it thinks shown
                self._enter_page()
                if not self._view.html.parsing:  # parsed, whatever Tk said: DOMContentLoaded is due
                    self._events.parsed = True
                    self._advance_ready_state()
        finally:
            self._loading = False

    def reload(self) -> None:
        self.load(self._page)

    def post(self, wire: str) -> None:
        if self._deliver is not None:
            with self._driver.running():
                self._deliver(wire)
            _collect_now_and_then(len(wire))

    def execute(self, script: str) -> None:
        self._run(script)

    def show_devtools(self) -> bool:
        return False  # Tkhtml has none

    def close_devtools(self) -> None:
        pass

    def close(self) -> None:
        if self._view is None:
            return
        self._leave_page()
        view, self._view = self._view, None
        _release_view(view, self._class_commands)
        # The page's world holds its document and this panel through Python callbacks, and
        # only SpiderMonkey's collector lets go of them: run it now rather than some time.
        pm.collect()

    # -- script execution -----------------------------------------------------------------

    def _current_root(self) -> str:
        html = self._view.html
        return html.tk.eval(html._w + " node")  # eval: always a plain string, never a Tcl list

    def _leave_page(self) -> None:
        if self._world is not None:
            self._world.dispose()
        self._world = self._deliver = self._page_flush = None
        self._world_root = None
        self._events.reset()
        # What the page going away said and the core has not heard is dropped: its hello
        # would connect the panel to a page no longer shown.
        self._held.clear()
        self._host.page_loading()

    def _enter_page(self) -> None:
        """Make sure the document being shown has its world, with the bridge in it."""
        root = self._current_root()
        if self._world is not None and root == self._world_root:
            return
        if self._world is not None:
            self._leave_page()  # a navigation the transport did not start
        self._world = _world_factory()(self._view.document, self._receive, self._events.native, self._console,
                                       {"flushWith": self._flush_with, "later": self._flush_page_later})
        self._deliver = self._world.receive  # looked up once: each lookup makes a function proxy
        self._world_root = root
        with self._driver.running():
            error = self._world.startBridge(boot_text(self._bridge(), jsbridge.bridge_source()))
        if error:
            self._page_error(error, "craft.js")

    def _run(self, code: str, this: Any = None, label: str = "script") -> None:
        if self._view is None:
            return
        with self._driver.running():
            self._enter_page()
            error = self._world.run(code, this) if this is not None else self._world.run(code)
        if error:
            self._page_error(error, label)

    def _page_error(self, error: Any, label: str) -> None:
        """What a page's script (``label``) threw, as the world describes it, to the core."""
        self._to_host(self._host.page_error, _uncaught(str(error)), label)

    def _on_done_loading(self, event: tk.Event) -> None:
        if self._view is not None:
            with self._driver.running():
                self._enter_page()
                self._world.setReadyState("complete")  # window's load event, once

    def _on_content_loaded(self, event: tk.Event) -> None:
        if self._view is not None:
            with self._driver.running():
                self._enter_page()
                self._events.page_parsed()
                self._advance_ready_state()

    def _advance_ready_state(self) -> None:
        """DOMContentLoaded (and craft.js's hello) once the document is parsed and its
        external and deferred scripts, which tkinterweb runs after parsing, have run."""
        if self._events.parsed and not self._events.scripts_due():
            self._world.setReadyState("interactive")

    # -- DOM events -------------------------------------------------------------------------

    def _fire(self, event_type: str, handles: Any, init: Dict[str, Any]) -> Optional[bool]:
        """A Tk event as a DOM event in the page shown (see _tkhtml_dom.TkEvents)."""
        if self._view is None or self._world is None:
            return None
        with self._driver.running():
            return bool(self._world.fire(event_type, handles, init))

    def _on_link_click(self, url: str) -> None:
        if self._view is None:
            return
        target, hash_sign, fragment = url.partition("#")
        shown = (self._view.current_url, self._view.base_url)  # an HTML string has only its base
        if hash_sign and (not target or any(same_url(target, page) for page in shown if page)):
            self._scroll_to(fragment)  # a fragment of the page shown: it stays, as in a browser
        elif self._host.allows(url):
            self._view.load_url(url)

    def _scroll_to(self, fragment: str) -> None:
        """Scroll to the element ``fragment`` names (its ``id``, else an ``<a name>``); to
        the top for an empty one."""
        name = urllib.parse.unquote(fragment)
        if not name:
            self._view.yview_moveto(0)
            return
        if "'" in name or "\\" in name:
            return  # no element can be found by such a name in a Tkhtml selector
        for selector in ("[id='{}']", "[name='{}']"):
            try:
                node = self._view.html.search(selector.format(name), index=0)
            except tk.TclError:  # a name Tkhtml's selectors cannot take: nothing to scroll to
                return
            if node:
                self._view.yview(node)
                return

    def _request(self, url: str, *args: Any) -> Any:
        """tkinterweb's downloads, on its threads. A page (tkinterweb gives the data and
        method of a page load or form) follows only the redirects the panel's policy allows;
        anything else downloads as tkinterweb's own code would."""
        settings = self._downloads
        if len(args) < 2 or not url.startswith(("http://", "https://")):
            cached = settings.caches_enabled and not url.startswith("file://")
            return (utilities.cache_download if cached else utilities.download)(
                url, *args, insecure=settings.insecure_https, cafile=settings.ssl_cafile,
                headers=tuple(settings.headers.items()), timeout=settings.request_timeout)
        data, method, decode = (tuple(args) + (None,))[:3]
        # No Accept-Encoding: tkinterweb would decompress, urllib does not.
        headers = {k: v for k, v in settings.headers.items() if k.lower() != "accept-encoding"}
        with open_page(url, self._allows, data if method == "POST" and data else None, headers,
                       settings.request_timeout) as response:
            body, filetype = response.read(), response.headers.get_content_type()
            final, code, charset = response.geturl(), response.getcode(), response.headers.get_content_charset()
        if not filetype.startswith("image/") or "svg" in filetype:
            body = body.decode(decode or charset or "utf-8", errors="ignore")
        return final, body, filetype, code

    def _on_navigate_fail(self, url: str, error: Any, code: Any) -> None:
        if self._view is None:
            return
        if isinstance(error, RedirectRefused):  # reported when refused: say so instead of the page
            with self._driver.running():
                self._view.load_html(BLOCKED_PAGE)
        else:
            self._view.show_error_page(url, error, code)

    def _on_form_submit(self, url: str, data: Any, method: str) -> None:
        if self._view is not None and self._host.allows(url):
            self._view.load_form_data(url, data, method)

    def _console(self, level: Any, text: Any) -> None:
        """The page's console line."""
        self._host.page_log(str(level), str(text), "page", None)

    def _flush_with(self, flush: Any) -> None:
        """The page's craft.js hands over its flush (once, as it starts)."""
        self._page_flush = flush

    def _flush_page_later(self) -> None:
        """The page queued a message: flush at the end of this loop iteration, not in a
        promise job of its own (each is a loop callback here)."""
        self._driver.call_last(self._flush_page)

    def _flush_page(self) -> None:
        flush = self._page_flush
        if flush is not None:
            try:
                with self._driver.running():
                    flush()
            except Exception as error:  # as a promise job's failure would, it is the page's
                self._page_error(str(error), "craft.js")

    def _receive(self, wire: Any) -> None:
        # PythonMonkey hands over a str proxy; the core (and orjson) want a real str.
        self._to_host(self._host.receive, str(wire) if isinstance(wire, str) else wire)

    def _to_host(self, deliver: Callable[..., Any], *args: Any) -> None:
        """Call ``deliver(*args)`` (the core) now or, while ``load()`` runs or earlier calls
        still wait, in the next loop step, in order. tkinterweb runs a page's scripts inside
        ``load()``: without this, a panel would be connected (and its page's errors
        reported, before ``on_ipc_error`` could be set) while its constructor runs, unlike
        on CEF."""
        if not self._loading and not self._held:
            deliver(*args)
            return
        if not self._held:
            self._driver.call_soon(self._release_held)
        self._held.append(functools.partial(deliver, *args))

    def _release_held(self) -> None:
        while self._held:  # a load started by one of them clears the rest
            self._held.popleft()()

    def _on_script(self, attributes: Dict[str, str], code: str) -> None:
        if attributes.get("type", "").lower() in _SCRIPT_TYPES:
            self._run(code, label=attributes.get("src", "inline script"))
        if self._view is not None and self._events.script_ran(attributes) and self._world is not None:
            with self._driver.running():
                self._advance_ready_state()

    def _on_element_script(self, node_handle: str, attribute: str, code: str) -> None:
        if attribute in OWN_ATTRIBUTES or self._view is None:
            return  # the page world runs these itself, with their event (see _tkhtml_dom)
        with self._driver.running():
            self._enter_page()
            error = self._world.elementScript(node_handle, attribute, code)
        if error:
            self._page_error(error, attribute + " handler")

