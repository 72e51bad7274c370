"""The CEF transport: Chromium 66 through cefpython3, embedded in the panel's frame.

The page posts through a JavaScript binding (``__craftHostPost``) and hands over its
receive function with ``hello``; native delivers by calling it (a string argument,
nothing to compile), or, before that, through ``ExecuteFunction('__craftReceive', wire)``.

The bridge runs before the page's first script: HTML strings and local files are written
to a temporary file with it inlined at the top; web pages (GET) are fetched (each
redirect hop put to the origin policy before it is requested) and shown at their own URL
(``LoadString``) with it inlined too; link navigations to either are re-done the same way,
and a reload writes the page anew. A link to a fragment of the page shown scrolls it.
Anything else gets the bridge at load start. CEF drops bindings on cross-process navigations, so they are re-sent at each
main-frame load and craft.js waits for them before saying hello.

The page's console goes to the core (``page_log``), not to the terminal. CEF keeps its
files in a per-user cache directory (``cef_cache_dir``), not in the app's working one.

Keys typed in the page go to CEF's own X window, never to Tk: the app's shortcuts
(``host.shortcuts()``) are taken from CEF's keyboard handler before the page sees them.
CEF 66 acts on no browser key by itself here (measured: F5, Ctrl+R, Ctrl+P, Ctrl+U, the
zoom keys, Alt+Left, F12 and the XF86 browser keys reach the page and do nothing else),
so every other key is the page's.
"""

import atexit
import collections
import contextlib
import json
import logging
import os
import signal
import tempfile
import threading
import urllib.parse
import time
import tkinter as tk
from html import escape
from typing import Any, Callable, Deque, Dict, Iterator, Optional, Set

from .._errors import BackendUnavailable
from .._eventloop import TkAsyncio
from .._html import inject_bridge
from .._keys import chord_from_cef
from ._base import Page, PageHost
from ._cef_python import cef_cache_dir
from ._page_files import remove_page, write_page
from ._navigation import BLOCKED_PAGE, RedirectRefused, asked_on_tk_thread, open_page, same_url
from ._cef_gl import gl_switches
from ._xwindows import detach_windows, reclaim_focus_on_tk_clicks, when_mapped
from ._glib_pump import GlibPump, iterate_default_context

try:
    from cefpython3 import cefpython as cef
except ImportError as error:  # pragma: no cover - depends on the environment
    raise BackendUnavailable(
        "the 'cef' backend needs cefpython3 66.0, which has Linux wheels for Python <= 3.7 only: "
        "use Python 3.7 and pip install 'craft_tk[cef]' ({})".format(error)
    ) from error

__all__ = ["CefTransport"]

log = logging.getLogger("craft_tk.cef")

_SETTINGS = {
    "external_message_pump": True,
    "log_severity": cef.LOGSEVERITY_DISABLE,
    "remote_debugging_port": -1,
    "context_menu": {"enabled": False},
}
# CEF's GPU process prints "InitializeSandbox() called with multiple threads" on stderr
# whatever the log severity. Measured: --no-sandbox (cefpython passes it already) and
# --log-severity=disable leave it; --disable-gpu prints "Lost UI shared context" instead;
# --in-process-gpu silences it but loses more frames on resizes and puts GL drivers in the
# app. So the GPU process is started through this script, without its stderr.
_QUIET_GPU = "#!/bin/sh\n# craft_tk: CEF's GPU process, without its stderr\nexec \"$@\" 2>/dev/null\n"
RESIZE_SETTLE_MS = 150
# A full repaint that changes nothing the page can see or read: a 50 ms animation of the
# root element's opacity to a value that draws the same pixels (see CefTransport._settle).
_REPAINT = ("(function (root) { if (root && typeof root.animate === 'function') {"
            " root.animate([{opacity: 0.999}, {opacity: 0.999}], 50); } })(document.documentElement);")
