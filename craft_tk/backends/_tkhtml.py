"""The Tkhtml transport: tkinterweb's HTML widget, with JavaScript by PythonMonkey.

craft_tk takes over tkinterweb's script execution so that each page runs in a world of
its own (``jsbridge/tkhtml-world.js``): two panels never see each other's ``window``,
``document`` or ``craft``. The bridge runs in a page's world before its first script.
JavaScript is entered only with the asyncio loop marked running, which PythonMonkey's
promises and timers need. Python -> page is one string per batch, which keeps
PythonMonkey's garbage collector away from its many-distinct-strings trap.
"""

import ctypes
import logging
import tkinter as tk
from typing import Any, Callable, Dict, Optional

import jsbridge

from .._errors import BackendUnavailable
from .._eventloop import TkAsyncio
from ._base import Page, PageHost

try:
    import pythonmonkey as pm
    import tkinterweb
    from tkinterweb import dom
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


def _world_factory() -> Any:
    global _make_world
    if _make_world is None:
        _make_world = pm.eval(jsbridge.read("tkhtml-world.js"), {"filename": "tkhtml-world.js"})
    return _make_world


class TkhtmlTransport:
    """Shows pages in a tkinterweb ``HtmlFrame`` packed into the panel's frame."""

    name = "tkhtml"

    def __init__(self, frame: tk.Frame, host: PageHost, bridge: Callable[[], str]) -> None:
        self._host = host
        self._bridge = bridge
        self._driver = TkAsyncio.of(frame)
        self._page = Page()
        self._world: Any = None
        self._world_root: Optional[str] = None
        self._view = tkinterweb.HtmlFrame(
            frame,
            messages_enabled=False,
            javascript_enabled=True,
            on_script=self._on_script,
            on_element_script=self._on_element_script,
            on_link_click=self._on_link_click,
            on_form_submit=self._on_form_submit,
        )
        self._view.pack(fill="both", expand=True)
        # A page with no script of its own still gets its bridge, also after navigation.
        self._view.html.bind("<<DoneLoading>>", self._on_done_loading, add="+")

    def load(self, page: Page) -> None:
        self._page = page
        self._leave_page()
        with self._driver.running():  # tkinterweb runs inline scripts during the load
            if page.html is not None:
                self._view.load_html(page.html, base_url=page.base_url)
            else:
                self._view.load_url(page.url or "about:blank")
            self._enter_page()

    def reload(self) -> None:
        self.load(self._page)

    def post(self, wire: str) -> None:
        if self._world is not None:
            with self._driver.running():
                self._world.receive(wire)
            _collect_now_and_then(len(wire))

    def execute(self, script: str) -> None:
        self._run(script)

    def close(self) -> None:
        self._leave_page()
        self._view = None

    # -- script execution -----------------------------------------------------------------

    def _current_root(self) -> str:
        html = self._view.html
        return html.tk.eval(html._w + " node")  # eval: always a plain string, never a Tcl list

    def _leave_page(self) -> None:
        if self._world is not None:
            self._world.dispose()
        self._world = None
        self._world_root = None
        self._host.page_loading()

    def _enter_page(self) -> None:
        """Make sure the document being shown has its world, with the bridge in it."""
        root = self._current_root()
        if self._world is not None and root == self._world_root:
            return
        if self._world is not None:
            self._leave_page()  # a navigation the transport did not start
        self._world = _world_factory()(self._view.document, self._receive)
        self._world_root = root
        self._run(self._bridge(), entered=True, label="craft.js")

    def _run(self, code: str, this: Any = None, entered: bool = False, label: str = "script") -> None:
        if self._view is None:
            return
        with self._driver.running():
            if not entered:
                self._enter_page()
            error = self._world.run(code, this) if this is not None else self._world.run(code)
        if error:
            log.warning("page %s raised: %s", label, error)

    def _on_done_loading(self, event: tk.Event) -> None:
        if self._view is not None:
            with self._driver.running():
                self._enter_page()

    def _on_link_click(self, url: str) -> None:
        if self._view is not None and self._host.allows(url):
            self._view.load_url(url)

    def _on_form_submit(self, url: str, data: Any, method: str) -> None:
        if self._view is not None and self._host.allows(url):
            self._view.load_form_data(url, data, method)

    def _receive(self, wire: Any) -> None:
        # PythonMonkey hands over a str proxy; the core (and orjson) want a real str.
        self._host.receive(str(wire) if isinstance(wire, str) else wire)

    def _on_script(self, attributes: Dict[str, str], code: str) -> None:
        if attributes.get("type", "").lower() in _SCRIPT_TYPES:
            self._run(code, label=attributes.get("src", "inline script"))

    def _on_element_script(self, node_handle: str, attribute: str, code: str) -> None:
        element = dom.HTMLElement(self._view.document, node_handle)
        self._run(code, this=element, label=attribute + " handler")

