"""``python -m craft_tk setup-cef``: a Python 3.7 environment with cefpython3 for the CEF
helper process (``cef-host``), so that an app on another Python can use ``backend="cef"``.

Each step is skipped when it is done already, so a second run is quick:

1. a Python 3.7 with tkinter: ``--python``, else ``CRAFT_PY37``, else pyenv's 3.7s, else
   ``python3.7`` on PATH, else uv's (needed only when the environment is missing or broken);
2. a virtual environment of it, ``--dir`` (default ``$XDG_CACHE_HOME/craft_tk/cef-helper``);
3. ``cefpython3==66.0``, ``orjson`` and ``typing_extensions`` installed there by pip;
4. a copy of this craft_tk (pure Python) in its ``pythonpath`` folder, so that the helper
   runs the app's own version; made again when craft_tk changes;
5. a check: the helper's python imports cefpython3 and the helper module;
6. the record ``$XDG_CACHE_HOME/craft_tk/cef-helper.json`` that ``backends._cef_python``
   reads to find it all.

Every line printed starts with ``setup-cef:``; a failure says what is wrong and the command
that fixes it, and the exit status is 1.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Dict, List, Mapping, Optional, Tuple

from .backends._cef_python import (PACKAGE, HelperPython, craft_command, helper_environment, package_fingerprint,
                                   pyenv_pythons, python_command, read_setup_record, setup_record_path)

__all__ = ["REQUIREMENTS", "check_helper", "default_dir", "find_python37", "how_to_get_python37", "main"]

REQUIREMENTS = ("cefpython3==66.0", "orjson", "typing_extensions")
PIP_TIMEOUT_S = 1800
_MARK = "craft_tk-cef-helper.txt"  # in the folders setup-cef makes
_CHECK = ("import sys, cefpython3, craft_tk, craft_tk.backends._cef_helper; "
          "print(cefpython3.__version__, craft_tk.__version__, craft_tk.__file__)")


def how_to_get_python37() -> str:
    """Commands that get a Python 3.7 with tkinter and run setup-cef with it, one a line."""
    setup = craft_command("setup-cef")
    return ("  with pyenv:  sudo apt-get install tk-dev && pyenv install 3.7.17 && {setup}\n"
            "  with uv:     uv python install 3.7 && {setup} --python \"$(uv python find 3.7)\"\n"
            "  or name one: {setup} --python /path/to/python3.7 (or set CRAFT_PY37)").format(setup=setup)


class SetupError(Exception):
    """A step failed: the message says what is wrong and how to fix it."""


def say(message: str) -> None:
    print("setup-cef: " + message, flush=True)


def default_dir(environ: Mapping[str, str] = os.environ) -> str:
    """``$XDG_CACHE_HOME/craft_tk/cef-helper``, else ``~/.cache/craft_tk/cef-helper``."""
    return os.path.join(os.path.dirname(setup_record_path(environ)), "cef-helper")


def _candidates(environ: Mapping[str, str]) -> List[str]:
    """Where a Python 3.7 is looked for, in order (as ``tools/find-python37.sh``, then uv)."""
    found = [environ.get("CRAFT_PY37", "")] + pyenv_pythons(environ)
    found.append(shutil.which("python3.7") or "")
    uv = shutil.which("uv")
    if uv:
        try:
            found.append(subprocess.run([uv, "python", "find", "3.7"], stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, universal_newlines=True, timeout=30).stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    unique: List[str] = []
    for python in found:
        if python and python not in unique:
            unique.append(python)
    return unique


def _unfit(python: str) -> str:
    """Why ``python`` cannot make the helper's environment ("" when it can)."""
    if not os.access(python, os.X_OK) or os.path.isdir(python):
        return "not a program"
    try:
        probe = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2]); import tkinter"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        return "does not run ({})".format(error)
    version = probe.stdout.strip()
    if not version:
        said = probe.stderr.strip().splitlines()
        return "does not run ({})".format(said[0] if said else "exit status {}".format(probe.returncode))
    if version != "3.7":
        return "is Python {}, not 3.7".format(version)
    if probe.returncode != 0:
        return "has no tkinter (rebuild it with tk-dev installed: sudo apt-get install tk-dev)"
    return ""


