"""The core without an engine: the secret, bad input, answers per page load, state, channels."""

import unittest
from unittest import mock

from craft_tk import PageGone, ProtocolError, Refused, SharedState, StateError
from craft_tk import _protocol as protocol

from .harness import Core


class CoreTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.core = Core()
        self.addCleanup(self.core.close)

    def errors_of(self, kind: type) -> list:
        return [error for error in self.core.errors if isinstance(error, kind)]


class TheSecret(CoreTestCase):
    def test_a_wire_without_a_live_secret_is_refused_before_it_is_parsed(self) -> None:
        with mock.patch.object(protocol, "decode_batch", wraps=protocol.decode_batch) as decode:
            self.core.dispatcher.receive("[" * 300000 + "]" * 300000)
            self.core.post({"kind": "hello", "page": "x"}, secret="0" * 32)
            decode.assert_not_called()
        self.assertEqual(len(self.errors_of(Refused)), 2)
        self.assertFalse(self.core.dispatcher.connected)

    def test_a_load_that_went_away_can_never_say_hello_again(self) -> None:
        core = self.core
        core.connect()
        old = core.secret
        core.reload()
        self.assertNotEqual(core.dispatcher.secrets.connected, old)
        core.dispatcher.page_loading()  # the next load is on its way...
        core.post({"kind": "hello", "page": "replayed"}, secret=old)  # ...and an old secret is replayed
        core.run()
        self.assertFalse(core.dispatcher.connected)
        self.assertTrue(self.errors_of(Refused))


    def test_a_load_asked_for_before_the_previous_one_connected_still_connects(self) -> None:
        core = self.core
        first = core.secret
        second = core.dispatcher.secrets.issue()  # load_html twice in a row
        core.post({"kind": "hello", "page": "first"}, secret=first)  # the first page was quicker
        core.dispatcher.page_loading()  # then the second load starts
        core.post({"kind": "hello", "page": "second"}, secret=second)
        core.run()
        self.assertTrue(core.dispatcher.connected)
        self.assertEqual(core.dispatcher.secrets.connected, second)


class BadInput(CoreTestCase):
    def test_one_bad_message_costs_only_itself_and_a_bad_invoke_still_settles(self) -> None:
        core = self.core
        core.connect()
        seen = []
        core.dispatcher.on("good", seen.append)
        deep = '{"kind":"event","name":"deep","data":' + "[" * 2000 + "]" * 2000 + "}"
        surrogate = '{"kind":"invoke","id":7,"name":"echo","args":["\\ud800"]}'
        core.post({"kind": "event", "name": "good", "data": 1}, deep, surrogate,
                  {"kind": "event", "name": "good", "data": 2})
        core.run()
        self.assertEqual(seen, [1, 2])
        errors = core.sent("error")
        self.assertEqual([error["id"] for error in errors], [7])
        self.assertIn("decoded", errors[0]["error"]["message"])
        self.assertEqual(len(self.errors_of(ProtocolError)), 2)

    def test_the_depth_check_sees_through_strings_and_escapes(self) -> None:
        too_deep = protocol.MAX_DEPTH + 1
        self.assertFalse(protocol._too_deep("[" * protocol.MAX_DEPTH + "]" * protocol.MAX_DEPTH))
        self.assertTrue(protocol._too_deep("[" * too_deep + "]" * too_deep))
        self.assertTrue(protocol._too_deep('["]\\"",' * too_deep + "]" * too_deep))  # closers hidden in strings
        self.assertFalse(protocol._too_deep('["' + "[" * 5000 + '"]'))  # openers inside a string


class AnswersPerLoad(CoreTestCase):
    def test_a_handler_that_reloads_answers_nobody(self) -> None:
        core = self.core
        core.connect()

        def effect() -> str:
            core.dispatcher.page_loading()
            return "stale"

        core.dispatcher.handle("effect", effect)
        core.post({"kind": "invoke", "id": 1, "name": "effect", "args": []})
        self.assertEqual(core.sent("result"), [])

    def test_an_invoke_queued_before_a_reload_is_dropped_with_the_load(self) -> None:
        core = self.core
        core.connect()
        future = core.dispatcher.invoke("effect")
        core.dispatcher.page_loading()
        core.secret = core.dispatcher.secrets.issue()
        core.connect()
        self.assertIsInstance(future.exception(), PageGone)
        self.assertEqual(core.sent("invoke"), [])


