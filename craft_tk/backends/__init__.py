"""Browser backends, loaded by name.

=============  =============================================================  ==========
name           engine                                                         Python
=============  =============================================================  ==========
``cef``        Chromium 66 through cefpython3, in process on 3.7, else in a    any
               Python 3.7 helper process (``panel.backend == "cef-host"``)
``tkhtml``     tkinterweb's Tkhtml widget, JavaScript by PythonMonkey          >= 3.8
``loopback``   no browser: a Python stand-in for the page, for unit tests      any
=============  =============================================================  ==========

``auto`` takes the first of ``cef``, ``tkhtml`` that loads (or the name in the
``CRAFT_TK_BACKEND`` environment variable, when set).
"""

import importlib
import os
from typing import Any, Dict, List, Tuple

from .._errors import BackendUnavailable
from ._base import Page, PageHost, Transport

__all__ = ["AUTO_ORDER", "BACKENDS", "Page", "PageHost", "Transport", "load_backend"]

BACKENDS: Dict[str, List[Tuple[str, str]]] = {
    "cef": [("craft_tk.backends._cef", "CefTransport"), ("craft_tk.backends._cef_host", "CefHostTransport")],
    "tkhtml": [("craft_tk.backends._tkhtml", "TkhtmlTransport")],
    "loopback": [("craft_tk.backends._loopback", "LoopbackTransport")],
}
AUTO_ORDER = ("cef", "tkhtml")


def load_backend(name: str = "auto") -> Any:
    """Return the transport class of backend ``name``.

    Raises ``BackendUnavailable`` saying what to install when it cannot load, and
    ``ValueError`` for a name that is not a backend.
    """
    if name == "auto":
        name = os.environ.get("CRAFT_TK_BACKEND", "auto")
    if name == "auto":
        problems: List[str] = []
        for candidate in AUTO_ORDER:
            try:
                return load_backend(candidate)
            except BackendUnavailable as error:
                problems.append(str(error))
        raise BackendUnavailable("no browser engine loads here:\n- " + "\n- ".join(problems))
    if name == "cef-host":
        name = "cef"
    if name not in BACKENDS:
        raise ValueError("unknown backend {!r}; choose one of: auto, {}".format(name, ", ".join(sorted(BACKENDS))))
    problems = []
    for module_name, class_name in BACKENDS[name]:
        try:
            return getattr(importlib.import_module(module_name), class_name)
        except BackendUnavailable as error:
            problems.append(str(error))
    raise BackendUnavailable("; ".join(problems))
