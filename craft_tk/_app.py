"""``craft_tk.app``: every panel of the app by label, and messages across them.

Each panel has a unique ``label`` (given, or ``panel-1``, ``panel-2``...). ``app.emit``
broadcasts to every panel or to those ``to=`` names (a label, labels, or a predicate);
``app.on`` hears an event from any panel and ``sender()`` tells which one spoke;
``app.handle`` answers an invoke for every panel that has no handler of its own (inside,
``current_invocation().label`` is the caller). Pages talk to each other through native
(``craft.sendTo(label, name, data)``, ``craft.broadcast(name, data)``), so the origin
policy and typed contracts still apply. A panel still loading gets what was sent to it
once it connects, in order; a panel that closes leaves the app and drops its queue.
"""

import asyncio
import contextvars
import itertools
import logging
import os
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, TypeVar, Union

from ._errors import IpcError
from ._listeners import Listeners

if TYPE_CHECKING:
    from ._panel import WebPanel

__all__ = ["App", "app", "sender"]

F = TypeVar("F", bound=Callable[..., Any])
Target = Union[None, str, Sequence[str], Callable[["WebPanel"], bool]]

# The label of the panel whose message is being handled (None: native's own doing).
_sender: "contextvars.ContextVar[Optional[str]]" = contextvars.ContextVar("craft_sender", default=None)
_reporter: "contextvars.ContextVar[Optional[Callable[[IpcError], Any]]]" = contextvars.ContextVar(
    "craft_reporter", default=None)


def sender() -> Optional[str]:
    """In a listener or handler: the label of the panel whose page sent what it handles;
    None for what native itself did."""
    return _sender.get()


