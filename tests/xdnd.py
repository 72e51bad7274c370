"""A real XDND drag and drop of files from a second X client, for tests of drop targets.

``drag_files(paths, points)`` opens its own X connection, owns ``XdndSelection`` from a
small unmapped window and talks XDND (version 5) to the window under each root point:
XdndEnter, one XdndPosition per point (each answered by XdndStatus), then XdndDrop at the
last point (or XdndLeave with ``drop=False``), serving the target's selection requests
(``text/uri-list``: percent-encoded ``file://`` URIs, CRLF separated, as file managers
send them) until XdndFinished. It returns the action the target reported.

The drag runs in the calling thread. A Tk app under test must keep handling events
meanwhile, so run the drag in a worker thread and pump Tk in the main one::

    future = drag_files_in_thread(["/tmp/a b.txt"], [(120, 80), (130, 90)])
    while not future.done():
        root.update()
        time.sleep(0.01)
    assert future.result() == "copy"

From a shell (the last point is the drop; ``--leave`` moves away without dropping)::

    python -m tests.xdnd 120 80 130 90 -- "/tmp/a b.txt" /tmp/b.txt

Only python-xlib is needed. The target window at a point is found by descending from the
root through the mapped children containing the point down to the first window with
``XdndAware`` (or a valid ``XdndProxy``): the top-level, as the spec says (under a window
manager, the client window inside its frame; without one, the Tk wrapper window).
"""

import argparse
import os
import select
import sys
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple
from urllib.parse import quote

from Xlib import X, Xatom, display as xdisplay, error as xerror
from Xlib.protocol import event as xevent

__all__ = [
    "DropRefused",
    "DropTimeout",
    "NoDropTarget",
    "XdndError",
    "drag",
    "drag_files",
    "drag_files_in_thread",
    "drag_in_thread",
    "file_uri_list",
]

XDND_VERSION = 5
ACTIONS = ("copy", "move", "link", "ask", "private")
Point = Tuple[int, int]
Log = Callable[[str], None]


class XdndError(RuntimeError):
    """A drag did not complete."""


class NoDropTarget(XdndError):
    """No XDND-aware window under a point."""


class DropRefused(XdndError):
    """The target refused the drop (XdndStatus or XdndFinished said so)."""


class DropTimeout(XdndError, TimeoutError):
    """The target did not answer in time."""


class _Target(NamedTuple):
    window: int  # the XdndAware top-level: the ``window`` field of every message
    send_to: int  # where messages go: the window itself or its XdndProxy
    version: int


def file_uri_list(paths: Sequence[str]) -> bytes:
    """``text/uri-list`` for local paths: ``file://`` URIs, percent-encoded UTF-8, CRLF ended."""
    uris = ["file://" + quote(os.path.abspath(path).encode("utf-8"), safe="/") for path in paths]
    return "".join(uri + "\r\n" for uri in uris).encode("ascii")


def drag_files(paths: Sequence[str], points: Sequence[Point], display_name: Optional[str] = None,
               timeout: float = 10.0, drop: bool = True, action: str = "copy",
               log: Optional[Log] = None) -> str:
    """Drag files over ``points`` (root coordinates) and drop them at the last one.

    Offers ``text/uri-list`` and ``text/plain;charset=utf-8`` (the paths, one per line).
    Returns the action the target performed ("copy", ...), or with ``drop=False`` the
    action of the last XdndStatus ("" if the target would refuse) after an XdndLeave.
    Raises NoDropTarget, DropRefused or DropTimeout (``timeout`` covers the whole drag).
    A target answers XdndDrop after handling it, but XdndLeave never: after a drag
    without a drop, keep its event loop running until it has seen the leave.
    """
    text = "\n".join(os.path.abspath(path) for path in paths).encode("utf-8")
    data = {"text/uri-list": file_uri_list(paths), "text/plain;charset=utf-8": text}
    return drag(data, points, display_name=display_name, timeout=timeout, drop=drop,
                action=action, log=log)


def drag_files_in_thread(paths: Sequence[str], points: Sequence[Point], **kwargs: Any) -> "Future[str]":
    """``drag_files`` in a new daemon thread; the Future holds its result or exception."""
    return _in_thread(lambda: drag_files(paths, points, **kwargs))


