"""craft_tk.app without engines: labels, targets, and what a broadcast carries."""

import unittest
from types import SimpleNamespace
from typing import Any, List, Tuple

from craft_tk._app import App, _sender


class FakePanel:
    def __init__(self, sent: List[Tuple[str, str, Any, Any]]) -> None:
        self.label = ""
        self._dispatcher = SimpleNamespace(emit=lambda name, data, sender=None: sent.append(
            (self.label, name, data, sender)))


class Labels(unittest.TestCase):
    def setUp(self) -> None:
        self.app, self.sent = App(), []  # type: App, List[Tuple[str, str, Any, Any]]

    def add(self, label: Any = None) -> FakePanel:
        panel = FakePanel(self.sent)
        panel.label = self.app.add(panel, label)  # type: ignore[arg-type]
        return panel

    def test_labels_are_made_unique_and_taken_ones_refused(self) -> None:
        first, named, second = self.add(), self.add("panel-2"), self.add()
        self.assertEqual([first.label, named.label, second.label], ["panel-1", "panel-2", "panel-3"])
        with self.assertRaisesRegex(ValueError, "open already"):
            self.add("panel-1")
        with self.assertRaisesRegex(ValueError, "non-empty string"):
            self.add("")
        self.app.remove("panel-1")
        with self.assertRaisesRegex(KeyError, r"the panels are \['panel-2', 'panel-3'\]"):
            self.app.panel("panel-1")

    def test_targets_and_the_sender_carried(self) -> None:
        for label in ("a", "b", "c"):
            self.add(label)
        self.assertEqual(self.app.emit("x", 1), ["a", "b", "c"])
        self.assertEqual(self.app.emit("x", 2, to=["c", "a"]), ["c", "a"])
        token = _sender.set("b")
        try:
            self.assertEqual(self.app.emit("x", 3, to=lambda panel: panel.label != "b"), ["a", "c"])
        finally:
            _sender.reset(token)
        with self.assertRaises(KeyError):
            self.app.emit("x", 4, to=["a", "nobody"])
        with self.assertRaises(TypeError):
            self.app.emit("x", 5, to=[1])  # type: ignore[list-item]
        self.assertEqual(self.sent, [("a", "x", 1, None), ("b", "x", 1, None), ("c", "x", 1, None),
                                     ("c", "x", 2, None), ("a", "x", 2, None), ("a", "x", 3, "b"), ("c", "x", 3, "b")])


if __name__ == "__main__":
    unittest.main()