class App:
    """The app's panels and the messaging across them (the one instance: ``craft_tk.app``)."""

    def __init__(self) -> None:
        self._panels: Dict[str, "WebPanel"] = {}
        self._numbers = itertools.count(1)
        self._events = Listeners(self._listener_failed, _current_loop)
        self._lifecycle = Listeners(self._listener_failed, _current_loop)
        self.handlers: Dict[str, Any] = {}  # name -> the Invocations entry of an app-wide handler
        self._taps: List[Any] = []  # Taps that follow every panel (inspector, trace)
        self._env_trace: Optional[Any] = None

    # -- panels -----------------------------------------------------------------------------

    def panels(self) -> List["WebPanel"]:
        """The open panels, oldest first."""
        return list(self._panels.values())

    def panel(self, label: str) -> "WebPanel":
        """The open panel labelled ``label``; ``KeyError`` naming the labels if none."""
        try:
            return self._panels[label]
        except KeyError:
            raise KeyError("no panel labelled {!r}; the panels are {}".format(label, sorted(self._panels))) from None

    def on_open(self, fn: Callable[["WebPanel"], Any]) -> Callable[[], None]:
        """Call ``fn(panel)`` for each panel that opens; returns a remover."""
        return self._lifecycle.add("open", fn)

    def on_close(self, fn: Callable[["WebPanel"], Any]) -> Callable[[], None]:
        """Call ``fn(panel)`` for each panel that closes; returns a remover."""
        return self._lifecycle.add("close", fn)

    def add(self, panel: "WebPanel", label: Optional[str]) -> str:
        """Register ``panel`` under ``label`` (or a new one); ``ValueError`` if taken.
        ``opened(panel)`` announces it once it is made."""
        if label is None:
            label = next(label for label in ("panel-{}".format(n) for n in self._numbers) if label not in self._panels)
        elif not isinstance(label, str) or not label:
            raise ValueError("a panel label is a non-empty string, not {!r}".format(label))
        elif label in self._panels:
            raise ValueError("a panel labelled {!r} is open already; labels are unique".format(label))
        self._panels[label] = panel
        return label

    def opened(self, panel: "WebPanel") -> None:
        """``panel`` is made: taps follow it, the ``on_open`` listeners hear of it."""
        self._trace_from_environment()
        for tap in self._taps:
            panel.add_tap(tap)
        self._lifecycle.fire("open", panel)

    def add_tap(self, tap: Any) -> Callable[[], None]:
        """Let ``tap`` (a ``Tap``) record what crosses every panel, those opened later too;
        returns the function that stops it."""
        self._taps.append(tap)
        for panel in self.panels():
            panel.add_tap(tap)

        def remove() -> None:
            if tap in self._taps:
                self._taps.remove(tap)
            for panel in self.panels():
                panel.remove_tap(tap)
        return remove

    def trace(self, path: str, payloads: bool = True) -> Any:
        """Record what crosses every panel as a Chrome trace at ``path``: a ``Trace``, whose
        ``stop()`` writes it (so does the end of the program)."""
        from ._trace import Trace

        return Trace(path, payloads).follow(self)

    def _trace_from_environment(self) -> None:
        """``CRAFT_TK_TRACE=file.json``: trace every panel of the run into that file."""
        path = os.environ.get("CRAFT_TK_TRACE")
        if path and self._env_trace is None:
            self._env_trace = self.trace(path, os.environ.get("CRAFT_TK_TRACE_PAYLOADS", "1") != "0")

    def remove(self, label: str) -> None:
        """``label``'s panel closed."""
        panel = self._panels.pop(label, None)
        if panel is not None:
            self._lifecycle.fire("close", panel)

    # -- messaging --------------------------------------------------------------------------

    def emit(self, name: str, data: Any = None, to: Target = None) -> List[str]:
        """Send event ``name`` to every panel, or to ``to``: a label, a list of labels, or a
        predicate of the panel. Returns the labels it went to. Unknown labels raise
        ``KeyError`` before anything is sent."""
        targets = self._targets(to)
        origin = _sender.get()
        for panel in targets:
            panel._dispatcher.emit(name, data, sender=origin)
        return [panel.label for panel in targets]

    def invoke(self, label: str, name: str, *args: Any, timeout: Optional[float] = None) -> Any:
        """``invoke`` on the panel labelled ``label`` (its page's ``craft.handle``)."""
        return self.panel(label).invoke(name, *args, timeout=timeout)

    def on(self, name: str, fn: Optional[Callable[..., Any]] = None) -> Any:
        """Call ``fn(data)`` for event ``name`` from any panel's page (``sender()`` tells
        which), after that panel's own listeners; returns a remover, or a decorator."""
        if fn is None:
            def decorate(fn: F) -> F:
                self.on(name, fn)
                return fn
            return decorate
        return self._events.add(name, fn)

    def off(self, name: str, fn: Optional[Callable[..., Any]] = None) -> None:
        """Remove ``fn`` (or every app listener) from event ``name``."""
        self._events.remove(name, fn)

    def handle(self, name: str, fn: Optional[Callable[..., Any]] = None, thread: bool = False,
               schema: Any = None) -> Any:
        """Answer ``craft.invoke(name, ...)`` for every panel without a handler of its own
        (arguments checked as ``WebPanel.handle`` does); returns a remover, or a decorator."""
        from ._invoke import handler_entry  # (imported here: _invoke's users import this module)

        if fn is None:
            def decorate(fn: F) -> F:
                self.handle(name, fn, thread, schema)
                return fn
            return decorate
        if name in self.handlers:
            raise ValueError("an app handler for {!r} is already registered; remove it first".format(name))
        entry = self.handlers[name] = handler_entry(name, fn, thread, schema)
        return lambda: self.handlers.pop(name) if self.handlers.get(name) is entry else None

    def fire(self, name: str, data: Any, report: Callable[[IpcError], Any]) -> None:
        """A page event reached its panel: the app's listeners of ``name`` hear it too."""
        if self._events.has(name):
            token = _reporter.set(report)
            try:
                self._events.fire(name, data)
            finally:
                _reporter.reset(token)

    def _targets(self, to: Target) -> List["WebPanel"]:
        if to is None:
            return self.panels()
        if isinstance(to, str):
            return [self.panel(to)]
        if callable(to):
            return [panel for panel in self.panels() if to(panel)]
        return [self.panel(label) for label in _labels(to)]

    def _listener_failed(self, name: str, error: BaseException) -> None:
        failure = IpcError("app listener for {!r} raised {}: {}".format(name, type(error).__name__, error))
        failure.__cause__ = error
        report = _reporter.get()
        if report is not None:
            report(failure)
        else:
            logging.getLogger("craft_tk").error("%s", failure)


def _labels(to: Iterable[str]) -> List[str]:
    labels = list(to)
    if not all(isinstance(label, str) for label in labels):
        raise TypeError("to= takes a label, a list of labels or a predicate, not {!r}".format(to))
    return labels


def _current_loop() -> Any:
    """The loop Tk drives (asynchronous listeners run on it)."""
    return asyncio.get_event_loop()


app = App()
