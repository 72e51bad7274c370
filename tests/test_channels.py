"""Channels on a real engine, through the real craft.js (the seed's third part)."""

import os
import unittest

from craft_tk import ChannelClosed, ChannelFull

from bench._proc import tree_memory_report, tree_usage

from .support import EngineTestCase

PAGE = """<html><body><script>
  craft.on('run', function (code) { eval(code); });
  var ch = null;
  function echoChannel(name) {
    ch = craft.connectChannel(name);
    ch.on('message', function (data) { ch.send(data); });
    ch.on('close', function (reason) { craft.send('page-saw-close', reason); });
    return ch;
  }
</script></body></html>"""


class ChannelTestCase(EngineTestCase):
    def open(self):
        panel = self.panel(PAGE)
        return panel

    def run_in_page(self, panel, code: str) -> None:
        panel.emit("run", code)

    def drive(self, panel, coroutine):
        """Run ``coroutine`` on the panel's loop while Tk runs; return its result."""
        task = panel._dispatcher.driver.loop.create_task(coroutine)
        self.wait_for(task.done, "the coroutine to finish", timeout=60)
        return task.result()


class SeedChannels(ChannelTestCase):
    def test_seed_snippets_both_ways(self) -> None:
        panel = self.open()
        channel = panel.create_channel("data-stream")
        received = []
        channel.on("message", received.append)
        channel.send({"type": "update", "value": 42})
        got = self.collect(panel, "got")
        self.run_in_page(panel, """
          const channel = window.craft.connectChannel('data-stream');
          channel.send({ type: 'request', query: 'users' });
          channel.on('message', (data) => { craft.send('got', data); });
        """)
        self.wait_for(lambda: received and got, "a message each way")
        self.assertEqual(received, [{"type": "request", "query": "users"}])
        self.assertEqual(got, [{"type": "update", "value": 42}])

    def test_either_end_may_come_first(self) -> None:
        panel = self.open()
        self.run_in_page(panel, "var early = craft.connectChannel('page-first');"
                                "[1, 2, 3].forEach(function (n) { early.send(n); });")
        self.pump(0.1)
        page_first = panel.create_channel("page-first")
        received = []
        page_first.on("message", received.append)
        native_first = panel.create_channel("native-first")
        for n in range(5):
            native_first.send(n)
        got = self.collect(panel, "got")
        self.run_in_page(panel, "craft.connectChannel('native-first').on('message', function (d) { craft.send('got', d); });")
        self.wait_for(lambda: len(received) == 3 and len(got) == 5, "the early messages")
        self.assertEqual((received, got), ([1, 2, 3], [0, 1, 2, 3, 4]))

    def test_page_initiated_channels_reach_on_channel(self) -> None:
        panel = self.open()
        accepted = []

        @panel.on_channel("uploads")
        def accept(channel):
            accepted.append(channel)
            channel.on("message", lambda data: channel.send({"echo": data}))

        got = self.collect(panel, "got")
        self.run_in_page(panel, "var up = craft.connectChannel('uploads'); up.on('message', function (d) { craft.send('got', d); }); up.send('file-1');")
        self.wait_for(lambda: got, "the accepted channel's echo")
        self.assertEqual(got, [{"echo": "file-1"}])
        self.assertEqual(accepted[0].name, "uploads")

    def test_async_for_natively_and_for_await_in_the_page(self) -> None:
        panel = self.open()
        channel = panel.create_channel("log-stream")
        done = self.collect(panel, "done")
        self.run_in_page(panel, """
          (async function () {
            var seen = [];
            for await (const message of craft.connectChannel('log-stream')) { seen.push(message.chunk || 'done'); }
            craft.send('done', seen);
          })();
        """)

        async def stream():
            for i in range(20):
                await channel.send({"chunk": "line %d" % i})
            await channel.send({"done": True})
            channel.close()

        self.drive(panel, stream())
        self.wait_for(lambda: done, "the page's loop to end")
        self.assertEqual(done[0], ["line %d" % i for i in range(20)] + ["done"])

        back = panel.create_channel("replies")
        self.run_in_page(panel, "var r = craft.connectChannel('replies'); for (var i = 0; i < 50; i++) { r.send(i); } r.close('finished');")

        async def collect():
            return [message async for message in back]

        self.assertEqual(self.drive(panel, collect()), list(range(50)))
        self.assertEqual(back.close_reason, "finished")


