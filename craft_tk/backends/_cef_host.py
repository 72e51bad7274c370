"""The CEF transport for any Python: Chromium in a Python 3.7 helper process.

cefpython3 has Linux wheels for Python 3.7 only. On a newer Python this transport starts
``craft_tk.backends._cef_helper`` with a 3.7 interpreter that has cefpython3, and the
helper's browser sits inside the panel's frame (X11 embedding). Wire strings cross the
pipes unchanged. One helper serves every panel of the app; it dies with the app. If it
crashes, each of its panels reports it (pending invokes and channels settle) and
``reload()`` starts a new one.

The interpreter, and the craft_tk it imports, are chosen by ``_cef_python``:
``CRAFT_CEF_PYTHON`` (when set it must import cefpython3, or loading fails naming it),
else the checkout's ``.venv/cef``, else the environment ``python -m craft_tk setup-cef``
made, else (from a checkout) pyenv's 3.7, provided it imports cefpython3.
"""

import logging
import os
import subprocess
import sys
import threading
import tkinter as tk
from typing import Any, Callable, Dict, List, Optional

from .._errors import BackendUnavailable
from .._eventloop import TkAsyncio
from ._base import Page, PageHost
from ._cef_python import find_helper, helper_environment
from ._xwindows import detach_children, reclaim_focus_on_tk_clicks, when_mapped
from ._pipe import FrameReader, FrameWriter

__all__ = ["CefHostTransport"]

log = logging.getLogger("craft_tk")

if sys.version_info[:2] == (3, 7):  # pragma: no cover - in-process CEF is the one to use there
    raise BackendUnavailable("on Python 3.7 craft_tk runs CEF in process ('cef')")
_HELPER = find_helper()
_PYTHON = _HELPER.python


def _spawn(devtools_port: Optional[int]) -> "subprocess.Popen[bytes]":
    """A helper process. It starts Chromium at once, with that DevTools port (0: none)."""
    return subprocess.Popen(
        [_PYTHON, "-m", "craft_tk.backends._cef_helper", str(devtools_port or 0)], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, env=helper_environment(_HELPER), cwd=os.getcwd(),
    )


class _Standby:
    """A helper started before any panel wanted one (``craft_tk.preload``): the first
    panel's helper, unless that panel wants another DevTools port."""

    process: Optional["subprocess.Popen[bytes]"] = None
    devtools_port = 0

    @classmethod
    def start(cls, devtools_port: Optional[int]) -> None:
        if _Helper.current is not None and _Helper.current.alive:
            return  # the panels have their helper
        if cls.process is not None and cls.process.poll() is None and cls.devtools_port == (devtools_port or 0):
            return
        _end(cls.process)
        cls.process, cls.devtools_port = _spawn(devtools_port), devtools_port or 0

    @classmethod
    def take(cls, devtools_port: Optional[int]) -> Optional["subprocess.Popen[bytes]"]:
        """The waiting helper, if it runs with ``devtools_port``; any other is ended."""
        process, cls.process = cls.process, None
        if process is not None and process.poll() is None and cls.devtools_port == (devtools_port or 0):
            return process
        _end(process)
        return None


def _end(process: Optional["subprocess.Popen[bytes]"]) -> None:
    """End a helper no panel uses: it exits when its input closes; a thread reaps it."""
    if process is not None:
        _close_pipes(process)
        threading.Thread(target=process.wait, name="craft-helper-reap", daemon=True).start()


def _close_pipes(process: "subprocess.Popen[bytes]") -> None:
    for pipe in (process.stdin, process.stdout):
        try:
            pipe.close()  # type: ignore[union-attr]
        except OSError:
            pass


