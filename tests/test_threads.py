"""Calls from worker threads, and the app's own asyncio code, on a real engine."""

import asyncio
import os
import subprocess
import sys
import threading
from typing import Any, Callable, List

import craft_tk
from craft_tk import SharedState

from .support import ENGINE, EngineTestCase

PAGE = """<html><body><p>threads</p><script>
  craft.handle('double', function (x) { return x * 2; });
  var lines = [];
  craft.on('connect', function (name) {
    var channel = craft.connectChannel(name);
    channel.on('message', function (line) { lines.push(line); });
    channel.on('close', function (reason) { craft.send('lines', {lines: lines, reason: reason}); });
  });
  craft.watchState('fromThread', function (value) { craft.send('seen-state', value); });
  craft.send('loaded', Math.random());
</script></body></html>"""


class FromWorkerThreads(EngineTestCase):
    def open(self, **options: Any) -> craft_tk.WebPanel:
        panel = self.panel(PAGE, connect=False, **options)
        self.loads = self.collect(panel, "loaded")
        self.wait_for(lambda: panel.connected and self.loads, "the page")
        return panel

    def in_thread(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on a worker thread while Tk keeps running; its result or error."""
        outcome: List[Any] = []
        worker = threading.Thread(target=lambda: outcome.append(_attempt(fn)))
        worker.start()
        self.wait_for(lambda: not worker.is_alive(), "the worker thread")
        return outcome[0]

    def test_invoke_from_a_thread_answers_and_the_panel_keeps_working(self) -> None:
        panel = self.open()

        def call() -> Any:
            return panel.invoke("double", 21).result(timeout=10)

        self.assertEqual(self.in_thread(call), 42)
        later = panel.invoke("double", 5)  # the Tk thread's calls are not wedged
        self.wait_for(later.done, "an invoke from the Tk thread afterwards")
        self.assertEqual(later.result(), 10)

    def test_a_thread_streams_a_channel_and_closes_it(self) -> None:
        panel = self.open()
        channel = panel.create_channel("log")
        panel.emit("connect", "log")
        received = self.collect(panel, "lines")

        def stream() -> None:
            for number in range(3000):  # the seed's log lines, sent without awaiting
                channel.send("line {}".format(number))
            channel.close("eof")

        self.wait_for(lambda: channel._peer_window is not None, "the page's end")
        self.in_thread(stream)
        self.wait_for(lambda: received, "the page to see the close", timeout=30)
        self.assertEqual(received[0]["lines"], ["line {}".format(n) for n in range(3000)])
        self.assertEqual(received[0]["reason"], "eof")

    def test_run_js_reload_state_and_emit_from_a_thread(self) -> None:
        state = SharedState({"fromThread": 0})
        panel = self.open(state=state)
        seen = self.collect(panel, "seen-state")
        ran = self.collect(panel, "ran")
        first_load = self.loads[0]
        self.in_thread(lambda: panel.run_js("craft.send('ran', 'from a thread');"))
        self.wait_for(lambda: ran, "the script a thread ran")
        self.in_thread(lambda: state.__setattr__("fromThread", 1))
        self.wait_for(lambda: 1 in seen, "a state write from a thread in the page")
        self.in_thread(lambda: state.update({"fromThread": 2}))
        self.wait_for(lambda: 2 in seen, "state.update from a thread in the page")
        self.in_thread(lambda: panel.emit("connect", "unused"))
        self.in_thread(panel.reload)
        self.wait_for(lambda: len(self.loads) == 2 and panel.connected, "the reload a thread asked for")
        self.assertNotEqual(self.loads[1], first_load)

    def test_what_cannot_cross_threads_says_so_at_once(self) -> None:
        panel = self.open()
        error = self.in_thread(lambda: panel.create_channel("from-thread"))
        self.assertIsInstance(error, RuntimeError)
        self.assertIn("Tk thread", str(error))
        state = SharedState({})
        error = self.in_thread(lambda: state.__setattr__("x", 1))  # no panel uses it: nowhere to go
        self.assertIsInstance(error, RuntimeError)


class YourOwnAsyncCode(EngineTestCase):
    def test_create_task_and_get_running_loop_work_in_tk_callbacks_and_listeners(self) -> None:
        panel = self.panel("<script>craft.send('hi', 1)</script>", connect=False)
        results: List[Any] = []

        async def work(label: str) -> None:
            await asyncio.sleep(0.01)
            results.append(label)

        def listener(data: Any) -> None:
            asyncio.get_running_loop().create_task(work("from a listener"))

        panel.on("hi", listener)
        self.root.after(1, lambda: asyncio.create_task(work("from a Tk callback")))
        self.wait_for(lambda: len(results) == 2, "both tasks")
        self.assertEqual(sorted(results), ["from a Tk callback", "from a listener"])

    def test_a_task_made_before_the_first_panel_runs(self) -> None:
        script = """
import asyncio, tkinter as tk, craft_tk
done = []
async def early():
    done.append('early ran')
asyncio.get_event_loop().create_task(early())
root = tk.Tk()
panel = craft_tk.WebPanel(root, html="<p>x</p>", backend={engine!r})
panel.pack()
root.after(200, root.destroy)
root.mainloop()
print(done)
""".format(engine=ENGINE)
        out = subprocess.run([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=120, env=dict(os.environ))
        self.assertIn("['early ran']", out.stdout, out.stderr[-2000:])
        self.assertNotIn("Task was destroyed", out.stderr)


def _attempt(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception as error:
        return error
