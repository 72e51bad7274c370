"""The raw engine, for baselines: the same work done with the engine's own calls.

Benchmarks only: this reaches into the transports to reuse their browser. ``expose``
puts a Python function in the page; ``exported(name)`` is a page function that the page
handed over with ``__benchExport(name, fn)``.
"""

from typing import Any, Callable, Dict, Optional

import craft_tk


class RawEngine:
    def __init__(self, panel: craft_tk.WebPanel) -> None:
        self.panel = panel
        self.exports: Dict[str, Callable[..., Any]] = {}
        self.expose("__benchExport", self._export)

    def _export(self, name: str, fn: Any) -> None:
        self.exports[str(name)] = fn

    def expose(self, name: str, fn: Callable[..., Any]) -> None:
        raise NotImplementedError

    def call(self, name: str, *args: Any) -> None:
        raise NotImplementedError


class RawCef(RawEngine):
    def expose(self, name: str, fn: Callable[..., Any]) -> None:
        transport = self.panel.transport
        transport._bindings.SetFunction(name, fn)
        transport._browser.SetJavascriptBindings(transport._bindings)

    def call(self, name: str, *args: Any) -> None:
        self.exports[name].Call(*args)


class RawTkhtml(RawEngine):
    def expose(self, name: str, fn: Callable[..., Any]) -> None:
        import pythonmonkey as pm

        pm.eval("(function (name, fn) { globalThis[name] = fn; })")(name, fn)

    def call(self, name: str, *args: Any) -> None:
        with self.panel._dispatcher.driver.running():
            self.exports[name](*args)


def raw_engine(panel: craft_tk.WebPanel) -> Optional[RawEngine]:
    """The raw engine behind ``panel``; None for CEF in a helper process (out of reach)."""
    return {"cef": RawCef, "tkhtml": RawTkhtml}.get(panel.backend, lambda _: None)(panel)