_CONSOLE_LEVELS = {
    cef.LOGSEVERITY_VERBOSE: "debug",
    cef.LOGSEVERITY_INFO: "info",
    cef.LOGSEVERITY_WARNING: "warning",
    cef.LOGSEVERITY_ERROR: "error",
}
# Console lines the core hears of already, as a PageError: Chromium's own report of an
# uncaught error or rejection (craft.js's own lines the core recognises). Kept at debug level.
_REPORTED_ELSEWHERE = "Uncaught "
_RENDERER_ENDED = {
    cef.TS_PROCESS_WAS_KILLED: "was killed",
    cef.TS_PROCESS_CRASHED: "crashed",
    cef.TS_ABNORMAL_TERMINATION: "exited abnormally",
}


@contextlib.contextmanager
def _signal_handlers_kept() -> Iterator[None]:
    """Keep the app's own signal handlers (and ignored signals) through what runs inside:
    Chromium resets many to the default, under which SIGTERM or SIGALRM end the process at
    once, skipping the app's ``atexit`` work (``craft_tk run``'s exit on SIGTERM
    included). Python's own default for SIGINT stays Chromium's: a Ctrl+C would otherwise
    only print a traceback from inside a Tk callback."""
    kept = {}
    for signum in range(1, signal.NSIG):  # signal.valid_signals() is 3.8's
        try:
            handler = signal.getsignal(signum)
        except ValueError:  # not a signal number here
            continue
        if signum == signal.SIGCHLD:
            continue  # ignored, Chromium could not wait for its child processes
        if handler is signal.SIG_IGN or (callable(handler) and handler is not signal.default_int_handler):
            kept[signum] = handler
    try:
        yield
    finally:
        for signum, handler in kept.items():
            try:
                signal.signal(signum, handler)
            except (OSError, ValueError):  # not the main thread: Python could not have set them either
                pass


class _Runtime:
    """CEF's once-per-process life: Initialize, one glib pump per Tk root, Shutdown at exit."""

    started = False
    pump: Optional[GlibPump] = None
    pump_root: Any = None
    browsers: Set[Any] = set()

    devtools_port: Optional[int] = None

    @classmethod
    def ensure(cls, frame: tk.Misc, devtools_port: Optional[int] = None) -> None:
        if not cls.started:
            files = _file_settings()
            settings = dict(_SETTINGS, **files)
            if devtools_port:
                settings["remote_debugging_port"] = devtools_port
            with _signal_handlers_kept():
                cef.Initialize(settings, dict(gl_switches(frame), **_quiet_gpu(files.get("cache_path"))))
            cls.started = True
            cls.devtools_port = devtools_port
            atexit.register(cls.shutdown)
        elif devtools_port and devtools_port != cls.devtools_port:
            log.warning("CEF's DevTools port is chosen once per process: it is %s, not %s",
                        cls.devtools_port or "off", devtools_port)
        root = frame._root()  # type: ignore[attr-defined]
        if cls.pump_root is not root:
            if cls.pump is not None:
                cls.pump.stop()
            cls.pump = GlibPump(root, cef.MessageLoopWork)
            cls.pump_root = root
            root.bind("<Destroy>", lambda event: cls._root_gone(event, root), add="+")

    @classmethod
    def _root_gone(cls, event: tk.Event, root: tk.Misc) -> None:
        if event.widget is root and cls.pump_root is root:
            assert cls.pump is not None
            cls.pump.stop()
            cls.pump_root = None

    @classmethod
    def shutdown(cls) -> None:
        """Close what is left, let CEF finish closing, then shut it down (once)."""
        if not cls.started:
            return
        if cls.pump is not None:
            cls.pump.stop()
        for browser in list(cls.browsers):
            browser.CloseBrowser(True)
        deadline = time.monotonic() + 2.0
        while cls.browsers and time.monotonic() < deadline:
            iterate_default_context()
            time.sleep(0.005)
        for _ in range(10):
            iterate_default_context()
        cef.Shutdown()
        cls.started = False


