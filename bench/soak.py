"""Soak: mixed IPC traffic for a long while, counting every message and watching resources.

``python -m bench.soak --engine cef|tkhtml [--seconds 1800] [--every 60]``

Two panels share one state. Every 20 ms, each page sends five events, invokes native
once and writes the state (its own key and a key both pages and native race for), and
native does the same towards each page: five events, one invoke, one state write, and a
4 KB binary chunk on a channel that the page echoes back (one page consumes with
``on('message')``, the other with ``for await``). Every ``--every`` seconds the traffic is
paused and checked: every event, invoke and chunk arrived once and in order both ways,
and the three views of the state are equal; garbage is collected (Python's, SpiderMonkey's)
so that what is measured is alive. Then one page is reloaded (in turn) and the
traffic resumes with its new load.

Each checkpoint prints one JSON line with the process tree's resident memory, threads
and open files (CEF's processes and the ``cef-host`` helper are in the tree). Growth is
measured from the third checkpoint (caches warm, both pages reloaded once) and must stay within the bounds
below; any loss, reordering, IPC error or bound exceeded makes the exit status 1.
"""

import argparse
import asyncio
import ctypes
import gc
import json
import os
import sys
import time
import tkinter as tk
from typing import Any, Dict, List, Optional

import craft_tk

from ._proc import TreeUsage, rss_kb, tree_cpu_seconds, tree_usage

TICK_MS = 20
EVENTS_PER_TICK = 5
CHUNK_BYTES = 4096
# Growth allowed from the third checkpoint (caches warm, both pages reloaded once) to any
# later one. Measured over thirty minutes (README, *Soak*): Chromium's processes grow by
# 30-75 MB, and a Tkhtml app by about 2.3 MB a minute at this traffic (PythonMonkey leaks
# a little on every call between Python and JavaScript). A leak of 100 bytes per message
# of craft_tk's own would pass the bound in under ten minutes.
WARM_CHECKPOINTS = 3
RSS_GROWTH_MB = 100.0
THREAD_GROWTH = 4
FD_GROWTH = 16

PAGE = """<!doctype html><html><head><style>
  body { font-family: sans-serif; margin: 10px; background: #eef3f7; }
  b { color: #2a5d8f; }
</style></head><body>
<h3>soak page <b>%(me)s</b></h3>
<p id="status">starting</p>
<script>
  var ME = '%(me)s', SESSION = ME + '-' + Math.random().toString(36).slice(2);
  var sent = 0, invoked = 0, answered = 0, outstanding = 0, fromNative = -1, chunksIn = -1;
  var timer = null, errors = [];
  function problem(text) { if (errors.length < 20) { errors.push(ME + ': ' + text); } }

  function checkChunk(data) {
    var seq = ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0;
    if (seq !== chunksIn + 1) { problem('chunk ' + seq + ' after ' + chunksIn); }
    chunksIn = seq;
    if (data.length !== %(chunk)d || data[%(chunk)d - 1] !== ((seq + %(chunk)d - 1) & 255)) {
      problem('chunk ' + seq + ' damaged');
    }
  }
  var bytes = craft.connectChannel('bytes');
  if (ME === 'A') {
    bytes.on('message', function (data) { checkChunk(data); bytes.send(data); });
  } else {
    (async function () {
      for await (const data of bytes) { checkChunk(data); await bytes.send(data); }
    })().catch(function (e) { problem('for await: ' + e.message); });
  }

  craft.on('n2p', function (seq) {
    if (seq !== fromNative + 1) { problem('event ' + seq + ' after ' + fromNative); }
    fromNative = seq;
  });
  craft.handle('double', function (x) { return x * 2; });
  craft.handle('state', function () { return JSON.parse(JSON.stringify(craft.state)); });
  craft.handle('pause', function () {
    clearInterval(timer);
    return new Promise(function (resolve) {
      (function settled() {
        if (outstanding) { setTimeout(settled, 5); return; }
        resolve({session: SESSION, sent: sent, invoked: invoked, answered: answered,
                 fromNative: fromNative, chunksIn: chunksIn, errors: errors});
      })();
    });
  });
  craft.handle('channel-state', function () {
    return {unacked: bytes._unacked, outgoing: bytes._outgoing.length, inbox: bytes._inbox.length,
            peerWindow: bytes._peerWindow, closed: bytes.closed, chunksIn: chunksIn};
  });
  craft.handle('resume', function () { timer = setInterval(tick, %(tick)d); return true; });

  function tick() {
    for (var i = 0; i < %(events)d; i++) { craft.send('p2n', {session: SESSION, seq: sent++}); }
    var asked = invoked++;
    outstanding++;
    craft.invoke('echo', asked).then(function (value) {
      outstanding--; answered++;
      if (value !== asked) { problem('echo ' + asked + ' answered ' + value); }
    }, function (error) { outstanding--; problem('invoke ' + asked + ': ' + error.message); });
    craft.state[ME] = sent;
    craft.state.race = ME + sent;
    if (sent %% 500 === 0) {
      document.getElementById('status').textContent =
        sent + ' events sent, ' + (fromNative + 1) + ' received, ' + (chunksIn + 1) + ' chunks';
    }
  }
  craft.ready.then(function () {
    craft.send('hello', SESSION);
    timer = setInterval(tick, %(tick)d);
  });
</script></body></html>"""


