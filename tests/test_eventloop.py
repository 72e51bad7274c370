"""The Tk-driven asyncio loop: work runs from Tk, threads can wake it, idle costs nothing."""

import asyncio
import gc
import socket
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

    def socket_pair(self):
        """Two connected sockets, closed after the test; ours does not block."""
        ours, theirs = socket.socketpair()
        self.addCleanup(ours.close)
        self.addCleanup(theirs.close)
        ours.setblocking(False)
        return ours, theirs

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

    def test_file_descriptors_added_later_are_watched(self) -> None:
        loop = self.driver.loop
        ours, theirs = self.socket_pair()
        heard = []

        def readable() -> None:
            heard.append(ours.recv(16))

        self.root.update()  # a few steps with the loop's own descriptors only
        loop.add_reader(ours.fileno(), readable)
        theirs.send(b"one")
        self.run_until(lambda: heard == [b"one"])
        loop.remove_reader(ours.fileno())
        theirs.send(b"two")
        for _ in range(20):
            self.root.update()
            time.sleep(0.002)
        self.assertEqual(heard, [b"one"], "a removed reader must not be called")
        loop.add_reader(ours.fileno(), readable)  # watched again: "two" waits there
        self.run_until(lambda: heard == [b"one", b"two"])
        loop.remove_reader(ours.fileno())

    def test_what_a_batch_makes_ready_runs_before_it_ends(self) -> None:
        loop = self.driver.loop
        ran = []

        def chain(depth: int) -> None:
            ran.append((depth, asyncio.get_running_loop() is loop and loop.is_running()))
            if depth < 3:
                loop.call_soon(chain, depth + 1)

        with self.driver.batch():
            loop.call_soon(chain, 1)
            self.assertEqual(ran, [])
        self.assertEqual(ran, [(1, True), (2, True), (3, True)])

    def test_a_flush_asked_in_a_batch_runs_at_its_end_without_a_step(self) -> None:
        self.run_until(lambda: self.driver._after_id is None)
        steps, flushed = self.driver._steps, []
        with self.driver.batch():
            self.driver.call_last(lambda: flushed.append("first"))
            self.driver.call_last(lambda: flushed.append("second"))
            self.assertEqual(flushed, [])
        self.assertEqual(flushed, ["first", "second"])
        self.assertEqual(self.driver._steps, steps, "no asyncio iteration for a flush alone")
        self.assertIsNone(self.driver._after_id, "nothing left scheduled in Tk")

    def test_a_flush_runs_after_what_the_batch_made_ready(self) -> None:
        loop = self.driver.loop
        order = []

        async def answer() -> None:
            order.append("coroutine")
            self.driver.call_last(lambda: order.append("flush"))

        with self.driver.batch():
            self.driver.call_last(lambda: order.append("flush"))
            loop.create_task(answer())
        self.assertEqual(order, ["coroutine", "flush", "flush"])

    def test_a_flush_asked_during_a_dialog_in_a_batch_still_runs(self) -> None:
        # A listener that opens a modal dialog spins Tk before its batch ends: what it
        # queued for the page must not wait for the dialog to close.
        flushed = []
        with self.driver.batch():
            self.driver.call_last(lambda: flushed.append(True))
            self.run_until(lambda: flushed)  # the dialog's own event loop
        self.assertEqual(flushed, [True])

    def test_what_a_flush_causes_runs_after_the_callbacks_ready_then(self) -> None:
        loop, order = self.driver.loop, []

        def page_flush() -> None:  # Tkhtml: the page's flush reaches native, whose answer flushes;
            loop.call_soon(order.append, "promise job")  # the page queued a promise job meanwhile
            self.driver.call_last(lambda: order.append("answer"))

        with self.driver.batch():
            self.driver.call_last(page_flush)
        self.assertEqual(order, ["promise job", "answer"])

    def test_what_a_flush_causes_runs_at_once_when_nothing_else_waits(self) -> None:
        self.run_until(lambda: self.driver._after_id is None)
        steps, order = self.driver._steps, []

        def page_flush() -> None:  # Tkhtml: the page's flush reaches native, whose answer flushes
            order.append("page flush")
            self.driver.call_last(lambda: order.append("answer"))

        with self.driver.batch():
            self.driver.call_last(page_flush)
        self.assertEqual(order, ["page flush", "answer"])
        self.assertEqual(self.driver._steps, steps, "no asyncio iteration between the two flushes")

    def test_a_flush_that_closes_the_driver_ends_its_batch_quietly(self) -> None:
        loop = self.driver.loop
        with self.driver.batch():  # a handler's flush destroyed the app's root, say
            self.driver.call_last(self.driver.close)
        self.assertTrue(loop.is_closed())

    def test_a_flush_that_asks_again_forever_leaves_tk_its_turn(self) -> None:
        runs, tk_ran = [0], []

        def flush() -> None:  # an outbox with more channel data than a flush's budget, always
            runs[0] += 1
            if not tk_ran:
                self.driver.call_last(flush)

        self.root.after(0, tk_ran.append, True)
        with self.driver.batch():
            self.driver.call_last(flush)
        self.assertGreater(runs[0], 1)
        self.assertEqual(tk_ran, [], "the flushes ran within a step's budget, then returned")
        self.run_until(lambda: tk_ran)

    def test_flushes_after_a_system_exit_still_run(self) -> None:
        flushed = []

        def interrupted() -> None:
            raise SystemExit(3)

        with self.driver.batch():
            self.driver.call_last(interrupted)
            self.driver.call_last(lambda: flushed.append(True))
        self.assertEqual(flushed, [], "the exit stopped the batch's flushes")
        self.run_until(lambda: flushed)  # raised where Tk's callbacks raise it; the rest still runs

    def test_a_reader_added_in_a_batch_of_flushes_only_is_watched(self) -> None:
        # A plain handler that starts reading a socket and answers: its batch ends with a
        # flush and no asyncio iteration, and Tk must still watch the socket.
        loop = self.driver.loop
        ours, theirs = self.socket_pair()
        heard = []
        self.run_until(lambda: self.driver._after_id is None)
        with self.driver.batch():
            loop.add_reader(ours.fileno(), lambda: heard.append(ours.recv(16)))
            self.driver.call_last(lambda: None)
        self.addCleanup(loop.remove_reader, ours.fileno())
        theirs.send(b"data")
        self.run_until(lambda: heard == [b"data"])

    def test_a_failing_flush_is_reported_and_the_others_run(self) -> None:
        errors, flushed = [], []
        self.driver.loop.set_exception_handler(lambda _, context: errors.append(context["exception"]))
        with self.driver.batch():
            self.driver.call_last(lambda: 1 / 0)
            self.driver.call_last(lambda: flushed.append(True))
        self.assertEqual(flushed, [True])
        self.assertIsInstance(errors[0], ZeroDivisionError)

    def test_an_endless_chain_leaves_tk_its_turn(self) -> None:
        loop = self.driver.loop
        spins = [0]
        tk_ran = []

        def spin() -> None:
            spins[0] += 1
            if not tk_ran:
                loop.call_soon(spin)

        self.root.after(0, tk_ran.append, True)
        with self.driver.batch():
            loop.call_soon(spin)
        self.assertGreater(spins[0], 1)
        self.assertEqual(tk_ran, [], "the batch's step ran within its budget, then returned")
        self.run_until(lambda: tk_ran)

    def test_a_callback_that_destroys_the_root_ends_the_step_cleanly(self) -> None:
        root = tk.Tk()
        root.withdraw()
        driver = TkAsyncio.of(root)
        loop = driver.loop
        errors = []
        loop.set_exception_handler(lambda _, context: errors.append(context))
        after = []
        with driver.batch():
            loop.call_soon(root.destroy)
            # Asked after the root went, in the same step: dropped when the loop closes
            # at the step's end, without an error ("loop is closed") meanwhile.
            loop.call_soon(lambda: loop.call_soon(after.append, "dropped"))
        self.assertTrue(loop.is_closed())
        self.assertEqual((after, errors), ([], []))
        self.assertIsNot(asyncio.events._get_running_loop(), loop, "a closed loop must not stay the running one")


if __name__ == "__main__":
    unittest.main()