class State(CoreTestCase):
    def test_a_refused_write_is_reported_by_path_and_settled_alone(self) -> None:
        state = SharedState({"x": [1, 2], "y": 0})
        core = Core(state=state)
        self.addCleanup(core.close)
        core.connect()
        core.post({"kind": "state", "ops": [[["x", "--1"], 5], [["y"], 7]]})
        settle = [m for m in core.sent("state") if "settle" in m]
        self.assertEqual(state.snapshot(), {"x": [1, 2], "y": 7})
        self.assertEqual(settle[0]["settle"], [["x", "--1"], ["y"]])
        self.assertEqual(settle[0]["ops"], [[["x"], [1, 2]], [["y"], 7]],
                         "the refused write reverted where the page's path stops fitting, the other confirmed")
        refused = [e for e in core.errors if isinstance(e, StateError)]
        self.assertEqual(len(refused), 1)
        self.assertIn("x.--1", str(refused[0]))


class StatePatches(CoreTestCase):
    def test_a_write_in_the_tick_a_page_connects_reaches_it_in_a_newer_patch(self) -> None:
        state = SharedState({"x": 1})
        core = Core(state=state)
        self.addCleanup(core.close)
        state.x = 2  # a patch is open, with no page yet
        core.post({"kind": "hello", "page": "p"})  # the welcome snapshot holds x = 2
        state.y = 3  # same tick, after the snapshot
        welcome = core.sent("welcome")[0]
        patches = [m for m in core.sent("state") if "version" in m]
        self.assertEqual(welcome["state"], {"x": 2})
        newer = [m for m in patches if m["version"] > welcome["stateVersion"]]
        self.assertEqual([m["ops"] for m in newer], [[[["y"], 3]]], "y arrives in a patch the page applies")


class Channels(CoreTestCase):
    def test_a_page_end_past_the_window_is_closed(self) -> None:
        core = self.core
        core.connect()
        channel = core.dispatcher.create_channel("flood", window=4)
        closed = []
        channel.on("close", closed.append)
        core.post({"kind": "chan-open", "name": "flood", "window": 4})
        core.post(*[{"kind": "chan-data", "name": "flood", "data": i} for i in range(10)])
        core.run()
        self.assertTrue(closed)
        self.assertLessEqual(len(channel._inbox), 4)
        self.assertTrue(any("window" in str(error) for error in self.errors_of(ProtocolError)))


class Evaluate(CoreTestCase):
    def test_an_evaluation_waits_for_the_page_and_its_answer_settles_it(self) -> None:
        core = self.core
        future = core.dispatcher.evaluate("1 + 1")
        self.assertEqual(core.transport.scripts, [])
        core.connect()
        self.assertEqual(len(core.transport.scripts), 1)
        call_id = int(core.transport.scripts[0].split("(", 1)[1].split(",", 1)[0])
        core.post({"kind": "result", "id": call_id, "value": 2})
        core.run()
        self.assertEqual(future.result(), 2)


class Logging(CoreTestCase):
    def test_a_handler_failure_the_page_also_gets_is_one_warning_line(self) -> None:
        core = self.core
        core.connect()

        def broken(pattern: str) -> None:
            raise ValueError("bad regex " + pattern)

        core.dispatcher.handle("search", broken)
        with self.assertLogs("craft_tk", "DEBUG") as logs:
            core.post({"kind": "invoke", "id": 1, "name": "search", "args": ["("]})
            core.run()
        self.assertEqual([record.levelname for record in logs.records], ["WARNING"])
        self.assertIsNone(logs.records[0].exc_info, "no traceback without debug=True")
        self.assertIn("bad regex (", logs.records[0].getMessage())


class ErrorTree(CoreTestCase):
    def test_every_ipc_failure_is_a_craft_error_of_the_documented_kind(self) -> None:
        from craft_tk import CraftError, SerializationError
        from craft_tk._errors import StateError as StateErrorInTree

        with self.assertRaises(SerializationError) as raised:
            self.core.dispatcher.emit("not-json", {1, 2})
        self.assertIsInstance(raised.exception, TypeError)
        self.assertIsInstance(raised.exception, CraftError)
        self.assertIs(StateError, StateErrorInTree)
        with self.assertRaises(StateError):
            SharedState({}).set("__proto__", 1)

    def test_a_handler_whose_annotations_cannot_resolve_fails_to_register(self) -> None:
        def handler(point: "NoSuchType") -> None:  # type: ignore[name-defined]  # noqa: F821
            pass

        with self.assertRaises(TypeError) as raised:
            self.core.dispatcher.handle("point", handler)
        self.assertIn("NoSuchType", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
