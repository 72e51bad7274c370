"""Tap records read as rows, and rows as trace events: pairing answers with their invokes,
channel payloads after the envelope, the page's secret dropped (headless)."""

import unittest

from craft_tk import _protocol as protocol
from craft_tk._ipc_log import PAYLOAD_CHARS, RowReader
from craft_tk._tap import Tap
from craft_tk._trace import trace_events


def page_wire(*messages: bytes) -> str:
    return protocol.page_wire("s3cret", list(messages))


class Rows(unittest.TestCase):
    def setUp(self) -> None:
        self.tap = Tap(capacity=10)
        self.reader = RowReader(self.tap.started)

    def read(self):
        records, _ = self.tap.since(0)
        return self.reader.rows(records)

    def test_answers_carry_the_name_and_round_trip_of_their_invoke_each_way(self) -> None:
        self.tap.wire_in("a", page_wire(protocol.invoke(1, "add", [1, 2])))
        self.tap.wire_out("a", protocol.encode_batch([protocol.invoke(1, "page-fn", []), protocol.result(1, 3)]))
        self.tap.wire_in("a", page_wire(protocol.error(1, {"name": "TypeError", "message": "bad", "code": None})))
        rows = self.read()
        self.assertEqual([(r.direction, r.kind, r.name, r.outcome) for r in rows],
                         [("in", "invoke", "add", ""), ("out", "invoke", "page-fn", ""), ("out", "result", "add", "ok"),
                          ("in", "error", "page-fn", "bad")])
        self.assertTrue(all(r.round_trip is not None and r.round_trip >= 0 for r in rows[2:]))
        self.assertEqual(self.reader.pending(), [])

    def test_string_payloads_after_the_envelope_are_read_in_utf16_units(self) -> None:
        wire = protocol.encode_batch([protocol.encode_channel_data("log", "a\U0001F600b"),
                                      protocol.encode_channel_data("log", "next")])
        rows = self.reader.rows([(self.tap.started, "out", None, wire, True)])
        self.assertEqual([r.payload for r in rows], ['"a\U0001F600b"', '"next"'])

    def test_the_secret_never_reaches_a_row_and_payloads_can_be_hidden(self) -> None:
        reader = RowReader(self.tap.started, payloads=False)
        rows = reader.rows([(self.tap.started, "in", None, page_wire(protocol.event("e", {"k": "v"})), True)])
        self.assertEqual([(r.kind, r.name, r.payload) for r in rows], [("event", "e", "")])
        self.assertNotIn("s3cret", repr(rows))

    def test_a_panel_made_with_trace_payloads_false_shows_no_data_to_any_reader(self) -> None:
        self.tap.wire_in("secret-panel", page_wire(protocol.event("login", {"password": "hunter2"})), False)
        self.tap.wire_in("plain", page_wire(protocol.event("login", {"user": "ann"})), True)
        self.assertEqual([(r.label, r.payload) for r in self.read()], [("secret-panel", ""), ("plain", '{"user":"ann"}')])

    def test_a_full_ring_keeps_the_newest_and_readers_keep_their_place(self) -> None:
        for n in range(15):
            self.tap.note(None, "console", str(n))
        records, seen = self.tap.since(0)
        self.assertEqual([r[3][1] for r in records], [str(n) for n in range(5, 15)])
        self.tap.note(None, "console", "15")
        records, _ = self.tap.since(seen)
        self.assertEqual([r[3][1] for r in records], ["15"])


    def test_a_ring_bounded_by_characters_drops_the_oldest_and_keeps_the_newest_whatever_its_size(self) -> None:
        tap = Tap(capacity=100, max_chars=25)
        for n in range(5):
            tap.wire_in("a", str(n) * 10)
        records, seen = tap.since(0)
        self.assertEqual([r[3] for r in records], ["3" * 10, "4" * 10])
        self.assertEqual((tap.records.chars, seen), (20, 5))
        tap.note("a", "console", "n" * 100)  # over the bound alone: kept, alone
        self.assertEqual([r[3] for r in tap.since(seen)[0]], [("console", "n" * 100)])
        self.assertEqual((len(tap.records), tap.records.chars), (1, 100))


    def test_rows_keep_little_of_long_texts_a_console_line_an_error_a_bytes_wire_counted(self) -> None:
        self.tap.note("a", "console", "x" * 100_000)
        self.tap.wire_in("a", page_wire(protocol.error(1, {"name": "E", "message": "y" * 100_000, "code": None})))
        rows = self.read()
        self.assertEqual([len(row.name) for row in rows[:1]] + [len(row.outcome) for row in rows[1:]],
                         [PAYLOAD_CHARS, PAYLOAD_CHARS])
        self.assertEqual(rows[0].size, 100_000, "the size is the whole text's")
        tap = Tap(capacity=10, max_chars=10)
        tap.wire_in("a", b"x" * 8)
        tap.wire_in("a", b"y" * 8)
        self.assertEqual(([r[3] for r in tap.since(0)[0]], tap.records.chars), ([b"y" * 8], 8))


class TraceEvents(unittest.TestCase):
    def test_an_unanswered_invoke_is_a_span_to_the_end_and_flows_end_at_the_ack(self) -> None:
        tap = Tap()
        reader = RowReader(tap.started)
        t = tap.started
        rows = reader.rows([(t, "out", "p", protocol.encode_batch([protocol.invoke(1, "slow", []),
                                                                 protocol.encode_channel_data("c", {"n": 1})]), True),
                            (t + 0.5, "in", "p", page_wire(protocol.chan_ack("c", 1)), True)])
        events = trace_events(rows, reader.pending(), end=2.0)
        span = [e for e in events if e["ph"] == "X" and e["cat"] == "invoke"][0]
        self.assertEqual((span["name"], span["dur"], span["args"]["outcome"]), ("slow", 2e6, "pending"))
        flows = sorted((e["ph"], e["ts"]) for e in events if e["ph"] in "sf")
        self.assertEqual(flows, [("f", 5e5), ("s", 0.0)])
