"""Where CEF runs from: the Python 3.7 interpreter, with cefpython3, of the CEF helper
process, the folder it imports craft_tk from, and the directory CEF keeps its files in.

The helper's interpreter is, in this order:

1. ``CRAFT_CEF_PYTHON``, when set, and then only it: a value that is wrong is an error
   naming it, never passed over for another interpreter;
2. the checkout's ``.venv/cef`` (``make`` builds it), when craft_tk runs from a checkout;
3. the environment ``python -m craft_tk setup-cef`` made, found through its record
   (``$XDG_CACHE_HOME/craft_tk/cef-helper.json``), provided it holds this craft_tk;
4. from a checkout only, pyenv's 3.7s that import cefpython3. An installed craft_tk never
   looks there: such a Python lacks a craft_tk of the app's version (and its orjson),
   which setup-cef provides.

The helper imports craft_tk from the checkout (``TOP``) when craft_tk runs from one;
else from the copy setup-cef made. Nothing else of the app's ``PYTHONPATH`` reaches it:
the app's site-packages are another Python's.
"""

import glob
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple

from .._errors import BackendUnavailable

__all__ = ["HelperMissing", "HelperPython", "PACKAGE", "TOP", "cef_cache_dir", "craft_command", "find_helper",
           "find_helper_python", "from_checkout", "helper_environment", "package_fingerprint", "python_command",
           "read_setup_record", "recorded_helper", "setup_record_path"]

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOP = os.path.dirname(PACKAGE)
CHECKOUT_PYTHON = os.path.join(TOP, ".venv", "cef", "bin", "python")


class HelperPython(NamedTuple):
    """The helper's interpreter, what its ``PYTHONPATH`` is ("" for nothing), and how it
    was found: "CRAFT_CEF_PYTHON", "checkout", "setup-cef" or "pyenv"."""

    python: str
    path: str
    found_by: str


def python_command(*words: str) -> str:
    """``python WORDS`` as this Python is typed in a shell: its name when PATH finds it
    under that name, else its full path; each word quoted as needed."""
    python = shlex.quote(sys.executable)
    for name in ("python", "python3"):
        found = shutil.which(name)
        if found and os.path.abspath(found) == os.path.abspath(sys.executable):
            python = name
            break
    return " ".join([python] + [shlex.quote(word) for word in words])


def craft_command(*words: str) -> str:
    """``python -m craft_tk WORDS`` (``python_command``)."""
    return python_command("-m", "craft_tk", *words)


_HOW_TO = ("run `{}` (it makes a Python 3.7 environment with cefpython3 for this Python; `{}` says what "
           "is missing), or point CRAFT_CEF_PYTHON at the python of one")


def _how_to() -> str:
    return _HOW_TO.format(craft_command("setup-cef"), craft_command("doctor"))


def from_checkout() -> bool:
    """Whether craft_tk runs from a checkout (``TOP`` is one), not an installed copy."""
    return os.path.isfile(os.path.join(TOP, "setup.cfg")) and os.path.isdir(os.path.join(PACKAGE, "jsbridge"))


def _cache_home(environ: Mapping[str, str]) -> str:
    return environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")


def cef_cache_dir(environ: Mapping[str, str] = os.environ) -> str:
    """CEF's directory (its caches, blob storage, WebRTC logs): ``CRAFT_TK_CEF_CACHE``,
    else ``$XDG_CACHE_HOME/craft_tk/cef``, else ``~/.cache/craft_tk/cef``."""
    chosen = environ.get("CRAFT_TK_CEF_CACHE")
    if chosen:
        return chosen
    return os.path.join(_cache_home(environ), "craft_tk", "cef")


def setup_record_path(environ: Mapping[str, str] = os.environ) -> str:
    """The record setup-cef writes: ``$XDG_CACHE_HOME/craft_tk/cef-helper.json``."""
    return os.path.join(_cache_home(environ), "craft_tk", "cef-helper.json")


def read_setup_record(environ: Mapping[str, str] = os.environ) -> Optional[Dict[str, str]]:
    """The record setup-cef wrote (keys: python, pythonpath, craft_tk, craft_tk_files,
    cefpython3, base_python), or None when there is none (or it is not one)."""
    try:
        with open(setup_record_path(environ), encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("python"), str) else None


