"""The glib pump CEF runs on: after a long dispatch it runs the engine's work at once."""

import ctypes
import time
import tkinter as tk
import unittest
from typing import Callable, List

from craft_tk.backends._glib_pump import GlibPump, _load_glib

_SOURCE_FUNC = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


class LongDispatches(unittest.TestCase):
    """On a glib context of its own (CEF's default one may be running in this process)."""

    def setUp(self) -> None:
        self.root = tk.Tk()
        self.root.withdraw()
        self.glib = glib = _load_glib()
        glib.g_main_context_new.restype = ctypes.c_void_p
        glib.g_idle_source_new.restype = ctypes.c_void_p
        glib.g_source_set_callback.argtypes = [ctypes.c_void_p, _SOURCE_FUNC, ctypes.c_void_p, ctypes.c_void_p]
        glib.g_source_attach.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        glib.g_source_unref.argtypes = [ctypes.c_void_p]
        glib.g_main_context_unref.argtypes = [ctypes.c_void_p]
        self.context = glib.g_main_context_new()
        self.callbacks: List[object] = []  # kept alive while glib may call them
        self.worked: List[bool] = []  # for each run of the engine's work: inside a source's callback?
        self.inside = False
        self.pump = GlibPump(self.root, lambda: self.worked.append(self.inside), self.context)

    def tearDown(self) -> None:
        self.pump.stop()
        self.root.destroy()
        self.glib.g_main_context_unref(self.context)

    def add_source(self, run: Callable[[], None]) -> None:
        """A glib source that runs ``run()`` once, as soon as the context is dispatched."""
        def callback(_: object) -> int:
            self.inside = True
            try:
                run()
            finally:
                self.inside = False
            return 0  # G_SOURCE_REMOVE

        function = _SOURCE_FUNC(callback)
        self.callbacks.append(function)
        source = self.glib.g_idle_source_new()
        self.glib.g_source_set_callback(source, function, None, None)
        self.glib.g_source_attach(source, self.context)
        self.glib.g_source_unref(source)
        self.pump._wait()  # as after any dispatch: the pump learns glib has work

    def spin(self, seconds: float = 0.05) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.root.update()
            time.sleep(0.001)

    def test_a_long_dispatch_is_followed_by_the_engines_work(self) -> None:
        ran = []
        self.add_source(lambda: (time.sleep(0.005), ran.append(True)))
        self.spin()
        self.assertEqual(ran, [True])
        self.assertEqual(self.worked, [False], "the engine's work ran once, after the dispatch")

    def test_a_short_dispatch_is_not(self) -> None:
        ran = []
        self.add_source(lambda: ran.append(True))
        self.spin()
        self.assertEqual(ran, [True])
        self.assertEqual(self.worked, [])

    def test_a_tk_loop_inside_a_dispatch_does_not_run_the_engines_work_inside_it(self) -> None:
        def dialog() -> None:  # a callback that spins Tk, as a modal dialog does
            self.spin(0.02)

        self.add_source(lambda: (time.sleep(0.005), self.add_source(dialog)))  # the first leaves a follow-up due
        self.spin()
        self.assertTrue(self.worked, "the engine's work ran after the dispatches")
        self.assertNotIn(True, self.worked, "never inside a source's callback")


if __name__ == "__main__":
    unittest.main()
