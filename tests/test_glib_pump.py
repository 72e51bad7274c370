"""The glib pump CEF runs on: after a long dispatch it runs the engine's work at once,
and never one inside the other."""

import ctypes
import threading
import time
import tkinter as tk
import unittest
from typing import Callable, List

from craft_tk.backends._glib_pump import GlibPump, _load_glib

_SOURCE_FUNC = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
LONG_S = 0.05  # what counts as a long dispatch here: far above a busy machine's hiccups


class LongDispatches(unittest.TestCase):
    """On a glib context of its own (CEF's default one may be running in this process),
    with ``work`` standing in for CEF's ``MessageLoopWork``."""

    def setUp(self) -> None:
        self.root = tk.Tk()
        self.root.withdraw()
        self.glib = glib = _load_glib()
        glib.g_main_context_new.restype = ctypes.c_void_p
        glib.g_idle_source_new.restype = ctypes.c_void_p
        glib.g_source_set_callback.argtypes = [ctypes.c_void_p, _SOURCE_FUNC, ctypes.c_void_p, ctypes.c_void_p]
        glib.g_source_attach.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        glib.g_source_unref.argtypes = [ctypes.c_void_p]
        glib.g_main_context_release.argtypes = [ctypes.c_void_p]
        glib.g_main_context_unref.argtypes = [ctypes.c_void_p]
        self.context = glib.g_main_context_new()
        self.callbacks: List[object] = []  # kept alive while glib may call them
        self.worked: List[bool] = []  # for each run of the engine's work: inside a source's callback?
        self.inside = False  # in a source's callback
        self.in_work = False
        self.during_work: Callable[[], None] = lambda: None
        self.pump = GlibPump(self.root, self.work, self.context, follow_up_after=LONG_S)

    def tearDown(self) -> None:
        self.pump.stop()
        self.root.destroy()
        self.glib.g_main_context_release(self.context)
        self.glib.g_main_context_unref(self.context)

    def work(self) -> None:
        self.worked.append(self.inside)
        self.in_work = True
        try:
            self.during_work()
        finally:
            self.in_work = False

    def add_source(self, run: Callable[[], None]) -> None:
        """A glib source that runs ``run()`` once, as soon as the context is dispatched;
        attached from another thread, as CEF's threads ask for work, which wakes the
        context through a file descriptor the pump watches."""
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
        attach = threading.Thread(target=self.glib.g_source_attach, args=(source, self.context))
        attach.start()
        attach.join()
        self.glib.g_source_unref(source)

    def spin(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.root.update()
            time.sleep(0.001)

    def test_a_long_dispatch_is_followed_by_the_engines_work(self) -> None:
        ran = []
        self.add_source(lambda: (time.sleep(2 * LONG_S), ran.append(True)))
        self.spin(0.3)
        self.assertEqual(ran, [True])
        self.assertTrue(self.worked, "the engine's work ran after the long dispatch")
        self.assertNotIn(True, self.worked, "outside the dispatch")

    def test_a_short_dispatch_is_not(self) -> None:
        ran = []
        self.add_source(lambda: ran.append(True))
        self.spin(0.2)
        self.assertEqual(ran, [True])
        self.assertEqual(self.worked, [])

    def test_a_tk_loop_inside_a_dispatch_does_not_run_the_engines_work_inside_it(self) -> None:
        def dialog() -> None:  # a callback that spins Tk, as a modal dialog does
            self.spin(0.1)

        self.add_source(lambda: (time.sleep(2 * LONG_S), self.add_source(dialog)))  # leaves a follow-up due
        self.spin(0.5)
        self.assertTrue(self.worked, "the engine's work ran after the dispatches")
        self.assertNotIn(True, self.worked, "never inside a source's callback")

    def test_a_tk_loop_inside_the_engines_work_does_not_dispatch_inside_it(self) -> None:
        ran = []

        def dialog_in_work() -> None:  # the work delivers a message whose listener opens a dialog
            self.during_work = lambda: None
            self.add_source(lambda: ran.append(self.in_work))  # ready while the dialog is open
            self.spin(0.1)

        self.during_work = dialog_in_work
        self.add_source(lambda: time.sleep(2 * LONG_S))
        self.spin(0.5)
        self.assertTrue(self.worked)
        self.assertEqual(ran, [False], "dispatched after the work, not inside it")


if __name__ == "__main__":
    unittest.main()