def package_fingerprint(folder: str = PACKAGE) -> str:
    """A digest of the files of the craft_tk package in ``folder`` (links followed,
    compiled files left out): two folders with the same one hold the same craft_tk."""
    digest = hashlib.sha256()
    for here, folders, files in os.walk(folder, followlinks=True):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(here, name)
            digest.update(os.path.relpath(path, folder).encode() + b"\0")
            with open(path, "rb") as handle:
                digest.update(handle.read() + b"\0")
    return digest.hexdigest()


def _version() -> str:
    from craft_tk import __version__  # not at import: craft_tk imports this module

    return __version__


def _which_craft_tk(version: Any) -> str:
    """How an error names a craft_tk of ``version`` that is not this one."""
    return "craft_tk {}".format(version) if version != _version() else "another build of craft_tk {}".format(version)


class HelperMissing(BackendUnavailable):
    """No interpreter for the helper was found: ``reason`` says what was looked at, the
    message adds how to make one."""

    def __init__(self, reason: str) -> None:
        super().__init__("the 'cef' backend needs cefpython3, which runs on Python 3.7 only: none found ({}); "
                         "{}".format(reason, _how_to()))
        self.reason = reason


def recorded_helper(environ: Mapping[str, str] = os.environ) -> Tuple[Optional[HelperPython], str]:
    """The environment setup-cef made, if its record holds this craft_tk (from a checkout:
    any craft_tk, as the checkout's is used); else why not. Its imports are not checked."""
    record = read_setup_record(environ)
    if record is None:
        return None, "setup-cef has not been run: no {}".format(setup_record_path(environ))
    python, path = record["python"], record.get("pythonpath", "")
    if from_checkout():  # the checkout's craft_tk, the recorded environment's packages
        return HelperPython(python, TOP, "setup-cef"), ""
    if record.get("craft_tk") != _version() or record.get("craft_tk_files") != package_fingerprint() \
            or not os.path.isdir(path):
        held = _which_craft_tk(record.get("craft_tk"))
        return None, "the environment setup-cef made holds {}, not the one in {}: run setup-cef again".format(
            held, PACKAGE)
    return HelperPython(python, path, "setup-cef"), ""


def find_helper(environ: Mapping[str, str] = os.environ) -> HelperPython:
    """The helper's interpreter and ``PYTHONPATH`` (see the module's doc); raises
    BackendUnavailable (HelperMissing when CRAFT_CEF_PYTHON is unset) saying how to make one."""
    if getattr(sys, "frozen", False):
        raise BackendUnavailable("a frozen app on Python 3.8+ has no CEF helper (backend='auto' chooses Tkhtml "
                                 "there); to use CEF, freeze the app with a Python 3.7 (CEF in process)")
    chosen = environ.get("CRAFT_CEF_PYTHON", "")
    if chosen:
        recorded = recorded_helper(environ)[0]
        path = TOP if from_checkout() else recorded.path if recorded else ""
        return _checked_variable(HelperPython(chosen, path, "CRAFT_CEF_PYTHON"))
    reasons = []
    if from_checkout():
        checkout = HelperPython(CHECKOUT_PYTHON, TOP, "checkout")
        if _works(checkout):
            return checkout
        reasons.append("the checkout has no working .venv/cef (`make .venv/cef/.installed` makes it)")
    recorded, reason = recorded_helper(environ)
    if recorded is not None:
        if _works(recorded):
            return recorded
        reason = "the environment setup-cef made ({}) does not import cefpython3 and craft_tk: run setup-cef " \
                 "again".format(recorded.python)
    reasons.append(reason)
    if from_checkout():
        for python in pyenv_pythons(environ):
            if _works(HelperPython(python, TOP, "pyenv")):
                return HelperPython(python, TOP, "pyenv")
        reasons.append("no pyenv 3.7 has cefpython3")
    raise HelperMissing("; ".join(reasons))


def _works(helper: HelperPython) -> bool:
    return os.path.exists(helper.python) and _imports_cef(helper)


