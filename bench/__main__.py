"""Benchmarks: craft_tk against the raw engine, in the same run.

``python -m bench --engine cef|tkhtml [--append] [--quick]`` prints one JSON object per
line, ``{"metric", "engine", "value", "unit", "baseline", "ratio"}``, and writes the list
to ``bench/last.json`` (``--append`` adds to it). ``baseline`` is the raw engine doing the
same work; ``ratio`` is craft_tk's cost over the raw cost, lower is better: value/baseline
for times, baseline/value for rates.
"""

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tkinter as tk
from typing import Any, Callable, Dict, List, Optional

import craft_tk

from . import WARM_UP, percentile
from ._proc import tree_cpu_seconds
from ._raw import raw_engine

HERE = os.path.dirname(os.path.abspath(__file__))
PAYLOAD = "x" * 100  # a 100 B event
COMPARABLE_UNITS = ("ms", "msg/s", "MB/s", "writes/s", "%")  # cef-host against CEF in process
CHUNK = "c" * (64 * 1024)
ROUNDS = 5  # processes a side for the invoke round trips, craft_tk's and the bare engine's in turn
IDLE_GAP_S = 1.0  # how long the app idles before native_invoke_after_idle's invoke

PAGE = """<html><body><p>bench</p><script>
  craft.handle('echo', function (x) { return x; });
  var counted = 0, target = -1;
  function count(n) { counted += n; if (counted === target) { craft.send('done', counted); } }
  craft.on('expect', function (n) { counted = 0; target = n; });
  craft.on('e', function () { count(1); });
  craft.on('invoke-loop', async function (n) {
    for (var i = 0; i < n; i++) { await craft.invoke('echo', i); }
    craft.send('done', n);
  });
  craft.on('send-loop', function (n) {
    var sent = 0;
    (function burst() {
      for (var i = 0; i < 10000 && sent < n; i++, sent++) { craft.send('s', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'); }
      if (sent < n) { setTimeout(burst, 0); }
    })();
  });
  craft.on('channel-in', function (name) {
    var channel = craft.connectChannel(name), bytes = 0;
    channel.on('message', function (data) { bytes += data.length; if (bytes === target) { craft.send('done', bytes); } });
  });
  craft.on('channel-out', async function (spec) {
    var channel = craft.connectChannel(spec.name), chunk = new Array(65537).join('c');
    for (var i = 0; i < spec.count; i++) { await channel.send(chunk); }
  });
  craft.on('channel-slow', function (name) {
    var channel = craft.connectChannel(name);
    channel.on('message', function () {
      var until = Date.now() + 1;
      while (Date.now() < until) { /* a slow consumer: 1 ms of work per 64 KB chunk */ }
    });
  });
  craft.on('channel-slow-iterator', function (name) {
    var channel = craft.connectChannel(name), n = 0;
    (async function () {
      for await (const data of channel) {
        n++;
        if (n % 16 === 0) { await new Promise(function (r) { setTimeout(r, 0); }); }
      }
    })();
  });
  craft.watchState('n', function (value) { count(1); });

  // Raw engine baselines: the engine's own calls, no craft in the path.
  var rawCount = 0, rawTarget = -1;
  __benchExport('rawExpect', function (n) { rawCount = 0; rawTarget = n; });
  __benchExport('rawEvent', function (data) { rawCount++; if (rawCount === rawTarget) { rawDone(rawCount); } });
  __benchExport('rawChunk', function (data) { rawCount += data.length; if (rawCount === rawTarget) { rawDone(rawCount); } });
  __benchExport('rawPong', function (i) { rawPing(i + 1); });
  __benchExport('rawSendLoop', function (n) {
    var data = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
    for (var i = 0; i < n; i++) { rawSend(data); }
  });
  __benchExport('rawChunksUp', function (n) {
    var chunk = new Array(65537).join('c');
    for (var i = 0; i < n; i++) { rawChunk(chunk); }
  });
</script></body></html>"""


