"""``python -m craft_tk freeze app.py``: an app bundled into one folder with PyInstaller.

The bundle (one folder, windowed) holds Python, the app, craft_tk with its page side,
and the engine this Python runs in process: CEF on Python 3.7 (cefpython3), Tkhtml on
3.8+ (tkinterweb and PythonMonkey). CEF in a helper process (``cef-host``) cannot be
frozen, so a bundle made on 3.8+ uses Tkhtml. What to collect is told to PyInstaller by
the hooks in ``craft_tk._pyinstaller`` (a plain ``pyinstaller`` finds them too, through
craft_tk's ``pyinstaller40`` entry point).

PyInstaller's work files go to a temporary folder: only the bundle is left, in
``DIST/NAME`` (``dist/APP`` by default), and its program is ``DIST/NAME/NAME``.

    python -m craft_tk freeze app.py [--name NAME] [--dist DIR] [--engine cef|tkhtml]
"""

import argparse
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import List, Optional

from ._errors import BackendUnavailable
from ._pyinstaller import get_hook_dirs

__all__ = ["main"]

_ENGINES = {"cef": "craft_tk.backends._cef", "tkhtml": "craft_tk.backends._tkhtml"}


def main(argv: List[str]) -> int:
    """Bundle the app named in ``argv`` (see the module's doc); the exit status."""
    parser = argparse.ArgumentParser(prog="python -m craft_tk freeze",
                                     description="bundle an app into one folder with PyInstaller")
    parser.add_argument("script", help="the app's main script")
    parser.add_argument("--name", help="the bundle's and its program's name (default: the script's)")
    parser.add_argument("--dist", default="dist", help="the folder the bundle goes in (default: dist)")
    parser.add_argument("--engine", choices=sorted(_ENGINES),
                        help="the engine the app needs (default: the one this Python runs in process)")
    options = parser.parse_args(argv)
    if not os.path.isfile(options.script):
        return _fail("no such script: {}".format(options.script))
    if importlib.util.find_spec("PyInstaller") is None:
        return _fail("PyInstaller is not installed in this Python ({}): pip install 'craft_tk[freeze]'".format(
            sys.executable))
    try:
        engine = _engine(options.engine)
    except BackendUnavailable as error:
        return _fail(str(error))
    name = options.name or os.path.splitext(os.path.basename(options.script))[0]
    dist = os.path.abspath(options.dist)
    started = time.monotonic()
    status = _pyinstaller(os.path.abspath(options.script), name, dist)
    if status != 0:
        return _fail("PyInstaller failed (exit status {}); its messages are above".format(status))
    bundle = os.path.join(dist, name)
    print("froze {} with {} in {:.0f} s: {} ({:.0f} MB); run {}".format(
        options.script, engine, time.monotonic() - started, bundle, _folder_size(bundle) / 1e6,
        os.path.join(bundle, name)))
    return 0


def _engine(wanted: Optional[str]) -> str:
    """``wanted`` when this Python can freeze it, else raise BackendUnavailable saying
    why; with none wanted, the engine this Python runs in process."""
    if wanted == "cef" and sys.version_info[:2] != (3, 7):
        raise BackendUnavailable(
            "CEF cannot be frozen on Python {}.{}: it runs in process on Python 3.7 only (cefpython3), and CEF "
            "in a helper process (cef-host) cannot be frozen. A frozen app on 3.8+ uses Tkhtml (--engine tkhtml); "
            "to use CEF, freeze the app with a Python 3.7 that has craft_tk[cef,freeze]".format(
                *sys.version_info[:2]))
    problems = []
    for engine in [wanted] if wanted else ["cef", "tkhtml"]:
        try:
            importlib.import_module(_ENGINES[engine])
            return engine
        except BackendUnavailable as error:
            problems.append("{} does not load here: {}".format(engine, error))
    raise BackendUnavailable("; ".join(problems))


def _pyinstaller(script: str, name: str, dist: str) -> int:
    """Run PyInstaller on ``script``, its work files in a temporary folder; its exit status."""
    work = tempfile.mkdtemp(prefix="craft-freeze-")
    try:
        command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--onedir", "--windowed", "--log-level", "WARN",
                   "--name", name, "--distpath", dist, "--workpath", work, "--specpath", work]
        for folder in get_hook_dirs():
            command += ["--additional-hooks-dir", folder]
        return subprocess.run(command + [script]).returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _folder_size(folder: str) -> int:
    """The bytes of the files under ``folder`` (links counted as links)."""
    return sum(os.lstat(os.path.join(path, name)).st_size
               for path, _, names in os.walk(folder) for name in names)


def _fail(message: str) -> int:
    print("craft_tk freeze: " + message, file=sys.stderr)
    return 1
