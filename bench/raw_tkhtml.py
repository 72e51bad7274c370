"""The honest asynchronous Tkhtml baseline: PythonMonkey promises, no craft_tk, no Tk.

``python -m bench.raw_tkhtml N`` on a running asyncio loop: JavaScript awaits a Python
coroutine N times in a row (a page invoke's shape), then Python awaits a JavaScript
async function N times in a row (a native invoke's shape). Prints ``{"p50_ms",
"p99_ms", "native_p50_ms", "native_p99_ms"}``, timed in Python between successive calls.
(PythonMonkey runs Tkhtml pages' JavaScript; a synchronous call is the other baseline.)
"""

import asyncio
import json
import sys
import time
from typing import Any, List

import pythonmonkey as pm

from . import WARM_UP, percentile




async def main(n: int) -> None:
    times: List[float] = []

    async def echo(i: Any) -> Any:
        times.append(time.perf_counter())
        return i

    page_loop = pm.eval("(async function (n, echo) { for (var i = 0; i < n; i++) { await echo(i); } })")
    await page_loop(n + WARM_UP, echo)
    trips = [b - a for a, b in zip(times[WARM_UP:], times[WARM_UP + 1:])]
    page_echo = pm.eval("(async function (i) { return i; })")
    native: List[float] = []
    for i in range(n + WARM_UP):
        started = time.perf_counter()
        await page_echo(i)
        native.append(time.perf_counter() - started)
    native = native[WARM_UP:]
    print(json.dumps({"p50_ms": percentile(trips, 50) * 1000, "p99_ms": percentile(trips, 99) * 1000,
                      "native_p50_ms": percentile(native, 50) * 1000, "native_p99_ms": percentile(native, 99) * 1000}))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