class PageEnd:
    """Native's half of the traffic with one page, and its counts for the current load."""

    def __init__(self, soak: "Soak", panel: craft_tk.WebPanel, me: str) -> None:
        self.soak, self.panel, self.me = soak, panel, me
        self.session: Optional[str] = None
        self.running = False
        self.totals = {"events_in": 0, "events_out": 0, "invokes_in": 0, "invokes_out": 0, "chunks": 0}
        panel.on("hello", self._hello)
        panel.on("p2n", self._event)
        panel.handle("echo", self._echo)
        panel.on_ipc_error(lambda error: soak.problem("{}: IPC error {!r}".format(me, error)))

    def _hello(self, session: str) -> None:
        self.session = session
        self.events_in = 0
        self.emitted = 0
        self.invoked = 0
        self.pending: Dict[int, Any] = {}
        self.chunks_sent = 0
        self.echoes = 0
        self.channel = self.panel.create_channel("bytes")
        self.channel.on("message", self._echo_back)
        self.running = True
        self.panel.after(TICK_MS, self._tick)

    def _event(self, data: Dict[str, Any]) -> None:
        if data.get("session") != self.session or data.get("seq") != self.events_in:
            self.soak.problem("{}: event {!r} while {} expected in {}".format(self.me, data, self.events_in, self.session))
        self.events_in = data.get("seq", self.events_in) + 1
        self.totals["events_in"] += 1

    def _echo(self, value: int) -> int:
        self.totals["invokes_in"] += 1
        return value

    def _echo_back(self, data: bytes) -> None:
        if data != chunk(self.echoes):
            self.soak.problem("{}: echo {} came back as chunk {}".format(self.me, self.echoes, int.from_bytes(data[:4], "big")))
        self.echoes += 1
        self.totals["chunks"] += 1

    def _tick(self) -> None:
        if not self.running:
            return
        for _ in range(EVENTS_PER_TICK):
            self.panel.emit("n2p", self.emitted)
            self.emitted += 1
        self.totals["events_out"] += EVENTS_PER_TICK
        asked = self.invoked
        self.invoked += 1
        future = self.panel.invoke("double", asked, timeout=30)
        self.pending[asked] = future
        future.add_done_callback(lambda done, asked=asked: self._doubled(asked, done))
        self.channel.send(chunk(self.chunks_sent))
        self.chunks_sent += 1
        self.soak.state.n = self.emitted
        self.soak.state.race = "N{}{}".format(self.me, self.emitted)
        self.panel.after(TICK_MS, self._tick)

    def _doubled(self, asked: int, done: "asyncio.Future[Any]") -> None:
        self.pending.pop(asked, None)
        self.totals["invokes_out"] += 1
        if done.cancelled() or done.exception() is not None or done.result() != asked * 2:
            self.soak.problem("{}: double({}) gave {!r}".format(
                self.me, asked, "cancelled" if done.cancelled() else done.exception() or done.result()))

    async def pause_and_check(self) -> None:
        """Stop both directions, then check that everything sent arrived once, in order."""
        self.running = False
        await self.soak.until(lambda: not self.pending, self.me + ": native invokes answered")
        await self.panel.invoke("pause", timeout=30)
        try:
            await self.soak.until(lambda: self.echoes == self.chunks_sent, self.me + ": every chunk echoed")
        except TimeoutError as error:
            page = await self.panel.invoke("channel-state", timeout=10)
            raise TimeoutError("{} ({} sent, {} echoed; native end {}; page end {})".format(
                error, self.chunks_sent, self.echoes, self.panel.describe_channels(), page)) from None
        report = await self.panel.invoke("pause", timeout=30)  # its counts, now that all is back
        for problem in report["errors"]:
            self.soak.problem(problem)
        expected = {"session": self.session, "sent": self.events_in, "answered": report["invoked"],
                    "fromNative": self.emitted - 1, "chunksIn": self.chunks_sent - 1}
        seen = {key: report[key] for key in expected}
        if seen != expected:
            self.soak.problem("{}: counts {} but {}".format(self.me, seen, expected))

    async def resume(self, reload: bool) -> None:
        if reload:
            old = self.session
            self.panel.reload()
            await self.soak.until(lambda: self.session != old, self.me + ": the reloaded page's hello", 30)
        else:
            await self.panel.invoke("resume", timeout=30)
            self.running = True
            self.panel.after(TICK_MS, self._tick)


