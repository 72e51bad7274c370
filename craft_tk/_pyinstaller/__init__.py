"""PyInstaller hooks for apps that use craft_tk: craft_tk itself (its page side is read
from files at run time, its backends are imported by name) and the engines' packages that
no hook covers: cefpython3 and PythonMonkey. tkinterdnd2 brings its own hook, and
PyInstaller's contributed hooks cover tkinterweb (these stand in for theirs when too old).

``python -m craft_tk freeze`` hands this folder to PyInstaller; a plain ``pyinstaller``
finds it through craft_tk's ``pyinstaller40`` entry point.
"""

import os
from typing import List

__all__ = ["get_hook_dirs"]


def get_hook_dirs() -> List[str]:
    """The folders that hold the hooks (this package's own)."""
    return [os.path.dirname(os.path.abspath(__file__))]