class _Handlers:
    """CEF client callbacks; cefpython rejects public names it does not know."""

    def __init__(self, transport: "CefTransport") -> None:
        self._transport = transport

    def OnLoadStart(self, browser: Any, frame: Any, **_: Any) -> None:
        if frame.IsMain():
            self._transport._page_started(frame)

    def OnBeforeBrowse(self, browser: Any, frame: Any, request: Any, **_: Any) -> bool:
        return bool(frame.IsMain() and self._transport._navigating(request.GetUrl(), request.GetMethod()))

    def OnLoadEnd(self, browser: Any, frame: Any, **_: Any) -> None:
        if frame.IsMain():
            browser.SetJavascriptBindings(self._transport._bindings)

    def OnBeforePopup(self, target_url: str = "", **_: Any) -> bool:
        self._transport._popup(target_url)
        return True  # no new windows: the panel shows it in place if it may

    def OnBeforeClose(self, browser: Any, **_: Any) -> None:
        _Runtime.browsers.discard(browser)

    def OnRendererProcessTerminated(self, browser: Any, status: int, **_: Any) -> None:
        self._transport._renderer_gone(status)

    def OnPreKeyEvent(self, event: Dict[str, Any], **_: Any) -> bool:
        return self._transport._key_event(event)

    def OnConsoleMessage(self, message: str = "", source: str = "", line: int = 0,
                         level: int = cef.LOGSEVERITY_INFO, **_: Any) -> bool:
        self._transport._console(level, message, source, line)
        return True  # the app's logger has it: nothing on the terminal


