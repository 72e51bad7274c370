"""Progress of a native handler, seen by the page call that started it and by Tk."""

import threading
import time
from typing import Any, List

from craft_tk import current_invocation

from .support import EngineTestCase

PAGE = """<html><body><p id="bar">0</p><script>
  var seen = [];
  craft.on('start', function (what) {
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var options = {onProgress: function (p) {
      if (seen.length === 0) { craft.send('first-progress', p.done); }
      seen.push(p); document.getElementById('bar').textContent = p.percent;
    }};
    if (controller) { options.signal = controller.signal; }
    craft.on('abort', function () { controller.abort(); });
    craft.invoke(what, 1000, craft.options(options)).then(function (value) {
      craft.send('done', {value: value, seen: seen});
    }, function (error) { craft.send('done', {error: error.name, seen: seen}); });
  });
</script></body></html>"""


class Progress(EngineTestCase):
    def test_a_thread_handlers_thousand_updates_arrive_coalesced_in_order_ending_with_the_last(self) -> None:
        panel = self.panel(PAGE)

        @panel.handle("work", thread=True)
        def work(steps: int) -> str:
            invocation = current_invocation()
            assert invocation is not None
            for step in range(1, steps + 1):
                time.sleep(0.0005)
                invocation.progress(step, steps, "file {}".format(step))
            return "finished"

        native: List[Any] = []
        panel.on_progress("work", lambda done, total, detail: native.append(done))
        done = self.collect(panel, "done")
        panel.emit("start", "work")
        self.wait_for(lambda: done, "the call to finish", timeout=30)
        seen = done[0]["seen"]
        self.assertEqual(done[0]["value"], "finished")
        self.assertLess(len(seen), 1000, "coalesced")
        self.assertGreater(len(seen), 1)
        counts = [update["done"] for update in seen]
        self.assertEqual(counts, sorted(counts), "in order")
        self.assertEqual(seen[-1], {"done": 1000, "total": 1000, "detail": "file 1000", "percent": 100})
        self.assertEqual(native, counts, "native listeners see the same updates")

    def test_aborting_in_the_page_stops_the_handler(self) -> None:
        panel = self.panel(PAGE)
        stopped = threading.Event()

        @panel.handle("endless", thread=True)
        def endless(steps: int) -> str:
            invocation = current_invocation()
            assert invocation is not None
            step = 0
            while not invocation.cancelled:
                step += 1
                invocation.progress(step, None)
                time.sleep(0.002)
            stopped.set()
            return "stopped"

        done = self.collect(panel, "done")
        first_progress = self.collect(panel, "first-progress")
        panel.emit("start", "endless")
        self.wait_for(lambda: first_progress, "the first progress update to reach the page")
        panel.emit("abort")
        self.wait_for(lambda: done, "the page's call to reject")
        self.assertEqual(done[0]["error"], "AbortError")
        self.wait_for(stopped.is_set, "the thread handler to stop")
        self.assertTrue(done[0]["seen"], "progress arrived before the abort")
        self.assertIsNone(done[0]["seen"][-1]["total"])