def find_python37(given: Optional[str] = None, environ: Mapping[str, str] = os.environ) -> Tuple[str, List[str]]:
    """A Python 3.7 with tkinter (``given``, else the usual places), and why the others
    looked at were passed over; "" when there is none."""
    rejected: List[str] = []
    for python in [given] if given else _candidates(environ):
        problem = _unfit(python)
        if not problem:
            return python, rejected
        rejected.append("{} {}".format(python, problem))
    return "", rejected


def check_helper(python: str, path: str) -> Tuple[bool, str]:
    """Whether the helper's imports work with ``python`` and ``path`` on PYTHONPATH, and
    then "CEFPYTHON3_VERSION CRAFT_TK_VERSION CRAFT_TK_FILE", else the error's last line."""
    try:
        run = subprocess.run([python, "-c", _CHECK], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, env=helper_environment(HelperPython(python, path, "")),
                             cwd=tempfile.gettempdir(), timeout=120)
    except (OSError, subprocess.SubprocessError) as error:
        return False, str(error)
    if run.returncode != 0:
        lines = run.stderr.strip().splitlines()
        return False, lines[-1] if lines else "exit status {}".format(run.returncode)
    return True, run.stdout.strip()


def _run(argv: List[str], what: str, fix: str, timeout: float = 600) -> None:
    try:
        run = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                             timeout=timeout)
    except (OSError, subprocess.SubprocessError) as error:
        raise SetupError("{} failed: {}; {}".format(what, error, fix))
    if run.returncode != 0:
        sys.stdout.write("".join("    " + line + "\n" for line in run.stdout.strip().splitlines()[-15:]))
        raise SetupError("{} failed (exit status {}, output above); {}".format(what, run.returncode, fix))


def _environment(folder: str, given: Optional[str], environ: Mapping[str, str]) -> str:
    """The helper environment's python: the one in ``folder`` if it works (and was made
    from ``given``, when given), else a new one."""
    python = os.path.join(folder, "bin", "python")
    ours = _made_here(folder)
    if os.path.isdir(folder) and os.listdir(folder) and not ours:
        raise SetupError("{} is not empty and setup-cef did not make it: choose another folder with --dir, or "
                         "empty it".format(folder))
    if ours and not _unfit(python) and (not given or _base_of(python) == _base_of(given)):
        return python
    base, rejected = find_python37(given, environ)
    if not base:
        for line in rejected:
            say("passed over: " + line)
        raise SetupError("no Python 3.7 with tkinter found{}; get one, then run setup-cef again:\n{}".format(
            " (CRAFT_PY37, pyenv's versions, python3.7 on PATH, uv)" if not given else "",
            how_to_get_python37()))
    if ours:
        say("making the environment again: its python is broken or not from {}".format(given or base))
        shutil.rmtree(folder)
    say("making a Python 3.7 environment in {} from {}".format(folder, base))
    _run([base, "-m", "venv", folder], "making the environment",
         "on Debian/Ubuntu a system python3.7 needs: sudo apt-get install python3.7-venv")
    with open(os.path.join(folder, _MARK), "w") as mark:
        mark.write("made by python -m craft_tk setup-cef: removed and made anew as it needs\n")
    return python


def _made_here(folder: str) -> bool:
    """Whether setup-cef made ``folder`` (only such a folder is ever removed)."""
    return os.path.isfile(os.path.join(folder, _MARK))


