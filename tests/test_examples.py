"""Every example, run as a user runs it from the launcher, on the engine under test:
its window appears, its page paints, nothing crashes. Screenshots are kept in
``.test-results/screenshots`` for a person to look at."""

import os
import signal
import subprocess
import sys
import threading
import time
import unittest
from typing import List, Optional

from examples.__main__ import examples

from .support import ENGINE, IN_CI, SHOTS, TOP, engine_problem, shoot


def example_window() -> Optional[str]:
    """The X window id of the visible example window (every example's title starts with
    "craft_tk: "; one runs at a time), if any."""
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^craft_tk: "],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True).stdout.split()
    return found[-1] if found else None


def colours(path: str) -> int:
    """How many distinct colours the PNG at ``path`` holds (text brings dozens)."""
    out = subprocess.run(["identify", "-format", "%k", path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, universal_newlines=True).stdout.strip()
    return int(out) if out.isdigit() else 0


class Examples(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        problem = engine_problem()
        if problem:
            if IN_CI:
                raise RuntimeError("engine {!r} cannot run: {}".format(ENGINE, problem))
            raise unittest.SkipTest(problem)
        os.makedirs(SHOTS, exist_ok=True)

    def run_example(self, name: str) -> None:
        label = "{}-{}".format(name[:-3], "cef-host" if ENGINE == "cef" and sys.version_info >= (3, 8) else ENGINE)
        env = dict(os.environ, PYTHONPATH=TOP + os.pathsep + os.environ.get("PYTHONPATH", ""))
        # As the launcher runs it, with craft_tk's INFO log on stderr ("the page connected").
        run = ("import logging, runpy, sys; logging.basicConfig(level=logging.INFO); "
               "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')")
        process = subprocess.Popen([sys.executable, "-c", run, os.path.join(TOP, "examples", name), ENGINE], cwd=TOP,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, universal_newlines=True)
        connected = self.watch = _Watch(process, "the page connected")
        self.addCleanup(self.stop, process)
        deadline = time.monotonic() + 60
        window = None
        while window is None:
            self.assertIsNone(process.poll(), "{} exited early: {}".format(name, self.output(process)))
            self.assertLess(time.monotonic(), deadline, "no window from " + name)
            window = example_window()
            time.sleep(0.1)
        while not connected.seen:
            self.assertIsNone(process.poll(), "{} exited: {}".format(name, self.output(process)))
            self.assertLess(time.monotonic(), deadline, "{}'s page never connected".format(name))
            time.sleep(0.1)
        shot = os.path.join(SHOTS, label + ".png")
        counts: List[int] = []
        while True:  # painted: rich in colours (text), and as rich as the shot before
            self.assertIsNone(process.poll(), "{} exited: {}".format(name, self.output(process)))
            if shoot(window, shot):
                counts.append(colours(shot))
                if len(counts) > 1 and counts[-1] >= 100 and counts[-1] >= counts[-2]:
                    break
            self.assertLess(time.monotonic(), deadline, "{}'s page never painted (colours: {})".format(name, counts))
            time.sleep(0.3)
        self.assertIsNone(process.poll())

    def stop(self, process: "subprocess.Popen[str]") -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # as Ctrl+C: the example's exit handlers run
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        errors = "".join(self.watch.lines) if hasattr(self, "watch") else ""
        failures = [t for t in _tracebacks(errors) if "KeyboardInterrupt" not in t]  # the Ctrl+C that stopped it
        self.assertEqual(failures, [], errors[-3000:])

    def output(self, process: "subprocess.Popen[str]") -> str:
        return "".join(self.watch.lines)[-2000:] if hasattr(self, "watch") else ""


def _tracebacks(text: str) -> List[str]:
    """The tracebacks printed in ``text``, each with the line that announced it, a chain
    ("During handling of the above exception...") as one: the Ctrl+C may end a chain that
    began elsewhere, or be announced before its traceback (a page listener's call into
    Python that PythonMonkey reports as "Python KeyboardInterrupt:")."""
    chains: List[str] = []
    pieces = text.split("Traceback (most recent call last)")
    for before, piece in zip(pieces, pieces[1:]):
        if chains and chains[-1].rstrip().endswith(("another exception occurred:", "of the following exception:")):
            chains[-1] += piece
        else:
            chains.append(before.rstrip("\n").rsplit("\n", 1)[-1] + "\n" + piece)
    return chains


class _Watch:
    """Reads a process's stderr on a thread; ``seen`` once a line holds ``text``."""

    def __init__(self, process: "subprocess.Popen[str]", text: str) -> None:
        self.lines: List[str] = []
        self.seen = False
        self._text = text
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: "subprocess.Popen[str]") -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self.lines.append(line)
            if self._text in line:
                self.seen = True


def _add_tests() -> None:
    for name, _ in examples():
        def test(self: Examples, name: str = name) -> None:
            self.run_example(name)

        setattr(Examples, "test_example_{}".format(name[:-3]), test)


_add_tests()
