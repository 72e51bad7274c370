"""The Tk-driven asyncio loop: work runs from Tk, threads can wake it, idle costs nothing."""

import asyncio
import gc
import threading
import time
import tkinter as tk
import unittest

from craft_tk import TkAsyncio


class TkDrivenAsyncio(unittest.TestCase):
    def setUp(self) -> None:
        self.root = tk.Tk()
        self.root.withdraw()
        self.driver = TkAsyncio.of(self.root)

    def tearDown(self) -> None:
        self.root.destroy()
        del self.root, self.driver
        gc.collect()  # on this thread, never a worker's (see tests/support.py)

    def run_until(self, condition, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            self.assertLess(time.monotonic(), deadline, "timed out")
            self.root.update()
            time.sleep(0.0005)

    def test_one_driver_per_interpreter(self) -> None:
        self.assertIs(TkAsyncio.of(self.root), self.driver)

    def test_coroutines_and_timers_run_from_tk_updates(self) -> None:
        done = []

        async def job():
            started = time.monotonic()
            await asyncio.sleep(0.05)
            done.append(time.monotonic() - started)

        self.driver.loop.create_task(job())
        self.run_until(lambda: done)
        self.assertGreaterEqual(done[0], 0.045)

    def test_a_thread_wakes_the_loop(self) -> None:
        ran_on = []
        thread = threading.Thread(target=lambda: self.driver.call_soon_threadsafe(
            lambda: ran_on.append(threading.get_ident())))
        thread.start()
        thread.join()
        self.run_until(lambda: ran_on)
        self.assertEqual(ran_on, [threading.get_ident()])

    def test_an_idle_loop_schedules_nothing(self) -> None:
        self.run_until(lambda: self.driver._after_id is None)
        self.root.update()
        self.assertIsNone(self.driver._after_id, "an idle loop should not poll")


if __name__ == "__main__":
    unittest.main()
