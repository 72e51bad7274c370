"""Which Python runs the CEF helper when ``CRAFT_CEF_PYTHON`` names one for an installed
craft_tk: that Python's own craft_tk must be the app's, or the app is told at load, not
by a helper speaking another protocol. The helper Pythons here are small scripts that
answer the probe as a real one would (a real one runs in the package tests)."""

import os
import shutil
import stat
import tempfile
import unittest
from typing import Optional
from unittest import mock

from craft_tk import __version__
from craft_tk._errors import BackendUnavailable
from craft_tk.backends import _cef_python


class CefPythonOfAnInstalledApp(unittest.TestCase):
    def setUp(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="craft-cef-python-")
        self.addCleanup(shutil.rmtree, self.folder, True)
        self.environ = {"XDG_CACHE_HOME": os.path.join(self.folder, "cache")}  # no setup-cef record
        installed = mock.patch.object(_cef_python, "from_checkout", return_value=False)
        installed.start()
        self.addCleanup(installed.stop)
        self.addCleanup(_cef_python._probed.clear)

    def helper_python(self, answer: Optional[str]) -> str:
        """A "python" that prints ``answer`` to the probe, between lines of a noisy
        sitecustomize (None: fails as one without cefpython3)."""
        path = os.path.join(self.folder, "python3.7")
        with open(path, "w") as script:
            script.write("#!/bin/sh\necho 'sitecustomize says hello'\n" +
                         ("echo 'craft_tk-probe:{}'\necho 'and bye'\n".format(answer) if answer is not None
                          else "exit 1\n"))
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        self.environ["CRAFT_CEF_PYTHON"] = path
        return path

    def test_one_with_the_apps_craft_tk_runs_the_helper(self) -> None:
        python = self.helper_python('["{}", "{}"]'.format(__version__, _cef_python.PACKAGE))
        helper = _cef_python.find_helper(self.environ)
        self.assertEqual((helper.python, helper.path, helper.found_by), (python, "", "CRAFT_CEF_PYTHON"))

    def test_one_with_an_identical_copy_of_the_apps_craft_tk_runs_the_helper(self) -> None:
        copy = self.copy_of_craft_tk()
        self.helper_python('["{}", "{}"]'.format(__version__, copy))
        self.assertEqual(_cef_python.find_helper(self.environ).found_by, "CRAFT_CEF_PYTHON")

    def copy_of_craft_tk(self) -> str:
        copy = os.path.join(self.folder, "site-packages", "craft_tk")
        shutil.copytree(_cef_python.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
        return copy

    def test_one_with_another_version_is_an_error_naming_both(self) -> None:
        python = self.helper_python('["0.0.1", "/elsewhere/site-packages/craft_tk"]')
        with self.assertRaises(BackendUnavailable) as raised:
            _cef_python.find_helper(self.environ)
        message = str(raised.exception)
        self.assertIn("CRAFT_CEF_PYTHON is set to {!r}, whose craft_tk 0.0.1 (/elsewhere/site-packages/craft_tk) "
                      "is not the app's ({}, {})".format(python, __version__, _cef_python.PACKAGE), message)
        self.assertIn("-m craft_tk setup-cef", message)

    def test_one_with_another_build_of_this_version_is_an_error_too(self) -> None:
        copy = self.copy_of_craft_tk()
        with open(os.path.join(copy, "_protocol.py"), "a") as changed:
            changed.write("\n# another build\n")
        self.helper_python('["{}", "{}"]'.format(__version__, copy))
        with self.assertRaisesRegex(BackendUnavailable, "whose another build of craft_tk {} ".format(__version__)):
            _cef_python.find_helper(self.environ)

    def test_one_that_cannot_import_cefpython3_says_so(self) -> None:
        self.helper_python(None)
        with self.assertRaisesRegex(BackendUnavailable, "cannot import cefpython3, orjson and craft_tk: run"):
            _cef_python.find_helper(self.environ)


if __name__ == "__main__":
    unittest.main()
