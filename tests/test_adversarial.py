"""Attacks and faults from a hostile page, through the real page and engine.

Each test reproduces one defect of an adversarial trial (issue "Defects found by an
adversarial trial"): what a page script can do to the app, and what must hold after.
"""

import asyncio
import datetime
import json
import math
from typing import Any, List

import craft_tk
from craft_tk import PageGone, ProtocolError, Refused, SharedState, StateError

from .support import EngineTestCase

PAGE = """<html><body><p>adversarial</p><script>
  craft.on('run', function (code) { eval(code); });
  function tell(label, value) { craft.send('told', {label: label, value: value}); }
  function settle(label, promise) {
    promise.then(function (value) { tell(label, {ok: true, value: value}); },
                 function (error) { tell(label, {ok: false, name: error.name, message: error.message}); });
  }
  craft.handle('dump-state', function () { return JSON.parse(JSON.stringify(craft.state)); });
</script></body></html>"""


class AdversarialTestCase(EngineTestCase):
    def open(self, html: str = PAGE, **options: Any) -> craft_tk.WebPanel:
        panel = self.panel(html, **options)
        self.told: dict = {}
        panel.on("told", lambda data: self.told.__setitem__(data["label"], data["value"]))
        return panel

    def run_in_page(self, panel: craft_tk.WebPanel, code: str) -> None:
        panel.emit("run", code)

    def told_value(self, label: str, timeout: float = 15.0) -> Any:
        """What the page told native under ``label`` (see ``tell`` in PAGE)."""
        self.wait_for(lambda: label in self.told, "the page to tell " + label, timeout)
        return self.told[label]

    def answer_of(self, future: "asyncio.Future[Any]", what: str) -> Any:
        self.wait_for(future.done, what)
        return future.result()

    def still_works(self, panel: craft_tk.WebPanel) -> None:
        """The panel still carries an invoke both ways after the attack."""
        if "ping" not in panel._dispatcher.invocations._handlers:
            panel.handle("ping", lambda x: x + 1)
        self.run_in_page(panel, "settle('ping', craft.invoke('ping', 41));")
        self.assertEqual(self.told_value("ping"), {"ok": True, "value": 42})
        del self.told["ping"]

    def post_wire(self, panel: craft_tk.WebPanel, messages_js: str, secret: bool = True) -> None:
        """Post, from a page script, a wire string made as craft.js makes them: the
        secret (when ``secret``), then each message (a JS expression giving its JSON)
        after a newline."""
        head = '["{}"'.format(panel._dispatcher.secrets.connected) if secret else "["
        panel.run_js("(function (parts) {{ __craftHostPost({!r} + parts.map(function (p) {{ return '\\n,' + p; }})"
                     ".join('') + ']'); }})([{}]);".format(head, messages_js))

    def errors_of(self, kind: type) -> List[craft_tk.IpcError]:
        return [error for error in self.ipc_errors if isinstance(error, kind)]


DEEP_JS = "'{\"kind\":\"event\",\"name\":\"deep\",\"data\":' + new Array(300001).join('[') + new Array(300001).join(']') + '}'"


class NoInputCrashesTheApp(AdversarialTestCase):
    def test_a_deeply_nested_wire_is_refused_and_the_app_lives(self) -> None:
        panel = self.open()
        good = self.collect(panel, "good")
        deep = self.collect(panel, "deep")
        self.post_wire(panel, DEEP_JS, secret=False)  # 300,000 levels, without the secret
        self.wait_for(lambda: self.errors_of(Refused), "the refusal of a wire without the secret")
        self.post_wire(panel, "'{\"kind\":\"event\",\"name\":\"good\",\"data\":1}', " + DEEP_JS +
                       ", '{\"kind\":\"event\",\"name\":\"good\",\"data\":2}'")
        self.wait_for(lambda: len(good) == 2, "the good messages around the deep one")
        self.assertEqual(deep, [])
        self.assertTrue(any("deep" in str(error) or "depth" in str(error) for error in self.errors_of(ProtocolError)),
                        [str(error) for error in self.ipc_errors])
        self.still_works(panel)


