"""craft.js must parse in Chromium 66 and SpiderMonkey: ES2017 at most, checked by acorn."""

import os
import shutil
import subprocess
import unittest

from craft_tk import jsbridge

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
ACORN = os.path.join(TOP, ".venv", "node", "node_modules", "acorn")
CHECK = """
const acorn = require(process.argv[1]);
let source = require('fs').readFileSync(process.argv[2], 'utf8');
if (process.argv[3] === 'expression') { source = 'void ' + source; }
acorn.parse(source, {ecmaVersion: 2017, sourceType: 'script'});
"""


@unittest.skipUnless(shutil.which("node") and os.path.isdir(ACORN) or os.environ.get("CI"),
                     "needs node and acorn (make test installs acorn in .venv/node)")
class Es2017(unittest.TestCase):
    def parses(self, name: str, kind: str = "script") -> subprocess.CompletedProcess:
        return subprocess.run(["node", "-e", CHECK, ACORN, os.path.join(TOP, "jsbridge", name), kind],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)

    def test_the_bridge_and_the_tkhtml_world_parse_as_es2017(self) -> None:
        served = os.path.join(TOP, ".venv", "node", "craft-served.js")
        with open(served, "w", encoding="utf-8") as out:
            out.write(jsbridge.bridge_source())  # craft.js as a page gets it: the modules joined
        for name, kind in ((served, "script"), ("tkhtml-world.js", "expression"), ("tkhtml-dom.js", "expression"),
                           ("tkhtml-runner.js", "expression")):
            with self.subTest(name=name):
                result = self.parses(name, kind)
                self.assertEqual(result.returncode, 0, result.stderr[-500:])

    def test_the_check_can_fail(self) -> None:
        newer = os.path.join(TOP, ".venv", "node", "es2020-sample.js")
        with open(newer, "w") as out:
            out.write("var x = a?.b ?? 1;")
        result = subprocess.run(["node", "-e", CHECK, ACORN, newer, "script"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, universal_newlines=True)
        self.assertNotEqual(result.returncode, 0, "optional chaining must not pass as ES2017")


if __name__ == "__main__":
    unittest.main()
