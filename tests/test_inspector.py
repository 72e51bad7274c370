"""The IPC inspector and traces, on a real engine: what crossed is listed live (a burst of
10,000 events included), with round trips, errors, channels and the state; traces are
valid Chrome trace files; debug=True opens the inspector from a key."""

import json
import os
import shutil
import subprocess
import tempfile
import tkinter as tk
from typing import Any, Dict, List

import craft_tk
from craft_tk._ipc_log import ERROR_KINDS

from .support import EngineTestCase

PAGE = """<html><body style="margin:0"><p style="font-size:40px">inspected</p><script>
  craft.handle('page-add', function (a, b) { return a + b; });
  craft.connectChannel('log').on('message', function (line) { craft.send('line', line); });
  function big(n, i) {  // one wire string a message: a send a tick
    i = i || 0;
    if (i === n) { craft.send('big-done', n); return; }
    craft.send('big', {i: i, s: new Array(200001).join('x')});
    setTimeout(function () { big(n, i + 1); }, 5);
  }
  function burst(n) { for (var i = 0; i < n; i++) craft.send('tick', {i: i}); craft.send('burst-done', n); }
  function calls() {
    craft.invoke('add', 1, 2).then(function (v) { craft.send('sum', v); });
    craft.invoke('fail').catch(function (e) { craft.send('failed', e.message); });
    craft.state.theme = 'light';
    console.log('from the page console');
  }
</script></body></html>"""


class InspectorCase(EngineTestCase):
    geometry = "700x400+0+0"

    def busy_panel(self, **options: Any) -> craft_tk.WebPanel:
        options.setdefault("state", craft_tk.SharedState({"theme": "dark"}))
        panel = self.panel(PAGE, **options)
        panel.handle("add", lambda a, b: a + b)
        panel.handle("fail", self.fail_with)
        return panel

    @staticmethod
    def fail_with() -> None:
        raise ValueError("no good")

    def exercise(self, panel: craft_tk.WebPanel) -> None:
        """Invokes both ways (one failing), a state write, channel data."""
        results = self.collect(panel, "failed")
        lines = self.collect(panel, "line")
        panel.run_js("calls();")
        self.wait_for(lambda: results, "the page's failing invoke")
        answer = panel.invoke("page-add", 2, 3)
        self.wait_for(answer.done, "the page's answer")
        self.assertEqual(answer.result(), 5)
        channel = panel.create_channel("log")
        for n in range(3):
            channel.send("line {}".format(n))
        self.wait_for(lambda: len(lines) == 3, "three lines through the channel")