def collect_garbage() -> None:
    """Collect Python's and SpiderMonkey's garbage and give freed memory back, so that a
    checkpoint measures what is alive (Tkhtml's resident memory otherwise swings by 60 MB
    with the moment garbage was last collected)."""
    gc.collect()
    if "pythonmonkey" in sys.modules:
        sys.modules["pythonmonkey"].collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def chunk(seq: int) -> bytes:
    """A 4 KB chunk: its number (4 bytes, big-endian), then bytes counting on from it."""
    body = bytes((seq + i) & 255 for i in range(4, CHUNK_BYTES))
    return seq.to_bytes(4, "big") + body


class Soak:
    def __init__(self, engine: str, seconds: float, every: float) -> None:
        self.seconds, self.every = seconds, every
        self.label = craft_tk.load_backend(engine).name  # "cef-host" for CEF through a helper
        self.problems: List[str] = []
        self.rows: List[Dict[str, Any]] = []
        self.root = tk.Tk()
        self.root.title("craft_tk soak")
        self.root.geometry("900x360+0+0")
        self.state = craft_tk.create_shared_state({"A": 0, "B": 0, "n": 0, "race": ""})
        self.ends: List[PageEnd] = []
        for me in ("A", "B"):
            panel = craft_tk.WebPanel(self.root, html=PAGE % {"me": me, "chunk": CHUNK_BYTES, "tick": TICK_MS,
                                                              "events": EVENTS_PER_TICK},
                                      backend=engine, state=self.state, width=440, height=340)
            panel.pack(side="left", fill="both", expand=True)
            self.ends.append(PageEnd(self, panel, me))
        self.failed = False

    def problem(self, text: str) -> None:
        if len(self.problems) < 50:
            print("PROBLEM " + text, file=sys.stderr, flush=True)
        self.problems.append(text)

    async def until(self, condition: Any, what: str, timeout: float = 30.0) -> None:
        """Wait for ``condition()``; on timeout, say how much CPU the process tree had
        meanwhile: a tree starved of it (a soak at ``nice 19`` beside busy processes gets
        about 1.5 % of a core) is slow, not losing messages."""
        deadline = time.monotonic() + timeout
        cpu_before = tree_cpu_seconds(os.getpid())
        while not condition():
            if time.monotonic() > deadline:
                cpu = tree_cpu_seconds(os.getpid()) - cpu_before
                raise TimeoutError("timed out after {:.0f} s waiting for {} (the process tree had {:.1f} s of "
                                   "CPU meanwhile{})".format(timeout, what, cpu,
                                                             ": starved" if cpu < 0.05 * timeout else ""))
            await asyncio.sleep(0.01)

    async def converged(self) -> None:
        """The state as native and both pages see it, equal once writes have settled."""
        deadline = time.monotonic() + 10
        while True:
            native = self.state.snapshot()
            pages = [await end.panel.invoke("state", timeout=30) for end in self.ends]
            if all(page == native for page in pages):
                return
            if time.monotonic() > deadline:
                self.problem("state diverged: native {} pages {}".format(native, pages))
                return
            await asyncio.sleep(0.05)

    async def run(self) -> None:
        started = time.monotonic()
        await self.until(lambda: all(end.running for end in self.ends), "both pages' hello", 60)
        baseline: Optional[TreeUsage] = None  # from the third checkpoint: both pages reloaded once
        checkpoint = 0
        while time.monotonic() - started < self.seconds - 1:
            checkpoint += 1
            await asyncio.sleep(max(0.0, started + checkpoint * self.every - time.monotonic()))
            for end in self.ends:
                await end.pause_and_check()
            await self.converged()
            collect_garbage()
            usage = tree_usage(os.getpid())
            if checkpoint == WARM_CHECKPOINTS:
                baseline = usage
            self.report(time.monotonic() - started, usage, baseline or usage)
            if time.monotonic() - started >= self.seconds - 1:
                break
            for index, end in enumerate(self.ends):
                await end.resume(reload=index == checkpoint % 2)

    def report(self, elapsed: float, usage: TreeUsage, baseline: TreeUsage) -> None:
        growth = {"rss_mb": usage.rss_mb - baseline.rss_mb, "threads": usage.threads - baseline.threads,
                  "fds": usage.fds - baseline.fds}
        over = [key for key, bound in (("rss_mb", RSS_GROWTH_MB), ("threads", THREAD_GROWTH), ("fds", FD_GROWTH))
                if growth[key] > bound]
        for key in over:
            self.problem("{} grew by {:.1f} since the third checkpoint".format(key, growth[key]))
        totals: Dict[str, int] = {}
        for end in self.ends:
            for key, value in end.totals.items():
                totals[key] = totals.get(key, 0) + value
        row = dict({"t_s": round(elapsed), "processes": usage.processes, "rss_mb": round(usage.rss_mb, 1),
                    "app_rss_mb": round(rss_kb(os.getpid()) / 1024.0, 1),
                    "threads": usage.threads, "fds": usage.fds,
                    "rss_growth_mb": round(growth["rss_mb"], 1), "problems": len(self.problems)}, **totals)
        self.rows.append(row)
        print(json.dumps(row), flush=True)

    def main(self) -> int:
        task: List["asyncio.Task[None]"] = []

        def start() -> None:
            task.append(asyncio.get_event_loop().create_task(self.run()))
            task[0].add_done_callback(lambda _: self.root.quit())

        self.root.after(0, start)
        self.root.mainloop()
        error = task[0].exception() if task and task[0].done() and not task[0].cancelled() else None
        if error is not None:
            self.problem("soak stopped: {!r}".format(error))
        self.root.destroy()
        summary = {"engine": self.label, "checkpoints": len(self.rows),
                   "problems": len(self.problems), "bounds": {"rss_growth_mb": RSS_GROWTH_MB,
                                                              "thread_growth": THREAD_GROWTH, "fd_growth": FD_GROWTH}}
        if self.rows:
            summary.update({key: self.rows[-1][key] for key in
                            ("events_in", "events_out", "invokes_in", "invokes_out", "chunks")})
            summary["max_rss_growth_mb"] = max(row["rss_growth_mb"] for row in self.rows)
        print("SUMMARY " + json.dumps(summary), flush=True)
        return 1 if self.problems or len(self.rows) <= WARM_CHECKPOINTS else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--seconds", type=float, default=1800)
    parser.add_argument("--every", type=float, default=60)
    options = parser.parse_args()
    return Soak(options.engine, options.seconds, options.every).main()


if __name__ == "__main__":
    sys.exit(main())