class OneBadMessageDropsNothingElse(AdversarialTestCase):
    def test_a_deep_value_and_a_lone_surrogate_do_not_cost_the_rest_of_the_batch(self) -> None:
        panel = self.open()
        panel.handle("echo", lambda value: value)
        sent = self.collect(panel, "sent")
        self.run_in_page(panel, """
          var deep = []; for (var i = 0; i < 1100; i++) { deep = [deep]; }
          craft.send('sent', 'before');
          craft.send('sent', deep);
          settle('surrogate', craft.invoke('echo', 'cut \\ud83d'));
          settle('deep-invoke', craft.invoke('echo', deep));
          settle('fine', craft.invoke('echo', 'fine'));
          craft.send('sent', 'after');""")
        self.assertEqual(self.told_value("fine"), {"ok": True, "value": "fine"})
        deep_answer = self.told_value("deep-invoke")
        self.assertFalse(deep_answer["ok"], "a call whose arguments cannot be decoded is rejected")
        self.assertIn("decoded", deep_answer["message"])
        surrogate = self.told_value("surrogate")  # settles one way or the other, never hangs
        if surrogate["ok"]:  # Chromium 66 sends U+FFFD for it
            self.assertTrue(surrogate["value"].startswith("cut "))
        self.wait_for(lambda: "after" in sent, "the events after the bad ones")
        self.assertEqual([value for value in sent if isinstance(value, str)], ["before", "after"])
        self.assertTrue(self.errors_of(ProtocolError), "the refused messages are reported")

    def test_an_answer_that_cannot_be_encoded_costs_only_its_call(self) -> None:
        # A page handler's value whose toJSON throws null: the call is answered with an
        # error, and what came in the same batch from native is still handled.
        panel = self.open()
        after = self.collect(panel, "after")
        self.run_in_page(panel, """
          craft.handle('unsendable', function () { return {toJSON: function () { throw null; }}; });
          craft.on('next', function (data) { craft.send('after', data); });
          craft.send('after', 'ready');""")
        self.wait_for(lambda: after == ["ready"], "the page's handler and listener")
        answer = panel.invoke("unsendable")
        panel.emit("next", "delivered")  # in the same tick: the same batch as the invoke
        self.wait_for(answer.done, "the invoke to settle")
        self.assertIsInstance(answer.exception(), craft_tk.RemoteError)
        self.assertIn("cannot be sent as JSON", str(answer.exception()))
        self.wait_for(lambda: "delivered" in after, "the event that came after the invoke")


class TheSecretStaysSecret(AdversarialTestCase):
    HOOKING_PAGE = """<html><body><p>hooks</p><script>
      var seen = [];
      var realStringify = JSON.stringify, realJoin = Array.prototype.join, realParse = JSON.parse;
      JSON.stringify = function (value) { var text = realStringify.apply(JSON, arguments); seen.push(String(text)); return text; };
      JSON.parse = function (text) { seen.push(String(text)); return realParse.apply(JSON, arguments); };
      Array.prototype.join = function (sep) { var text = realJoin.apply(this, arguments); seen.push(text); return text; };
      var realPost = window.__craftHostPost;
      try { window.__craftHostPost = function (wire, receiver) { seen.push(String(wire)); return realPost(wire, receiver); }; }
      catch (readOnly) { seen.push('read-only'); }
      craft.ready.then(function () {
        craft.send('hooked', 'after ready');
        craft.invoke('noop').then(function () {
          var markup = document.documentElement ? (document.documentElement.outerHTML || '') : '';
          JSON.stringify = realStringify; JSON.parse = realParse; Array.prototype.join = realJoin;
          craft.send('seen', {seen: seen.join('\\u0001'), markup: markup, bootGlobal: typeof window.__craftBoot});
        });
      });
    </script></body></html>"""

    def test_hooked_builtins_and_the_dom_never_show_the_secret(self) -> None:
        panel = self.panel(self.HOOKING_PAGE, connect=False)
        panel.handle("noop", lambda: None)
        seen = self.collect(panel, "seen")
        hooked = self.collect(panel, "hooked")
        self.wait_for(lambda: seen, "the page's report of what its hooks saw")
        secret = panel._dispatcher.secrets.connected
        self.assertEqual(hooked, ["after ready"])
        self.assertNotIn(secret, seen[0]["seen"], "no hooked built-in saw the secret")
        self.assertNotIn(secret, seen[0]["markup"], "the DOM does not hold the secret")
        self.assertEqual(seen[0]["bootGlobal"], "undefined")

    def test_a_stolen_secret_from_the_previous_load_cannot_say_hello(self) -> None:
        panel = self.open()
        old = panel._dispatcher.secrets.connected
        impostor = """<html><body><script>
          var received = [];
          __craftHostPost('["%s"\\n,{"kind":"hello","page":"impostor"}]', function (wire) { received.push(wire); });
          craft.ready.then(function () { craft.send('genuine', 'connected'); });
          craft.on('to-page', function (data) { craft.send('genuine', data); });
        </script></body></html>""" % old
        genuine = self.collect(panel, "genuine")
        panel.load_html(impostor)
        self.wait_for(lambda: genuine, "the genuine bridge to connect")
        self.assertEqual(genuine, ["connected"])
        self.assertNotEqual(panel._dispatcher.secrets.connected, old)
        self.assertTrue(self.errors_of(Refused), "the forged hello is refused and reported")
        panel.emit("to-page", "delivered")
        self.wait_for(lambda: "delivered" in genuine, "native's event to reach the genuine bridge")


