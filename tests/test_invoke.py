"""Invoke/handle both ways on a real engine, through the real craft.js (the seed's second part)."""

import asyncio
import os
import shutil
import tempfile
import threading
import time
import unittest

import craft_tk
from craft_tk import (
    HandlerError, HandlerNotFound, InvokeTimeout, NotAllowed, PageGone, PanelClosed, RemoteError,
    SerializationError,
)

from .support import EngineTestCase

PAGE = """<html><body><script>
  function settle(label, promise) {
    promise.then(function (value) {
      craft.send('settled', {label: label, ok: value});
    }, function (e) {
      craft.send('settled', {label: label, error: {name: e.name, message: e.message,
        code: e.code === undefined ? null : e.code, remoteStack: e.remoteStack || null}});
    });
  }
  craft.handle('get-selection', function () { return 'selected text'; });
  craft.handle('double', function (x) { return x * 2; });
  craft.handle('echo', function (x) { return x; });
  craft.handle('broken', function () { var e = new Error('nope'); e.code = 'E_WEB'; throw e; });
  craft.handle('cyclic', function () { var o = {}; o.self = o; return o; });
  craft.handle('forever', function () {
    var signal = this.signal;
    signal.addEventListener('abort', function () { craft.send('web-aborted', true); });
    craft.send('web-started', true);
    return new Promise(function () {});
  });
  craft.handle('via-native', function (x) { return craft.invoke('triple', x); });
  craft.handle('thenable', function (x) {
    return {then: function (resolve) { setTimeout(function () { resolve(x + 1); }, 10); }};
  });
  craft.handle('bad-then', function () {
    return Object.defineProperty({}, 'then', {get: function () { throw new TypeError('no then for you'); }});
  });
  craft.handle('send-then-answer', function (x) { craft.send('before-answer', x); return x; });
</script></body></html>"""