class Inspector(InspectorCase):
    def open(self, panel: craft_tk.WebPanel, **options: Any) -> craft_tk.Inspector:
        inspector = craft_tk.Inspector(panel, **options)
        self.addCleanup(inspector.close)
        return inspector

    def rows_of(self, inspector: craft_tk.Inspector, kind: str) -> List[Any]:
        inspector.refresh()
        return [row for row in inspector.rows if row.kind == kind]

    def test_lists_invokes_with_round_trips_errors_state_and_channels(self) -> None:
        panel = self.busy_panel()
        inspector = self.open(panel)
        self.exercise(panel)
        self.wait_for(lambda: len(self.rows_of(inspector, "result")) >= 2, "the answers listed")
        answers = {(row.name, row.direction): row for row in self.rows_of(inspector, "result")}
        self.assertEqual(answers[("add", "out")].payload, "3")
        self.assertEqual(answers[("page-add", "in")].payload, "5")
        for row in answers.values():
            self.assertGreater(row.round_trip, 0)
        error = self.rows_of(inspector, "error")[0]
        self.assertEqual((error.name, error.outcome), ("fail", "no good"))
        self.assertIn("ipc-error", [row.kind for row in inspector.rows], "the handler's failure as reported")
        self.assertIn("theme", [row.name for row in self.rows_of(inspector, "state")])
        self.assertIn("from the page console", " ".join(row.name for row in self.rows_of(inspector, "console")))
        data = [row.payload for row in self.rows_of(inspector, "chan-data") if row.name == "log"]
        self.assertEqual(data, ['"line 0"', '"line 1"', '"line 2"'])
        shown = inspector.state_tree
        themes = [shown.item(node) for node in shown.get_children() if shown.item(node)["text"] == "theme"]
        self.assertEqual(themes[0]["values"], ["'light'"])
        self.assertIn("log: window", inspector.channels.get("1.0", "end"))
        drawn = [inspector.canvas.itemcget(item, "text") for item in inspector.canvas.find_withtag("row")]
        self.assertIn("no good", drawn, "the failed invoke is drawn in the window")
        red = {inspector.canvas.itemcget(item, "text") for item in inspector.canvas.find_withtag("row")
               if inspector.canvas.itemcget(item, "fill") == "#c00000"}
        self.assertIn("no good", red)

    def test_a_burst_of_ten_thousand_events_is_listed_whole_and_filters_apply(self) -> None:
        panel = self.busy_panel()
        inspector = self.open(panel)
        done = self.collect(panel, "burst-done")
        panel.run_js("burst(10000); calls();")
        self.wait_for(lambda: done, "the burst", timeout=60)
        self.wait_for(lambda: len(self.rows_of(inspector, "result")) >= 1, "the answer after the burst")
        ticks = self.rows_of(inspector, "event")
        self.assertEqual([row.payload for row in ticks if row.name == "tick"],
                         ['{{"i":{}}}'.format(i) for i in range(10000)])
        inspector.filter_text.set("add")
        self.assertEqual({row.name for row in inspector.shown}, {"add"})
        inspector.filter_text.set("")
        inspector.kind.set("errors")
        self.assertTrue(inspector.shown)
        self.assertTrue(all(row.kind in ERROR_KINDS for row in inspector.shown))

    def test_what_it_keeps_is_bounded_by_characters_too_the_newest_kept(self) -> None:
        panel = self.busy_panel()
        inspector = self.open(panel, max_chars=1_000_000)
        inspector.paused.set(True)  # nothing decoded meanwhile: the ring alone holds what crossed
        done = self.collect(panel, "big-done")
        panel.run_js("big(20);")  # 20 wire strings of 200 KB: 4 MB
        self.wait_for(lambda: done, "twenty big events", timeout=60)
        kept = inspector.tap.records
        self.assertLessEqual(kept.chars, 1_000_000)
        self.assertLess(len(kept), 20)
        inspector.paused.set(False)
        listed = lambda: [int(row.payload[5:row.payload.index(",")]) for row in self.rows_of(inspector, "event")
                          if row.name == "big"]  # the i of each '{"i":19,"s":"xxx...'
        self.wait_for(lambda: 19 in listed(), "the newest big event listed")
        self.assertEqual(listed(), list(range(20 - len(listed()), 20)), "the oldest made room")

    def test_pause_holds_the_list_and_clear_empties_it(self) -> None:
        panel = self.busy_panel()
        inspector = self.open(panel)
        sums = self.collect(panel, "sum")
        panel.run_js("calls();")
        self.wait_for(lambda: sums, "the first calls")
        self.wait_for(lambda: inspector.rows, "rows listed by the window itself")
        inspector.paused.set(True)
        listed = len(inspector.rows)
        panel.run_js("calls();")
        self.wait_for(lambda: len(sums) == 2, "the second calls")
        self.pump(0.6)
        self.assertEqual(len(inspector.rows), listed, "nothing taken in while paused")
        inspector.paused.set(False)
        self.wait_for(lambda: len(inspector.rows) > listed, "what crossed meanwhile, listed after the pause")
        inspector.clear()
        self.assertEqual((inspector.rows, inspector.shown), ([], []))

    def test_payloads_can_be_hidden_and_the_page_secret_never_shows(self) -> None:
        panel = self.busy_panel()
        inspector = self.open(panel, payloads=False)
        self.exercise(panel)
        inspector.refresh()
        self.assertTrue(inspector.rows)
        self.assertEqual({row.payload for row in inspector.rows}, {""})
        secret = panel._dispatcher.secrets.connected
        self.assertFalse([row for row in inspector.rows if secret in " ".join(map(str, row))])

    def test_a_panel_made_with_trace_payloads_false_shows_no_data_even_to_the_apps_inspector(self) -> None:
        panel = self.busy_panel(trace_payloads=False)
        inspector = self.open(craft_tk.app)
        self.exercise(panel)
        inspector.refresh()
        rows = [row for row in inspector.rows if row.label == panel.label]
        self.assertIn("chan-data", {row.kind for row in rows})
        self.assertEqual({row.payload for row in rows}, {""})
        shown = " ".join(" ".join(map(str, row)) for row in rows)
        for secret in ("no good", "from the page console", "line 0", "light"):
            self.assertNotIn(secret, shown)
        own = self.open(panel)  # the panel's own inspector: its state tree shows keys, not values
        own.refresh()
        values = [own.state_tree.item(node)["values"] for node in own.state_tree.get_children()]
        self.assertEqual(values, [["(hidden)"]])

    def test_debug_panels_open_it_from_a_key_even_from_the_page(self) -> None:
        panel = self.panel(PAGE, debug=True)
        self.root.lift()
        self.pump(0.3)
        subprocess.run(["xdotool", "mousemove", str(panel.winfo_rootx() + 60), str(panel.winfo_rooty() + 30),
                        "click", "1"], check=True)
        self.pump(0.3)
        subprocess.run(["xdotool", "key", "ctrl+shift+i"], check=True)
        window = self.wait_for(lambda: [w for w in self.root.winfo_children() if isinstance(w, tk.Toplevel)
                                        and w.title().startswith("craft_tk inspector")], "the inspector window")
        self.assertEqual(window[0].title(), "craft_tk inspector: panel " + panel.label)