class Bench:
    def __init__(self, engine: str, quick: bool) -> None:
        self.engine = engine
        self.quick = quick
        self.results: List[Dict[str, Any]] = []
        self.rounds = 1 if quick else ROUNDS
        self.in_process: Dict[str, float] = {}  # CEF in process's values of this run: cef-host's baselines
        self.raw_ping_heard: Optional[Callable[[], None]] = None  # called when the page's rawPing arrives
        self.root = tk.Tk()
        self.root.geometry("400x300+0+0")
        self.state = craft_tk.SharedState({"n": 0})
        self.panel = craft_tk.WebPanel(self.root, html="<p>loading</p>", backend=engine, state=self.state)
        self.panel.pack(fill="both", expand=True)
        self.engine = self.panel.backend  # "cef-host" when CEF runs in a helper process
        self.loop = self.panel._dispatcher.driver.loop
        self.wait(lambda: self.panel.connected, "the first page")  # CEF's browser exists from here
        self.raw = raw_engine(self.panel)  # None where the engine is out of reach (cef-host)
        self.raw_signal: List[Any] = []
        if self.raw is not None:
            for name in ("rawDone", "rawPing", "rawSend", "rawChunk"):
                self.raw.expose(name, self._raw_callback(name))
            self.panel.load_html(PAGE)
        else:  # no raw engine: the page's raw half gets a stand-in that does nothing
            self.panel.load_html(PAGE.replace("<script>", "<script>function __benchExport() {}", 1))
        self.done: List[Any] = []
        self.panel.on("done", self.done.append)
        self.panel.handle("echo", self._echo)
        self.echo_times: List[float] = []
        self.wait(lambda: self.panel.connected and (self.raw is None or "rawPong" in self.raw.exports), "the bench page")

    # -- plumbing -----------------------------------------------------------------------

    def _echo(self, value: Any) -> Any:
        self.echo_times.append(time.perf_counter())
        return value

    def _raw_callback(self, name: str) -> Callable[..., None]:
        def callback(*args: Any) -> None:
            self.raw_signal.append((name, time.perf_counter(), args))
            if name == "rawPing":
                if self.raw_ping_heard is not None:
                    self.raw_ping_heard()
                self.loop.call_soon(self._raw_pong, args[0])
        return callback

    def _raw_pong(self, i: Any) -> None:
        if i < self.raw_target:
            self.raw.call("rawPong", i)

    def wait(self, condition: Callable[[], Any], what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError("timed out waiting for " + what)
            self.root.update()

    def run(self, coroutine: Any) -> Any:
        task = self.loop.create_task(coroutine)
        self.wait(task.done, "a benchmark coroutine")
        return task.result()

    def wait_done(self, count: int = 1) -> None:
        self.wait(lambda: len(self.done) >= count, "the page to finish")

    def record(self, metric: str, value: float, unit: str, baseline: Optional[float], higher_is_better: bool,
               baseline_kind: Optional[str] = None) -> None:
        """One row; ``baseline_kind`` says what the baseline is (default: the raw engine's
        own calls in this process; for cef-host, CEF in process's value of this run)."""
        if baseline is None and self.engine == "cef-host" and unit in COMPARABLE_UNITS:
            baseline, baseline_kind = self.in_process.get(metric), "cef-in-process"
        ratio = None
        if baseline:
            ratio = baseline / value if higher_is_better else value / baseline
        row = {"metric": metric, "engine": self.engine, "value": round(value, 4), "unit": unit,
               "baseline": None if baseline is None else round(baseline, 4),
               "ratio": None if ratio is None else round(ratio, 3),
               "baseline_kind": None if baseline is None else baseline_kind or "raw-engine-calls"}
        self.results.append(row)
        print(json.dumps(row), flush=True)

    # -- metrics ------------------------------------------------------------------------

    @property
    def honest_kind(self) -> str:
        return {"cef": "bare-binding-own-process", "tkhtml": "async"}.get(self.engine, "cef-in-process")

    def invoke_roundtrips(self) -> None:
        """Page and native invoke round trips, craft_tk against the bare engine: each side
        in fresh processes, in turn, and the median of the processes' figures on each
        side. (On a small machine a process's luck, such as which cores the scheduler
        gives its threads and the engine's, moves its figures by up to 2x for its whole
        life: one process a side would compare luck.)"""
        n = 300 if self.quick else 1000
        honest_script = {"cef": "bench.raw_cef", "tkhtml": "bench.raw_tkhtml"}.get(self.engine)
        craft, honest = [], []
        for _ in range(self.rounds):
            craft.append(self._figures_of("bench.craft_invoke", "--engine", "tkhtml" if self.engine == "tkhtml" else "cef",
                                          str(n)))
            if honest_script is not None:  # none for cef-host: its rows compare with CEF in process
                honest.append(self._figures_of(honest_script, str(n)))
        for metric, key in (("invoke_roundtrip_{}_ms", "{}_ms"), ("native_invoke_roundtrip_{}_ms", "native_{}_ms")):
            for label in ("p50", "p99"):
                value = statistics.median(figures[key.format(label)] for figures in craft)
                baseline = statistics.median(figures[key.format(label)] for figures in honest) if honest else None
                self.record(metric.format(label), value, "ms", baseline, False, self.honest_kind)
        if self.engine == "tkhtml":  # JavaScript and Python share the thread: a synchronous call
            sync_trips = self._raw_ping_trips(n)
            self.record("raw_sync_call_roundtrip_p50_ms", percentile(sync_trips, 50) * 1000, "ms", None, False)

    @staticmethod
    def _figures_of(module: str, *args: str) -> Dict[str, float]:
        """The JSON figures ``python -m module args`` prints last."""
        run = subprocess.run([sys.executable, "-m", module, *args], cwd=os.path.dirname(HERE),
                             stdout=subprocess.PIPE, universal_newlines=True, timeout=300, check=True)
        return dict(json.loads(run.stdout.strip().splitlines()[-1]))

    def page_invoke_trips(self, n: int) -> List[float]:
        """``await craft.invoke('echo', i)`` n times in a row in the page: the times
        between successive calls reaching Python."""
        self.echo_times.clear()
        self.done.clear()
        self.panel.emit("invoke-loop", n + WARM_UP)
        self.wait_done()
        return [b - a for a, b in zip(self.echo_times[WARM_UP:], self.echo_times[WARM_UP + 1:])]

    def native_invoke_trips(self, n: int) -> List[float]:
        """``await panel.invoke("echo", i)`` n times in a row: each one's round trip."""

        async def craft_loop() -> List[float]:
            trips = []
            for i in range(n + WARM_UP):
                started = time.perf_counter()
                await self.panel.invoke("echo", i)
                trips.append(time.perf_counter() - started)
            return trips[WARM_UP:]

        return list(self.run(craft_loop()))

    def _raw_ping_trips(self, n: int) -> List[float]:
        self.raw_signal.clear()
        self.raw_target = n + WARM_UP
        self.raw.call("rawPong", -1)
        self.wait(lambda: len(self.raw_signal) >= n + WARM_UP + 1, "raw round trips")
        times = [t for name, t, _ in self.raw_signal if name == "rawPing"]
        return [b - a for a, b in zip(times[WARM_UP:], times[WARM_UP + 1:])]

    def native_invoke_after_idle(self) -> None:
        """The first native invoke after the app sat idle in Tk's mainloop for a second
        (pumps asleep, as in an app), timed until its answer has woken the loop: the median
        of five (three with --quick); the raw engine's round trip after the same idle is
        the baseline."""
        rounds = 3 if self.quick else 5
        craft = [self._after_idle(self._craft_trip) for _ in range(rounds)]
        raw = [self._after_idle(self._raw_trip) for _ in range(rounds)] if self.raw else []
        self.record("native_invoke_after_idle_ms", percentile(craft, 50) * 1000, "ms",
                    percentile(raw, 50) * 1000 if raw else None, False)

    def _after_idle(self, trip: Callable[[Callable[[], None]], None]) -> float:
        """Seconds from ``trip(done)`` to ``done()``, started by Tk's mainloop after
        IDLE_GAP_S with nothing to do."""
        times: List[float] = []

        def start() -> None:
            times.append(time.perf_counter())
            trip(finish)

        def finish() -> None:
            times.append(time.perf_counter())
            self.root.quit()

        self.root.after(int(IDLE_GAP_S * 1000), start)
        give_up = self.root.after(int((IDLE_GAP_S + 60) * 1000), self.root.quit)
        self.root.mainloop()
        self.root.after_cancel(give_up)
        if len(times) < 2:
            raise RuntimeError("no answer within 60 s of an invoke after idle")
        return times[1] - times[0]

    def _craft_trip(self, done: Callable[[], None]) -> None:
        """A native invoke of the page's echo handler; ``done()`` when it is answered."""
        self.panel.invoke("echo", 0).add_done_callback(lambda _: done())

    def _raw_trip(self, done: Callable[[], None]) -> None:
        """The raw engine calls the page's rawPong, which calls rawPing; ``done()`` then."""
        assert self.raw is not None

        def heard() -> None:
            self.raw_ping_heard = None
            done()

        self.raw_target = 0  # no pong after this ping
        self.raw_ping_heard = heard
        self.raw.call("rawPong", 0)

    def emit_throughput(self) -> float:
        n = 50000 if self.quick else 200000
        craft_rate = self._emit_rate(n)
        raw_rate = self._raw_emit_rate(5000 if self.quick else 20000) if self.raw else None
        self.record("emit_throughput_per_s", craft_rate, "msg/s", raw_rate, True)
        return craft_rate

    def _raw_emit_rate(self, raw_n: int) -> float:
        self.raw.call("rawExpect", raw_n)
        self.raw_signal.clear()
        started = time.perf_counter()
        for _ in range(raw_n):
            self.raw.call("rawEvent", PAYLOAD)
        self.wait(lambda: any(name == "rawDone" for name, _, _ in self.raw_signal), "raw events")
        return raw_n / (time.perf_counter() - started)

    def _emit_rate(self, n: int, per_tick: int = 10000) -> float:
        self.done.clear()
        self.panel.emit("expect", n)
        self.wait(lambda: not self.panel._dispatcher._outbox, "the expect message")
        started = time.perf_counter()
        sent = 0
        while sent < n:
            for _ in range(min(per_tick, n - sent)):
                self.panel.emit("e", PAYLOAD)
            sent += min(per_tick, n - sent)
            self.root.update()
        self.wait_done()
        return n / (time.perf_counter() - started)

    def send_throughput(self) -> None:
        n = 50000 if self.quick else 200000
        received = [0]

        def count(data: Any) -> None:
            received[0] += 1

        self.panel.on("s", count)
        started = time.perf_counter()
        self.panel.emit("send-loop", n)
        self.wait(lambda: received[0] >= n, "page events")
        craft_rate = n / (time.perf_counter() - started)
        self.panel.off("s", count)
        raw_rate = self._raw_send_rate(5000 if self.quick else 20000) if self.raw else None
        self.record("send_throughput_per_s", craft_rate, "msg/s", raw_rate, True)

    def _raw_send_rate(self, raw_n: int) -> float:
        self.raw_signal.clear()
        started = time.perf_counter()
        self.raw.call("rawSendLoop", raw_n)
        self.wait(lambda: len(self.raw_signal) >= raw_n, "raw page calls")
        return raw_n / (time.perf_counter() - started)

    def channel_throughput(self) -> None:
        count = 64 if self.quick else 256
        megabytes = count * len(CHUNK) / 1e6
        # native -> page
        self.done.clear()
        self.panel.emit("expect", count * len(CHUNK))
        self.panel.emit("channel-in", "bulk-in")
        channel = self.panel.create_channel("bulk-in")

        async def pour() -> None:
            for i in range(count):
                await channel.send(CHUNK[:-8] + "%08d" % i)

        started = time.perf_counter()
        self.run(pour())
        self.wait_done()
        craft_rate = megabytes / (time.perf_counter() - started)
        channel.close()
        raw_rate = self._raw_chunks_down(count) if self.raw else None
        self.record("channel_throughput_mb_s", craft_rate, "MB/s", raw_rate, True)
        # page -> native
        received = [0]
        inbound = self.panel.create_channel("bulk-out")
        inbound.on("message", lambda data: received.__setitem__(0, received[0] + len(data)))
        started = time.perf_counter()
        self.panel.emit("channel-out", {"name": "bulk-out", "count": count})
        self.wait(lambda: received[0] >= count * len(CHUNK), "page chunks")
        craft_rate = megabytes / (time.perf_counter() - started)
        inbound.close()
        raw_rate = self._raw_chunks_up(count) if self.raw else None
        self.record("channel_throughput_page_to_native_mb_s", craft_rate, "MB/s", raw_rate, True)

    def _raw_chunks_down(self, count: int) -> float:
        self.raw.call("rawExpect", count * len(CHUNK))
        self.raw_signal.clear()
        started = time.perf_counter()
        for i in range(count):
            self.raw.call("rawChunk", CHUNK[:-8] + "%08d" % i)  # a fresh string, as an app's would be
        self.wait(lambda: any(name == "rawDone" for name, _, _ in self.raw_signal), "raw chunks")
        return count * len(CHUNK) / 1e6 / (time.perf_counter() - started)

    def _raw_chunks_up(self, count: int) -> float:
        self.raw_signal.clear()
        started = time.perf_counter()
        self.raw.call("rawChunksUp", count)
        self.wait(lambda: len(self.raw_signal) >= count, "raw page chunks")
        return count * len(CHUNK) / 1e6 / (time.perf_counter() - started)

    def state_patch_rate(self) -> None:
        n = 1000 if self.quick else 3000
        self.done.clear()
        self.panel.emit("expect", n)

        async def write() -> None:
            for i in range(1, n + 1):
                self.state.n = i
                await asyncio.sleep(0)

        started = time.perf_counter()
        self.run(write())
        self.wait_done()
        self.record("state_patch_rate_per_s", n / (time.perf_counter() - started), "writes/s", None, True)

    def memory_growth(self) -> None:
        n = 200000 if self.quick else 1000000
        self._emit_rate(20000)
        gc.collect()
        before = rss_mb()
        self._emit_rate(n)
        gc.collect()
        self.record("memory_growth_mb_1m_events" if n == 1000000 else "memory_growth_mb_200k_events",
                    rss_mb() - before, "MB", None, False)

    def longest_gap_ms(self, work: Callable[[], None]) -> float:
        """The longest time Tk went without running a 1 ms timer while ``work()`` ran."""
        gaps: List[float] = []
        last = [time.perf_counter()]
        ticking = [True]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now
            if ticking[0]:
                self.root.after(1, tick)

        tick()
        work()
        ticking[0] = False
        return max(gaps) * 1000

    def gc_pause(self) -> None:
        pause = self.longest_gap_ms(lambda: self._emit_rate(100000, per_tick=2000))
        self.record("tkhtml_gc_pause_ms_max", pause, "ms", None, False)

    def inspector_burst(self) -> None:
        """The longest Tk stall while 10,000 page events cross, with the IPC inspector open
        (decoding and listing them) against the same burst with it closed."""
        def longest_stall(inspector: Optional[craft_tk.Inspector]) -> float:
            received = [0]

            def count(data: Any) -> None:
                received[0] += 1

            def burst() -> None:
                self.panel.emit("send-loop", 10000)
                self.wait(lambda: received[0] >= 10000, "page events")
                if inspector is not None:
                    self.wait(lambda: len(inspector.rows) >= 10000, "the inspector to list them")
                else:
                    deadline = time.perf_counter() + 1.0
                    self.wait(lambda: time.perf_counter() > deadline, "a second")

            self.panel.on("s", count)
            try:
                return self.longest_gap_ms(burst)
            finally:
                self.panel.off("s", count)

        closed = longest_stall(None)
        inspector = craft_tk.Inspector(self.panel)
        try:
            opened = longest_stall(inspector)
        finally:
            inspector.close()
        self.record("inspector_stall_ms_max_10k_events", opened, "ms", closed, False, "inspector-closed")
        self.record("inspector_redraw_ms_max_10k_events", inspector.longest_redraw_s * 1000, "ms", None, False)

    def channel_memory(self) -> None:
        megabytes = int(os.environ.get("CRAFT_BENCH_STREAM_MB", 128 if self.quick else 1024))
        self._stream_to_slow_consumer("channel-slow", "", megabytes)
        self._stream_to_slow_consumer("channel-slow-iterator", "_for_await", 64 if self.quick else 256)

    def _stream_to_slow_consumer(self, consumer: str, label: str, megabytes: int) -> None:
        total = megabytes * 1024 * 1024
        count = total // len(CHUNK)
        name = "slow" + label
        self.panel.emit(consumer, name)
        channel = self.panel.create_channel(name)
        gc.collect()
        before = rss_mb()
        peak = [before]

        async def pour() -> None:
            for i in range(count):
                await channel.send(CHUNK[:-8] + "%08d" % i)
                if i % 256 == 0:
                    peak[0] = max(peak[0], rss_mb())

        started = time.perf_counter()
        self.run(pour())
        seconds = time.perf_counter() - started
        channel.close()
        self.record("channel_memory_growth{}_mb_{}mb".format(label, megabytes), peak[0] - before, "MB", None, False)
        self.record("channel_slow_consumer{}_mb_s".format(label), total / 1e6 / seconds, "MB/s", None, True)

    def startup(self) -> None:
        """Start-up and memory of a fresh process (``bench.startup``), the median of three
        runs a side: craft_tk against the raw engine loading the same page (cef-host
        against CEF in process of this run); for cef-host and Tkhtml also with
        ``craft_tk.preload()`` called half a second before the first panel."""
        engine = "tkhtml" if self.engine == "tkhtml" else "cef"
        runs = 1 if self.quick else 3

        def median_of(side: str, *options: str) -> Dict[str, float]:
            results = [self._figures_of("bench.startup", "--engine", engine, "--side", side, *options)
                       for _ in range(runs)]
            return {key: statistics.median(result[key] for result in results) for key in results[0]}

        craft = median_of("craft")
        raw = None if self.engine == "cef-host" else median_of("raw")
        for metric, key, unit in (("startup_to_connected_ms", "connected_ms", "ms"),
                                  ("startup_first_paint_ms", "first_paint_ms", "ms"),
                                  ("idle_rss_mb", "idle_rss_mb", "MB"),
                                  ("second_panel_rss_mb", "second_panel_rss_mb", "MB"),
                                  ("startup_second_panel_to_connected_ms", "second_panel_connected_ms", "ms")):
            if raw is not None:
                self.record(metric, craft[key], unit, raw[key], False, "raw-engine-own-process")
            else:
                self.record(metric, craft[key], unit, self.in_process.get(metric), False, "cef-in-process")
        if self.engine != "cef":  # preload() half a second before the panel: cef-host's helper
            preloaded = median_of("craft", "--preload")  # starts, Tkhtml's page scripts compile
            for metric, key in (("startup_preloaded_to_connected_ms", "connected_ms"),
                                ("startup_preloaded_first_paint_ms", "first_paint_ms")):
                if raw is not None:
                    self.record(metric, preloaded[key], "ms", raw[key], False, "raw-engine-own-process")
                else:  # cef-host: against CEF in process without preload (it gains nothing from it)
                    cold_metric = metric.replace("_preloaded", "")
                    self.record(metric, preloaded[key], "ms", self.in_process.get(cold_metric), False, "cef-in-process")

    def idle_cpu(self, seconds: float) -> None:
        value = idle_cpu_percent(self.root, seconds)
        baseline = raw_idle_cpu(self.engine, seconds) if self.raw else None
        self.record("idle_cpu_percent", value, "%", baseline, False)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def idle_cpu_percent(root: tk.Misc, seconds: float) -> float:
    """CPU use of this process tree while Tk's mainloop runs with nothing to do."""
    root.update()
    before, started = tree_cpu_seconds(os.getpid()), time.monotonic()
    root.after(int(seconds * 1000), root.quit)
    root.mainloop()
    return 100 * (tree_cpu_seconds(os.getpid()) - before) / (time.monotonic() - started)


def raw_idle_cpu(engine: str, seconds: float) -> float:
    """The same in a raw app: cefpython's Tk example pump (after(10)) or a bare tkinterweb page."""
    out = subprocess.run([sys.executable, "-m", "bench.raw_idle", engine, str(seconds)],
                         stdout=subprocess.PIPE, universal_newlines=True, cwd=os.path.dirname(HERE), check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--engine", required=True, choices=["cef", "tkhtml"],
                        help="cef runs in process on Python 3.7, in a helper process (cef-host) elsewhere")
    parser.add_argument("--append", action="store_true", help="add to bench/last.json instead of replacing it")
    parser.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    parser.add_argument("--only", action="append", help="run only the steps with this in their name")
    args = parser.parse_args()
    bench = Bench(args.engine, args.quick)
    path = os.path.join(HERE, "last.json")
    if args.append and os.path.exists(path):
        with open(path) as previous:
            bench.in_process = {row["metric"]: row["value"] for row in json.load(previous) if row["engine"] == "cef"}
    steps = [bench.invoke_roundtrips, bench.native_invoke_after_idle,
             bench.emit_throughput, bench.send_throughput,
             bench.channel_throughput, bench.state_patch_rate, bench.memory_growth]
    if bench.engine == "tkhtml":
        steps.append(bench.gc_pause)
    steps.append(bench.inspector_burst)
    steps.append(bench.channel_memory)
    steps.append(bench.startup)
    def idle_cpu() -> None:
        bench.idle_cpu(2.0 if args.quick else 5.0)

    steps.append(idle_cpu)
    for step in steps:
        if not args.only or any(part in step.__name__ for part in args.only):
            step()
    path = os.path.join(HERE, "last.json")
    rows = []
    if args.append and os.path.exists(path):
        with open(path) as previous:
            rows = json.load(previous)
    meta = {"machine": "{} cores, {}".format(os.cpu_count(), platform.platform()), "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d")}
    rows.extend(dict(row, **meta) for row in bench.results)
    with open(path, "w") as out:
        json.dump(rows, out, indent=1)
    bench.root.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