class CefTransport:
    """Shows pages in a CEF browser that is an X11 child of the panel's frame."""

    name = "cef"

    def __init__(self, frame: tk.Frame, host: PageHost, bridge: Callable[[], str]) -> None:
        self._frame = frame
        self._host = host
        self._bridge = bridge
        self._page = Page()
        self._temp_file: Optional[str] = None
        self._replaced_files: Deque[str] = collections.deque(maxlen=16)  # pages written, then replaced
        self._own_load_pending = False
        self._expected_url = ""
        self._document_url = ""  # the URL the page shown stands for (an HTML string's base)
        self._fetching: Optional[str] = None
        self._browser: Any = None
        self._first_url: Optional[str] = None  # a page shown before the browser was made: its first
        self._bindings = cef.JavascriptBindings(bindToFrames=False, bindToPopups=False)
        self._bindings.SetFunction("__craftHostPost", self._on_post)
        self._receiver: Any = None  # the page's receive function, handed over with hello
        self._settle_job: Optional[str] = None
        _Runtime.ensure(frame, host.devtools_port)
        frame.bind("<Configure>", self._on_configure, add="+")
        frame.bind("<Destroy>", self._on_destroy, add="+")
        reclaim_focus_on_tk_clicks(frame)
        when_mapped(frame, self._create_browser)  # CEF needs a mapped X window as parent

    def _create_browser(self) -> None:
        frame = self._frame
        if frame is None:
            return  # closed before it was ever shown
        frame.update_idletasks()
        window = cef.WindowInfo()
        window.SetAsChild(frame.winfo_id(), [0, 0, max(frame.winfo_width(), 1), max(frame.winfo_height(), 1)])
        url, self._first_url = self._first_url or "about:blank", None
        self._browser = cef.CreateBrowserSync(window, url=url)
        _Runtime.browsers.add(self._browser)
        self._browser.SetJavascriptBindings(self._bindings)
        self._browser.SetClientHandler(_Handlers(self))
        if url == "about:blank" and self._page != Page():
            self.load(self._page)

    def load(self, page: Page) -> None:
        self._page = page
        self._first_url = None  # a page written for the browser to come is not this one
        self._receiver = None
        self._host.page_loading()
        if page.html is not None:
            self._show_html(page.html, page.base_url or _cwd_url())
        elif page.url and page.url.startswith("file://"):
            self._show_file(page.url)
        elif self._browser is None:
            return  # loaded once the frame is mapped and the browser made
        elif page.url and page.url.startswith(("http://", "https://")):
            self._fetch_and_show(page.url)
        else:  # anything else: the bridge arrives at load start (see _page_started)
            self._browser.LoadUrl(page.url or "about:blank")

    def reload(self) -> None:
        self.load(self._page)  # fetched or written anew: the bridge carries today's state

    def show_devtools(self) -> bool:
        if self._browser is not None:
            self._browser.ShowDevTools()
        return True

    def close_devtools(self) -> None:
        if self._browser is not None:
            self._browser.CloseDevTools()

    def post(self, wire: str) -> None:
        if self._receiver is not None:
            self._receiver.Call(wire)  # a V8 string argument: nothing to compile, unlike a script
        elif self._browser is not None:
            self._browser.ExecuteFunction("__craftReceive", wire)

    def execute(self, script: str) -> None:
        if self._browser is not None:
            self._browser.GetMainFrame().ExecuteJavascript(script)

    def close(self) -> None:
        frame, self._frame = self._frame, None  # type: ignore[assignment]
        if frame is not None and self._settle_job is not None:
            frame.after_cancel(self._settle_job)  # its command dies with the frame
            self._settle_job = None
        if self._browser is not None:
            browser, self._browser = self._browser, None
            if frame is not None:  # its window must outlive the frame until CEF has closed it
                detach_windows(frame, [browser.GetWindowHandle()])
            browser.SetClientHandler(_Closing())
            browser.CloseBrowser(True)
        self._remove_temp_file()

    # -- internals ------------------------------------------------------------------------

    def _on_post(self, *args: Any) -> None:
        """The host function: ``(wire)``, or ``(wire, receive)`` with hello. Page scripts
        may call it with anything: what else comes is handed to the core as is (a
        non-string wire), which reports it; nothing raises into cefpython's traceback."""
        receiver = args[1] if len(args) == 2 and isinstance(args[1], cef.JavascriptCallback) else None
        wire: Any = args[0] if len(args) == 1 or receiver is not None else args
        if receiver is not None:  # a hello: the callback tells which frame is calling
            frame = receiver.GetFrame()
            if frame is None or not self._host.allows(frame.GetUrl(), frame.IsMain()):
                return
        if self._host.receive(wire) and receiver is not None:
            self._receiver = receiver  # only a hello the core accepted hands over its receiver

    def _popup(self, url: str) -> None:
        if url and self._frame is not None and self._host.allows(url):
            self._load_anew(Page(url=url))

    def _load_anew(self, page: Optional[Page]) -> None:
        """Load ``page`` (None: the current page again), with a new bridge, once the CEF
        callback asking for it has returned. (In the helper process, the app does it.)"""
        if self._frame is None:
            return
        if page is None:
            self._frame.after_idle(self.reload)
        else:
            self._frame.after_idle(self.load, page)

    def _show_file(self, url: str) -> None:
        """Show a local file with the bridge inlined, based at its own URL (relative links
        resolve, and its fragments are its own), scrolled to the URL's fragment."""
        target, _, fragment = url.partition("#")
        path = urllib.parse.unquote(urllib.parse.urlsplit(target).path)
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                html = handle.read()
        except OSError as error:  # the reason only: a page never sees a local path
            html = "<h1>Cannot open the file</h1><p>{}</p>".format(escape(error.strerror or "unreadable"))
        self._show_html(html, "file://" + urllib.parse.quote(path), fragment)

    def _fetch_and_show(self, url: str) -> None:
        """Fetch a web page on a worker thread, then show it at its own URL (so its origin
        and relative links are the server's) with the bridge inlined at the top. What is
        not HTML, or cannot be fetched, is loaded as is (the bridge then comes at load start)."""
        driver = TkAsyncio.of(self._frame)
        allows = asked_on_tk_thread(self._frame, self._host.allows)  # each redirect hop, before its request
        self._fetching = url

        def fetch() -> None:
            final, html, refused = url, None, False
            try:
                with open_page(url, allows) as response:
                    final = response.geturl()
                    if response.headers.get_content_type() == "text/html":
                        html = response.read().decode(response.headers.get_content_charset() or "utf-8", "replace")
            except RedirectRefused:
                refused = True
            except Exception:  # whatever fails, the load goes on (as is)
                final, html = url, None
            driver.call_soon_threadsafe(self._show_fetched, url, final, html, refused)

        threading.Thread(target=fetch, name="craft-fetch", daemon=True).start()

    def _show_fetched(self, url: str, final: str, html: Optional[str], refused: bool) -> None:
        if self._browser is None or self._fetching != url:
            return  # closed, or another load came first
        self._fetching = None
        if refused:  # already reported; the panel says so instead of showing the page
            self._show_html(BLOCKED_PAGE, _cwd_url())
            return
        self._own_load_pending = True
        self._expected_url = self._document_url = final
        if html is None:
            self._browser.LoadUrl(final)
        else:
            self._browser.GetMainFrame().LoadString(inject_bridge(html, self._bridge()), final)

    def _show_html(self, html: str, base_url: str, fragment: str = "") -> None:
        """Write the page, bridge first, to a temporary file and load that."""
        path = write_page(inject_bridge(html, self._bridge(), base_url))
        self._remove_temp_file()
        self._temp_file = path
        self._document_url = base_url
        self._own_load_pending = True
        self._expected_url = "file://" + path + ("#" + fragment if fragment else "")
        if self._browser is not None:
            self._browser.LoadUrl(self._expected_url)
        else:  # the browser's first page: made with it, not after an empty one (faster)
            self._first_url = self._expected_url

    def _navigating(self, url: str, method: str) -> bool:
        """A main-frame navigation is starting; True cancels it, to block it or to re-do it
        with the bridge.

        A fragment of the page shown scrolls it, as in a browser: the ``<base>`` of an HTML
        string or a local file would otherwise make it another document. Origins outside
        the panel's policy are blocked (redirects too: CEF asks here for each hop). Local
        files and web pages (GET) are re-done with the bridge inlined; so is a reload the
        page started (``location.reload()``), so that its bridge carries the state of now.
        """
        target, hash_sign, fragment = url.partition("#")
        if hash_sign and self._document_url and same_url(target, self._document_url):
            self._browser.GetMainFrame().ExecuteJavascript("location.hash = {};".format(json.dumps("#" + fragment)))
            return True
        if not self._host.allows(url):
            return True
        if self._own_load_pending and same_url(url, self._expected_url):
            self._own_load_pending = False
            return False
        if urllib.parse.unquote(urllib.parse.urlsplit(target).path) in self._replaced_files:
            return True  # a load made stale by a later one before it started (load_html then load_url)
        if self._temp_file and same_url(target, "file://" + self._temp_file):  # also with the hash it scrolled to
            self._load_anew(None)
            return True
        if url.startswith("file://") or (url.startswith(("http://", "https://")) and method == "GET"):
            self._load_anew(Page(url=url))
            return True
        return False

    def _page_started(self, frame: Any) -> None:
        if frame.GetUrl() == "about:blank":
            return  # the browser's first, empty document: not a page to connect
        if self._own_load_pending and same_url(frame.GetUrl(), self._expected_url):
            self._own_load_pending = False  # the browser's first page, which _navigating never saw
        self._receiver = None
        self._host.page_loading()
        self._browser.SetJavascriptBindings(self._bindings)
        frame.ExecuteJavascript(self._bridge())  # no-op where the page inlined it already

    def _console(self, level: int, message: str, source: str, line: int) -> None:
        """A line of the page's console, to the core at its level."""
        name = "debug" if message.startswith(_REPORTED_ELSEWHERE) else _CONSOLE_LEVELS.get(level, "info")
        self._host.page_log(name, message, source or None, line or None)

    def _key_event(self, event: Dict[str, Any]) -> bool:
        """A key event on its way to the page; True consumes it. A key-down of one of the
        app's shortcuts is consumed (Chromium then drops its char and key-up events too) and
        reported once CEF's callback has returned: app code must not run inside CEF's pump."""
        chord = chord_from_cef(event)
        if chord is None or self._frame is None or chord not in self._host.shortcuts():
            return False
        self._frame.after(0, self._shortcut, chord)
        return True

    def _shortcut(self, chord: str) -> None:
        if self._frame is not None:  # not closed meanwhile
            self._host.shortcut(chord)

    def _renderer_gone(self, status: int) -> None:
        """The page's renderer process died: its page and bridge are gone with it."""
        self._receiver = None
        self._host.page_loading("the page's CEF renderer process {}; reload() shows the page again".format(
            _RENDERER_ENDED.get(status, "ended")))

    def _on_destroy(self, event: tk.Event) -> None:
        if event.widget is self._frame:
            self.close()

    def _on_configure(self, event: tk.Event) -> None:
        if self._browser is not None:
            self._browser.SetBounds(0, 0, event.width, event.height)
            self._browser.NotifyMoveOrResizeStarted()
            if self._settle_job is not None:
                self._frame.after_cancel(self._settle_job)
            self._settle_job = self._frame.after(RESIZE_SETTLE_MS, self._settle)

    def _settle(self) -> None:
        """Chromium 66 can leave part of a grown window unpainted until the page draws
        again: it loses the frame of a resize made while a frame is in flight (seen under
        Xvfb, most often when the window grows right after the page first paints). Once
        resizing pauses, have the page draw again, without resizing it (resizing one pixel
        off and back lost frames the same way, and told the page of sizes it never had)."""
        self._settle_job = None
        if self._browser is not None:
            self._browser.GetMainFrame().ExecuteJavascript(_REPAINT)

    def _remove_temp_file(self) -> None:
        if self._temp_file is not None:
            remove_page(self._temp_file)
            self._replaced_files.append(self._temp_file)
            self._temp_file = None


