"""Multi-window apps: panels by label, broadcast and targeting, app-wide listeners and
handlers, and page-to-page messages routed through native."""

from typing import Any, Dict, List

import craft_tk
from craft_tk import app, current_invocation, sender

from .support import ENGINE, EngineTestCase

PAGE = """<html><body><p id="me"></p><script>
  document.getElementById('me').textContent = craft.label;
  craft.on('tick', function (n) { craft.send('got', n); });
  craft.on('hello', function (data, meta) { craft.send('hello-seen', [data, meta ? meta.from : null]); });
  craft.on('say', function (args) {
    var call = args[0] === '*' ? craft.broadcast(args[1], args[2]) : craft.sendTo(args[0], args[1], args[2]);
    call.then(function (value) { craft.send('said', value); },
              function (error) { craft.send('said', 'error: ' + error.message); });
  });
  craft.on('ask', function (name) {
    craft.invoke(name).then(function (value) { craft.send('answer', value); });
  });
  craft.send('label', craft.label);
</script></body></html>"""


class Windows(EngineTestCase):
    geometry = "900x300+0+0"

    def panels(self, *labels: str) -> Dict[str, craft_tk.WebPanel]:
        made = {}
        for label in labels:
            panel = craft_tk.WebPanel(self.root, html=PAGE, backend=ENGINE, label=label, width=290, height=280)
            panel.pack(side="left", fill="both", expand=True)
            panel.on_ipc_error(self.ipc_errors.append)
            made[label] = panel
        self.wait_for(lambda: all(panel.connected for panel in made.values()), "every page")
        return made

    def test_labels_are_unique_listed_and_followed_from_open_to_close(self) -> None:
        opened: List[str] = []
        closed: List[str] = []
        remove_open = app.on_open(lambda panel: opened.append(panel.label))
        remove_close = app.on_close(lambda panel: closed.append(panel.label))
        self.addCleanup(remove_open)
        self.addCleanup(remove_close)
        panels = self.panels("main", "settings")
        unnamed = self.panel(PAGE)
        self.assertTrue(unnamed.label.startswith("panel-"))
        self.assertEqual(opened, ["main", "settings", unnamed.label])
        self.assertIs(app.panel("settings"), panels["settings"])
        self.assertEqual([panel.label for panel in app.panels()], ["main", "settings", unnamed.label])
        with self.assertRaisesRegex(ValueError, "labelled 'main' is open already"):
            craft_tk.WebPanel(self.root, html=PAGE, backend=ENGINE, label="main")
        self.assertEqual(len(app.panels()), 3, "the refused panel is not listed")
        labels = self.collect(panels["main"], "label")
        panels["main"].reload()
        self.wait_for(lambda: labels, "the page's craft.label")
        self.assertEqual(labels, ["main"])
        panels["settings"].destroy()
        self.assertEqual(closed, ["settings"])
        with self.assertRaisesRegex(KeyError, "no panel labelled 'settings'"):
            app.panel("settings")

    def test_a_broadcast_reaches_every_panel_in_order_also_one_that_reloads_midway(self) -> None:
        panels = self.panels("a", "b", "c")
        got: Dict[str, List[int]] = {label: [] for label in panels}
        app.on("got", lambda n: got[str(sender())].append(n))
        self.addCleanup(app.off, "got")
        reloaded_at = 400
        for n in range(1000):
            if n == reloaded_at:
                panels["b"].reload()
            self.assertEqual(app.emit("tick", n), ["a", "b", "c"])
            if n % 100 == 0:
                self.root.update()
        self.wait_for(lambda: all(numbers and numbers[-1] == 999 for numbers in got.values()), "every tick", 60)
        self.assertEqual(got["a"], list(range(1000)))
        self.assertEqual(got["c"], list(range(1000)))
        self.assertEqual(got["b"], sorted(set(got["b"])), "in order, none twice")
        self.assertEqual(got["b"][-(1000 - reloaded_at):], list(range(reloaded_at, 1000)),
                         "everything sent after the reload began reaches the new page")
        # What b's old page still says as it goes is refused (its load is retired): only that.
        self.assertEqual([error for error in self.ipc_errors if not isinstance(error, craft_tk.Refused)], [])

    def test_to_reaches_only_its_targets(self) -> None:
        panels = self.panels("a", "b", "c")
        got: Dict[str, List[Any]] = {label: self.collect(panel, "got") for label, panel in panels.items()}
        self.assertEqual(app.emit("tick", 1, to="b"), ["b"])
        self.assertEqual(app.emit("tick", 2, to=["a", "c"]), ["a", "c"])
        self.assertEqual(app.emit("tick", 3, to=lambda panel: panel.label != "a"), ["b", "c"])
        with self.assertRaisesRegex(KeyError, "no panel labelled 'zzz'"):
            app.emit("tick", 4, to=["a", "zzz"])
        self.wait_for(lambda: got["a"] == [2] and got["b"] == [1, 3] and got["c"] == [2, 3], "the targeted ticks")
        self.pump(0.3)
        self.assertEqual({label: numbers for label, numbers in got.items()}, {"a": [2], "b": [1, 3], "c": [2, 3]})

    def test_pages_message_each_other_through_native_with_the_senders_label(self) -> None:
        panels = self.panels("a", "b", "c")
        seen = {label: self.collect(panel, "hello-seen") for label, panel in panels.items()}
        said = {label: self.collect(panel, "said") for label, panel in panels.items()}
        native = {label: self.collect(panel, "hello") for label, panel in panels.items()}  # before any is sent
        panels["a"].emit("say", ["b", "hello", {"x": 1}])
        self.wait_for(lambda: seen["b"] and said["a"], "a's message to b")
        self.assertEqual(seen["b"], [[{"x": 1}, "a"]])
        panels["b"].emit("say", ["*", "hello", "to all"])
        self.wait_for(lambda: seen["a"] and len(seen["c"]) == 1 and said["b"], "b's broadcast")
        self.assertEqual(seen["a"], [["to all", "b"]])
        self.assertEqual(seen["c"], [["to all", "b"]])
        self.assertEqual(said["b"], [["a", "c"]])
        self.assertEqual(len(seen["b"]), 1, "a broadcast does not come back to its sender")
        panels["c"].emit("say", ["nobody", "hello", 1])
        self.wait_for(lambda: said["c"], "the refusal")
        self.assertIn("no panel labelled 'nobody'", said["c"][0])
        self.pump(0.2)
        self.assertEqual(native, {"a": [], "b": [], "c": []},
                         "page-to-page messages go to the page, not native listeners")

    def test_app_handle_answers_panels_without_their_own_and_knows_the_caller(self) -> None:
        panels = self.panels("a", "b")
        remove = app.handle("whoami", lambda: "app answered " + str(current_invocation().label))  # type: ignore
        self.addCleanup(remove)
        panels["b"].handle("whoami", lambda: "b itself")
        answers = {label: self.collect(panel, "answer") for label, panel in panels.items()}
        for panel in panels.values():
            panel.emit("ask", "whoami")
        self.wait_for(lambda: answers["a"] and answers["b"], "both answers")
        self.assertEqual(answers, {"a": ["app answered a"], "b": ["b itself"]})


