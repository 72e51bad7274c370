"""Property-based tests of the decoder and the dispatcher: whatever a page sends, Tk's
loop is never raised into, every well-formed invoke is answered once, and the good
messages of a wire string still go through."""

import unittest

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from craft_tk import _protocol as protocol

from .harness import Core

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 53, 2 ** 53) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
kinds = st.sampled_from(["event", "invoke", "result", "error", "cancel", "state", "hello", "fault",
                         "chan-open", "chan-data", "chan-ack", "chan-close", "nonsense"])
fields = st.dictionaries(st.sampled_from(["name", "id", "args", "data", "ops", "value", "error", "page",
                                          "window", "count", "reason", "message", "bin"]),
                         json_values, max_size=5)
messages = st.builds(lambda kind, rest: dict(rest, kind=kind), kinds, fields)


class Decoder(unittest.TestCase):
    @SETTINGS
    @given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
    def test_any_text_decodes_to_messages_or_protocol_errors(self, wire: str) -> None:
        batch = protocol.decode_batch(wire)
        for message in batch.messages:
            self.assertIsInstance(message, protocol.Message.__args__ + (protocol.ProtocolError,))  # type: ignore

    @SETTINGS
    @given(st.lists(json_values, max_size=5), st.integers(min_value=0, max_value=4),
           st.sampled_from(["\\ud800", "\\udc00x", "[" * 1100]))
    def test_one_bad_message_never_hides_the_others(self, values, where, poison) -> None:
        good = [orjson.dumps({"kind": "event", "name": "e", "data": value}).decode() for value in values]
        bad = '{"kind":"event","name":"bad","data":"' + poison + '"}' if poison.startswith("\\") else \
            '{"kind":"event","name":"bad","data":' + poison + "]" * 1100 + "}"
        parts = good[:where] + [bad] + good[where:]
        wire = '["s"' + "".join("\n," + part for part in parts) + "]"
        decoded = [m for m in protocol.decode_batch(wire).messages if isinstance(m, protocol.Event)]
        self.assertEqual([event.data for event in decoded], values)


class Dispatcher(unittest.TestCase):
    @SETTINGS
    @given(st.lists(messages, max_size=8))
    def test_structurally_odd_messages_never_raise_and_every_invoke_is_answered(self, batch) -> None:
        core = Core()
        try:
            core.connect()
            core.dispatcher.handle("known", lambda *args: len(args))
            core.post(*batch)
            answered = [m["id"] for m in core.sent() if m.get("kind") in ("result", "error")]
            wellformed = [m["id"] for m in batch if m["kind"] == "invoke" and type(m.get("id")) is int
                          and isinstance(m.get("name"), str) and isinstance(m.get("args", []), list)]
            self.assertEqual(sorted(answered), sorted(wellformed))
        finally:
            core.close()

    @SETTINGS
    @given(st.text(max_size=200))
    def test_garbage_after_a_valid_secret_is_reported_never_raised(self, rest: str) -> None:
        core = Core()
        try:
            core.connect()
            before = len(core.errors)
            core.dispatcher.receive('["{}"\n,'.format(core.secret) + rest)
            core.run()
            self.assertTrue(core.dispatcher.connected)
            self.assertGreaterEqual(len(core.errors), before)
        finally:
            core.close()


if __name__ == "__main__":
    unittest.main()
