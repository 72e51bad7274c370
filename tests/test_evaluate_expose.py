"""``panel.evaluate`` (pywebview's ``evaluate_js``) and ``panel.expose`` (its ``js_api``)."""

import dataclasses
import threading
from typing import Any, List

from craft_tk import NotAllowed, RemoteError

from .support import EngineTestCase

PAGE = """<html><head><title>Evaluated</title></head><body><p id="p">text</p><script>
  var counter = 41;
  function settle(label, promise) {
    promise.then(function (value) { craft.send('settled', {label: label, ok: true, value: value}); },
                 function (error) { craft.send('settled', {label: label, ok: false, name: error.name,
                                                            message: error.message}); });
  }
  craft.on('run', function (code) { eval(code); });
</script></body></html>"""


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Api:
    def __init__(self) -> None:
        self.saved: List[Any] = []

    def add(self, a: int, b: int) -> int:
        return a + b

    def save(self, point: Point) -> str:
        self.saved.append(point)
        return "saved {}".format(point.x + point.y)

    def _secret(self) -> str:
        return "never"


class Evaluate(EngineTestCase):
    def value(self, future: Any) -> Any:
        self.wait_for(future.done, "the evaluation")
        return future.result()

    def test_values_promises_and_errors_come_back(self) -> None:
        panel = self.panel(PAGE)
        self.assertEqual(self.value(panel.evaluate("counter + 1")), 42)
        self.assertEqual(self.value(panel.evaluate("document.getElementById('p').textContent")), "text")
        self.assertEqual(self.value(panel.evaluate("new Promise(function (r) { setTimeout(function () { r([1, 'a']); }, 10); })")),
                         [1, "a"])
        self.assertIsNone(self.value(panel.evaluate("undefined")))
        failed = panel.evaluate("notDefinedAnywhere + 1")
        self.wait_for(failed.done, "the failing evaluation")
        self.assertIsInstance(failed.exception(), RemoteError)
        self.assertEqual(failed.exception().name, "ReferenceError")
        self.assertEqual(self.value(panel.evaluate("counter // a trailing comment")), 41)

    def test_before_the_page_connects_and_from_a_thread(self) -> None:
        panel = self.panel(PAGE, connect=False)
        early = panel.evaluate("counter")  # waits for the page
        self.assertEqual(self.value(early), 41)
        outcome: List[Any] = []
        worker = threading.Thread(target=lambda: outcome.append(panel.evaluate("counter * 2").result(timeout=10)))
        worker.start()
        self.wait_for(lambda: not worker.is_alive(), "the worker thread")
        self.assertEqual(outcome, [82])


class Expose(EngineTestCase):
    def call(self, panel: Any, label: str, call: str) -> dict:
        settled: dict = {}
        panel.on("settled", lambda data: settled.__setitem__(data["label"], data))
        panel.emit("run", "settle({!r}, {});".format(label, call))
        return self.wait_for(lambda: settled.get(label), "the page's call " + label)

    def test_public_methods_answer_checked_and_private_ones_do_not(self) -> None:
        api = Api()
        panel = self.panel(PAGE)
        panel.expose(api)
        self.assertEqual(self.call(panel, "add", "craft.invoke('add', 2, 3)")["value"], 5)
        self.assertEqual(self.call(panel, "save", "craft.invoke('save', {x: 1, y: 2})")["value"], "saved 3")
        self.assertEqual(api.saved, [Point(1, 2)])
        bad = self.call(panel, "bad", "craft.invoke('add', 'two', 3)")
        self.assertEqual(bad["name"], "ValidationError")
        private = self.call(panel, "private", "craft.invoke('_secret')")
        self.assertEqual(private["name"], "HandlerNotFound")

    def test_the_allow_list_still_applies_and_remove_forgets_them(self) -> None:
        panel = self.panel(PAGE, allow=["api.add"])
        remove = panel.expose(Api(), prefix="api.")
        self.assertEqual(self.call(panel, "add", "craft.invoke('api.add', 1, 1)")["value"], 2)
        self.assertEqual(self.call(panel, "save", "craft.invoke('api.save', {x: 1, y: 1})")["name"], "NotAllowed")
        self.assertTrue(any(isinstance(error, NotAllowed) for error in self.ipc_errors))
        remove()
        self.assertEqual(self.call(panel, "gone", "craft.invoke('api.add', 1, 1)")["name"], "HandlerNotFound")
