"""Where CEF's pages are written: a folder of this process's own in the temporary
directory (``craft-pages-<pid>-...``), removed at exit. A process that ends without
exiting (killed, or stopped by a signal Chromium handles) leaves its folder; the next
process that writes pages removes the folders of processes that are gone."""

import atexit
import os
import shutil
import tempfile
from typing import Optional

__all__ = ["remove_page", "write_page"]

PREFIX = "craft-pages-"
_folder: Optional[str] = None


def write_page(text: str) -> str:
    """Write ``text`` to a new page file; its path."""
    handle, path = tempfile.mkstemp(dir=_pages_folder(), prefix="craft-", suffix=".html")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    return path


def remove_page(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _pages_folder() -> str:
    global _folder
    if _folder is None or not os.path.isdir(_folder):
        _remove_folders_of_gone_processes()
        _folder = tempfile.mkdtemp(prefix="{}{}-".format(PREFIX, os.getpid()))
        atexit.register(shutil.rmtree, _folder, True)
    return _folder


def _remove_folders_of_gone_processes() -> None:
    top = tempfile.gettempdir()
    try:
        names = os.listdir(top)
    except OSError:
        return
    for name in names:
        pid = name[len(PREFIX):].split("-", 1)[0] if name.startswith(PREFIX) else ""
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(os.path.join(top, name), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: alive
        return True
    return True
