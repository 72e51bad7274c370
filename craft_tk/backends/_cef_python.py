"""Finding the Python 3.7 interpreter, with cefpython3, that runs the CEF helper process."""

import glob
import os
import subprocess
from typing import Dict, List, Optional

from .._errors import BackendUnavailable

__all__ = ["TOP", "find_helper_python"]

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_HOW_TO = ("make a Python 3.7 environment with cefpython3 (`make .venv/cef/.installed` in the craft_tk "
           "checkout, or `python3.7 -m pip install cefpython3==66.0 orjson typing_extensions`) and point "
           "CRAFT_CEF_PYTHON at its python")


def find_helper_python(candidates: Optional[List[str]] = None) -> str:
    """The interpreter that runs the helper; raises BackendUnavailable saying how to make one."""
    if candidates is None:
        candidates = [os.environ.get("CRAFT_CEF_PYTHON", ""), os.path.join(TOP, ".venv", "cef", "bin", "python")]
        candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.7.*/bin/python")))
    for python in candidates:
        if python and os.path.exists(python) and _imports_cef(python):
            return python
    raise BackendUnavailable("the 'cef' backend needs cefpython3, which runs on Python 3.7 only: " + _HOW_TO)


_checked: Dict[str, bool] = {}


def _imports_cef(python: str) -> bool:
    if python not in _checked:
        probe = subprocess.run([python, "-c", "import cefpython3, orjson"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        _checked[python] = probe.returncode == 0
    return _checked[python]
