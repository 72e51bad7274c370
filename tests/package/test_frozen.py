"""Frozen apps: ``examples/hello.py`` bundled by ``python -m craft_tk freeze`` with each
engine (Tkhtml from the checkout's 3.11 environment, CEF in process from its 3.7 one), run
from a folder outside the checkout with no Python environment around it: its page paints,
a click on the page's button reaches Python, and text sent from Python shows in the page.

Prints one line with each bundle's size (``du -sb``), build time and start-up time.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
from typing import Callable, ClassVar, Dict, List, Optional, TypeVar

from .support import TOP, inside, outside_env

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PYTHONS = {"tkhtml": os.path.join(TOP, ".venv", "tkhtml", "bin", "python"),
           "cef": os.path.join(TOP, ".venv", "cef", "bin", "python")}
BACKEND_MODULES = {"tkhtml": "craft_tk.backends._tkhtml", "cef": "craft_tk.backends._cef"}
T = TypeVar("T")
BUILD_TIMEOUT_S = 900
# hello.py's window is 760x460, the native side on the left: its page starts past 45 % of
# the width, and on both engines the page's button covers this point, the native
# "Send to page" button the other.
PAGE_LEFT = 0.45
PAGE_BUTTON = (400, 122)
SEND_BUTTON = (69, 78)
PAGE_BACKGROUND, HEADING = "#F4F1EA", "#2A5D8F"  # hello.py's page: its body and its h2


def histogram(png: str, region: str) -> Dict[str, int]:
    """``{"#RRGGBB": pixels}`` of the ``WxH+X+Y`` region of ``png``."""
    out = subprocess.run(["convert", png, "-crop", region, "+repage", "-format", "%c", "histogram:info:-"],
                         stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    return {colour.upper(): int(count) for count, colour in re.findall(r"(\d+):\s*\([^)]*\)\s*(#[0-9A-Fa-f]{6})", out)}


class FrozenApps(unittest.TestCase):
    measured: ClassVar[List[str]] = []

    @classmethod
    def tearDownClass(cls) -> None:
        if cls.measured:
            print("\nfrozen hello.py: " + "; ".join(cls.measured), flush=True)

    def test_tkhtml_bundle_paints_and_talks_both_ways(self) -> None:
        self.check("tkhtml")

    def test_cef_in_process_bundle_paints_and_talks_both_ways(self) -> None:
        self.check("cef")

    def check(self, engine: str) -> None:
        self.require(engine)
        folder = tempfile.mkdtemp(prefix="craft-frozen-")
        self.addCleanup(shutil.rmtree, folder, True)
        for name in ("app", "run", "cache"):
            os.mkdir(os.path.join(folder, name))
        shutil.copy(os.path.join(TOP, "examples", "hello.py"), os.path.join(folder, "app"))
        dist = os.path.join(folder, "dist")
        started = time.monotonic()
        build = subprocess.run([PYTHONS[engine], "-m", "craft_tk", "freeze", "hello.py", "--dist", dist, "--engine",
                                engine], cwd=os.path.join(folder, "app"), env=outside_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                               timeout=BUILD_TIMEOUT_S)
        build_s = time.monotonic() - started
        self.assertEqual(build.returncode, 0, build.stdout)
        self.assertIn("froze hello.py with " + engine, build.stdout)
        size = int(subprocess.run(["du", "-sb", dist], stdout=subprocess.PIPE, universal_newlines=True,
                                  check=True).stdout.split()[0])
        program = os.path.join(dist, "hello", "hello")
        self.assertTrue(os.access(program, os.X_OK), "no program at " + program)

        app = _Running(self, [program, engine], os.path.join(folder, "run"), _bare_env(folder))
        window = app.wait_for(app.window, "hello's window")
        shot = os.path.join(folder, "shot.png")
        width, height = app.size(window)
        page = "{}x{}+{}+0".format(width - int(width * PAGE_LEFT), height, int(width * PAGE_LEFT))

        def painted() -> Optional[Dict[str, int]]:
            colours = app.shoot(window, shot, page)
            ok = (colours.get(PAGE_BACKGROUND, 0) > sum(colours.values()) // 2 and colours.get(HEADING, 0) > 100
                  and len(colours) >= 100)  # the page's body, its heading, and text (antialiased: many colours)
            return colours if ok else None

        before = app.wait_for(painted, "the page painted (its background, heading and text)")
        painted_s = time.monotonic() - app.started

        app.click(window, *PAGE_BUTTON)
        app.wait_for(lambda: app.line(r"click on button \(#1\)"), "hello.py's line for the page's click")
        app.click(window, *SEND_BUTTON)  # Python emits "greet": the page's white greeting box grows
        app.wait_for(lambda: app.shoot(window, shot, page).get("#FFFFFF", 0) > before.get("#FFFFFF", 0) + 500,
                     "the greeting from Python shown in the page")
        self.keep(shot, engine)
        self.assertFalse(app.line("IPC error"), app.output())
        self.measured.append("{} {:.0f} MB (du -sb), built in {:.0f} s, painted {:.1f} s after start".format(
            engine, size / 1e6, build_s, painted_s))

    def require(self, engine: str) -> None:
        """Skip (fail in CI) when this machine cannot freeze ``engine``."""
        problem = None
        if not os.environ.get("DISPLAY"):
            problem = "no X display (run through tools/with-display.sh)"
        elif not os.path.exists(PYTHONS[engine]):
            problem = "no {} (make builds it)".format(PYTHONS[engine])
        else:
            probe = subprocess.run([PYTHONS[engine], "-c", "import PyInstaller, " + BACKEND_MODULES[engine]],
                                   env=outside_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   universal_newlines=True)
            if probe.returncode != 0:
                problem = "{} cannot freeze {}: {}".format(PYTHONS[engine], engine, probe.stdout.strip()[-300:])
        if problem:
            if IN_CI:
                self.fail(problem)
            self.skipTest(problem)

    @staticmethod
    def keep(shot: str, engine: str) -> None:
        """Keep the last screenshot (the click logged, the greeting shown) for a person to look at."""
        kept = os.path.join(TOP, ".test-results", "screenshots")
        os.makedirs(kept, exist_ok=True)
        shutil.copy(shot, os.path.join(kept, "frozen-hello-{}.png".format(engine)))


def _bare_env(folder: str) -> Dict[str, str]:
    """No PYTHONPATH or PYTHONHOME, no virtual environment on PATH; CEF's cache in ``folder``."""
    env = outside_env({"CRAFT_TK_CEF_CACHE": os.path.join(folder, "cache")})
    for name in ("VIRTUAL_ENV", "CRAFT_TK_BACKEND", "CRAFT_TEST_ENGINE", "PYTHONSTARTUP"):
        env.pop(name, None)
    env["PATH"] = os.pathsep.join(entry for entry in env.get("PATH", "").split(os.pathsep)
                                  if entry and not inside(entry, TOP) and "/.venv" not in entry)
    return env