WRITER = """<html><body><p id="t">start</p><ul id="list"></ul><script>
  var t = document.getElementById('t');
  t.textContent;  // touched before the other panel's page touches its own
  craft.on('write', function (n) {
    t.textContent = craft.label + ' ' + n;
    document.getElementById('list').innerHTML = '<li>' + n + '</li>';
    t.appendChild(document.createTextNode('!'));
    craft.send('wrote', [t.textContent, document.getElementById('list').textContent]);
  });
</script></body></html>"""


class PagesWritingInTurn(EngineTestCase):
    geometry = "700x300+0+0"

    def test_two_pages_write_text_and_markup_in_turn(self) -> None:
        panels = [self.panel(WRITER, connect=False, label=label, width=340) for label in ("left", "right")]
        for panel in panels:  # side by side: CEF makes a browser only for a panel on screen
            panel.pack_configure(side="left")
        self.wait_for(lambda: all(panel.connected for panel in panels), "both pages")
        wrote = {panel.label: self.collect(panel, "wrote") for panel in panels}
        for n in range(5):
            for panel in panels:  # each write follows the other page's
                panel.emit("write", n)
                self.wait_for(lambda: len(wrote[panel.label]) == n + 1, "the write")
        self.assertEqual(wrote["left"][-1], ["left 4!", "4"])
        self.assertEqual(wrote["right"][-1], ["right 4!", "4"])
