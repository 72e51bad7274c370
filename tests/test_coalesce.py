"""Throttle and debounce, both sides: the latest value always arrives, at most one per interval."""

import asyncio
import time
import unittest
from typing import Callable

from .support import EngineTestCase

PAGE = """<html><body><script>
  var got = [];
  craft.on('pos', function (v) { got.push(v); craft.send('pos-seen', v); });
  craft.on('report', function () { craft.send('got', got); got = []; });
  craft.on('run', function (code) { eval(code); });
</script></body></html>"""


class NativeSide(EngineTestCase):
    def emit_every_5ms(self, panel, count: int, **limit) -> float:
        seen = self.collect(panel, "pos-seen")

        async def burst() -> float:
            started = time.monotonic()
            for i in range(count):
                panel.emit("pos", i, **limit)
                await asyncio.sleep(0.005)
            return time.monotonic() - started

        task = panel._dispatcher.driver.loop.create_task(burst())
        self.wait_for(task.done, "the burst")
        self.wait_for(lambda: seen and seen[-1] == count - 1, "the trailing value in the page")
        return task.result()

    def page_got(self, panel) -> list:
        got = self.collect(panel, "got")
        panel.emit("report")
        self.wait_for(lambda: got, "the page's report")
        return got[0]

    def test_throttle_sends_the_first_the_last_and_at_most_one_per_interval(self) -> None:
        panel = self.panel(PAGE)
        elapsed = self.emit_every_5ms(panel, 60, throttle=50)
        got = self.page_got(panel)
        self.assertEqual((got[0], got[-1]), (0, 59))
        self.assertEqual(got, sorted(got))
        self.assertLessEqual(len(got), elapsed / 0.05 + 2)
        self.assertGreaterEqual(len(got), 3)

    def test_debounce_sends_only_the_latest_after_quiet(self) -> None:
        panel = self.panel(PAGE)
        self.emit_every_5ms(panel, 30, debounce=50)
        self.assertEqual(self.page_got(panel), [29])


class PageSide(EngineTestCase):
    def run_page_burst(self, panel, send_code: str, last: Callable[[], bool]) -> float:
        """Run ``send_code`` 60 times, 5 ms apart; wait until ``last()`` (the trailing value
        arrived); return the burst's duration."""
        finished = self.collect(panel, "finished")
        panel.emit("run", """
          var i = 0, started = Date.now();
          var timer = setInterval(function () {
            %s
            i++;
            if (i === 60) { clearInterval(timer); craft.send('finished', Date.now() - started); }
          }, 5);
        """ % send_code)
        self.wait_for(lambda: finished, "the page's burst")
        self.wait_for(last, "the trailing value natively")
        return finished[0] / 1000.0

    def test_send_with_throttle_option(self) -> None:
        panel = self.panel(PAGE)
        positions = self.collect(panel, "mouse-position")
        elapsed = self.run_page_burst(panel, "window.craft.send('mouse-position', {x: i, y: 2 * i}, {throttle: 50});",
                                      lambda: positions and positions[-1]["x"] == 59)
        self.assertEqual(positions[0], {"x": 0, "y": 0})
        self.assertEqual(positions[-1], {"x": 59, "y": 118})
        self.assertLessEqual(len(positions), elapsed / 0.05 + 2)

    def test_debounce_helper(self) -> None:
        panel = self.panel(PAGE)
        values = self.collect(panel, "typed")
        panel.emit("run", "window.onType = craft.debounce(function (v) { craft.send('typed', v); }, 50);")
        self.run_page_burst(panel, "onType('text ' + i);", lambda: values and values[-1] == "text 59")
        self.assertEqual(values, ["text 59"])

    def test_throttle_helper(self) -> None:
        panel = self.panel(PAGE)
        values = self.collect(panel, "scrolled")
        panel.emit("run", "window.onScroll = craft.throttle(function (v) { craft.send('scrolled', v); }, 50);")
        elapsed = self.run_page_burst(panel, "onScroll(i);", lambda: values and values[-1] == 59)
        self.assertEqual((values[0], values[-1]), (0, 59))
        self.assertLessEqual(len(values), elapsed / 0.05 + 2)


if __name__ == "__main__":
    unittest.main()
