"""Choosing a backend: by name, automatically, and with a clear error when it cannot load."""

import contextlib
import os
import sys
import unittest

import craft_tk
from craft_tk import BackendUnavailable, load_backend


class BackendChoice(unittest.TestCase):
    def test_unknown_name_lists_the_choices(self) -> None:
        with self.assertRaisesRegex(ValueError, "auto, cef, loopback, tkhtml"):
            load_backend("webkit")

    def test_the_engine_this_python_cannot_load_says_what_to_install(self) -> None:
        if sys.version_info[:2] == (3, 7):
            with self.assertRaisesRegex(BackendUnavailable, r"pip install 'craft_tk\[tkhtml\]'"):
                load_backend("tkhtml")
        else:
            from craft_tk.backends._cef_python import find_helper_python

            with self.assertRaisesRegex(BackendUnavailable, r"Python 3.7 only: .*CRAFT_CEF_PYTHON"):
                find_helper_python(["/no/such/python3.7"])

    def test_auto_picks_cef_in_process_then_tkhtml_then_cef_in_a_helper(self) -> None:
        with backend_variable(None):  # the whole rule, the environment varied: tests/test_first_hour.py
            if sys.version_info[:2] == (3, 7):
                expected = "cef"
            else:
                try:
                    load_backend("tkhtml")
                    expected = "tkhtml"
                except BackendUnavailable:
                    expected = "cef-host"
            self.assertEqual(load_backend("auto").name, expected)

    def test_auto_honours_the_environment_variable(self) -> None:
        with backend_variable("loopback"):
            self.assertEqual(load_backend().name, "loopback")


@contextlib.contextmanager
def backend_variable(value):
    """Set CRAFT_TK_BACKEND alone: cefpython3 puts LD_LIBRARY_PATH in os.environ when
    imported, and restoring the whole environment would take it away from CEF."""
    saved = os.environ.pop("CRAFT_TK_BACKEND", None)
    if value is not None:
        os.environ["CRAFT_TK_BACKEND"] = value
    try:
        yield
    finally:
        os.environ.pop("CRAFT_TK_BACKEND", None)
        if saved is not None:
            os.environ["CRAFT_TK_BACKEND"] = saved


class PublicNames(unittest.TestCase):
    def test_all_is_sorted_and_every_name_exists(self) -> None:
        self.assertEqual(craft_tk.__all__, sorted(craft_tk.__all__))
        for name in craft_tk.__all__:
            self.assertTrue(hasattr(craft_tk, name), name)


if __name__ == "__main__":
    unittest.main()