def drag_in_thread(data: Mapping[str, bytes], points: Sequence[Point], **kwargs: Any) -> "Future[str]":
    """``drag`` in a new daemon thread; the Future holds its result or exception."""
    return _in_thread(lambda: drag(data, points, **kwargs))


def _in_thread(run_drag: Callable[[], str]) -> "Future[str]":
    future = Future()  # type: Future[str]

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(run_drag())
        except BaseException as exc:  # handed to whoever waits on the future
            future.set_exception(exc)

    threading.Thread(target=run, name="xdnd-drag", daemon=True).start()
    return future


def drag(data: Mapping[str, bytes], points: Sequence[Point], display_name: Optional[str] = None,
         timeout: float = 10.0, drop: bool = True, action: str = "copy",
         log: Optional[Log] = None) -> str:
    """Drag ``data`` (MIME type -> bytes, in order of preference); see ``drag_files``."""
    if not points:
        raise ValueError("at least one point is needed")
    if not data:
        raise ValueError("at least one data type is needed")
    if action not in ACTIONS:
        raise ValueError("action must be one of {}".format(", ".join(ACTIONS)))
    session = _Drag(data, display_name, timeout, log)
    try:
        return session.run([(int(x), int(y)) for x, y in points], drop, action)
    finally:
        session.close()


