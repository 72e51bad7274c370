"""mypy passes on craft_tk, and on an app that uses a typed window."""

import os
import subprocess
import sys
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
        result = self.mypy("craft_tk", "jsbridge", "examples/typed.py")
        self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-1000:])

    def test_the_check_can_fail(self) -> None:
        sample = os.path.join(TOP, ".venv", "mypy-sample.py")
        with open(sample, "w") as out:
            out.write("import craft_tk\nwindow = craft_tk.create_typed_window('<p>', events=dict)\n"
                      "window.emit(42)\n")
        result = self.mypy(sample)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn('incompatible type "int"', result.stdout)
