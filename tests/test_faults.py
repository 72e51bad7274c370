"""Faults in the middle of traffic: nothing hangs, nothing is left pending or running."""

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any, List

from craft_tk import ChannelClosed, CraftError

from .support import ENGINE, EngineTestCase, helper_report
from .test_lifecycle import _leftovers

PAGE = """<html><body><script>
  craft.handle('echo', function (x) { return x; });
  craft.on('tick', function () {});
  var received = 0;
  craft.on('connect', function (name) {
    craft.connectChannel(name).on('message', function () { received++; });
  });
</script></body></html>"""


class Faults(EngineTestCase):
    def test_destroying_a_panel_while_threads_emit_and_invoke_settles_everything(self) -> None:
        panel = self.panel(PAGE)
        futures: List[Any] = []
        errors: List[BaseException] = []
        stop = threading.Event()

        def traffic() -> None:
            while not stop.is_set():
                try:
                    panel.emit("tick", 1)
                    futures.append(panel.invoke("echo", 1))
                except CraftError as error:  # PanelClosed once it is gone
                    errors.append(error)
                    return
                time.sleep(0.001)

        workers = [threading.Thread(target=traffic) for _ in range(4)]
        for worker in workers:
            worker.start()
        self.wait_for(lambda: len(futures) > 200, "traffic from the threads")
        panel.destroy()
        self.pump(0.2)
        stop.set()
        self.wait_for(lambda: not any(worker.is_alive() for worker in workers), "the threads to end")
        self.wait_for(lambda: all(future.done() for future in futures), "every invoke to settle", timeout=20)
        self.assertTrue(errors, "emit/invoke after the panel went raised PanelClosed in the threads")

    def test_destroying_the_root_with_panels_open_ends_the_app_cleanly(self) -> None:
        app = textwrap.dedent("""
            import sys, tkinter as tk, craft_tk
            root = tk.Tk()
            panels = [craft_tk.WebPanel(root, html="<script>setInterval(function () { craft.send('t', 1); }, 5);"
                                        "craft.on('x', function () {});</script>", backend=sys.argv[1], width=300)
                      for _ in range(2)]
            for panel in panels:
                panel.pack(side="left")
            seen = []
            panels[0].on("t", seen.append)
            def flood():
                for panel in panels:
                    panel.emit("x", list(range(100)))
                if len(seen) > 20:
                    root.destroy()
                else:
                    root.after(5, flood)
            root.after(5, flood)
            root.after(30000, root.destroy)
            root.mainloop()
            print("ended after", len(seen) > 20)
        """)
        process = subprocess.Popen([sys.executable, "-c", app, ENGINE], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   universal_newlines=True, start_new_session=True)
        out, err = process.communicate(timeout=90)
        self.assertEqual(process.returncode, 0, err[-2000:])
        self.assertIn("ended after True", out)
        self.assertNotIn("Traceback", err)
        self.assertEqual(_leftovers(process.pid, 10), [], "processes outlived the app")

    def test_a_helper_killed_mid_stream_closes_the_channel_and_fails_waiting_sends(self) -> None:
        panel = self.panel(PAGE)
        if panel.backend != "cef-host":
            self.skipTest("only CEF in a helper process has a helper to kill")
        channel = panel.create_channel("stream", window=4)
        panel.emit("connect", "stream")
        outcome: List[Any] = []

        async def produce() -> None:
            try:
                for number in range(100000):
                    await channel.send("x" * 1000 + str(number))
            except ChannelClosed as error:
                outcome.append(error)

        task = asyncio.ensure_future(produce(), loop=panel._dispatcher.driver.loop)
        self.wait_for(lambda: channel._unacked > 0, "the stream to flow")
        self.pump(0.3)
        helper = panel.transport._helper
        os.kill(helper.process.pid, signal.SIGKILL)
        self.wait_for(task.done, "the producer to end", then=lambda: "{}, channel {}, {!r}".format(
            helper_report(helper, panel.transport), "closed" if channel.closed else "open", channel.close_reason))
        self.assertIsInstance(outcome[0], ChannelClosed)
        self.assertIn("helper", channel.close_reason)
        panel.reload()
        self.wait_for(lambda: panel.connected, "a new helper and the page again", 30)
        echoed = panel.invoke("echo", "again")
        self.wait_for(echoed.done, "an invoke after the crash")
        self.assertEqual(echoed.result(), "again")
