"""Named listener lists: ``on``/``off``/``once`` and a fault-isolated ``fire``.

Used for native events and any other place that keeps listeners by name. A listener
that raises, or an ``async def`` listener whose coroutine fails, is reported through the
``report`` callback and never stops the listeners after it.
"""

import asyncio
import inspect
from typing import Any, Callable, Dict, List, Optional

__all__ = ["Listeners"]

Listener = Callable[..., Any]
Report = Callable[[str, BaseException], None]


class Listeners:
    """Listeners by name, called in the order they were added."""

    def __init__(self, report: Report, loop: Callable[[], asyncio.AbstractEventLoop]) -> None:
        self._by_name: Dict[str, List[Listener]] = {}
        self._report = report
        self._loop = loop

    def add(self, name: str, fn: Listener, once: bool = False) -> Callable[[], None]:
        """Add ``fn``; return a function that removes it (idempotent)."""
        if not callable(fn):
            raise TypeError("listener for {!r} must be callable, got {!r}".format(name, fn))
        entry = fn
        if once:
            def entry(*args: Any) -> Any:
                self._remove_entry(name, entry)
                return fn(*args)
            entry.__wrapped__ = fn  # type: ignore[attr-defined]
        self._by_name.setdefault(name, []).append(entry)
        return lambda: self._remove_entry(name, entry)

    def remove(self, name: str, fn: Optional[Listener] = None) -> None:
        """Remove ``fn`` (also when added with ``once``), or every listener of ``name``."""
        if fn is None:
            self._by_name.pop(name, None)
            return
        for entry in self._by_name.get(name, []):
            layer: Optional[Listener] = entry
            while layer is not None:  # once() and type checks wrap the function
                if layer == fn:  # == so bound methods match
                    self._remove_entry(name, entry)
                    return
                layer = getattr(layer, "__wrapped__", None)

    def has(self, name: str) -> bool:
        return bool(self._by_name.get(name))

    def fire(self, name: str, *args: Any) -> None:
        """Call every listener of ``name``; failures go to ``report``, never up."""
        entries = self._by_name.get(name)
        if not entries:
            return
        for fn in entries[:]:  # a copy: listeners may add or remove listeners
            try:
                result = fn(*args)
                if result is not None and inspect.isawaitable(result):
                    self._watch(name, result)
            except Exception as error:  # a listener's bug must not stop the others
                self._report(name, error)

    def _watch(self, name: str, awaitable: Any) -> None:
        task = asyncio.ensure_future(awaitable, loop=self._loop())

        def done(task: "asyncio.Future[Any]") -> None:
            if not task.cancelled() and task.exception() is not None:
                self._report(name, task.exception())  # type: ignore[arg-type]

        task.add_done_callback(done)

    def _remove_entry(self, name: str, entry: Listener) -> None:
        entries = self._by_name.get(name)
        if entries and entry in entries:
            entries.remove(entry)
            if not entries:
                del self._by_name[name]