class Ordering(ChannelTestCase):
    def test_thousands_of_messages_each_way_in_order_without_loss(self) -> None:
        panel = self.open()
        channel = panel.create_channel("numbers")
        received = []
        channel.on("message", received.append)
        result = self.collect(panel, "result")
        self.run_in_page(panel, """
          var numbers = craft.connectChannel('numbers'), seen = [];
          numbers.on('message', function (n) {
            seen.push(n);
            if (seen.length === 3000) {
              craft.send('result', seen.every(function (v, i) { return v === i; }));
            }
          });
          (async function () { for (var i = 0; i < 3000; i++) { await numbers.send(i); } })();
        """)

        async def send_all():
            for i in range(3000):
                await channel.send(i)

        self.drive(panel, send_all())
        self.wait_for(lambda: result and len(received) == 3000, "3,000 messages each way")
        self.assertEqual(result, [True])
        self.assertEqual(received, list(range(3000)))

    def test_text_of_every_kind_crosses_intact_and_in_order(self) -> None:
        panel = self.open()
        channel = panel.create_channel("texts")
        echoed = []
        channel.on("message", echoed.append)
        self.run_in_page(panel, "echoChannel('texts');")
        texts = ["plain", "", "caf\u00e9 \u00fc\u00df", "emoji \U0001F600\U0001F680 and more", "line\nbreak\r\n",
                 "~[\"not json\"]\n", "\u2028\u2029", "x" * 70000 + "\U0001F600", {"a": "\U0001F600"}, [1, "~"],
                 b"\x00\xff bytes", "tail \U0001F600"]

        async def send_all():
            for text in texts:
                channel.send(text)  # one tick: they share wire strings

        self.drive(panel, send_all())
        self.wait_for(lambda: len(echoed) == len(texts), "every text echoed")
        expected = [bytes(text) if isinstance(text, bytes) else text for text in texts]
        self.assertEqual([bytes(e) if isinstance(e, (bytes, bytearray, memoryview)) else e for e in echoed], expected)

    def test_a_big_stream_does_not_hold_up_events(self) -> None:
        panel = self.open()
        channel = panel.create_channel("bulk")
        handed_to_wire = []
        channels = panel._dispatcher.channels
        original = channels.send_chunk
        channels.send_chunk = lambda chunk: (handed_to_wire.append(1), original(chunk))
        pongs = self.collect(panel, "pong")
        self.run_in_page(panel, """
          var bulk = craft.connectChannel('bulk'), chunks = 0;
          bulk.on('message', function () { chunks++; });
          craft.on('ping', function () { craft.send('pong', chunks); });
        """)
        chunk = "z" * (64 * 1024)
        total = 400  # 25 MB

        async def stream():
            for i in range(total):
                await channel.send(chunk)
                if i == 100:
                    self.sent_at_ping = len(handed_to_wire)
                    panel.emit("ping")

        self.drive(panel, stream())
        self.wait_for(lambda: pongs, "the pong")
        self.assertLess(pongs[0], total, "the event arrived while the stream was running")
        self.assertLessEqual(pongs[0], self.sent_at_ping, "the event waited for no chunk sent after it")


