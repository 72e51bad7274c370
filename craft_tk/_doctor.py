"""``python -m craft_tk doctor``: which engines load here, and for each one that does not,
why and the command that fixes it.

One line per check: CEF in process (cefpython3, Python 3.7 only), CEF in a helper process
(``cef-host``: the helper's python, how it was found, whether its imports work), Tkhtml
(tkinterweb, pythonmonkey), the display, and tkdnd (files dropped from other apps). A
line starts with ``ok``, ``no`` (with a ``fix:`` line below) or ``--`` (not for this
Python). No browser starts; it takes a second or two. The exit status is 1 when no engine
loads.
"""

import argparse
import glob
import importlib
import os
import sys
import tkinter as tk
from typing import List, NamedTuple, Optional, Tuple

from ._errors import BackendUnavailable
from ._setup_cef import check_helper, find_python37, how_to_get_python37
from .backends._cef_python import (PACKAGE, TOP, craft_command, find_helper, from_checkout, python_command,
                                   setup_record_path)

__all__ = ["Check", "main"]

ON_37 = sys.version_info[:2] == (3, 7)
_FOUND_BY = {
    "CRAFT_CEF_PYTHON": "CRAFT_CEF_PYTHON",
    "checkout": "the checkout's .venv/cef",
    "setup-cef": "setup-cef's record ({record})",
    "pyenv": "pyenv (from the checkout)",
}


class Check(NamedTuple):
    """One line of the report: ``status`` is "ok", "no" or "--"; ``fix`` a command."""

    status: str
    name: str
    detail: str
    fix: str = ""


def _install(extra: str) -> str:
    """The pip command that installs craft_tk with ``extra``, as this craft_tk came."""
    if from_checkout():
        return python_command("-m", "pip", "install", "-e", "{}[{}]".format(TOP, extra))
    return python_command("-m", "pip", "install", "craft_tk[{}]".format(extra))


def _version(distribution: str, module: str) -> str:
    try:
        return str(importlib.import_module("importlib.metadata").version(distribution))  # Python >= 3.8
    except Exception:  # no importlib.metadata (3.7), or not installed as a distribution
        pass
    for folder in sys.path:  # as importlib.metadata finds it: NAME-VERSION.dist-info
        for found in glob.glob(os.path.join(folder or ".", "{}-*.dist-info".format(distribution))):
            return os.path.basename(found)[len(distribution) + 1:-len(".dist-info")]
    return str(getattr(sys.modules.get(module), "__version__", "?"))


def check_cef() -> Check:
    """CEF in process: cefpython3 imports (Python 3.7 only)."""
    if not ON_37:
        return Check("--", "cef", "in process needs Python 3.7 (cefpython3's last Linux wheels): on {}.{} CEF runs "
                     "in a helper process, cef-host".format(*sys.version_info[:2]))
    try:
        importlib.import_module("craft_tk.backends._cef")
    except BackendUnavailable as error:
        return Check("no", "cef", str(error), _install("cef"))
    return Check("ok", "cef", "in process, cefpython3 {}".format(_version("cefpython3", "cefpython3")))


def check_cef_host() -> Check:
    """CEF in a helper process: its python is found, and imports the helper of this craft_tk."""
    if ON_37:
        return Check("--", "cef-host", "not needed: CEF runs in process on Python 3.7")
    try:
        helper = find_helper()
    except BackendUnavailable as error:
        return Check("no", "cef-host", getattr(error, "reason", str(error)), _setup_fix())
    how = _FOUND_BY[helper.found_by].format(record=setup_record_path())
    ok, detail = check_helper(helper.python, helper.path)
    if not ok:
        return Check("no", "cef-host", "the helper's python {} (found through {}) cannot import the helper: {}".format(
            helper.python, how, detail), _setup_fix())
    cef_version, craft_version, craft_file = (detail.split() + ["?", "?", "?"])[:3]
    from craft_tk import __version__

    if craft_version != __version__:
        return Check("no", "cef-host", "the helper's python {} (found through {}) imports craft_tk {} from {}, "
                     "not this one ({})".format(helper.python, how, craft_version, craft_file, __version__),
                     _setup_fix())
    return Check("ok", "cef-host", "helper python {}, found through {}; cefpython3 {}, craft_tk {}".format(
        helper.python, how, cef_version, craft_version))


