"""Message passing on a real engine, through the real craft.js (the seed's first part)."""

import asyncio
import threading
import unittest

from craft_tk import ListenerError, PageError, PanelClosed, ProtocolError

from .support import EngineTestCase

ECHO = """<html><body><p id="status">waiting</p><script>
craft.on('ping', function (data) { craft.send('pong', data); });
</script></body></html>"""


class WebToNative(EngineTestCase):
    def test_seed_snippet_reaches_native_listener(self) -> None:
        panel = self.panel("""<html><body><script>
          window.craft.send('user-action', {
            type: 'click',
            target: 'button',
          })
        </script></body></html>""", connect=False)
        seen = []

        @panel.on("user-action")
        def on_user_action(data):
            seen.append("User {} on {}".format(data["type"], data["target"]))

        self.wait_for(lambda: seen, "the page's user-action event")
        self.assertEqual(seen, ["User click on button"])
        self.assertTrue(callable(on_user_action), "the decorator returns the function")

    def test_ten_thousand_events_arrive_in_order(self) -> None:
        panel = self.panel(ECHO)
        received = self.collect(panel, "m")
        panel.run_js("for (var i = 0; i < 10000; i++) { craft.send('m', i); }")
        self.wait_for(lambda: len(received) >= 10000, "10,000 page events")
        self.assertEqual(received, list(range(10000)))


class NativeToWeb(EngineTestCase):
    def test_seed_snippet_updates_the_page(self) -> None:
        panel = self.panel("""<html><body><p id="users"></p><script>
          function updateUserList(users) {
            document.getElementById('users').textContent = users.join(', ');
            craft.send('list-shown', document.getElementById('users').textContent);
          }
          window.craft.on('update-data', (data) => {
            console.log(`Received ${data.count} users`)
            updateUserList(data.users)
          })
        </script></body></html>""")
        shown = self.collect(panel, "list-shown")
        panel.emit("update-data", {"users": ["Alice", "Bob"], "count": 2})
        self.wait_for(lambda: shown, "the page to show the users")
        self.assertEqual(shown, ["Alice, Bob"])

    def test_ten_thousand_events_arrive_in_order(self) -> None:
        panel = self.panel("""<html><body><script>
          var got = [];
          craft.on('n', function (d) {
            got.push(d);
            if (got.length === 10000) {
              craft.send('done', {count: got.length, ordered: got.every(function (v, i) { return v === i; })});
            }
          });
        </script></body></html>""")
        done = self.collect(panel, "done")
        for i in range(10000):
            panel.emit("n", i)
        self.wait_for(lambda: done, "the page to count 10,000 events")
        self.assertEqual(done, [{"count": 10000, "ordered": True}])

    def test_one_tick_of_emits_is_one_backend_call(self) -> None:
        panel = self.panel(ECHO)
        posts = []
        original = panel.transport.post
        panel.transport.post = lambda wire: (posts.append(wire), original(wire))  # type: ignore[assignment]
        pongs = self.collect(panel, "pong")
        for i in range(500):
            panel.emit("ping", i)
        self.wait_for(lambda: len(pongs) == 500, "500 pongs")
        self.assertEqual(len(posts), 1, "500 emits in one tick should cross as one backend call")
        self.assertEqual(pongs, list(range(500)))

    def test_emits_from_worker_threads_keep_each_threads_order(self) -> None:
        panel = self.panel("""<html><body><script>
          var last = {}, total = 0, ordered = true;
          craft.on('t', function (d) {
            var expected = last[d.t] === undefined ? 0 : last[d.t] + 1;
            if (d.i !== expected) { ordered = false; }
            last[d.t] = d.i;
            total++;
            if (total === 2000) { craft.send('threads-done', {total: total, ordered: ordered}); }
          });
        </script></body></html>""")
        done = self.collect(panel, "threads-done")

        def worker(t):
            for i in range(500):
                panel.emit("t", {"t": t, "i": i})

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        self.wait_for(lambda: done, "2,000 events from 4 threads")
        for thread in threads:
            thread.join()
        self.assertEqual(done, [{"total": 2000, "ordered": True}])

    def test_emit_rejects_data_that_is_not_json(self) -> None:
        panel = self.panel(ECHO)
        with self.assertRaisesRegex(TypeError, "JSON"):
            panel.emit("x", object())
        with self.assertRaises(TypeError):
            panel.emit(42, "name must be a string")  # type: ignore[arg-type]