class Backpressure(ChannelTestCase):
    def test_a_slow_page_fills_the_window_then_the_buffer_then_send_raises(self) -> None:
        panel = self.open()
        # Each message is 1,046 characters on the wire (a 46-character envelope and its
        # 1,000-character string): a buffer of 17,000 holds 16 of them, not 17.
        channel = panel.create_channel("slow", buffer=17000)
        self.run_in_page(panel, "window.slow = craft.connectChannel('slow', {window: 8});")  # not consuming
        self.pump(0.2)
        payloads = ["{:04d}".format(i) + "x" * 996 for i in range(8 + 16)]
        futures = [channel.send(payload) for payload in payloads]
        with self.assertRaises(ChannelFull):
            channel.send("{:04d}".format(99) + "x" * 996)
        self.pump(0.2)
        self.assertEqual(sum(f.done() for f in futures), 8, "only the window's worth left")
        got = self.collect(panel, "got")
        self.run_in_page(panel, "window.slow.on('message', function (d) { craft.send('got', d); });")
        self.wait_for(lambda: len(got) == 24, "the page to consume everything")
        self.assertEqual(got, payloads)
        self.assertTrue(all(f.done() for f in futures))

    def test_await_send_keeps_memory_bounded_while_the_page_is_slow(self) -> None:
        panel = self.open()
        channel = panel.create_channel("paced", buffer=4400)  # four 1,046-character messages
        got = self.collect(panel, "all")
        self.run_in_page(panel, """
          var paced = craft.connectChannel('paced', {window: 4}), n = 0;
          paced.on('message', function () { n++; if (n === 300) { craft.send('all', n); } });
        """)
        peak = []

        async def produce():
            for i in range(300):
                await channel.send("x" * 1000)
                peak.append(len(channel._outgoing) + channel._unacked)

        self.drive(panel, produce())
        self.wait_for(lambda: got, "all 300 messages")
        self.assertLessEqual(max(peak), 8, "never more than window + buffer held")

    def test_a_for_await_consumer_keeps_memory_bounded(self) -> None:
        # 96 MB through a page that consumes with `for await`: every message passes through
        # a promise, which PythonMonkey 1.4 kept alive for good (133 MB kept for 128 MB).
        panel = self.open()
        channel = panel.create_channel("iterated")
        got = self.collect(panel, "count")
        self.run_in_page(panel, """
          (async function () {
            var n = 0;
            for await (const data of craft.connectChannel('iterated')) { n += data.length; }
            craft.send('count', n);
          })();
        """)
        chunk = "c" * (64 * 1024)
        count = 96 * 16
        self.drive(panel, channel.drain())
        before = self.settled_tree_mb()
        reports = {"before": tree_memory_report(os.getpid())}

        async def pour() -> float:
            peak = before
            for i in range(count):
                await channel.send(chunk)
                if i % 64 == 0:
                    now = tree_usage(os.getpid()).rss_mb
                    if now > peak:
                        peak, reports["at the peak"] = now, tree_memory_report(os.getpid())
            channel.close()
            return peak

        peak = self.drive(panel, pour())
        self.wait_for(lambda: got, "the page's loop to end with the channel")
        self.assertEqual(got, [count * len(chunk)])
        self.assertLess(peak - before, 48, "MB more held while 96 MB went through; the tree:\n" +
                        "\n".join("{}:\n{}".format(when, text) for when, text in reports.items()))

    def settled_tree_mb(self) -> float:
        """The process tree's memory once it holds still: a page connects before CEF's
        first paint, for which Chromium's GPU process takes some 25 MB more."""
        last = tree_usage(os.getpid()).rss_mb
        for _ in range(40):
            self.pump(0.25)
            now = tree_usage(os.getpid()).rss_mb
            if abs(now - last) < 2:
                return now
            last = now
        self.fail("the process tree's memory never held still for a quarter of a second: {:.0f} MB".format(last))

    def test_a_page_sending_to_a_native_end_nobody_reads_gets_channel_full(self) -> None:
        panel = self.open()
        panel.create_channel("unread", window=4)
        result = self.collect(panel, "result")
        self.run_in_page(panel, """
          // 4 go within native's window; then 10 messages of 45-46 characters (454) fit in
          // a buffer of 480 characters, the 11th does not.
          var unread = craft.connectChannel('unread', {buffer: 480}), error = null;
          setTimeout(function () {
            try { for (var i = 0; i < 100; i++) { unread.send(i); } } catch (e) { error = e.name + ':' + i; }
            craft.send('result', error);
          }, 50);
        """)
        self.wait_for(lambda: result, "the page's send loop")
        self.assertEqual(result, ["ChannelFull:14"])


