"""What Python and craft.js must agree on, read from both: message kinds, channel
defaults, the keys shared state refuses, the default size limit."""

import os
import re
import unittest

from craft_tk import jsbridge
from craft_tk import _channels, _protocol, _state

def _js() -> str:
    return jsbridge.bridge_source()


def _number(expression: str) -> int:
    """The value of a product like ``32 * 1024 * 1024``."""
    value = 1
    for factor in expression.split("*"):
        value *= int(factor.strip())
    return value


class SharedConstants(unittest.TestCase):
    def test_message_kinds(self) -> None:
        block = re.search(r"var KIND = \{(.*?)\};", _js(), re.S)
        assert block is not None
        js_kinds = dict(re.findall(r"([A-Z_]+): '([a-z-]+)'", block.group(1)))
        py_kinds = {name: value for name, value in vars(_protocol.Kind).items() if name.isupper()}
        self.assertEqual(js_kinds, py_kinds)

    def test_channel_defaults(self) -> None:
        js = _js()
        window = re.search(r"var DEFAULT_WINDOW = ([0-9 *]+);", js)
        buffer = re.search(r"var DEFAULT_BUFFER = ([0-9 *]+);", js)
        assert window is not None and buffer is not None
        self.assertEqual(_number(window.group(1)), _channels.DEFAULT_WINDOW)
        self.assertEqual(_number(buffer.group(1)), _channels.DEFAULT_BUFFER)

    def test_forbidden_state_keys(self) -> None:
        body = re.search(r"function isForbidden\(key\) \{.*?return (.*?);", _js(), re.S)
        assert body is not None
        self.assertEqual(set(re.findall(r"key === '([^']+)'", body.group(1))), set(_state.FORBIDDEN_KEYS))

    def test_default_size_limit(self) -> None:
        limit = re.search(r"boot\.maxMessageSize : ([0-9 *]+);", _js())
        assert limit is not None
        self.assertEqual(_number(limit.group(1)), _protocol.MAX_MESSAGE_SIZE)

    def test_the_boot_mark(self) -> None:
        self.assertEqual(_js().count(_protocol.BOOT_MARK), 1)

    def test_the_boot_object_comes_back_out_of_a_bridge(self) -> None:
        # Tkhtml starts craft.js compiled once with the boot JSON read back from the bridge.
        boot = {"secret": "s3cret", "state": {"html": "</script><b>", "line": "a\u2028b\u2029c"}}
        bridge = _protocol.bridge_script(_js(), boot)
        self.assertNotIn("</script>", bridge)
        self.assertNotIn("\u2028", bridge)
        self.assertEqual(_protocol.read_boot(bridge, _js()), boot)
        self.assertTrue(_protocol.boot_text(bridge, _js()).startswith('{"secret":"s3cret"'))

    def test_only_the_protocol_module_writes_messages(self) -> None:
        package = os.path.dirname(os.path.abspath(_protocol.__file__))
        writers = []
        for folder, _, names in os.walk(package):
            for name in names:
                path = os.path.join(folder, name)
                if name.endswith(".py") and path != os.path.abspath(_protocol.__file__):
                    with open(path, encoding="utf-8") as handle:
                        if re.search(r"""\{\s*["']kind["']\s*:""", handle.read()):
                            writers.append(os.path.relpath(path, package))
        self.assertEqual(writers, [], "build messages with craft_tk._protocol's functions")


if __name__ == "__main__":
    unittest.main()