def _base_of(python: str) -> str:
    """The interpreter ``python`` runs, links resolved: a venv's is its base's (a venv's
    python is a link), a pyenv shim's the version it picks."""
    try:
        return subprocess.run([python, "-c", "import os, sys; print(os.path.realpath(sys.executable))"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True,
                              timeout=60).stdout.strip() or os.path.realpath(python)
    except (OSError, subprocess.SubprocessError):
        return os.path.realpath(python)


def _installed(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import cefpython3, orjson, typing_extensions"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=helper_environment(HelperPython(python, "", "")))
    return probe.returncode == 0


def _install(python: str) -> None:
    say("installing {} (about 70 MB; a minute or two the first time)".format(", ".join(REQUIREMENTS)))
    _run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check"] + list(REQUIREMENTS),
         "pip install", "check the network (pip reaches PyPI?), then run `{}` again".format(
             craft_command("setup-cef")), timeout=PIP_TIMEOUT_S)


def _copy_package(path: str) -> bool:
    """Put this craft_tk in ``path`` (real files, no compiled ones); False when the copy
    there is this craft_tk already."""
    target = os.path.join(path, "craft_tk")
    if os.path.isdir(target) and package_fingerprint(target) == package_fingerprint(PACKAGE):
        return False
    os.makedirs(path, exist_ok=True)
    fresh = tempfile.mkdtemp(prefix="craft_tk-", dir=path)
    shutil.copytree(PACKAGE, os.path.join(fresh, "craft_tk"), ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if os.path.isdir(target):
        shutil.rmtree(target)
    os.rename(os.path.join(fresh, "craft_tk"), target)
    os.rmdir(fresh)
    return True


def _write_record(record: Dict[str, str], environ: Mapping[str, str]) -> bool:
    """Write the record (atomically); False when it says that already."""
    if read_setup_record(environ) == record:
        return False
    path = setup_record_path(environ)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".new", "w", encoding="utf-8") as out:
        json.dump(record, out, indent=2, sort_keys=True)
    os.replace(path + ".new", path)
    return True


def setup(folder: str, given: Optional[str], environ: Mapping[str, str] = os.environ) -> None:
    """Make (or bring up to date) the helper environment in ``folder`` and its record."""
    from craft_tk import __version__

    changed = False
    python = _environment(folder, given, environ)
    if not _installed(python):
        _install(python)
        changed = True
    path = os.path.join(folder, "pythonpath")
    if _copy_package(path):
        say("copied craft_tk {} from {} to {}".format(__version__, PACKAGE, path))
        changed = True
    ok, detail = check_helper(python, path)
    words = detail.split()
    if not ok or len(words) != 3 or words[1] != __version__ or not words[2].startswith(path + os.sep):
        raise SetupError("the helper's imports fail in {} ({}); run `{}` to make it anew".format(
            folder, detail, craft_command("setup-cef", "--dir", folder, "--fresh")))
    record = {"python": python, "pythonpath": path, "craft_tk": __version__, "craft_tk_files":
              package_fingerprint(PACKAGE), "cefpython3": words[0], "base_python": _base_of(python)}
    changed = _write_record(record, environ) or changed
    say("{}: {} (cefpython3 {}, craft_tk {}); backend=\"cef\" uses it, recorded in {}".format(
        "ready" if changed else "ready already, nothing to do", python, words[0], __version__,
        setup_record_path(environ)))


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m craft_tk setup-cef", description=(
        "Make a Python 3.7 environment with cefpython3 for the CEF helper process (cef-host), so that an app on "
        "this Python can use backend='cef'. Quick when it is made already."))
    parser.add_argument("--python", help="the Python 3.7 (with tkinter) to make the environment from")
    parser.add_argument("--dir", help="where to make it (default: {})".format(default_dir()))
    parser.add_argument("--fresh", action="store_true", help="remove the environment first and make it anew")
    options = parser.parse_args(argv)
    if sys.version_info[:2] == (3, 7):
        say("this is Python 3.7: CEF runs in process here, no helper is needed; install it with: "
            + python_command("-m", "pip", "install", "craft_tk[cef]"))
        return 0
    folder = os.path.abspath(os.path.expanduser(options.dir or default_dir()))
    if options.fresh and _made_here(folder):
        say("removing {}".format(folder))
        shutil.rmtree(folder)
    given = options.python and os.path.expanduser(options.python)
    if given and os.sep not in given:  # a name, such as python3.7: PATH's
        given = shutil.which(given) or given
    try:
        setup(folder, given and os.path.abspath(given))
    except SetupError as error:
        say("error: {}".format(error))
        return 1
    return 0