class Connection(EngineTestCase):
    def test_calls_before_connect_are_queued_both_ways(self) -> None:
        panel = self.panel("""<html><body><script>
          craft.send('early', 'sent before the bridge connected');
          craft.on('pre', function (d) { craft.send('pre-seen', d); });
        </script></body></html>""", connect=False)
        # On CEF the page loads later; on Tkhtml it has run (and said hello) already.
        panel.emit("pre", "emitted right after the panel was made")
        early = self.collect(panel, "early")
        pre_seen = self.collect(panel, "pre-seen")
        self.wait_for(lambda: early and pre_seen, "both queued messages")
        self.assertEqual(early, ["sent before the bridge connected"])
        self.assertEqual(pre_seen, ["emitted right after the panel was made"])

    def test_connected_means_every_script_of_the_page_has_run(self) -> None:
        filler = "".join("<p>paragraph {}</p><script>var filler{} = {};</script>".format(i, i, i)
                         for i in range(300))
        panel = self.panel("<html><body>" + filler + """<script>
          craft.on('early', function (data) { craft.send('heard', data); });
        </script></body></html>""")
        heard = self.collect(panel, "heard")
        panel.emit("early", 1)
        self.wait_for(lambda: heard, "the listener of the page's last script")
        self.assertEqual(heard, [1])

    def test_ready_resolves_with_craft(self) -> None:
        panel = self.panel("""<html><body><script>
          craft.ready.then(function (c) { craft.send('ready', c === window.craft); });
        </script></body></html>""", connect=False)
        ready = self.collect(panel, "ready")
        self.wait_for(lambda: ready, "craft.ready")
        self.assertEqual(ready, [True])

    def test_reload_reconnects_and_keeps_messages_sent_meanwhile(self) -> None:
        panel = self.panel("""<html><body><script>
          var id = String(Math.random());
          craft.send('page', id);
          craft.on('during', function (d) { craft.send('during-seen', {d: d, page: id}); });
        </script></body></html>""", connect=False)
        pages = self.collect(panel, "page")
        seen = self.collect(panel, "during-seen")
        self.wait_for(lambda: len(pages) == 1 and panel.connected, "the first load")
        panel.reload()
        panel.emit("during", 7)
        self.wait_for(lambda: len(pages) == 2 and seen, "the reloaded page")
        self.assertNotEqual(pages[0], pages[1])
        self.assertEqual(seen, [{"d": 7, "page": pages[1]}])

    def test_navigation_to_new_html_reconnects(self) -> None:
        panel = self.panel(ECHO)
        panel.load_html("""<html><body><script>
          craft.on('ping', function (d) { craft.send('pong-2', d); });
        </script></body></html>""")
        old = self.collect(panel, "pong")
        new = self.collect(panel, "pong-2")
        panel.emit("ping", "after navigation")
        self.wait_for(lambda: new, "the new page's answer")
        self.assertEqual(new, ["after navigation"])
        self.assertEqual(old, [])


