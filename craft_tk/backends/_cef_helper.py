"""The CEF helper process: cefpython3 (Python 3.7) for an app on any Python.

``python3.7 -m craft_tk.backends._cef_helper`` reads frames on stdin and writes frames on
stdout (``_pipe``). For each panel it embeds a Tk toplevel in the app's frame (X11's
embedding: ``Toplevel(use=xid)``) and runs the ordinary CEF transport in it, relaying wire
strings unchanged: no IPC logic lives here. It exits when the app's end of the pipe
closes, also when the app was killed.

Frames from the app: ``open pid xid``, ``load pid bridge html url base_url origins``,
``reload pid bridge origins``, ``post pid wire``, ``execute pid script``, ``shortcuts pid
chords`` (the app's key chords, taken here from the page: a key must be consumed or
not before CEF's keyboard callback returns), ``close pid``.
Frames to the app: ``receive pid wire``, ``loading pid failure`` (failure: null, or why
the page went, such as a crashed renderer), ``refused pid url main_frame``, ``navigate pid
[html url base_url]`` (a load the page caused, for the app to make with a new bridge; with
no page: a reload), ``shortcut pid chord`` (one of the chords was pressed in the page),
``closed pid`` (its browser is closed, after ``close``).
"""

import ctypes
import os
import signal
import sys
import tkinter as tk
from typing import Any, Callable, Dict, FrozenSet, List, Optional

from craft_tk import jsbridge

from .._protocol import read_boot
from .._security import OriginPolicy
from ._base import Page, PageHost
from ._cef import CefTransport, _Runtime
from ._pipe import FrameReader, FrameWriter

__all__ = ["main"]



class _PanelHost:
    """The PageHost of one panel: relays to the app, and answers ``allows`` and
    ``shortcuts`` with the app's policy (sent with each load) and chords (sent when they
    change); the app hears of each refusal and reports it."""

    def __init__(self, pid: int, out: FrameWriter, bridge: Callable[[], str]) -> None:
        self._pid = pid
        self._out = out
        self._bridge = bridge
        self.policy = OriginPolicy()
        self.chords: FrozenSet[str] = frozenset()
        self.devtools_port: Optional[int] = None

    def allows(self, url: str, main_frame: bool = True) -> bool:
        if main_frame and self.policy.allows(url):
            return True
        self._out.send("refused", self._pid, url, main_frame)
        return False

    def allowed_origins(self) -> List[str]:
        return self.policy.as_list()

    def receive(self, wire: Any) -> bool:
        """Relay ``wire`` to the app. The app decides; here a hello counts as accepted
        (its receive function kept) only with the secret of the bridge this panel runs."""
        self._out.send("receive", self._pid, wire if isinstance(wire, str) else str(wire))
        bridge = self._bridge()
        if not isinstance(wire, str) or '"kind":"hello"' not in wire[:80] or not bridge:
            return False
        secret = read_boot(bridge, jsbridge.bridge_source()).get("secret", "")
        return bool(secret) and wire.startswith('["{}"'.format(secret))

    def page_log(self, level: str, message: str, source: Optional[str] = None, line: Optional[int] = None) -> None:
        self._out.send("log", self._pid, level, message, source, line)

    def page_error(self, message: str, source: Optional[str] = None, line: Optional[int] = None) -> None:
        """Never called: craft.js reports the page's errors over the wire on CEF."""

    def page_loading(self, failure: Optional[str] = None) -> None:
        self._out.send("loading", self._pid, failure)

    def shortcuts(self) -> FrozenSet[str]:
        return self.chords

    def shortcut(self, chord: str) -> None:
        self._out.send("shortcut", self._pid, chord)


class _RelayedTransport(CefTransport):
    """The CEF transport of one panel here: a load the page causes (a link, a popup,
    ``location.reload()``) is made by the app, as each load needs a bridge of its own (its
    own secret, today's state), which only the app can issue."""

    def __init__(self, frame: tk.Frame, host: PageHost, bridge: Callable[[], str], out: FrameWriter,
                 pid: int) -> None:
        super().__init__(frame, host, bridge)
        self._out = out
        self._pid = pid

    def _load_anew(self, page: Optional[Page]) -> None:
        if page is None:
            self._out.send("navigate", self._pid)
        else:
            self._out.send("navigate", self._pid, page.html, page.url, page.base_url)


class Helper:
    def __init__(self, root: tk.Tk, out: FrameWriter) -> None:
        self.root = root
        self.out = out
        self.panels: Dict[int, CefTransport] = {}
        self.tops: Dict[int, tk.Toplevel] = {}
        self.bridges: Dict[int, str] = {}
        self.hosts: Dict[int, _PanelHost] = {}

    def handle(self, frame: List[Any]) -> None:
        op, pid, args = frame[0], frame[1], frame[2:]
        if op == "open":
            top = tk.Toplevel(self.root, use=int(args[0]))
            holder = tk.Frame(top)
            holder.pack(fill="both", expand=True)
            self.tops[pid] = top
            self.hosts[pid] = _PanelHost(pid, self.out, lambda: self.bridges.get(pid, ""))
            self.hosts[pid].devtools_port = args[1] if len(args) > 1 else None
            self.panels[pid] = _RelayedTransport(holder, self.hosts[pid], lambda: self.bridges.get(pid, ""),
                                                 self.out, pid)
        elif op == "close":
            transport = self.panels.pop(pid, None)
            if transport is not None:
                transport.close()
                self.tops.pop(pid).destroy()
                self.hosts.pop(pid, None)
                self.bridges.pop(pid, None)
            self.out.send("closed", pid)
        elif pid in self.panels:
            transport = self.panels[pid]
            if op == "load":
                self.bridges[pid] = args[0]
                self.hosts[pid].policy = OriginPolicy(args[4])
                transport.load(Page(html=args[1], url=args[2], base_url=args[3]))
            elif op == "reload":
                self.bridges[pid] = args[0]
                self.hosts[pid].policy = OriginPolicy(args[1])
                transport.reload()
            elif op == "post":
                transport.post(args[0])
            elif op == "execute":
                transport.execute(args[0])
            elif op == "devtools":
                transport.show_devtools()
            elif op == "devtools-close":
                transport.close_devtools()
            elif op == "shortcuts":
                self.hosts[pid].chords = frozenset(args[0])


def _die_with_parent() -> None:
    """Linux: get SIGTERM when the app dies, however it dies."""
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def main() -> None:
    _die_with_parent()
    out_fd = os.dup(1)
    os.dup2(2, 1)  # stray prints must not corrupt the frames on the real stdout
    root = tk.Tk()
    root.withdraw()
    devtools_port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    _Runtime.ensure(root, devtools_port or None)  # Chromium starts before the first panel asks
    helper = Helper(root, FrameWriter(out_fd))

    def quit_now(*_: Any) -> None:
        root.quit()

    reader = FrameReader(0, helper.handle)

    def on_input(*_: Any) -> None:
        if not reader.read():
            quit_now()

    root.tk.createfilehandler(0, tk.READABLE, on_input)
    signal.signal(signal.SIGTERM, lambda *_: root.after(0, quit_now))
    root.mainloop()
    for transport in list(helper.panels.values()):
        transport.close()
    _Runtime.shutdown()
    os._exit(0)


if __name__ == "__main__":
    main()
