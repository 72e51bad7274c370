"""The wire protocol, without any engine."""

import unittest

from craft_tk import ProtocolError
from craft_tk import _protocol as protocol


class Decoding(unittest.TestCase):
    def decode(self, wire):
        return list(protocol.decode_batch(wire).messages)

    def test_a_batch_decodes_in_order(self) -> None:
        wire = '[{"kind":"hello","page":"p1"},{"kind":"event","name":"a","data":[1,2]},' \
               '{"kind":"fault","message":"m","name":"TypeError","stack":null}]'
        self.assertEqual(self.decode(wire), [
            protocol.Hello("p1"), protocol.Event("a", [1, 2]), protocol.Fault("m", "TypeError", None),
        ])

    def test_a_bad_message_does_not_hide_its_neighbours(self) -> None:
        messages = self.decode('[{"kind":"event","name":"a"},{"kind":"bogus"},5,{"kind":"event","name":7}]')
        self.assertEqual(messages[0], protocol.Event("a", None))
        self.assertEqual([type(m) for m in messages[1:]], [ProtocolError] * 3)
        self.assertIn("bogus", str(messages[1]))
        self.assertIn("'name'", str(messages[3]))

    def test_malformed_wire_strings_become_one_error(self) -> None:
        for wire in ("{not json", "", None, 42, b"\xff"):
            with self.subTest(wire=wire):
                messages = self.decode(wire)
                self.assertEqual(len(messages), 1)
                self.assertIsInstance(messages[0], ProtocolError)


class Encoding(unittest.TestCase):
    def test_batches_join_encoded_messages(self) -> None:
        parts = [protocol.encode({"kind": "event", "name": "n", "data": i}) for i in range(3)]
        self.assertEqual(
            protocol.encode_batch(parts),
            '[{"kind":"event","name":"n","data":0},{"kind":"event","name":"n","data":1},'
            '{"kind":"event","name":"n","data":2}]',
        )

    def test_channel_strings_travel_after_the_json_with_their_utf16_length(self) -> None:
        parts = [protocol.encode({"kind": "event", "name": "n", "data": 1}),
                 protocol.encode_channel_data("c", "h\u00e9\U0001F600"),
                 protocol.encode_channel_data("c", {"k": 1}),
                 protocol.encode_channel_data("c", "AAEC", binary=True)]
        self.assertEqual(
            protocol.encode_batch(parts),
            '~[{"kind":"event","name":"n","data":1},{"kind":"chan-data","name":"c","raw":4},'
            '{"kind":"chan-data","name":"c","data":{"k":1}},{"kind":"chan-data","name":"c","rawBin":4}]\n'
            'h\u00e9\U0001F600AAEC')

    def test_data_that_is_not_json_names_the_problem(self) -> None:
        with self.assertRaisesRegex(TypeError, "JSON-serialisable"):
            protocol.encode({"kind": "event", "name": "n", "data": {1, 2}})


if __name__ == "__main__":
    unittest.main()