class NoScriptTakesOverDelivery(AdversarialTestCase):
    def test_a_host_call_with_a_receiver_but_no_hello_cannot_redirect_native_events(self) -> None:
        panel = self.open()
        if not panel.backend.startswith("cef"):
            self.skipTest("only CEF hands a receive function over with hello (Tkhtml delivers into the world)")
        got = self.collect(panel, "got")
        self.run_in_page(panel, """
          window.stolen = [];
          craft.on('to-page', function (data) { craft.send('got', data); });
          __craftHostPost('["forged"\\n,{"kind":"hello","page":"x"}]', function (w) { window.stolen.push(w); });
          __craftHostPost('junk', function (w) { window.stolen.push(w); });""")
        self.wait_for(lambda: self.errors_of(Refused), "the forged hello's refusal")
        panel.emit("to-page", "for the bridge")
        self.wait_for(lambda: got, "native's event at the genuine bridge")
        self.assertEqual(self.answer_of(panel.evaluate("window.stolen.length"), "the page's count"), 0)


class NoDoorToPython(AdversarialTestCase):
    def test_page_scripts_cannot_reach_python(self) -> None:
        panel = self.panel("""<html><body><script>
          var viaThis = (function () { return this; })(), viaFunction = Function('return this')();
          function kinds(g) {
            return g ? [typeof g.python, g.python && typeof g.python.exec, g.python && typeof g.python.eval,
                        g.python && typeof g.python.getenv, typeof g.require, typeof g.pmEval] : [];
          }
          craft.send('doors', kinds(window).concat(kinds(viaThis), kinds(viaFunction)));
        </script></body></html>""", connect=False)
        doors = self.collect(panel, "doors")
        self.wait_for(lambda: doors, "the page's report")
        self.assertNotIn("function", doors[0], "PythonMonkey's exec/eval/getenv/require/pmEval reach no page")


class OnePanelCannotActAsAnother(AdversarialTestCase):
    HOOKER = """<html><body><p>A</p><script>
      var seen = [];
      var realStringify = JSON.stringify;
      JSON.stringify = function (value) {
        var text = realStringify.apply(JSON, arguments);
        seen.push(String(text));
        if (value && value.kind === 'event') {
          return text + '\\n,{"kind":"invoke","id":999,"name":"b-only","args":[]}';
        }
        return text;
      };
      craft.on('report', function () {
        JSON.stringify = realStringify;
        craft.send('seen', seen.join('\\u0001'));
      });
    </script></body></html>"""
    VICTIM = """<html><body><p>B</p><script>
      craft.on('speak', function () { craft.send('spoken', 1); });
    </script></body></html>"""

    def test_a_page_hooking_shared_builtins_gets_no_secret_and_injects_nothing(self) -> None:
        a = self.panel(self.HOOKER, width=390)
        a.pack_configure(side="left")
        b = self.panel(self.VICTIM, width=390)
        b.pack_configure(side="left")
        b_only = []
        b.handle("b-only", lambda: b_only.append(1))
        spoken = self.collect(b, "spoken")
        seen = self.collect(a, "seen")
        b.emit("speak")
        self.wait_for(lambda: spoken, "panel B's event")
        a.emit("report")
        self.wait_for(lambda: seen, "what panel A's hook saw")
        self.pump(0.2)
        self.assertEqual(b_only, [], "panel A could not invoke a handler of panel B")
        self.assertNotIn(b._dispatcher.secrets.connected, seen[0])