def find_helper_python(candidates: Optional[List[str]] = None) -> str:
    """The interpreter that runs the helper (``find_helper``), or the first of
    ``candidates`` that imports cefpython3 with the checkout on its path."""
    if candidates is None:
        return find_helper().python
    for python in candidates:
        if python and _works(HelperPython(python, TOP, "given")):
            return python
    raise HelperMissing("not among {}".format(", ".join(candidates)))


def pyenv_pythons(environ: Mapping[str, str]) -> List[str]:
    """pyenv's Python 3.7s (``$PYENV_ROOT``, ``~/.pyenv``, ``/root/.pyenv``, ``/opt/pyenv``)."""
    roots = [environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv"), "/root/.pyenv", "/opt/pyenv"]
    found: List[str] = []
    for root in filter(None, roots):
        for python in sorted(glob.glob(os.path.join(root, "versions", "3.7.*", "bin", "python"))):
            if python not in found:
                found.append(python)
    return found


def helper_environment(helper: HelperPython, environ: Mapping[str, str] = os.environ) -> Dict[str, str]:
    """The environment the helper runs in: this one, with ``helper.path`` as the whole of
    ``PYTHONPATH`` and no ``PYTHONHOME`` (both are this Python's, not the helper's)."""
    env = {key: value for key, value in environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    if helper.path:
        env["PYTHONPATH"] = helper.path
    return env


def _checked_variable(helper: HelperPython) -> HelperPython:
    if not os.path.exists(helper.python):
        raise BackendUnavailable("CRAFT_CEF_PYTHON is set to {!r}, which does not exist: point it at the "
                                 "python of a Python 3.7 environment with cefpython3, or unset it".format(helper.python))
    found = _probe(helper)
    if found is None:
        raise BackendUnavailable("CRAFT_CEF_PYTHON is set to {!r}, which cannot import cefpython3, orjson and "
                                 "craft_tk{}: {}".format(helper.python, " (from {})".format(helper.path)
                                                         if helper.path else "", _how_to()))
    if not helper.path:  # the helper runs its own craft_tk: it must be this one, or they disagree on the wire
        version, folder = found
        if version != _version() or package_fingerprint(folder) != package_fingerprint():
            held = _which_craft_tk(version)
            raise BackendUnavailable(
                "CRAFT_CEF_PYTHON is set to {!r}, whose {} ({}) is not the app's ({}, {}): the helper and the app "
                "must run the same craft_tk. Install this one there, or {}".format(
                    helper.python, held, folder, _version(), PACKAGE, _how_to()))
    return helper


_PROBE_MARK = "craft_tk-probe:"
_PROBE = "import cefpython3, orjson, craft_tk, json, os; print({!r} + json.dumps([craft_tk.__version__, " \
         "os.path.dirname(os.path.abspath(craft_tk.__file__))]))".format(_PROBE_MARK)
_probed: Dict[Tuple[str, str], Optional[Tuple[str, str]]] = {}


def _imports_cef(helper: HelperPython) -> bool:
    """Whether ``helper`` imports what the helper process needs, with its own path."""
    return _probe(helper) is not None


def _probe(helper: HelperPython) -> Optional[Tuple[str, str]]:
    """The version and folder of the craft_tk ``helper`` imports, with cefpython3 and
    orjson; None when it cannot import them (asked once per process)."""
    key = (helper.python, helper.path)
    if key not in _probed:
        _probed[key] = None
        try:
            probe = subprocess.run([helper.python, "-c", _PROBE], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env=helper_environment(helper))
        except OSError:  # not a program (a directory, no execute permission)
            return None
        answers = [line[len(_PROBE_MARK):] for line in probe.stdout.decode("utf-8", "replace").splitlines()
                   if line.startswith(_PROBE_MARK)]  # a sitecustomize may print too
        try:
            version, folder = json.loads(answers[-1])
        except (ValueError, IndexError, TypeError):
            return None
        if probe.returncode == 0 and isinstance(version, str) and isinstance(folder, str):
            _probed[key] = (version, folder)
    return _probed[key]