class _Running:
    """A program started in its own process group (ended with the test), its output read as it comes."""

    def __init__(self, test: unittest.TestCase, argv: List[str], cwd: str, env: Dict[str, str]) -> None:
        self.test = test
        self.others = set(self._windows())  # Tk sets no _NET_WM_PID: its window is the new one
        self.started = time.monotonic()
        self.process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        universal_newlines=True, start_new_session=True)
        test.addCleanup(self.stop)
        self.lines: List[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "output:\n" + "\n".join(self.lines[-40:])

    def line(self, pattern: str) -> bool:
        return any(re.search(pattern, line) for line in list(self.lines))

    def wait_for(self, check: Callable[[], Optional[T]], what: str, timeout: float = 60) -> T:
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            self.test.assertIsNone(self.process.poll(), "the app exited before {}: {}".format(what, self.output()))
            self.test.assertLess(time.monotonic(), deadline, "no {} in {} s; {}".format(what, timeout, self.output()))
            time.sleep(0.2)

    def window(self) -> Optional[str]:
        return next((window for window in self._windows() if window not in self.others), None)

    @staticmethod
    def _windows() -> List[str]:
        return subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^craft_tk: hello"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True).stdout.split()

    @staticmethod
    def size(window: str) -> List[int]:
        shell = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window], stdout=subprocess.PIPE,
                               universal_newlines=True, check=True).stdout
        values = dict(line.split("=", 1) for line in shell.split())
        return [int(values["WIDTH"]), int(values["HEIGHT"])]

    @staticmethod
    def shoot(window: str, path: str, region: str) -> Dict[str, int]:
        if subprocess.run(["import", "-silent", "-window", window, path], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            return {}
        return histogram(path, region)

    @staticmethod
    def click(window: str, x: int, y: int) -> None:
        subprocess.run(["xdotool", "mousemove", "--window", window, str(x), str(y), "click", "1"], check=True)

    def stop(self) -> None:
        """End the program and what it started (CEF's processes)."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                continue
            time.sleep(0.5)  # its children's last moments