class _Closing:
    """The handler of a browser being closed: only forgets it when CEF says it is gone."""

    def OnBeforeClose(self, browser: Any, **_: Any) -> None:
        _Runtime.browsers.discard(browser)



def _file_settings() -> Dict[str, str]:
    """Where CEF keeps its files: in the per-user cache directory (``cef_cache_dir``).
    Without a ``cache_path`` Chromium 66 puts ``blob_storage`` and ``webrtc_event_logs``
    in the app's working directory."""
    path = cef_cache_dir()
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError as error:  # CEF still runs, caching in memory
        log.warning("cannot make CEF's cache directory %s (%s): set CRAFT_TK_CEF_CACHE", path, error)
        return {}
    return {"cache_path": path, "log_file": os.path.join(path, "debug.log")}


def _quiet_gpu(directory: Optional[str]) -> Dict[str, str]:
    """The switch that starts CEF's GPU process through ``_QUIET_GPU``, written to
    ``directory`` (none when it cannot be: the GPU process then speaks)."""
    if not directory or any(char.isspace() for char in directory):  # Chromium splits the launcher on spaces
        return {}
    script = os.path.join(directory, "quiet-gpu.sh")
    try:
        with open(script, encoding="utf-8") as handle:
            current = handle.read()
    except OSError:
        current = None
    if current != _QUIET_GPU:
        try:
            handle_fd, temporary = tempfile.mkstemp(dir=directory, prefix=".quiet-gpu-")
            with os.fdopen(handle_fd, "w", encoding="utf-8") as out:
                out.write(_QUIET_GPU)
            os.replace(temporary, script)  # whole, also with apps starting at once
        except OSError as error:
            log.warning("cannot write %s (%s): CEF's GPU process may print on stderr", script, error)
            return {}
    return {"gpu-launcher": "/bin/sh " + script}


def _cwd_url() -> str:
    return "file://" + os.getcwd().rstrip("/") + "/"