class _Helper:
    """One helper process and its pipes, shared by the panels of one Tk interpreter."""

    current: Optional["_Helper"] = None

    def __init__(self, root: tk.Misc, devtools_port: Optional[int]) -> None:
        # Started now, Chromium starts while Tk still lays out and maps the first panel.
        self.process = _Standby.take(devtools_port) or _spawn(devtools_port)
        self.root = root
        self._driver = TkAsyncio.of(root)
        self.alive = True
        self.panels: Dict[int, "CefHostTransport"] = {}
        self._next_id = 1
        self._reader = FrameReader(self.process.stdout.fileno(), self._dispatch)  # type: ignore[union-attr]
        self._writer = FrameWriter(self.process.stdin.fileno(), self._want_write)  # type: ignore[union-attr]
        root.tk.createfilehandler(self._reader.fd, tk.READABLE, self._readable)
        root.bind("<Destroy>", lambda event: self._stop() if event.widget is root else None, add="+")
        # The end of its output is the usual sign of its end; its exit is the sure one (and
        # this thread reaps it).
        threading.Thread(target=self._watch_exit, args=(self._driver,), name="craft-helper-watch",
                         daemon=True).start()

    @classmethod
    def get(cls, widget: tk.Misc, devtools_port: Optional[int]) -> "_Helper":
        """The helper of ``widget``'s Tk root, started now if there is none alive."""
        root = widget._root()  # type: ignore[attr-defined]
        if cls.current is None or not cls.current.alive or cls.current.root is not root:
            cls.current = cls(root, devtools_port)
        return cls.current

    def add(self, transport: "CefHostTransport") -> int:
        pid = self._next_id
        self._next_id += 1
        self.panels[pid] = transport
        return pid

    def send(self, *fields: Any) -> None:
        if self.alive:
            self._writer.send(*fields)

    def _want_write(self, more: bool) -> None:
        fd = self._writer.fd
        if more:
            self.root.tk.createfilehandler(fd, tk.WRITABLE, lambda *_: self._writer.flush())
        else:
            try:
                self.root.tk.deletefilehandler(fd)
            except tk.TclError:
                pass

    def _readable(self, *_: Any) -> None:
        with self._driver.batch():  # the frames of one read: what they make ready leaves together
            alive = self._reader.read()
        if not alive:
            self._died()

    def _dispatch(self, frame: List[Any]) -> None:
        transport = self.panels.get(frame[1])
        if transport is not None:
            transport._from_helper(frame[0], frame[2:])

    def _stop(self) -> None:
        """The Tk root is going, and its panels with it: end the helper (it exits when its
        input closes) rather than leave it running until the app exits."""
        if not self.alive:
            return
        self._unwatch()
        self.panels.clear()
        _close_pipes(self.process)

    def _unwatch(self) -> None:
        self.alive = False
        for fd in (self._reader.fd, self._writer.fd):
            try:
                self.root.tk.deletefilehandler(fd)
            except tk.TclError:
                pass

    def _watch_exit(self, driver: TkAsyncio) -> None:
        """On its own thread: wait for the helper to end, then tell the Tk thread."""
        self.process.wait()
        driver.call_soon_threadsafe(self._exited)

    def _exited(self) -> None:
        if self.alive:
            self._died()

    def _died(self) -> None:
        self._unwatch()
        code = self.process.poll()
        for transport in list(self.panels.values()):
            transport._helper_died(code)
        self.panels.clear()