class Binary(ChannelTestCase):
    def test_all_byte_values_and_ten_megabytes_round_trip(self) -> None:
        panel = self.open()
        channel = panel.create_channel("bytes")
        back = []
        channel.on("message", back.append)
        report = self.collect(panel, "report")
        self.run_in_page(panel, """
          var bytes = craft.connectChannel('bytes');
          bytes.on('message', function (data) {
            var ok = data instanceof Uint8Array;
            if (data.length === 256) {
              for (var i = 0; i < 256; i++) { ok = ok && data[i] === i; }
            }
            craft.send('report', {ok: ok, length: data.length});
            bytes.send(data);
          });
        """)
        every_value = bytes(range(256))
        random = os.urandom(10 * 1024 * 1024)
        channel.send(every_value)
        channel.send(bytearray(random))
        self.wait_for(lambda: len(back) == 2, "both binary messages back", timeout=60)
        self.assertEqual(report, [{"ok": True, "length": 256}, {"ok": True, "length": len(random)}])
        self.assertEqual(back[0], every_value)
        self.assertEqual(back[1], random)


class Closing(ChannelTestCase):
    def test_close_reaches_the_other_end_with_its_reason_and_sending_after_raises(self) -> None:
        panel = self.open()
        channel = panel.create_channel("echo")
        closes = []
        channel.on("close", closes.append)
        page_closes = self.collect(panel, "page-saw-close")
        self.run_in_page(panel, "echoChannel('echo');")
        self.pump(0.1)
        channel.close("native is done")
        self.wait_for(lambda: page_closes, "the page's close event")
        self.assertEqual(page_closes, ["native is done"])
        self.assertEqual(closes, ["native is done"])
        with self.assertRaises(ChannelClosed):
            channel.send("late")
        result = self.collect(panel, "result")
        self.run_in_page(panel, "try { ch.send('late'); craft.send('result', 'sent'); } catch (e) { craft.send('result', e.name); }")
        self.wait_for(lambda: result, "the page's late send")
        self.assertEqual(result, ["ChannelClosed"])

        again = panel.create_channel("echo")  # a name can be opened again
        echoes = []
        again.on("message", echoes.append)
        self.run_in_page(panel, "echoChannel('echo');")
        again.send("second life")
        self.wait_for(lambda: echoes, "the reopened channel's echo")
        self.assertEqual(echoes, ["second life"])

        self.run_in_page(panel, "ch.close('page is done');")
        self.wait_for(lambda: again.closed, "the page's close")
        self.assertEqual(again.close_reason, "page is done")

    def test_reload_and_destroy_close_every_channel_with_a_reason(self) -> None:
        panel = self.open()
        first, second = panel.create_channel("a"), panel.create_channel("b")
        reasons = []
        first.on("close", reasons.append)
        self.run_in_page(panel, "echoChannel('a');")
        self.pump(0.1)
        panel.reload()
        self.wait_for(lambda: first.closed and second.closed, "the reload to close both")
        self.assertIn("reload", reasons[0])
        with self.assertRaises(ChannelClosed):
            first.send(1)
        self.wait_for(lambda: panel.connected, "the reloaded page")
        third = panel.create_channel("a")
        panel.destroy()
        self.assertTrue(third.closed)
        self.assertEqual(third.close_reason, "panel closed")


if __name__ == "__main__":
    unittest.main()
