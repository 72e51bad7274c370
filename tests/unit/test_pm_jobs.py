"""PythonMonkey's promise jobs released once run (headless: PythonMonkey on a plain
asyncio loop, no page, no display). PythonMonkey runs on Python >= 3.8 only."""

import asyncio
import gc
import os
import unittest

from bench._proc import rss_kb

try:
    import pythonmonkey as pm
except ImportError:  # Python 3.7: the Tkhtml engine is not there at all
    pm = None

from craft_tk.backends._pm_jobs import release_promise_jobs

RESOLVE_WITH = """(function () {
  var total = 0;
  return function (text) {
    var copy = text + '';
    new Promise(function (resolve) { resolve(copy); }).then(function (value) { total += value.length; });
    return total;
  };
})"""


@unittest.skipIf(pm is None, "PythonMonkey needs Python >= 3.8 (the Tkhtml engine's)")
class PromiseJobs(unittest.TestCase):
    def grown_mb(self, release: bool) -> float:
        """Memory kept after 96 MB of strings went through promises one by one."""
        async def pour() -> float:
            if release:
                release_promise_jobs(asyncio.get_running_loop())
            feed = pm.eval(RESOLVE_WITH)()
            before = rss_kb_now()
            for i in range(1536):
                feed("c" * 65528 + "%08d" % i)
                await asyncio.sleep(0)
            await asyncio.sleep(0.05)
            pm.collect()
            gc.collect()
            return (rss_kb_now() - before) / 1024

        return asyncio.run(pour())

    def test_values_resolved_through_promises_are_freed(self) -> None:
        self.assertLess(self.grown_mb(release=True), 24)

    def test_other_callbacks_are_scheduled_as_they_were(self) -> None:
        async def main() -> list:
            loop = asyncio.get_running_loop()
            release_promise_jobs(loop)
            release_promise_jobs(loop)  # twice is once
            seen: list = []
            loop.call_soon_threadsafe(seen.append, 1)
            loop.call_soon_threadsafe(lambda: seen.append(2))
            await asyncio.sleep(0)
            return seen

        self.assertEqual(asyncio.run(main()), [1, 2])

    def test_jobs_asked_on_the_loops_thread_do_not_wake_it_through_its_pipe(self) -> None:
        async def main() -> tuple:
            loop = asyncio.get_running_loop()
            release_promise_jobs(loop)
            writes = []
            write = loop._write_to_self  # type: ignore[attr-defined]
            loop._write_to_self = lambda: (writes.append(1), write())  # type: ignore[attr-defined]
            seen: list = []
            pm.eval("(function (see) { Promise.resolve(7).then(function (v) { see(v); }); })")(seen.append)
            for _ in range(3):
                await asyncio.sleep(0)
            return seen, len(writes)

        self.assertEqual(asyncio.run(main()), ([7], 0))


def rss_kb_now() -> int:
    return rss_kb(os.getpid())


if __name__ == "__main__":
    unittest.main()
