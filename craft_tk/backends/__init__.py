"""Browser backends, loaded by name.

=============  =============================================================  ==========
name           engine                                                         Python
=============  =============================================================  ==========
``cef``        Chromium 66 through cefpython3, in process on 3.7, else in a    any
               Python 3.7 helper process (``panel.backend == "cef-host"``)
``tkhtml``     tkinterweb's Tkhtml widget, JavaScript by PythonMonkey          >= 3.8
``loopback``   no browser: a Python stand-in for the page, for unit tests      any
=============  =============================================================  ==========

``auto`` is the backend named by the ``CRAFT_TK_BACKEND`` environment variable when it
is set; else CEF in process when cefpython3 imports (Python 3.7); else Tkhtml when it
loads; else CEF in a helper process when a Python 3.7 with cefpython3 is found
(``CRAFT_CEF_PYTHON``, else the checkout's ``.venv/cef``, else the environment ``python -m
craft_tk setup-cef`` made, else a checkout's pyenv 3.7: see ``_cef_python``). The first choice of a process is logged
at INFO on the ``craft_tk`` logger, with the reason ("auto chose tkhtml: cefpython3 not
importable on Python 3.11"). A ``CRAFT_CEF_PYTHON`` that is set but wrong is an error
whenever the helper would be used.
"""

import difflib
import importlib
import logging
import os
import sys
from typing import Any, Dict, List, Optional, Tuple

from .._errors import BackendUnavailable
from ._base import Page, PageHost, Transport
from ._cef_python import craft_command

__all__ = ["AUTO_ORDER", "BACKENDS", "Page", "PageHost", "Transport", "devtools_port_wanted", "load_backend", "preload"]

log = logging.getLogger("craft_tk")

BACKENDS: Dict[str, List[Tuple[str, str]]] = {
    "cef": [("craft_tk.backends._cef", "CefTransport"), ("craft_tk.backends._cef_host", "CefHostTransport")],
    "tkhtml": [("craft_tk.backends._tkhtml", "TkhtmlTransport")],
    "loopback": [("craft_tk.backends._loopback", "LoopbackTransport")],
}
# What "auto" tries, in order: CEF in process, Tkhtml, CEF in a helper process.
AUTO_ORDER = (BACKENDS["cef"][0], BACKENDS["tkhtml"][0], BACKENDS["cef"][1])
_announced = False  # the choice of "auto" is logged once per process


def load_backend(name: str = "auto") -> Any:
    """Return the transport class of backend ``name`` ("auto": see the module's doc).

    Raises ``BackendUnavailable`` saying what to install when it cannot load, and
    ``ValueError`` for a name that is not a backend.
    """
    if name != "auto":
        return _load_named(name)
    variable = os.environ.get("CRAFT_TK_BACKEND", "auto")
    if variable != "auto":
        try:
            transport = _load_named(variable)
        except ValueError as error:
            raise ValueError("CRAFT_TK_BACKEND: {}".format(error)) from None
        _announce(transport.name, "CRAFT_TK_BACKEND is {!r}".format(variable))
        return transport
    return _load_auto()


def preload(backend: str = "auto", devtools_port: Optional[int] = None) -> str:
    """Load ``backend`` now and start what can start before a panel exists; return the
    name panels will show as ``panel.backend`` ("cef", "cef-host", "tkhtml"...).

    For ``cef-host`` that is the helper process, which starts Chromium at once: an app
    that calls this first thing has its first panel connect up to a few hundred
    milliseconds sooner. Its panels must want the same ``devtools_port`` (default:
    ``CRAFT_TK_DEVTOOLS_PORT``), else the first one starts another helper. Call it on
    the thread that will run Tk (the helper ends with the thread that started it).
    Raises as ``load_backend`` does.
    """
    transport = load_backend(backend)
    start = getattr(transport, "preload", None)
    if start is not None:
        start(devtools_port_wanted(devtools_port))
    return str(transport.name)


def devtools_port_wanted(port: Optional[int]) -> Optional[int]:
    """``port``, else ``CRAFT_TK_DEVTOOLS_PORT``, else None (no DevTools server)."""
    return port or int(os.environ.get("CRAFT_TK_DEVTOOLS_PORT") or 0) or None


def _load_named(name: str) -> Any:
    if name == "cef-host":
        name = "cef"
    if name not in BACKENDS:
        raise ValueError("unknown backend {!r}; {}choose one of: auto, {}".format(
            name, _did_you_mean(name), ", ".join(sorted(BACKENDS))))
    problems = []
    for module_name, class_name in BACKENDS[name]:
        try:
            return getattr(importlib.import_module(module_name), class_name)
        except BackendUnavailable as error:
            problems.append(str(error))
    if name == "cef" and sys.version_info[:2] != (3, 7):
        problems = problems[1:]  # CEF in process cannot be had here: say how to get the helper
    raise BackendUnavailable("; ".join(problems))


def _did_you_mean(name: str) -> str:
    close = difflib.get_close_matches(name.lower(), ["auto", "cef-host"] + list(BACKENDS), n=1)
    return "did you mean {!r}? ".format(close[0]) if close else ""


def _load_auto() -> Any:
    problems: List[str] = []
    for module_name, class_name in AUTO_ORDER:
        try:
            module = importlib.import_module(module_name)
        except BackendUnavailable as error:
            problems.append(str(error))
            continue
        transport = getattr(module, class_name)
        _announce(transport.name, _reason(transport.name, module, problems))
        return transport
    raise BackendUnavailable("no browser engine loads here (`{}` says how to fix each):\n- ".format(
        craft_command("doctor")) + "\n- ".join(problems))


def _reason(chosen: str, module: Any, problems: List[str]) -> str:
    """Why "auto" chose ``chosen``, for the log: ``problems`` are those of the ones before."""
    python = "Python {}.{}".format(*sys.version_info[:2])
    if chosen == "cef":
        return "cefpython3 imports on " + python
    reason = "cefpython3 not importable on " + python
    if chosen == "tkhtml":
        if os.environ.get("CRAFT_CEF_PYTHON"):  # wanted CEF? say how to get it
            reason += " (CRAFT_CEF_PYTHON is set: backend='cef' or CRAFT_TK_BACKEND=cef runs CEF with it)"
        return reason
    return "{}, and tkhtml does not load ({}); CEF runs in a helper process with {}".format(
        reason, problems[-1] if problems else "?", getattr(module, "_PYTHON", "?"))


def _announce(chosen: str, reason: str) -> None:
    global _announced
    if not _announced:
        _announced = True
        log.info("auto chose %s: %s", chosen, reason)