class Listeners(EngineTestCase):
    def test_unsubscribe_off_and_once_on_the_native_side(self) -> None:
        panel = self.panel(ECHO)
        on_list, once_list, off_list = [], [], []
        unsubscribe = panel.on("x", on_list.append)
        panel.once("x", once_list.append)
        panel.on("x", off_list.append)
        panel.run_js("craft.send('x', 1); craft.send('x', 2);")
        self.wait_for(lambda: len(on_list) == 2, "two events")
        unsubscribe()
        panel.off("x", off_list.append)
        last = self.collect(panel, "x")
        panel.run_js("craft.send('x', 3);")
        self.wait_for(lambda: last, "the third event")
        self.assertEqual((on_list, once_list, off_list, last), ([1, 2], [1], [1, 2], [3]))

    def test_unsubscribe_off_and_once_on_the_page_side(self) -> None:
        panel = self.panel("""<html><body><script>
          var hits = {on: 0, once: 0, off: 0};
          var unsubscribe = craft.on('y', function () { hits.on++; });
          craft.once('y', function () { hits.once++; });
          function counted() { hits.off++; }
          craft.on('y', counted);
          craft.on('report', function () { craft.send('hits', JSON.parse(JSON.stringify(hits))); });
          craft.on('stop', function () { unsubscribe(); craft.off('y', counted); });
        </script></body></html>""")
        hits = self.collect(panel, "hits")
        panel.emit("y")
        panel.emit("y")
        panel.emit("report")
        self.wait_for(lambda: hits, "the first report")
        panel.emit("stop")
        panel.emit("y")
        panel.emit("report")
        self.wait_for(lambda: len(hits) == 2, "the second report")
        self.assertEqual(hits[0], {"on": 2, "once": 1, "off": 2})
        self.assertEqual(hits[1], {"on": 2, "once": 1, "off": 2})

    def test_async_listener_runs_on_the_tk_loop(self) -> None:
        panel = self.panel(ECHO)
        pongs = self.collect(panel, "pong")

        @panel.on("slow")
        async def slow(data):
            await asyncio.sleep(0.01)
            panel.emit("ping", data * 2)

        panel.run_js("craft.send('slow', 21);")
        self.wait_for(lambda: pongs, "the async listener's answer")
        self.assertEqual(pongs, [42])


class Faults(EngineTestCase):
    def test_native_listener_error_stops_nothing(self) -> None:
        panel = self.panel(ECHO)
        after = self.collect(panel, "boom")

        @panel.on("boom")
        def explode(data):
            raise RuntimeError("listener bug")

        later = self.collect(panel, "boom")
        with self.assertLogs("craft_tk", "ERROR") as logs:
            panel.run_js("craft.send('boom', 1);")
            self.wait_for(lambda: later, "the listener after the failing one")
        self.assertEqual((after, later), ([1], [1]))
        self.assertEqual(len(self.ipc_errors), 1)
        self.assertIsInstance(self.ipc_errors[0], ListenerError)
        self.assertIn("listener bug", str(self.ipc_errors[0]))
        self.assertIn("listener bug", "\n".join(logs.output))
        pongs = self.collect(panel, "pong")
        panel.emit("ping", "still alive")
        self.wait_for(lambda: pongs, "traffic after the failure")

    def test_page_listener_error_stops_nothing_and_reaches_native(self) -> None:
        panel = self.panel("""<html><body><script>
          craft.on('go', function () { throw new Error('kaboom'); });
          craft.on('go', function (d) { craft.send('second-ran', d); });
        </script></body></html>""")
        second = self.collect(panel, "second-ran")
        panel.emit("go", 5)
        self.wait_for(lambda: second and self.ipc_errors, "the second listener and the fault report")
        self.assertEqual(second, [5])
        self.assertIsInstance(self.ipc_errors[0], PageError)
        self.assertIn("kaboom", str(self.ipc_errors[0]))

    def test_malformed_messages_from_the_page_reach_on_ipc_error(self) -> None:
        panel = self.panel(ECHO)
        after = self.collect(panel, "after")
        self.post_with_secret(panel, "'not json'")
        self.post_with_secret(panel, """'{"kind": "no-such-kind"}'""")
        self.post_with_secret(panel, """'{"kind": "event"}'""")
        self.post_with_secret(panel, "42")
        panel.run_js("craft.send('after', 'fine');")
        self.wait_for(lambda: after, "a good message after the bad ones")
        self.assertEqual(after, ["fine"])
        self.assertEqual(len(self.ipc_errors), 4, [str(e) for e in self.ipc_errors])
        for error in self.ipc_errors:
            self.assertIsInstance(error, ProtocolError)

    def test_destroyed_panel_refuses_emits_and_the_loop_goes_on(self) -> None:
        panel = self.panel(ECHO)
        panel.destroy()
        self.pump(0.1)
        with self.assertRaises(PanelClosed):
            panel.emit("ping", 1)
        other = self.panel(ECHO)
        pongs = self.collect(other, "pong")
        other.emit("ping", "second panel")
        self.wait_for(lambda: pongs, "a new panel to work")


if __name__ == "__main__":
    unittest.main()