def _setup_fix() -> str:
    """The command that makes a helper environment, or how to get a Python 3.7 first."""
    fix = craft_command("setup-cef")
    if os.environ.get("CRAFT_CEF_PYTHON"):
        fix = "unset CRAFT_CEF_PYTHON; " + fix
    python, _ = find_python37()
    if python:
        return "{}  (it will use {})".format(fix, python)
    return "get a Python 3.7 with tkinter, then run setup-cef:\n" + how_to_get_python37()


def check_tkhtml() -> Check:
    """Tkhtml: tkinterweb and pythonmonkey import, and the transport loads."""
    if ON_37:
        return Check("--", "tkhtml", "needs Python >= 3.8 (pythonmonkey); on 3.7 use cef")
    from craft_tk import load_backend

    missing = []
    for module in ("tkinterweb", "pythonmonkey"):
        try:
            importlib.import_module(module)
        except ImportError as error:
            missing.append("{} ({})".format(module, error))
    if missing:
        return Check("no", "tkhtml", "does not import: " + ", ".join(missing), _install("tkhtml"))
    try:
        load_backend("tkhtml")
    except BackendUnavailable as error:
        return Check("no", "tkhtml", str(error), _install("tkhtml"))
    return Check("ok", "tkhtml", "tkinterweb {}, pythonmonkey {}".format(
        _version("tkinterweb", "tkinterweb"), _version("pythonmonkey", "pythonmonkey")))


def check_display() -> Tuple[Check, Optional[tk.Tk]]:
    """The display, and a Tk root on it (withdrawn) when it is reachable."""
    display = os.environ.get("DISPLAY", "")
    if not display:
        return Check("no", "display", "DISPLAY is not set: no window can open",
                     "run it in a desktop session, or under a virtual display: xvfb-run -a COMMAND "
                     "(sudo apt-get install xvfb)"), None
    try:
        root = tk.Tk()
    except tk.TclError as error:
        return Check("no", "display", "DISPLAY={} cannot be reached: {}".format(display, error),
                     "start the X server, or fix DISPLAY/XAUTHORITY (or: xvfb-run -a COMMAND)"), None
    root.withdraw()
    return Check("ok", "display", "DISPLAY={} ({}x{}, Tk {})".format(
        display, root.winfo_screenwidth(), root.winfo_screenheight(), root.tk.call("info", "patchlevel"))), root


def check_tkdnd(root: Optional[tk.Tk]) -> Check:
    """tkdnd loads into ``root``'s Tk (files dropped on panels)."""
    if root is None:
        return Check("--", "tkdnd", "not checked: it needs a display")
    try:
        from tkinterdnd2 import TkinterDnD

        TkinterDnD._require(root)
    except (ImportError, RuntimeError, tk.TclError) as error:
        return Check("no", "tkdnd", "tkdnd does not load, so files dropped on panels are off: {}".format(error),
                     python_command("-m", "pip", "install", "tkinterdnd2"))
    return Check("ok", "tkdnd", "tkinterdnd2 {}, tkdnd {}".format(
        _version("tkinterdnd2", "tkinterdnd2"), root.tk.call("package", "present", "tkdnd")))


def _print(check: Check) -> None:
    print("  {:3} {:9} {}".format(check.status, check.name, check.detail))
    for number, line in enumerate(check.fix.splitlines()):
        print("  {:3} {:9} {}{}".format("", "", "fix: " if number == 0 else "", line))


def main(argv: List[str]) -> int:
    argparse.ArgumentParser(prog="python -m craft_tk doctor", description=(
        "Say which browser engines load here, and how to fix those that do not.")).parse_args(argv)
    from craft_tk import __version__

    print("craft_tk {} ({}) on Python {} ({})".format(__version__, PACKAGE, sys.version.split()[0], sys.executable))
    engines = [check_cef(), check_tkhtml(), check_cef_host()]  # in the order "auto" tries them
    display, root = check_display()
    checks = engines + [display, check_tkdnd(root)]
    if root is not None:
        root.destroy()
    for check in checks:
        _print(check)
    working = [check.name for check in engines if check.status == "ok"]
    if not working:
        print("no engine loads here: apply one of the fixes above")
        return 1
    chosen = os.environ.get("CRAFT_TK_BACKEND", "auto")
    print("engines that load here: {}; backend=\"auto\" chooses {}".format(
        ", ".join(working), working[0] if chosen == "auto" else "{} (CRAFT_TK_BACKEND)".format(chosen)))
    return 0
