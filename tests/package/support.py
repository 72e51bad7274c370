"""What the packaging tests share: the wheel and sdist built once, fresh virtual
environments with it installed, apps run from a folder outside the checkout."""

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Dict, List, Optional, Sequence

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def inside(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or in it (not merely a path that starts with the
    same characters: a checkout in /tmp/c and a venv in /tmp/craft-venv-...)."""
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    return os.path.commonpath([path, folder]) == folder
PIP_TIMEOUT_S = 900


def python37() -> str:
    """The Python 3.7 the checkout's CEF environment was made from (tools/find-python37.sh)."""
    found = subprocess.run([os.path.join(TOP, "tools", "find-python37.sh")], stdout=subprocess.PIPE,
                           universal_newlines=True)
    if found.returncode != 0:
        raise unittest.SkipTest("no Python 3.7 here") if not os.environ.get("CI") else RuntimeError("no Python 3.7")
    return found.stdout.strip()


@functools.lru_cache(maxsize=None)
def built() -> Dict[str, str]:
    """``{"wheel": path, "sdist": path}``, built once per run from a copy of the checkout's
    tracked files (so nothing left over in the working tree can slip in)."""
    folder = tempfile.mkdtemp(prefix="craft-dist-")
    atexit.register(shutil.rmtree, folder, True)
    source = os.path.join(folder, "source")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=TOP, stdout=subprocess.PIPE, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        target = os.path.join(source, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(os.path.join(TOP, name)):
            os.symlink(os.readlink(os.path.join(TOP, name)), target)
        elif os.path.exists(os.path.join(TOP, name)):
            shutil.copy2(os.path.join(TOP, name), target)
    out = os.path.join(folder, "dist")
    build = subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "-o", out, source],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=PIP_TIMEOUT_S)
    if build.returncode != 0:
        raise RuntimeError("python -m build failed:\n" + build.stdout)
    names = os.listdir(out)
    return {"wheel": os.path.join(out, next(n for n in names if n.endswith(".whl"))),
            "sdist": os.path.join(out, next(n for n in names if n.endswith(".tar.gz")))}


def fresh_venv(test: unittest.TestCase, python: str, requirements: Sequence[str]) -> str:
    """A new virtual environment of ``python`` (removed after ``test``) with ``requirements``
    installed (``{wheel}`` in one stands for the built wheel's path); its python's path."""
    folder = tempfile.mkdtemp(prefix="craft-venv-")
    test.addCleanup(shutil.rmtree, folder, True)
    subprocess.run([python, "-m", "venv", folder], check=True)
    venv_python = os.path.join(folder, "bin", "python")
    wanted = [r.format(wheel=built()["wheel"]) for r in requirements]
    pip = subprocess.run([venv_python, "-m", "pip", "install", "-q"] + wanted, timeout=PIP_TIMEOUT_S, cwd=folder,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    if pip.returncode != 0:
        raise RuntimeError("pip install {} failed:\n{}".format(" ".join(wanted), pip.stdout))
    return venv_python


def outside_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment for a program run away from the checkout: no PYTHONPATH, no
    CRAFT_CEF_PYTHON (an installed app finds CEF by itself), the display kept."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CRAFT_CEF_PYTHON", "PYTHONHOME")}
    env.update(extra or {})
    return env


def run_outside(test: unittest.TestCase, argv: List[str], env: Optional[Dict[str, str]] = None,
                timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``argv`` in a new empty folder outside the checkout; output captured as text."""
    folder = tempfile.mkdtemp(prefix="craft-outside-")
    test.addCleanup(shutil.rmtree, folder, True)
    return subprocess.run(argv, cwd=folder, env=env if env is not None else outside_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=timeout)
