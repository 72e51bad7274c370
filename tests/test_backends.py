"""Choosing a backend: by name, automatically, and with a clear error when it cannot load."""

import contextlib
import os
import sys
import unittest
from typing import Any

import craft_tk
from craft_tk import BackendUnavailable, load_backend

from .support import ENGINE, EngineTestCase
from .test_devtools import free_port

PAGE = "<p>preloaded</p><script>craft.on('ping', function (d) { craft.send('pong', d); });</script>"


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


class PreloadCase(EngineTestCase):
    """``craft_tk.preload()``: what it starts is what the first panel then uses (one Tk
    root a class: each case starts with no helper)."""

    def standby(self) -> Any:
        """The helper preload() started and no panel took yet (None elsewhere than cef-host)."""
        if load_backend(ENGINE).name != "cef-host":
            return None
        from craft_tk.backends import _cef_host

        return _cef_host._Standby.process

    def expect_answers(self, panel: craft_tk.WebPanel) -> None:
        pongs = self.collect(panel, "pong")
        panel.emit("ping", 1)
        self.wait_for(lambda: pongs == [1], "the page to answer")


class Preload(PreloadCase):
    def test_the_helper_preload_starts_is_the_one_the_first_panel_uses(self) -> None:
        name = craft_tk.preload(ENGINE)
        self.assertEqual(name, load_backend(ENGINE).name)
        if name == "tkhtml":
            from craft_tk.backends import _tkhtml

            _tkhtml._make_world = None  # compiled by an earlier test, perhaps
            craft_tk.preload(ENGINE)
            self.assertIsNotNone(_tkhtml._make_world, "the page worlds' scripts compiled before any page")
        standby = self.standby()
        panel = self.panel(PAGE)
        self.expect_answers(panel)
        if name == "cef-host":
            self.assertIs(panel.transport._helper.process, standby, "the first panel's helper is the preloaded one")
            craft_tk.preload(ENGINE)
            self.assertIsNone(self.standby(), "with a helper running, preload starts no other")


class PreloadWithAnotherDevtoolsPort(PreloadCase):
    def test_a_panel_that_wants_another_devtools_port_gets_its_own_helper_and_the_preloaded_one_ends(self) -> None:
        if load_backend(ENGINE).name != "cef-host":
            self.skipTest("only CEF in a helper process starts anything before a panel")
        craft_tk.preload(ENGINE, devtools_port=free_port())
        standby = self.standby()
        self.assertIsNone(standby.poll(), "the preloaded helper runs")
        panel = self.panel(PAGE)
        self.expect_answers(panel)
        self.assertIsNot(panel.transport._helper.process, standby)
        self.wait_for(lambda: standby.poll() is not None, "the unused helper to exit")


if __name__ == "__main__":
    unittest.main()