class NothingSharedIsWithinReach(AdversarialTestCase):
    # On Tkhtml all pages share one JavaScript global, and the machinery of their worlds
    # (craft.js compiled once, the pristine built-ins, the DOM installer) is made once for
    # the process: a page that could name it could read the boot object, secret
    # included, of every later page load, or replace what every later page runs.
    SHARED = ["craftBridge", "__craftPristine", "installDom", "makeRunner", "makeWorld", "pageConsole", "jsGlobal",
              "startBridge", "steps", "hooks", "scope", "win", "hostPost", "native"]
    ATTACKER = """<html><body><p>A</p><script>
      var caught = [], reached = [];
      function keep(value) { try { caught.push(typeof value === 'string' ? value : JSON.stringify(value)); } catch (e) {} }
      NAMES.forEach(function (name) {
        if (eval('typeof ' + name) !== 'undefined') { reached.push(name); }
      });
      // Each replacement passes the call on, so that the later page still works.
      try {
        var realBridge = craftBridge;
        craftBridge = function (scope, boot) { keep(boot); return realBridge.apply(this, arguments); };
      } catch (e) {}
      try { __craftPristine = { stringify: JSON.stringify, apply: Reflect.apply, toSource: Function.prototype.toString,
                                parse: function (text) { keep(text); return JSON.parse(text); } }; } catch (e) {}
      try {
        var realInstall = installDom;
        installDom = function (win) { keep('installDom'); return realInstall.apply(this, arguments); };
      } catch (e) {}
      craft.on('report', function () { craft.send('report', {reached: reached, caught: caught.join('\u0001')}); });
    </script></body></html>"""

    def test_a_page_can_name_nothing_pages_share_nor_read_a_later_loads_secret(self) -> None:
        a = self.panel(self.ATTACKER.replace("NAMES", json.dumps(self.SHARED)), width=390)
        a.pack_configure(side="left")
        report = self.collect(a, "report")
        b = self.panel(OnePanelCannotActAsAnother.VICTIM, width=390)  # a later page load
        b.pack_configure(side="left")
        spoken = self.collect(b, "spoken")
        b.emit("speak")
        self.wait_for(lambda: spoken, "panel B's event: its bridge started as usual")
        a.emit("report")
        self.wait_for(lambda: report, "panel A's report")
        self.assertNotIn(b._dispatcher.secrets.connected, report[0]["caught"], "panel B's secret, read by panel A")
        self.assertEqual(report[0]["reached"], [], "names a page script could reach")