class _Drag:
    """One drag: an X connection, a source window owning XdndSelection, the event loop."""

    def __init__(self, data: Mapping[str, bytes], display_name: Optional[str], timeout: float,
                 log: Optional[Log]) -> None:
        self.deadline = time.monotonic() + timeout
        self.timeout = timeout
        self.log = log or (lambda message: None)
        self.display = xdisplay.Display(display_name)
        self.root = self.display.screen().root
        self.atoms = {}  # type: Dict[str, int]
        self.data = {self.atom(name): bytes(value) for name, value in data.items()}
        self.types = list(self.data)
        self.served = []  # type: List[str]
        self.target = None  # type: Optional[_Target]
        self.window = self.root.create_window(-100, -100, 1, 1, 0, X.CopyFromParent,
                                              event_mask=X.PropertyChangeMask,
                                              override_redirect=True)
        self.window.change_property(self.atom("XdndTypeList"), Xatom.ATOM, 32, self.types)
        self.time = self.server_time()
        self.window.set_selection_owner(self.atom("XdndSelection"), self.time)
        self.display.flush()

    def close(self) -> None:
        """Close the connection: the server destroys the window and drops the selection."""
        self.display.close()

    def atom(self, name: str) -> int:
        """The atom for ``name``, cached."""
        if name not in self.atoms:
            self.atoms[name] = self.display.intern_atom(name)
        return self.atoms[name]

    def atom_name(self, atom: int) -> str:
        """The name of ``atom`` ("None" for 0)."""
        return str(self.display.get_atom_name(atom)) if atom else "None"

    def server_time(self) -> int:
        """A server timestamp, from the PropertyNotify of a property change on our window."""
        self.window.change_property(self.atom("XDND_TEST_TIMESTAMP"), Xatom.STRING, 8, b"")
        found = self.pump(lambda ev: ev.type == X.PropertyNotify and ev.window.id == self.window.id,
                          "a server timestamp")
        return int(found.time)

    # -- the drag ----------------------------------------------------------------------

    def run(self, points: List[Point], drop: bool, action: str) -> str:
        """Enter, move over, then drop on or leave the targets under ``points``."""
        action_atom = self.atom("XdndAction" + action.capitalize())
        try:
            status, seen_target = self.move(points, action_atom)
        except XdndError:
            if self.target is not None:  # let the target forget the drag
                self.send(self.target, "XdndLeave", [0, 0, 0, 0])
            raise
        target = self.target
        if target is None:
            if drop:
                raise NoDropTarget("no XdndAware window at {}".format(points[-1]))
            if not seen_target:
                raise NoDropTarget("no XdndAware window at any of {}".format(points))
            return ""  # moved off the target: it got its XdndLeave
        assert status is not None  # the last point had a target, so it answered
        return self.finish(target, status, drop, points[-1])

    def finish(self, target: _Target, status: Tuple[bool, int], drop: bool, point: Point) -> str:
        """Leave, or drop and wait for XdndFinished; the action as ``run`` returns it."""
        accepted, status_action = status
        if not drop:
            self.send(target, "XdndLeave", [0, 0, 0, 0])
            return self.action_name(status_action) if accepted else ""
        if not accepted:
            self.send(target, "XdndLeave", [0, 0, 0, 0])
            raise DropRefused("window 0x{:x} refused the drop at {} (XdndStatus)".format(
                target.window, point))
        self.send(target, "XdndDrop", [0, self.time, 0, 0])
        finished = self.pump(lambda ev: self.is_message(ev, "XdndFinished", target),
                             "XdndFinished from 0x{:x}".format(target.window))
        flags, done_action = finished.data[1][1], finished.data[1][2]
        # Version 5 sets bit 0 of l[1] on success; tkdnd 2.x sets bit 1 instead, so a
        # performed action also counts as accepted.
        if not (flags & 1 or done_action):
            raise DropRefused("window 0x{:x} refused the drop (XdndFinished)".format(target.window))
        self.log("XdndFinished: {} (flags 0x{:x}; served {})".format(
            self.atom_name(done_action), flags, self.served))
        return self.action_name(done_action)

    def move(self, points: List[Point], action_atom: int) -> Tuple[Optional[Tuple[bool, int]], bool]:
        """XdndPosition at each point, entering and leaving targets on the way: the last
        status (None when the last point has no target) and whether any point had one."""
        status = None  # type: Optional[Tuple[bool, int]]
        seen_target = False
        for x, y in points:
            found = self.find_target(x, y)
            if found != self.target:
                if self.target is not None:
                    self.send(self.target, "XdndLeave", [0, 0, 0, 0])
                self.target, status = found, None
                if found is not None:
                    self.enter(found)
            if self.target is None:
                self.log("no XdndAware window at ({}, {})".format(x, y))
                continue
            seen_target = True
            position = (x & 0xFFFF) << 16 | y & 0xFFFF
            self.send(self.target, "XdndPosition", [0, position, self.time, action_atom])
            status = self.wait_status(self.target, (x, y))
        return status, seen_target

    def enter(self, target: _Target) -> None:
        """Send XdndEnter: our version and the first three types, or 'see XdndTypeList'."""
        version = min(XDND_VERSION, target.version)
        more = 1 if len(self.types) > 3 else 0
        first = (self.types + [0, 0, 0])[:3]
        self.send(target, "XdndEnter", [(version << 24) | more] + first)

    def wait_status(self, target: _Target, point: Point) -> Tuple[bool, int]:
        """Wait for the XdndStatus answering a position: (accepts, action atom)."""
        status = self.pump(lambda ev: self.is_message(ev, "XdndStatus", target),
                           "XdndStatus from 0x{:x} at {}".format(target.window, point))
        flags, status_action = status.data[1][1], status.data[1][4]
        accepted = bool(flags & 1)
        self.log("XdndStatus at {}: {}".format(
            point, self.atom_name(status_action) if accepted else "refused"))
        return accepted, status_action

    def action_name(self, atom: int) -> str:
        """The short name of an action atom ("copy" for XdndActionCopy), else its name."""
        name = self.atom_name(atom)
        return name[len("XdndAction"):].lower() if name.startswith("XdndAction") else name

    # -- finding the target ------------------------------------------------------------

    def find_target(self, x: int, y: int) -> Optional[_Target]:
        """The first XdndAware window on the way from the root down to the point."""
        window = self.root
        while True:
            try:
                child = window.translate_coords(self.root, x, y).child
            except xerror.XError:
                return None
            if not child:
                return None
            window = child
            target = self.xdnd_target(window)
            if target is not None:
                self.log("target at ({}, {}): 0x{:x} (version {})".format(
                    x, y, target.window, target.version))
                return target

    def xdnd_target(self, window: Any) -> Optional[_Target]:
        """A _Target for ``window`` if it is XdndAware, through its XdndProxy if valid."""
        send_to = window
        proxy = self.property_values(window, "XdndProxy", Xatom.WINDOW)
        if proxy:
            candidate = self.display.create_resource_object("window", proxy[0])
            if self.property_values(candidate, "XdndProxy", Xatom.WINDOW)[:1] == [proxy[0]]:
                send_to = candidate
        version = self.property_values(send_to, "XdndAware", Xatom.ATOM) \
            or self.property_values(window, "XdndAware", Xatom.ATOM)
        if not version or version[0] < 3:
            return None
        return _Target(window.id, send_to.id, int(version[0]))

    def property_values(self, window: Any, name: str, kind: int) -> List[int]:
        """A 32-bit property's values, [] when absent (or the window is gone)."""
        try:
            prop = window.get_full_property(self.atom(name), kind)
        except xerror.XError:
            return []
        return [int(value) for value in prop.value] if prop is not None and prop.format == 32 else []

    # -- messages and events -----------------------------------------------------------

    def send(self, target: _Target, name: str, rest: List[int]) -> None:
        """A ClientMessage ``name`` to ``target``: data l[0] is our window, then ``rest``."""
        message = xevent.ClientMessage(window=target.window, client_type=self.atom(name),
                                       data=(32, [self.window.id] + rest))
        self.display.create_resource_object("window", target.send_to).send_event(
            message, event_mask=0, propagate=False)
        self.display.flush()
        self.log("sent {} to 0x{:x}".format(name, target.window))

    def is_message(self, ev: Any, name: str, target: _Target) -> bool:
        """Whether ``ev`` is the ClientMessage ``name`` from ``target``."""
        return (ev.type == X.ClientMessage and ev.client_type == self.atom(name)
                and ev.data[1][0] in (target.window, target.send_to))

    def pump(self, wanted: Callable[[Any], bool], what: str) -> Any:
        """Handle events (serving selection requests) until one is ``wanted``; return it."""
        while True:
            while self.display.pending_events():
                ev = self.display.next_event()
                if ev.type == X.SelectionRequest:
                    self.serve(ev)
                elif wanted(ev):
                    return ev
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise DropTimeout("no {} within {:g} s".format(what, self.timeout))
            select.select([self.display], [], [], min(left, 0.1))

    def serve(self, request: Any) -> None:
        """Answer a SelectionRequest for XdndSelection: TARGETS or one of our types."""
        prop = request.property or request.target  # obsolete requestors pass None
        target_name = self.atom_name(request.target)
        if request.selection != self.atom("XdndSelection"):
            prop = X.NONE
        elif request.target == self.atom("TARGETS"):
            request.requestor.change_property(prop, Xatom.ATOM, 32,
                                              [self.atom("TARGETS")] + self.types)
        elif request.target in self.data:
            request.requestor.change_property(prop, request.target, 8, self.data[request.target])
        else:
            prop = X.NONE
        self.served.append(target_name if prop else target_name + " (refused)")
        self.log("selection request for {}: {}".format(target_name, "served" if prop else "refused"))
        notify = xevent.SelectionNotify(time=request.time, requestor=request.requestor,
                                        selection=request.selection, target=request.target,
                                        property=prop)
        request.requestor.send_event(notify, event_mask=0, propagate=False)
        self.display.flush()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m tests.xdnd X Y [X Y ...] -- PATH...``: drag files, print the action."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "--" not in args:
        args.append("--")
    split = args.index("--")
    parser = argparse.ArgumentParser(prog="python -m tests.xdnd",
                                     usage="%(prog)s [options] X Y [X Y ...] -- PATH...",
                                     description="Drag files onto the window at the root points; "
                                                 "drop at the last one.")
    parser.add_argument("coords", nargs="+", type=int, metavar="X Y")
    parser.add_argument("--leave", action="store_true", help="leave instead of dropping")
    parser.add_argument("--display", help="X display (default: $DISPLAY)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--action", default="copy", choices=ACTIONS)
    parser.add_argument("-v", "--verbose", action="store_true", help="log the protocol")
    options = parser.parse_args(args[:split])
    paths = args[split + 1:]
    if len(options.coords) % 2 or not paths:
        parser.error("give X Y pairs, then -- and at least one path")
    points = list(zip(options.coords[::2], options.coords[1::2]))
    log = (lambda message: print(message, file=sys.stderr)) if options.verbose else None
    try:
        print(drag_files(paths, points, display_name=options.display, timeout=options.timeout,
                         drop=not options.leave, action=options.action, log=log))
    except XdndError as exc:
        print("{}: {}".format(type(exc).__name__, exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
