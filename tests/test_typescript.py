"""The TypeScript side of typed IPC: generated declarations checked by the real compiler."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
TSC = os.path.join(TOP, ".venv", "node", "node_modules", "typescript", "bin", "tsc")

GOOD_PAGE = """
import type { User } from './app';

async function main(): Promise<void> {
  craft.send('save-data', { content: 'hello', path: 'notes/a.txt' });
  craft.send('user-action', { type: 'click', target: 'button', at: null }, { throttle: 16 });
  craft.on('update-user', (user) => { const id: number = user.id; console.log(id, user.tags); });
  const user: User = await craft.invoke('get-user', 7);
  const saved: boolean = await craft.invoke('save-file', 'text', 'a.txt', craft.options({ timeout: 500 }));
  const counts = await craft.invoke('count-words', ['a', 'b']);
  console.log(user.name.toUpperCase(), saved, counts['a'] + 1);
  craft.state.theme = 'dark';
  const ready = await craft.ready;
  ready.watchState('theme', (theme) => console.log(theme));
}
main();
"""

MISTAKES = {
    "misspelled event": "craft.send('save-dta', { content: 'x', path: 'a' });",
    "wrong payload field type": "craft.send('save-data', { content: 42, path: 'a' });",
    "literal outside its union": "craft.send('user-action', { type: 'drag', target: 'x', at: 1 });",
    "misspelled handler": "craft.invoke('get-usr', 1);",
    "wrong argument type": "craft.invoke('get-user', '7');",
    "wrong result use": "craft.invoke('get-user', 7).then((user) => { const n: string = user.id; });",
    "missing argument": "craft.invoke('save-file', 'only one');",
}


@unittest.skipUnless(shutil.which("node") and os.path.isfile(TSC) or os.environ.get("CI"),
                     "needs node and typescript (make test installs them in .venv/node)")
class GeneratedDeclarations(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.folder = tempfile.mkdtemp(prefix="craft-ts-")
        generate = subprocess.run(
            [sys.executable, "-m", "craft_tk", "types", "tests.typed_contract:IpcEvents",
             "tests.typed_contract:IpcHandlers", "-o", os.path.join(cls.folder, "app.d.ts")],
            cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        if generate.returncode != 0:
            raise AssertionError("python -m craft_tk types failed: " + generate.stderr)

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.folder, ignore_errors=True)

    def compile(self, source: str) -> subprocess.CompletedProcess:
        page = os.path.join(self.folder, "page.ts")
        with open(page, "w") as out:
            out.write(source)
        return tsc(page, os.path.join(self.folder, "app.d.ts"))

    def test_the_generated_types_accept_a_correct_page(self) -> None:
        result = self.compile(GOOD_PAGE)
        self.assertEqual(result.returncode, 0, result.stdout[-2000:])

    def test_every_deliberate_mistake_is_reported_on_its_line(self) -> None:
        lines = list(MISTAKES.values())
        result = self.compile(GOOD_PAGE + "\n".join(lines) + "\n")
        self.assertNotEqual(result.returncode, 0)
        first = GOOD_PAGE.count("\n") + 1
        reported = {int(number) for number in re.findall(r"page\.ts\((\d+),\d+\): error", result.stdout)}
        for offset, what in enumerate(MISTAKES):
            with self.subTest(mistake=what):
                self.assertIn(first + offset, reported, result.stdout[-3000:])

    def test_without_a_contract_craft_d_ts_takes_any_name(self) -> None:
        folder = os.path.join(self.folder, "untyped")
        os.mkdir(folder)
        shutil.copy(os.path.join(TOP, "jsbridge", "craft.d.ts"), folder)
        page = os.path.join(folder, "page.ts")
        with open(page, "w") as out:
            out.write('/// <reference path="craft.d.ts" />\nexport {};\n'
                      "craft.send('anything', {any: 1});\n"
                      "craft.invoke('whatever', 1, 'two').then((value) => value.anything);\n"
                      "craft.on('x', (data) => data.y);\n")
        result = tsc(page)
        self.assertEqual(result.returncode, 0, result.stdout[-2000:])


def tsc(*files: str) -> subprocess.CompletedProcess:
    """The TypeScript compiler in strict mode, checking only."""
    return subprocess.run(["node", TSC, "--noEmit", "--strict", "--target", "es2017", "--lib", "es2018,dom",
                           "--moduleResolution", "node", "--module", "commonjs"] + list(files),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
