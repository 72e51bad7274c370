"""Where CEF runs from: the Python 3.7 interpreter, with cefpython3, of the CEF helper
process, and the directory CEF keeps its files in."""

import glob
import os
import subprocess
from typing import Dict, List, Mapping, Optional

from .._errors import BackendUnavailable

__all__ = ["TOP", "cef_cache_dir", "find_helper_python"]

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_HOW_TO = ("make a Python 3.7 environment with cefpython3 (`make .venv/cef/.installed` in the craft_tk "
           "checkout, or `python3.7 -m pip install cefpython3==66.0 orjson typing_extensions`) and point "
           "CRAFT_CEF_PYTHON at its python")


def cef_cache_dir(environ: Mapping[str, str] = os.environ) -> str:
    """CEF's directory (its caches, blob storage, WebRTC logs): ``CRAFT_TK_CEF_CACHE``,
    else ``$XDG_CACHE_HOME/craft_tk/cef``, else ``~/.cache/craft_tk/cef``."""
    chosen = environ.get("CRAFT_TK_CEF_CACHE")
    if chosen:
        return chosen
    cache_home = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache_home, "craft_tk", "cef")


def find_helper_python(candidates: Optional[List[str]] = None) -> str:
    """The interpreter that runs the helper; raises BackendUnavailable saying how to make one.

    ``CRAFT_CEF_PYTHON``, when set, is the only candidate: a value that is wrong is an
    error naming it, never passed over for another interpreter."""
    if candidates is None:
        chosen = os.environ.get("CRAFT_CEF_PYTHON", "")
        if chosen:
            return _checked_variable(chosen)
        candidates = [os.path.join(TOP, ".venv", "cef", "bin", "python")]
        candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.7.*/bin/python")))
    for python in candidates:
        if python and os.path.exists(python) and _imports_cef(python):
            return python
    raise BackendUnavailable("the 'cef' backend needs cefpython3, which runs on Python 3.7 only: " + _HOW_TO)


def _checked_variable(python: str) -> str:
    if not os.path.exists(python):
        raise BackendUnavailable("CRAFT_CEF_PYTHON is set to {!r}, which does not exist: point it at the "
                                 "python of a Python 3.7 environment with cefpython3, or unset it".format(python))
    if not _imports_cef(python):
        raise BackendUnavailable("CRAFT_CEF_PYTHON is set to {!r}, which cannot import cefpython3 and orjson: "
                                 "{}".format(python, _HOW_TO))
    return python


_checked: Dict[str, bool] = {}


def _imports_cef(python: str) -> bool:
    if python not in _checked:
        try:
            probe = subprocess.run([python, "-c", "import cefpython3, orjson"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            _checked[python] = probe.returncode == 0
        except OSError:  # not a program (a directory, no execute permission)
            _checked[python] = False
    return _checked[python]