class CefHostTransport:
    """Shows pages in CEF run by the helper process, inside the panel's frame."""

    name = "cef-host"

    @staticmethod
    def preload(devtools_port: Optional[int] = None) -> None:
        """Start the helper (and its Chromium) now, before the first panel asks for it.
        If it cannot start, that is logged: the first panel tries again and says why."""
        try:
            _Standby.start(devtools_port)
        except OSError as error:
            log.warning("could not start the CEF helper early: %s", error)

    def __init__(self, frame: tk.Frame, host: PageHost, bridge: Callable[[], str]) -> None:
        self._frame = frame
        self._host = host
        self._bridge = bridge
        self._page = Page()
        self._helper: Optional[_Helper] = None
        self._pid = 0
        self._closed = False
        self._close_sent = False
        self._holder: Optional[tk.Frame] = None
        _Helper.get(frame, host.devtools_port)  # starting while the panel is laid out and mapped
        self._hold()
        reclaim_focus_on_tk_clicks(frame)

    def _hold(self) -> None:
        """A container frame for the helper's window. Tk destroys a container whose
        embedded window dies, so it is a child of the panel, made anew after a crash."""
        holder = self._holder = tk.Frame(self._frame, container=True)
        holder.pack(fill="both", expand=True)
        holder.bind("<Destroy>", lambda event: self._release() if event.widget is holder is self._holder else None,
                    add="+")
        when_mapped(holder, self._open)

    def _open(self) -> None:
        if self._closed or self._holder is None:
            return
        self._holder.update_idletasks()
        self._helper = _Helper.get(self._frame, self._host.devtools_port)
        self._pid = self._helper.add(self)
        self._close_sent = False
        self._helper.send("open", self._pid, self._holder.winfo_id(), self._host.devtools_port)
        self.shortcuts_changed()
        if self._page != Page():
            self.load(self._page)

    def load(self, page: Page) -> None:
        self._page = page
        self._host.page_loading()
        if self._helper is not None and self._helper.alive:
            self._helper.send("load", self._pid, self._bridge(), page.html, page.url, page.base_url,
                              self._host.allowed_origins())

    def reload(self) -> None:
        if self._helper is not None and not self._helper.alive:
            self._helper = None
            if self._holder is not None and self._holder.winfo_exists():
                self._holder.destroy()
            self._hold()  # a new helper, and the page again
        elif self._holder is None and not self._closed:  # the container went: a new one
            self._forget_helper()
            self._hold()
        elif self._helper is not None:
            self._host.page_loading()
            self._helper.send("reload", self._pid, self._bridge(), self._host.allowed_origins())

    def post(self, wire: str) -> None:
        if self._helper is not None:
            self._helper.send("post", self._pid, wire)

    def execute(self, script: str) -> None:
        if self._helper is not None:
            self._helper.send("execute", self._pid, script)

    def show_devtools(self) -> bool:
        if self._helper is not None:
            self._helper.send("devtools", self._pid)
        return True

    def close_devtools(self) -> None:
        if self._helper is not None:
            self._helper.send("devtools-close", self._pid)

    def shortcuts_changed(self) -> None:
        """Tell the helper the app's chords: its keyboard handler takes them from the page."""
        if self._helper is not None:
            self._helper.send("shortcuts", self._pid, sorted(self._host.shortcuts()))

    def close(self) -> None:
        self._closed = True
        self._release()
        self._helper = None

    def _release(self) -> None:
        """Have the helper close this panel's browser. Its window must outlive our
        container (X destroys children with their parent, and CEF never finishes closing
        a browser whose window is gone): it is moved out before Tk destroys the container.

        When the container goes without ``close()`` (the app destroyed the panel's widget,
        or the helper died and its window with it, which X can tell before the pipe does),
        the panel stays among the helper's until the helper answers ``closed``: a helper
        that died instead still finds it, to settle what it waits for."""
        helper, holder = self._helper, self._holder
        self._holder = None  # destroyed now; reload() makes another
        if helper is None or not helper.alive:  # a dead one stays, for reload() to replace
            return
        if not self._close_sent:
            if holder is not None:
                detach_children(holder)
            helper.send("close", self._pid)
            self._close_sent = True
        if self._closed:
            self._forget_helper()

    def _forget_helper(self) -> None:
        if self._helper is not None:
            self._helper.panels.pop(self._pid, None)
            self._helper = None

    # -- from the helper ---------------------------------------------------------------------

    def _from_helper(self, op: str, args: List[Any]) -> None:
        if op == "receive":
            self._host.receive(args[0])
        elif op == "closed":  # the helper closed the browser of a container that went
            self._forget_helper()
            if not self._closed:  # the window went, not the panel: its page is gone
                self._host.page_loading("the panel's CEF window was destroyed; reload() opens it again")
        elif op == "loading":
            self._host.page_loading(args[0] if args else None)
        elif op == "refused":
            self._host.allows(args[0], args[1])  # refuses again here, where it is reported
        elif op == "log":
            self._host.page_log(*args)
        elif op == "shortcut":
            self._host.shortcut(args[0])  # a chord unbound meanwhile does nothing
        elif op == "navigate":  # a load the page caused: made here, where its bridge is issued
            if args:
                self.load(Page(*args))
            else:
                self.reload()

    def _helper_died(self, code: Optional[int]) -> None:
        self._host.page_loading("the CEF helper process ended (exit code {}); reload() starts a new one".format(code))