class InvokeTestCase(EngineTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.settled = {}

    def open(self, **options) -> craft_tk.WebPanel:
        panel = self.panel(PAGE, **options)
        panel.on("settled", lambda data: self.settled.__setitem__(data["label"], data))
        return panel

    def page_result(self, panel, label: str, call: str) -> dict:
        """Run ``settle(label, <call>)`` in the page and wait for how it settled."""
        panel.run_js("settle({!r}, {});".format(label, call))
        return self.wait_for(lambda: self.settled.get(label), "the page's invoke " + label)

    def cancellable(self, panel, name: str, label: str = "async") -> list:
        """Register an async handler ``name`` that sleeps; the list fills when it is cancelled."""
        cancelled = []

        async def sleeper():
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.append(label)
                raise

        panel.handle(name, sleeper)
        return cancelled

    def native_result(self, future) -> list:
        outcome = []
        future.add_done_callback(outcome.append)
        self.wait_for(lambda: outcome, "the native invoke to settle")
        return outcome[0]


class WebInvokesNative(InvokeTestCase):
    def test_seed_get_user_and_save_file(self) -> None:
        panel = self.open()
        folder = tempfile.mkdtemp(prefix="craft-save-")
        self.addCleanup(shutil.rmtree, folder, True)

        @panel.handle("get-user")
        def get_user(user_id):
            return {"id": user_id, "name": "John"}

        @panel.handle("save-file")
        async def save_file(content, filename):
            await asyncio.sleep(0)
            with open(os.path.join(folder, filename), "w") as out:
                out.write(content)
            return {"success": True}

        self.assertEqual(self.page_result(panel, "user", "craft.invoke('get-user', 123)")["ok"],
                         {"id": 123, "name": "John"})
        self.assertEqual(self.page_result(panel, "save", "craft.invoke('save-file', 'hello', 'doc.txt')")["ok"],
                         {"success": True})
        with open(os.path.join(folder, "doc.txt")) as saved:
            self.assertEqual(saved.read(), "hello")

    def test_native_exception_rejects_with_its_message_name_and_code_but_no_traceback(self) -> None:
        panel = self.open()

        class DiskFull(OSError):
            code = "E_DISK"

        @panel.handle("risky-operation")
        async def risky(data):
            if not data["valid"]:
                raise ValueError("Invalid data")

        panel.handle("disk", lambda: (_ for _ in ()).throw(DiskFull("disk is full")))
        error = self.page_result(panel, "risky", "craft.invoke('risky-operation', {valid: false})")["error"]
        self.assertEqual(error, {"name": "ValueError", "message": "Invalid data", "code": None, "remoteStack": None})
        error = self.page_result(panel, "disk", "craft.invoke('disk')")["error"]
        self.assertEqual((error["name"], error["message"], error["code"]), ("DiskFull", "disk is full", "E_DISK"))
        self.assertIsInstance(self.ipc_errors[0], HandlerError)
        self.assertIsInstance(self.ipc_errors[0].__cause__, ValueError)

    def test_debug_panels_send_the_traceback(self) -> None:
        panel = self.open(debug=True)
        panel.handle("fail", lambda: 1 / 0)
        error = self.page_result(panel, "fail", "craft.invoke('fail')")["error"]
        self.assertEqual(error["name"], "ZeroDivisionError")
        self.assertIn("Traceback", error["remoteStack"])

    def test_unknown_handler_and_unserialisable_result_are_clear_errors(self) -> None:
        panel = self.open()
        panel.handle("object", lambda: object())
        missing = self.page_result(panel, "missing", "craft.invoke('no-such-handler', 1)")["error"]
        self.assertEqual(missing["name"], "HandlerNotFound")
        self.assertIn("no-such-handler", missing["message"])
        bad = self.page_result(panel, "object", "craft.invoke('object')")["error"]
        self.assertIn("cannot be sent", bad["message"])
        self.assertEqual([type(e) for e in self.ipc_errors], [HandlerNotFound, SerializationError])

    def test_thread_handler_does_not_block_tk(self) -> None:
        panel = self.open()
        ticks = []

        def tick():
            ticks.append(time.monotonic())
            if len(ticks) < 1000:
                self.root.after(10, tick)

        @panel.handle("slow-io", thread=True)
        def slow_io(seconds):
            time.sleep(seconds)
            return threading.current_thread() is not threading.main_thread()

        tick()
        started = len(ticks)
        self.assertEqual(self.page_result(panel, "io", "craft.invoke('slow-io', 0.3)")["ok"], True)
        self.assertGreater(len(ticks) - started, 10, "Tk should keep ticking while the handler sleeps")

    def test_registering_a_name_twice_raises_and_a_removed_handler_is_gone(self) -> None:
        panel = self.open()
        remove = panel.handle("once", lambda: 1)
        with self.assertRaises(ValueError):
            panel.handle("once", lambda: 2)
        remove()
        panel.handle("twice", lambda: 2)
        panel.remove_handler("twice")
        self.assertEqual(self.page_result(panel, "a", "craft.invoke('once')")["error"]["name"], "HandlerNotFound")
        self.assertEqual(self.page_result(panel, "b", "craft.invoke('twice')")["error"]["name"], "HandlerNotFound")

    def test_a_thousand_invokes_in_flight_each_get_their_own_result(self) -> None:
        panel = self.open()

        @panel.handle("square")
        async def square(n):
            await asyncio.sleep((n % 7) / 1000)
            return n * n

        result = self.page_result(panel, "many", """Promise.all(Array.from({length: 1000}, function (_, i) {
            return craft.invoke('square', i);
        })).then(function (values) {
            return values.every(function (v, i) { return v === i * i; }) ? values.length : 'wrong';
        })""")
        self.assertEqual(result["ok"], 1000)

    def test_five_megabytes_each_way(self) -> None:
        panel = self.open()
        panel.handle("reverse", lambda text: text[::-1])
        result = self.page_result(panel, "big", """(function () {
            var big = new Array(5 * 1024 * 1024 + 1).join('x') + 'END';
            return craft.invoke('reverse', big).then(function (back) {
              return back.length === big.length && back.slice(0, 3) === 'DNE';
            });
        })()""")
        self.assertEqual(result["ok"], True)


class NativeInvokesWeb(InvokeTestCase):
    def test_await_inside_a_coroutine_and_callbacks_outside(self) -> None:
        panel = self.open()
        got = []

        async def main():
            got.append(await panel.invoke("get-selection"))
            got.append(await panel.invoke("double", 21))

        panel._dispatcher.driver.loop.create_task(main())
        self.wait_for(lambda: len(got) == 2, "two awaited invokes")
        self.assertEqual(got, ["selected text", 42])
        self.assertEqual(self.native_result(panel.invoke("echo", {"a": [1, 2]})).result(), {"a": [1, 2]})

    def test_page_errors_raise_natively_with_name_message_code_and_stack(self) -> None:
        panel = self.open()
        error = self.native_result(panel.invoke("broken")).exception()
        self.assertIsInstance(error, RemoteError)
        self.assertEqual((str(error), error.name, error.code), ("nope", "Error", "E_WEB"))
        self.assertTrue(error.stack, "the JavaScript stack comes along")
        missing = self.native_result(panel.invoke("no-such-handler")).exception()
        self.assertIsInstance(missing, HandlerNotFound)
        self.assertIn("no-such-handler", str(missing))
        cyclic = self.native_result(panel.invoke("cyclic")).exception()
        self.assertIn("JSON", str(cyclic))

    def test_thenables_settle_the_answer_and_a_plain_answer_follows_what_the_handler_sent(self) -> None:
        panel = self.open()
        self.assertEqual(self.native_result(panel.invoke("thenable", 41)).result(), 42)
        error = self.native_result(panel.invoke("bad-then")).exception()
        self.assertIsInstance(error, RemoteError)
        self.assertEqual((error.name, str(error)), ("TypeError", "no then for you"))
        order = []
        panel.on("before-answer", lambda x: order.append(("event", x)))
        panel.invoke("send-then-answer", 7).add_done_callback(lambda f: order.append(("answer", f.result())))
        self.wait_for(lambda: len(order) == 2, "the event and the answer")
        self.assertEqual(order, [("event", 7), ("answer", 7)])

    def test_arguments_json_cannot_carry_raise_at_once(self) -> None:
        panel = self.open()
        with self.assertRaises(SerializationError):
            panel.invoke("echo", object())

    def test_a_thousand_native_invokes_in_flight_and_five_megabytes(self) -> None:
        panel = self.open()
        futures = [panel.invoke("double", i) for i in range(1000)]
        self.wait_for(lambda: all(f.done() for f in futures), "1,000 invokes")
        self.assertEqual([f.result() for f in futures], [2 * i for i in range(1000)])
        big = "y" * (5 * 1024 * 1024)
        self.assertEqual(self.native_result(panel.invoke("echo", big)).result(), big)


class Nesting(InvokeTestCase):
    def test_each_side_may_await_the_other_inside_a_handler(self) -> None:
        panel = self.open()

        @panel.handle("outer")
        async def outer(x):
            return await panel.invoke("double", x)

        panel.handle("triple", lambda x: 3 * x)
        self.assertEqual(self.page_result(panel, "outer", "craft.invoke('outer', 21)")["ok"], 42)
        self.assertEqual(self.native_result(panel.invoke("via-native", 5)).result(), 15)


class TimeoutsAndCancellation(InvokeTestCase):
    def test_page_timeout_rejects_and_cancels_the_native_handler(self) -> None:
        panel = self.open()
        cancelled = self.cancellable(panel, "slow")
        error = self.page_result(panel, "t", "craft.invoke('slow', craft.options({timeout: 50}))")["error"]
        self.assertEqual(error["name"], "TimeoutError")
        self.wait_for(lambda: cancelled, "the native handler to be cancelled")

    def test_panel_default_timeout_applies_both_ways(self) -> None:
        panel = self.open(invoke_timeout=0.1)
        panel.handle("slow", lambda: asyncio.sleep(5))
        self.assertEqual(self.page_result(panel, "t", "craft.invoke('slow')")["error"]["name"], "TimeoutError")
        aborted = self.collect(panel, "web-aborted")
        self.assertIsInstance(self.native_result(panel.invoke("forever")).exception(), InvokeTimeout)
        self.wait_for(lambda: aborted, "the page handler's signal to abort")

    def test_abort_signal_cancels_async_and_thread_handlers(self) -> None:
        panel = self.open()
        cancelled = self.cancellable(panel, "slow")

        @panel.handle("blocking", thread=True)
        def blocking():
            invocation = craft_tk.current_invocation()
            while not invocation.cancelled:
                time.sleep(0.01)
            cancelled.append("thread:" + invocation.name)

        for label, name in (("a", "slow"), ("b", "blocking")):
            error = self.page_result(panel, label, """(function () {
                var controller = new AbortController();
                setTimeout(function () { controller.abort(); }, 50);
                return craft.invoke(%r, craft.options({signal: controller.signal}));
            })()""" % name)["error"]
            self.assertEqual(error["name"], "AbortError")
        self.wait_for(lambda: len(cancelled) == 2, "both handlers to see the cancellation")
        self.assertEqual(sorted(cancelled), ["async", "thread:blocking"])

    def test_future_cancel_aborts_the_page_handler(self) -> None:
        panel = self.open()
        aborted, started = self.collect(panel, "web-aborted"), self.collect(panel, "web-started")
        future = panel.invoke("forever")
        self.wait_for(lambda: started, "the page handler to start")
        future.cancel()
        self.wait_for(lambda: aborted, "the page handler's AbortSignal")


class EverythingSettles(InvokeTestCase):
    def test_reload_settles_invokes_pending_in_both_directions(self) -> None:
        panel = self.open()
        cancelled = self.cancellable(panel, "hang")
        panel.run_js("craft.invoke('hang');")
        self.wait_for(lambda: panel._dispatcher.invocations._incoming, "the page's invoke to arrive")
        started = self.collect(panel, "web-started")
        future = panel.invoke("forever")
        self.wait_for(lambda: started, "the page handler to start")
        panel.reload()
        self.assertIsInstance(self.native_result(future).exception(), PageGone)
        self.wait_for(lambda: cancelled, "the native handler to be cancelled")
        self.wait_for(lambda: panel.connected, "the reloaded page")
        self.assertEqual(self.native_result(panel.invoke("double", 4)).result(), 8)

    def test_destroying_the_panel_settles_native_invokes(self) -> None:
        panel = self.open()
        started = self.collect(panel, "web-started")
        future = panel.invoke("forever")
        self.wait_for(lambda: started, "the page handler to start")
        panel.destroy()
        self.assertIsInstance(self.native_result(future).exception(), PanelClosed)
        with self.assertRaises(PanelClosed):
            panel.invoke("double", 1)


class Restriction(InvokeTestCase):
    def test_allow_list_refuses_other_names(self) -> None:
        panel = self.open(allow=["get-user"])
        panel.handle("get-user", lambda user_id: {"id": user_id})
        panel.handle("delete-everything", lambda: "deleted")
        self.assertEqual(self.page_result(panel, "ok", "craft.invoke('get-user', 1)")["ok"], {"id": 1})
        error = self.page_result(panel, "no", "craft.invoke('delete-everything')")["error"]
        self.assertEqual(error["name"], "NotAllowed")
        self.assertIn("not allowed", error["message"])
        self.assertIsInstance(self.ipc_errors[-1], NotAllowed)

    def test_seed_invoke_hook(self) -> None:
        panel = self.open()
        allowed_handlers = ["get-user", "get-settings", "save-preferences"]
        panel.handle("get-user", lambda user_id: {"id": user_id})
        panel.handle("format-disk", lambda: "formatted")

        @panel.on("invoke")
        def screen(name, data, respond):
            if name not in allowed_handlers:
                respond({"error": "Handler not allowed"})

        self.assertEqual(self.page_result(panel, "ok", "craft.invoke('get-user', 7)")["ok"], {"id": 7})
        error = self.page_result(panel, "no", "craft.invoke('format-disk')")["error"]
        self.assertEqual(error["message"], "Handler not allowed")


if __name__ == "__main__":
    unittest.main()