class AnswersBelongToTheirLoad(AdversarialTestCase):
    RELOADING_PAGE = """<html><body><script>
      craft.invoke('effect').then(function (value) { craft.send('answer', value); });
    </script></body></html>"""

    def test_a_listener_that_loads_a_page_while_the_old_one_delivers_brings_the_new_one(self) -> None:
        # The old page sends from inside the delivery of native's event; on Tkhtml that
        # reaches Python while the old page's receive() is still on the stack.
        panel = self.panel("""<script>
          craft.on('go', function () { craft.send('replace-me'); craft.send('heard', 'old'); });
        </script>""")
        heard = self.collect(panel, "heard")
        panel.on("replace-me", lambda data: panel.load_html("""<script>
          craft.handle('which', function () { return 'new'; }); craft.send('heard', 'new');
        </script>"""))
        panel.emit("go")
        self.wait_for(lambda: "new" in heard and panel.connected, "the new page")
        self.assertEqual(self.answer_of(panel.invoke("which"), "the new page's answer"), "new")
        self.assertEqual(heard, ["old", "new"], "what the old page sent before it went, then the new one")
        self.assertEqual(self.ipc_errors, [])

    def test_a_handler_that_reloads_cannot_answer_the_new_load(self) -> None:
        calls = []

        def effect() -> str:
            calls.append(1)
            if len(calls) == 1:
                panel.reload()
                return "stale"
            return "fresh"

        panel = self.panel(self.RELOADING_PAGE, connect=False)
        answers = self.collect(panel, "answer")
        panel.handle("effect", effect)
        self.wait_for(lambda: answers, "the new load's answer")
        self.pump(0.2)
        self.assertEqual(answers, ["fresh"])

    def test_an_invoke_queued_before_a_reload_never_reaches_the_new_load(self) -> None:
        page = PAGE.replace("</script>", "craft.handle('effect', function () { craft.send('ran', 1); return 1; });"
                                         "</script>")
        panel = self.open(page)
        ran = self.collect(panel, "ran")
        future = panel.invoke("effect")
        panel.reload()
        self.wait_for(future.done, "the invoke to settle")
        self.assertIsInstance(future.exception(), PageGone)
        self.wait_for(lambda: panel.connected, "the reloaded page")
        self.still_works(panel)
        self.assertEqual(ran, [], "the new load did not run a call its caller gave up on")

    def test_ids_reused_across_reloads_leave_no_call_pending_and_no_task_running(self) -> None:
        running = []

        async def slow(label: str) -> str:
            running.append(label)
            try:
                await asyncio.sleep(0.3 if label != "last" else 0)
                return label
            finally:
                running.remove(label)

        page = """<html><body><script>
          craft.invoke('slow', 'load-' + Math.random()).then(function (v) { craft.send('answer', v); });
        </script></body></html>"""
        panel = self.panel(page, connect=False)
        panel.handle("slow", slow)  # before Tk's loop runs: the page invokes as soon as it connects
        for _ in range(30):
            self.wait_for(lambda: running, "the page's call")
            panel.reload()
            self.wait_for(lambda: panel.connected, "the reloaded page")
        answers = self.collect(panel, "answer")
        self.wait_for(lambda: answers, "the last load's answer", timeout=5)
        self.wait_for(lambda: not running, "every handler task to end", timeout=5)
        self.assertEqual(len(answers), 1)
        self.assertEqual(panel._dispatcher.invocations._incoming, {})


