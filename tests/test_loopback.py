"""The loopback backend, used as an app author would: unit tests of native handlers."""

import asyncio
import gc
import threading
import time
import tkinter as tk
import unittest

import craft_tk
from craft_tk import ListenerError, PageError, ProtocolError, Refused


class LoopbackTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.root = tk.Tk()
        cls.root.withdraw()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.root.destroy()
        del cls.root
        gc.collect()  # on this thread, never a worker's (see tests/support.py)

    def setUp(self) -> None:
        self.panel = craft_tk.WebPanel(self.root, backend="loopback")
        self.page = self.panel.transport.page
        self.errors = []
        self.panel.on_ipc_error(self.errors.append)
        self.settle()

    def tearDown(self) -> None:
        self.panel.destroy()

    def settle(self, condition=lambda: True, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        self.root.update()
        while not (condition() and self.page.connected) and time.monotonic() < deadline:
            self.root.update()
            time.sleep(0.0005)
        self.assertTrue(condition(), "condition not met in time")


class Messages(LoopbackTestCase):
    def test_page_events_reach_native_listeners(self) -> None:
        seen = []
        self.panel.on("user-action", seen.append)
        self.page.send("user-action", {"type": "click", "target": "button"})
        self.settle(lambda: seen)
        self.assertEqual(seen, [{"type": "click", "target": "button"}])

    def test_native_events_reach_the_page_in_one_batch_per_tick(self) -> None:
        got = []
        self.page.on("n", got.append)
        posts_before = self.panel.transport.posts
        for i in range(1000):
            self.panel.emit("n", i)
        self.settle(lambda: len(got) == 1000)
        self.assertEqual(got, list(range(1000)))
        self.assertEqual(self.panel.transport.posts - posts_before, 1)

    def test_emit_from_a_thread_is_delivered(self) -> None:
        got = []
        self.page.on("t", got.append)
        thread = threading.Thread(target=lambda: [self.panel.emit("t", i) for i in range(100)])
        thread.start()
        self.settle(lambda: len(got) == 100)
        thread.join()
        self.assertEqual(got, list(range(100)))

    def test_async_listeners_run(self) -> None:
        got = []

        @self.panel.on("later")
        async def later(data):
            await asyncio.sleep(0.005)
            got.append(data)

        self.page.send("later", "done")
        self.settle(lambda: got)
        self.assertEqual(got, ["done"])


class Failures(LoopbackTestCase):
    def test_a_failing_listener_is_reported_and_the_rest_run(self) -> None:
        ran = []
        self.panel.on("x", lambda data: 1 / 0)
        self.panel.on("x", ran.append)
        with self.assertLogs("craft_tk", "ERROR"):
            self.page.send("x", 1)
            self.settle(lambda: ran)
        self.assertEqual(ran, [1])
        self.assertIsInstance(self.errors[0], ListenerError)
        self.assertIsInstance(self.errors[0].__cause__, ZeroDivisionError)

    def test_malformed_input_reaches_on_ipc_error(self) -> None:
        secret = self.page._secret
        with self.assertLogs("craft_tk", "ERROR"):
            self.page.post_raw('["{}"\n,]]'.format(secret))
            self.page.post_raw('["{}",{{"kind": "event", "name": null}}]'.format(secret))
            self.page.post_raw('[{"kind": "event", "name": "no secret"}]')
        self.assertEqual([type(e) for e in self.errors], [ProtocolError, ProtocolError, Refused])

    def test_page_listener_failures_are_reported_as_page_errors(self) -> None:
        def broken(data):
            raise ValueError("page bug")

        self.page.on("go", broken)
        with self.assertLogs("craft_tk", "ERROR"):
            self.panel.emit("go")
            self.settle(lambda: self.errors)
        self.assertIsInstance(self.errors[0], PageError)
        self.assertIn("page bug", str(self.errors[0]))


if __name__ == "__main__":
    unittest.main()
