"""mypy passes on craft_tk, and on an app that uses a typed window."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)

try:
    import mypy  # noqa: F401
except ImportError:
    mypy = None


@unittest.skipIf(mypy is None and not os.environ.get("CI"), "mypy is not installed (make test installs it)")
class Mypy(unittest.TestCase):
    def mypy(self, *targets: str) -> subprocess.CompletedProcess:
        cache = os.path.join(TOP, ".venv", "mypy-cache-{}.{}".format(*sys.version_info[:2]))
        return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", cache, "--ignore-missing-imports",
                               "--no-error-summary"] + list(targets),
                              cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)

    def test_the_package_and_the_typed_example_type_check(self) -> None:
        result = self.mypy("craft_tk", "examples/typed.py")
        self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-1000:])

    def test_the_check_can_fail(self) -> None:
        sample = os.path.join(TOP, ".venv", "mypy-sample.py")
        with open(sample, "w") as out:
            out.write("import craft_tk\nwindow = craft_tk.create_typed_window('<p>', events=dict)\n"
                      "window.emit(42)\n")
        result = self.mypy(sample)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn('incompatible type "int"', result.stdout)

    def test_an_app_outside_the_checkout_type_checks_strictly(self) -> None:
        """As a user would: the installed craft_tk found by mypy --strict from another
        folder, its decorators typed, and a wrong backend name reported."""
        folder = tempfile.mkdtemp(prefix="craft-typing-")
        self.addCleanup(shutil.rmtree, folder, True)
        with open(os.path.join(folder, "app.py"), "w") as out:
            out.write(APP)
        with open(os.path.join(folder, "wrong.py"), "w") as out:
            out.write("import craft_tk\ncraft_tk.WebPanel(None, html='', backend='cfe')\n")
        cache = os.path.join(folder, ".mypy_cache")
        strict = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", cache, "--no-error-summary"]
        result = subprocess.run(strict + ["app.py"], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True)
        self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-1000:])
        result = subprocess.run(strict + ["wrong.py"], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True)
        self.assertIn("'cfe'", result.stdout)


APP = """import tkinter as tk
from typing import Any, Callable

import craft_tk

root = tk.Tk()
panel = craft_tk.WebPanel(root, html="<p>hi</p>", backend="auto")


@panel.on("user-action")
def on_action(data: Any) -> None:
    print(data)


@panel.handle("add", thread=True)
def add(a: int, b: int) -> int:
    return a + b


@panel.on_channel("uploads")
def accept(channel: craft_tk.Channel) -> None:
    channel.close()


state = craft_tk.create_shared_state({"theme": "dark"})


@state.watch("theme")
def theme_changed(new: Any, old: Any) -> None:
    print(old, new)


unsubscribe: Callable[[], None] = panel.on("other", on_action)
total: int = add(1, 2)
"""