class Traces(InspectorCase):
    def load(self, path: str) -> List[Dict[str, Any]]:
        with open(path) as handle:
            return json.load(handle)["traceEvents"]

    def folder(self) -> str:
        folder = tempfile.mkdtemp(prefix="craft-trace-")
        self.addCleanup(shutil.rmtree, folder, True)
        return folder

    def test_a_trace_file_has_invoke_spans_events_and_channel_flows(self) -> None:
        panel = self.busy_panel()
        path = os.path.join(self.folder(), "ipc.json")
        trace = panel.trace(path)
        self.addCleanup(trace.stop)
        self.exercise(panel)
        self.assertEqual(trace.stop(), path)
        events = self.load(path)
        spans = {(e["name"], e["tid"]): e for e in events if e["ph"] == "X" and e["cat"] == "invoke"}
        self.assertEqual(set(spans), {("add", 1), ("fail", 1), ("page-add", 2)},
                         "page invokes on the page -> native thread, native's on the other")
        self.assertEqual(spans[("fail", 1)]["args"]["outcome"], "no good")
        self.assertEqual(spans[("add", 1)]["args"]["outcome"], "ok")
        for span in spans.values():
            self.assertGreater(span["dur"], 0)
        starts = [e for e in events if e["ph"] == "s"]
        ends = [e for e in events if e["ph"] == "f"]
        self.assertEqual(len(starts), 3, "one flow per channel message")
        self.assertEqual(sorted(e["id"] for e in ends), sorted(e["id"] for e in starts), "each ended by its ack")
        for start in starts:
            end = next(e for e in ends if e["id"] == start["id"])
            self.assertGreaterEqual(end["ts"], start["ts"])
        names = {e["args"]["name"] for e in events if e["ph"] == "M"}
        self.assertIn("panel " + panel.label, names)
        self.assertIn("event sum", {e["name"] for e in events if e["ph"] == "i"})

    def test_without_payloads_the_trace_holds_no_data_and_never_the_secret(self) -> None:
        panel = self.busy_panel()
        path = os.path.join(self.folder(), "ipc.json")
        trace = panel.trace(path, payloads=False)
        self.addCleanup(trace.stop)
        self.exercise(panel)
        trace.stop()
        with open(path) as handle:
            text = handle.read()
        self.assertNotIn("line 0", text)
        self.assertNotIn(panel._dispatcher.secrets.connected, text)
        self.assertTrue([e for e in json.loads(text)["traceEvents"] if e["ph"] == "X"])

    def test_craft_tk_trace_records_every_panel_of_the_run(self) -> None:
        path = os.path.join(self.folder(), "run.json")
        os.environ["CRAFT_TK_TRACE"] = path
        self.addCleanup(os.environ.pop, "CRAFT_TK_TRACE", None)
        first = self.busy_panel(width=300, height=150)  # side by side: CEF draws only panels on screen
        self.addCleanup(lambda: craft_tk.app._env_trace and craft_tk.app._env_trace.stop())
        second = self.panel("<p>second</p><script>craft.send('hi', 2);</script>", width=300, height=150)
        heard = self.collect(second, "hi")
        self.exercise(first)
        second.reload()
        self.wait_for(lambda: heard, "the second panel's event")
        trace = craft_tk.app._env_trace
        self.addCleanup(setattr, craft_tk.app, "_env_trace", None)
        trace.stop()
        events = self.load(path)
        processes = {e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
        self.assertEqual(processes, {"panel " + first.label, "panel " + second.label})