class StateStaysTheSame(AdversarialTestCase):
    def dump(self, panel: craft_tk.WebPanel) -> Any:
        return self.answer_of(panel.invoke("dump-state"), "the page's state")

    def test_a_refused_write_is_reported_reverted_alone_and_the_others_stand(self) -> None:
        state = SharedState({"x": {}, "y": 0})
        panel = self.open(state=state)
        panel.on("make-list", lambda data: state.__setattr__("x", [1, 2]))
        self.run_in_page(panel, "craft.send('make-list'); craft.state.x['--1'] = 5; craft.state.y = 7;")
        self.wait_for(lambda: state.y == 7, "the good write of the same message")
        self.wait_for(lambda: self.dump(panel) == {"x": [1, 2], "y": 7}, "the page to agree with native")
        self.assertEqual(state.snapshot(), {"x": [1, 2], "y": 7})
        refused = self.errors_of(StateError)
        self.assertEqual(len(refused), 1, [str(error) for error in self.ipc_errors])
        self.assertIn("x.--1", str(refused[0]))

    def test_a_page_write_inside_what_native_replaces_meanwhile_ends_the_same_everywhere(self) -> None:
        state = SharedState({"a": {"b": 0}})
        panel = self.open(state=state)
        panel.on("replace-a", lambda data: state.__setattr__("a", {"x": 1}))
        self.run_in_page(panel, "craft.send('replace-a'); craft.state.a.b = 1;")
        self.wait_for(lambda: state.get("a") == {"x": 1, "b": 1}, "native to apply both writes")
        self.wait_for(lambda: self.dump(panel) == {"a": {"x": 1, "b": 1}}, "the page to agree with native")

    def test_a_write_made_before_the_page_connects_survives_its_welcome(self) -> None:
        state = SharedState({"count": 0})
        page = PAGE.replace("<script>", "<script>craft.state.count = 1;", 1)
        panel = self.panel(page, state=state, connect=False)
        state.ready = True  # after the bridge was made, before the page connects
        self.wait_for(lambda: panel.connected and state.get("count") == 1, "the page's early write natively")
        self.wait_for(lambda: self.dump(panel) == {"count": 1, "ready": True}, "the page to agree with native")

    def test_writes_over_max_message_size_together_are_split_not_lost(self) -> None:
        state = SharedState({})
        panel = self.open(state=state, max_message_size=100000)
        self.run_in_page(panel, "var big = new Array(60001).join('a');"
                                "craft.state.one = big; craft.state.two = big; craft.state.small = 1;")
        self.wait_for(lambda: "small" in state and "two" in state, "all three writes natively")
        self.assertEqual((len(state.one), len(state.two), state.small), (60000, 60000, 1))
        self.assertEqual(self.errors_of(craft_tk.MessageTooLarge), [])

    def test_a_page_watcher_that_writes_its_own_key_ends_where_it_should(self) -> None:
        state = SharedState({"n": 0})
        panel = self.open(state=state)
        self.run_in_page(panel, "craft.watchState('n', function (v) { if (v < 5) { craft.state.n = v + 1; } });"
                                "craft.state.n = 1;")
        self.wait_for(lambda: state.n == 5, "native to see the last write")
        self.pump(0.3)
        self.assertEqual(state.n, 5)
        self.assertEqual(self.dump(panel), {"n": 5})

    def test_a_native_watcher_that_loops_is_reported(self) -> None:
        state = SharedState({"n": 0})
        panel = self.open(state=state)
        state.watch("n", lambda new, old: state.__setattr__("n", new + 1))
        state.n = 1
        self.assertTrue(self.errors_of(StateError), "the runaway watcher reached on_ipc_error")
        self.assertIn("RecursionError", str(self.errors_of(StateError)[0]))
        self.wait_for(lambda: self.dump(panel) == state.snapshot(), "the page to agree with native")

    def test_define_property_syncs_or_throws(self) -> None:
        state = SharedState({})
        panel = self.open(state=state)
        self.run_in_page(panel, """
          Object.defineProperty(craft.state, 'z', {value: 3, enumerable: true, writable: true});
          try { Object.defineProperty(craft.state, 'g', {get: function () { return 1; }}); tell('getter', 'accepted'); }
          catch (error) { tell('getter', error.name); }
          tell('json', JSON.stringify(craft.state));""")
        self.assertEqual(self.told_value("getter"), "TypeError")
        self.assertEqual(json.loads(self.told_value("json")), {"z": 3})
        self.wait_for(lambda: state.get("z") == 3, "the defined property natively")


class ChannelWindowIsEnforced(AdversarialTestCase):
    def test_a_page_that_ignores_the_window_is_cut_off(self) -> None:
        panel = self.open()
        channel = panel.create_channel("flood")  # nobody consumes: the window fills
        closed = []
        channel.on("close", closed.append)
        self.run_in_page(panel, """
          var end = craft.connectChannel('flood');
          setTimeout(function () {
            end._peerWindow = 1e9; end._buffer = 1e9;
            for (var i = 0; i < 2000; i++) { try { end.send('x' + i); } catch (e) { break; } }
          }, 50);""")
        self.wait_for(lambda: closed, "native to close the flooding channel")
        self.assertLessEqual(len(channel._inbox), channel.window)
        self.assertTrue(any("window" in str(error) for error in self.errors_of(ProtocolError)))
        self.still_works(panel)


class JsonRules(AdversarialTestCase):
    def test_values_json_cannot_carry_turn_out_the_same_both_ways(self) -> None:
        panel = self.open()
        got = self.collect(panel, "got")
        self.run_in_page(panel, "craft.on('values', function (v) { craft.send('got', v); });"
                                "craft.send('got', [NaN, Infinity, new Date(Date.UTC(2026, 0, 2))]);")
        self.wait_for(lambda: got, "the page's values")
        panel.emit("values", [math.nan, math.inf, datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc)])
        self.wait_for(lambda: len(got) == 2, "native's values back")
        self.assertEqual(got[0][:2], [None, None])
        self.assertEqual(got[1][:2], [None, None])
        self.assertTrue(got[0][2].startswith("2026-01-02T00:00:00"))
        self.assertTrue(got[1][2].startswith("2026-01-02T00:00:00"))
