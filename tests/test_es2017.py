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

# The ECMAScript 2017 globals (SpiderMonkey's global has them; a page's window on Tkhtml
# does not need to), and what both engines put on their global object.
ES_BUILTINS = {
    "Array", "ArrayBuffer", "Boolean", "DataView", "Date", "Error", "EvalError", "Float32Array", "Float64Array",
    "Function", "Infinity", "Int8Array", "Int16Array", "Int32Array", "JSON", "Map", "Math", "NaN", "Number",
    "Object", "Promise", "Proxy", "RangeError", "ReferenceError", "Reflect", "RegExp", "Set", "String", "Symbol",
    "SyntaxError", "TypeError", "URIError", "Uint8Array", "Uint8ClampedArray", "Uint16Array", "Uint32Array",
    "WeakMap", "WeakSet", "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "isFinite",
    "isNaN", "parseFloat", "parseInt", "undefined",
}
BOTH_ENGINES_GLOBALS = {"atob", "btoa"}  # Chromium's window and PythonMonkey's global


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

    def free_names(self, source: str) -> set:
        result = subprocess.run(["node", os.path.join(HERE, "free_names.js"), ACORN], input=source,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(result.returncode, 0, result.stderr[-500:])
        return {line.split()[0] for line in result.stdout.splitlines()}

    def test_craft_js_takes_from_a_page_window_only_what_tkhtml_binds(self) -> None:
        # On Tkhtml a page's window is not the global object: craft.js gets the names of
        # PAGE_WINDOW_NAMES bound to the page world's; any other name of the window it
        # used would be looked up on PythonMonkey's global, and be missing there.
        unexpected = self.free_names(jsbridge.bridge_source()) - ES_BUILTINS - set(jsbridge.PAGE_WINDOW_NAMES) \
            - BOTH_ENGINES_GLOBALS - {"__craftPristine"}
        self.assertEqual(unexpected, set(), "add them to jsbridge.PAGE_WINDOW_NAMES, or take them from root")

    def test_the_free_name_scan_sees_through_scopes(self) -> None:
        source = "var a = 1; function f(b) { var c; return a + b + c + d.e + Math.max(); } try { g(); } catch (h) { h(i); }"
        self.assertEqual(self.free_names(source), {"d", "Math", "g", "i"})

    def test_the_check_can_fail(self) -> None:
        newer = os.path.join(TOP, ".venv", "node", "es2020-sample.js")
        with open(newer, "w") as out:
            out.write("var x = a?.b ?? 1;")
        result = subprocess.run(["node", "-e", CHECK, ACORN, newer, "script"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, universal_newlines=True)
        self.assertNotEqual(result.returncode, 0, "optional chaining must not pass as ES2017")


if __name__ == "__main__":
    unittest.main()
