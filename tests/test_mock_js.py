"""jsbridge/craft-mock.js: a page's unit tests under Node, with no browser and no Python.

Needs only node (skipped without it, unless CI is set): Node scripts use the mock as a page's
tests would, and assert there; their exit status decides here.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from craft_tk import _protocol as protocol
from craft_tk import jsbridge

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
MOCK = os.path.join(TOP, "jsbridge", "craft-mock.js")
ACORN = os.path.join(TOP, ".venv", "node", "node_modules", "acorn")
TSC = os.path.join(TOP, ".venv", "node", "node_modules", "typescript", "bin", "tsc")
NODE = shutil.which("node") or "node"

# Runs the tests of an object of async functions, each after mock.reset(); prints ok / not ok.
RUNNER = r"""
async function run(mock, tests) {
  for (const name of Object.keys(tests)) {
    mock.reset();
    try {
      await tests[name]();
      console.log('ok - ' + name);
    } catch (error) {
      console.log('not ok - ' + name + '\n' + (error && error.stack || error));
      process.exitCode = 1;
    }
  }
}
"""

# What page code meets, one behaviour per test.
SCENARIOS = RUNNER + r"""
const assert = require('assert');
const mock = require(process.argv[2]);
const craft = mock.craft;
const tick = () => mock.flush();

const tests = {
  async 'invoke: value, and the errors shaped as native sends them'() {
    mock.mockInvoke('add', (a, b) => a + b);
    mock.mockInvoke('later', async (x) => { await tick(); return { x }; });
    mock.mockInvoke('bad', () => { throw mock.error('ValueError', 'Invalid data', 'E42'); });
    mock.mockInvoke('rejects', () => Promise.reject(new TypeError('nope')));
    mock.mockInvoke('odd', () => 10n);
    assert.strictEqual(await craft.invoke('add', 2, 3), 5);
    assert.deepStrictEqual(await craft.invoke('later', 1), { x: 1 });
    await assert.rejects(craft.invoke('bad'), (e) => e instanceof Error && e.name === 'ValueError' &&
                         e.message === 'Invalid data' && e.code === 'E42' && e.remoteStack === undefined);
    await assert.rejects(craft.invoke('rejects'), { name: 'TypeError', message: 'nope' });
    await assert.rejects(craft.invoke('missing'), (e) => e.name === 'HandlerNotFound' &&
                         e.message === "No handler registered for 'missing'" && !('code' in e));
    await assert.rejects(craft.invoke('odd'), { name: 'SerializationError' });
    await assert.rejects(craft.invoke('add', 1n), TypeError);  // craft.js's own check
    assert.deepStrictEqual(mock.invokes().map((c) => c.name), ['add', 'later', 'bad', 'rejects', 'missing', 'odd']);
    assert.deepStrictEqual(mock.invokes()[0].args, [2, 3]);
  },

  async 'invoke options: timeout, abort and progress reach the mocked handler'() {
    let seen = null;
    mock.mockInvoke('slow', function () { seen = this.signal; return new Promise(() => {}); });
    await assert.rejects(craft.invoke('slow', craft.options({ timeout: 20 })), { name: 'TimeoutError' });
    await tick();
    assert.strictEqual(seen.aborted, true, 'the page gave up: native is told');
    const controller = new AbortController();
    const call = craft.invoke('slow', craft.options({ signal: controller.signal }));
    await tick();
    controller.abort();
    await assert.rejects(call, { name: 'AbortError' });
    await tick();
    assert.strictEqual(seen.aborted, true);
    const steps = [];
    mock.mockInvoke('work', async function (n) {
      for (let i = 1; i <= n; i++) { this.progress(i, n, 'step ' + i); await tick(); }
      return 'done';
    });
    assert.strictEqual(await craft.invoke('work', 2, craft.options({ onProgress: (p) => steps.push(p) })), 'done');
    assert.deepStrictEqual(steps, [{ done: 1, total: 2, detail: 'step 1', percent: 50 },
                                   { done: 2, total: 2, detail: 'step 2', percent: 100 }]);
    mock.reset({ invokeTimeout: 20 });
    mock.mockInvoke('slow', () => new Promise(() => {}));
    await assert.rejects(craft.invoke('slow'), { name: 'TimeoutError' });  // the panel's invoke_timeout
    mock.reset({});
  },

  async 'events: on, once, off, meta.from, and emits queued before the page loads'() {
    mock.emitFromNative('early', 1);  // the page has not loaded yet: it waits, as natively
    const got = [];
    craft.on('early', (d) => got.push(['early', d]));
    const off = craft.on('tick', (d, meta) => got.push(['tick', d, meta]));
    craft.once('tick', (d) => got.push(['once', d]));
    await craft.ready;
    assert.deepStrictEqual(got, [['early', 1]]);
    mock.emitFromNative('tick', { n: 1 });
    mock.emitFromNative('tick', 2, { from: 'panel-2' });
    off();
    mock.emitFromNative('tick', 3);
    assert.deepStrictEqual(got, [['early', 1], ['tick', { n: 1 }, undefined], ['once', { n: 1 }],
                                 ['tick', 2, { from: 'panel-2' }]]);
    craft.on('boom', () => { throw new Error('listener bug'); });
    craft.on('boom', () => got.push('still called'));
    mock.emitFromNative('boom');
    assert.strictEqual(got[got.length - 1], 'still called');
    await tick();
    assert.strictEqual(mock.faults().length, 1);
    assert.match(mock.faults()[0].message, /listener for "boom": listener bug/);
    assert.throws(() => mock.emitFromNative('x', 1n), TypeError);  // as native raises SerializationError
  },

  async 'send: what the page sent, in order, and native listeners'() {
    const heard = [];
    mock.onEvent('saved', (data) => heard.push(data));
    craft.send('saved', { id: 1 });
    craft.send('other');
    assert.deepStrictEqual(mock.events(), [], 'nothing crosses before the tick ends');
    await tick();
    assert.deepStrictEqual(mock.events(), [{ name: 'saved', data: { id: 1 } }, { name: 'other', data: null }]);
    assert.deepStrictEqual(heard, [{ id: 1 }]);
    assert.deepStrictEqual(mock.sent().map((m) => m.kind), ['event', 'event']);
    for (let i = 0; i < 5; i++) { craft.send('move', i, { throttle: 1000 }); }
    await tick();
    assert.deepStrictEqual(mock.events().filter((e) => e.name === 'move').map((e) => e.data), [0]);
  },

  async 'handle: native invokes the page, errors and cancellation included'() {
    let signal = null;
    craft.handle('get-selection', (a, b) => ({ text: 'sel', a, b }));
    craft.handle('broken', () => { const e = new RangeError('bad range'); e.code = 7; throw e; });
    craft.handle('forever', function () { signal = this.signal; return new Promise(() => {}); });
    assert.deepStrictEqual(await mock.invokeFromNative('get-selection', 1, 'x'), { text: 'sel', a: 1, b: 'x' });
    await assert.rejects(mock.invokeFromNative('broken'), { name: 'RangeError', message: 'bad range', code: 7 });
    await assert.rejects(mock.invokeFromNative('nobody'), (e) => e.name === 'HandlerNotFound' &&
                         e.message === 'No handler registered for "nobody"');
    const call = mock.invokeFromNative('forever');
    await tick();
    call.cancel();
    await assert.rejects(call, { name: 'CancelledError' });
    await tick();
    assert.strictEqual(signal.aborted, true);
  },

  async 'state: snapshot, page writes, native writes, watchers'() {
    mock.mockState({ theme: 'dark', settings: { notifications: true }, items: [1] });
    const seen = [];
    assert.strictEqual(craft.state.theme, 'dark', 'the snapshot is there before the first script');
    craft.watchState('theme', (now, before) => seen.push(['theme', now, before]));
    craft.watchState('settings.notifications', (now, before) => seen.push(['n', now, before]));
    await craft.ready;
    assert.deepStrictEqual(seen, [], 'no watcher fires for the snapshot');
    craft.state.settings.notifications = false;
    craft.state.items.push(2);
    craft.state.user = { name: 'Ann' };
    delete craft.state.user;
    await tick();
    assert.deepStrictEqual(seen, [['n', false, true]]);
    assert.deepStrictEqual(mock.getState(), { theme: 'dark', settings: { notifications: false }, items: [1, 2] });
    assert.strictEqual(mock.getState('settings.notifications'), false);
    mock.setState('theme', 'light');
    assert.deepStrictEqual(seen[seen.length - 1], ['theme', 'light', 'dark']);
    assert.strictEqual(craft.state.theme, 'light');
    assert.strictEqual(craft.theme, 'light');
    mock.setState('settings', { notifications: true });
    assert.deepStrictEqual(seen[seen.length - 1], ['n', true, false], 'a change above a watched path');
    mock.deleteState('theme');
    assert.strictEqual(craft.state.theme, undefined);
    mock.mockState({ fresh: 1 });
    assert.deepStrictEqual(JSON.parse(JSON.stringify(craft.state)), { fresh: 1 });
    assert.throws(() => mock.setState('a.b', 1), /no object/);
    assert.throws(() => { craft.state.__proto__ = {}; }, TypeError);
    await tick();
    assert.deepStrictEqual(mock.getState(), { fresh: 1 });
  },

  async 'state: a page write native overrides settles to native'() {
    craft.state.count = 1;
    await tick();
    mock.setState('count', 5);
    craft.state.count = 2;
    await tick();
    assert.strictEqual(craft.state.count, 2);
    assert.strictEqual(mock.getState('count'), 2, 'the last write native accepted wins, on both sides');
  },

  async 'channels: the page opens, native accepts (on_channel)'() {
    const ends = [];
    mock.mockChannel('uploads', (end) => { ends.push(end); end.send('ack-' + end.name); });
    const channel = craft.connectChannel('uploads');
    const heard = [];
    channel.on('message', (m) => heard.push(m));
    await channel.send({ part: 1 });
    await channel.send(new Uint8Array([1, 2, 255]));
    await tick();
    assert.strictEqual(ends.length, 1);
    const end = mock.channel('uploads');
    assert.strictEqual(end, ends[0]);
    assert.deepStrictEqual(end.messages()[0], { part: 1 });
    assert.ok(end.messages()[1] instanceof Uint8Array);
    assert.deepStrictEqual(Array.from(end.messages()[1]), [1, 2, 255]);
    assert.deepStrictEqual(heard, ['ack-uploads']);
    await end.send(new Uint8Array([9]).buffer);
    assert.deepStrictEqual(Array.from(heard[1]), [9]);
    const closed = [];
    end.on('close', (reason) => closed.push(reason));
    channel.close('bye');
    await tick();
    assert.deepStrictEqual(closed, ['bye']);
    assert.strictEqual(mock.channel('uploads'), null);
    assert.throws(() => channel.send(1), { name: 'ChannelClosed' });
  },

  async 'channels: native opens first (create_channel); the page iterates until close'() {
    const end = mock.openChannelFromNative('feed');
    end.send('a');
    end.send('b');
    end.close('finished');
    const channel = craft.connectChannel('feed');
    const got = [];
    for await (const m of channel) { got.push(m); }
    assert.deepStrictEqual(got, ['a', 'b']);
    assert.strictEqual(channel.closed, true);
    assert.strictEqual(channel.closeReason, 'finished');
    assert.throws(() => end.send('c'), { name: 'ChannelClosed' });
  },

  async 'channels: native window and credits pace the page'() {
    const end = mock.openChannelFromNative('paced', { window: 2, manual: true });
    const channel = craft.connectChannel('paced');
    const sent = [];
    const sends = [1, 2, 3, 4, 5].map((n) => channel.send(n).then(() => sent.push(n)));
    await tick();
    assert.deepStrictEqual(sent, [1, 2], 'no more than native window in flight');
    assert.deepStrictEqual(end.messages(), [1, 2]);
    assert.strictEqual(await end.receive(), 1);  // native consumes one: one more credit
    await tick();
    assert.deepStrictEqual(sent, [1, 2, 3]);
    assert.deepStrictEqual([await end.receive(), await end.receive(), await end.receive(), await end.receive()],
                           [2, 3, 4, 5]);
    await Promise.all(sends);
    channel.close();
    await assert.rejects(end.receive(), { name: 'ChannelClosed' });
  },

  async 'channels: native sends are paced by the page window'() {
    const end = mock.openChannelFromNative('down');
    const channel = craft.connectChannel('down', { window: 1 });
    await tick();
    const done = [];
    end.send('x').then(() => done.push('x'));
    end.send('y').then(() => done.push('y'));
    await tick();
    assert.deepStrictEqual(done, ['x'], 'the page has consumed nothing: one in flight');
    const first = await channel.messages().next();
    assert.deepStrictEqual(first, { value: 'x', done: false });
    await tick();
    assert.deepStrictEqual(done, ['x', 'y']);
  },

  async 'built-ins: label, ready, sendTo, broadcast, contextMenu, services'() {
    mock.reset({ label: 'editor', peers: ['preview'] });
    assert.strictEqual(craft.label, 'editor');
    assert.strictEqual(await craft.ready, craft);
    assert.strictEqual(await craft.sendTo('preview', 'hello', { a: 1 }), null);
    assert.deepStrictEqual(await craft.broadcast('hi'), ['preview']);
    assert.strictEqual(await craft.contextMenu([{ id: 'copy', label: 'Copy' }]), null);
    mock.mockInvoke('craft:context-menu', (items) => items[0].id);
    assert.strictEqual(await craft.contextMenu([{ id: 'copy', label: 'Copy' }]), 'copy');
    await assert.rejects(craft.dialogs.openFile(), (e) => e.name === 'NotAllowed' &&
                         /craft\.dialogs is not enabled for this panel/.test(e.message));
    mock.mockInvoke('craft:clipboard', (method, ...args) => method === 'readText' ? 'clip' : args);
    assert.strictEqual(await craft.clipboard.readText(), 'clip');
    assert.deepStrictEqual(mock.invokes().slice(0, 2), [{ name: 'craft:send-to', args: ['preview', 'hello', { a: 1 }] },
                                                        { name: 'craft:broadcast', args: ['hi', null] }]);
    mock.reset({});
    assert.strictEqual(craft.label, 'panel-1');
  },

  async 'reset: a new page load before a new native, behind the same craft'() {
    const before = craft;
    mock.mockInvoke('x', () => 1);
    craft.on('e', () => { throw new Error('the old page must not hear this'); });
    craft.state.kept = true;
    const feed = mock.openChannelFromNative('feed');
    await tick();
    mock.reset();
    assert.strictEqual(mock.craft, before);
    assert.strictEqual(feed.closed, true);
    mock.emitFromNative('e');
    await assert.rejects(craft.invoke('x'), { name: 'HandlerNotFound' });
    assert.deepStrictEqual(mock.getState(), {});
    assert.strictEqual(craft.state.kept, undefined);
    assert.deepStrictEqual(mock.faults(), []);
    assert.deepStrictEqual(mock.events(), []);
  },

  async 'install and create: globals and independent mocks'() {
    const installed = mock.install();
    assert.strictEqual(installed, craft);
    assert.strictEqual(global.craft, craft);
    const other = mock.create({ label: 'second' });
    assert.notStrictEqual(other.craft, craft);
    other.mockInvoke('who', () => 'second');
    assert.strictEqual(await other.craft.invoke('who'), 'second');
    await assert.rejects(craft.invoke('who'), { name: 'HandlerNotFound' });
    const target = {};
    other.install(target);
    assert.strictEqual(target.craft.label, 'second');
    delete global.craft;
  },
};

run(mock, tests);
"""

# The real window.craft's surface (craft.js as a panel serves it, run in a fresh context with a
# stub host), against the mock's; and the mock's craft.js against the served one.
SURFACE = r"""
const assert = require('assert');
const fs = require('fs');
const vm = require('vm');
const [, , mockPath, servedPath, sourcePath] = process.argv;
const sandbox = { console, setTimeout, clearTimeout,
                  __craftPristine: { stringify: JSON.stringify, parse: JSON.parse,
                                     toSource: Function.prototype.toString, apply: Reflect.apply } };
sandbox.window = sandbox;
sandbox.__craftHostPost = function () {};
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(servedPath, 'utf8'), sandbox);
function shape(object) {
  const out = [];
  for (const key of Object.keys(object)) {
    const value = object[key];
    const nested = typeof value === 'object' && value !== null && typeof value.then !== 'function' && key !== 'state';
    out.push([key, nested ? shape(value) : typeof value]);
  }
  return out;
}
const real = shape(sandbox.craft);
const mock = require(mockPath);
assert.ok(real.length > 15, 'the real craft was read: ' + JSON.stringify(real));
assert.deepStrictEqual(shape(mock.craft), real);
assert.strictEqual(mock.bridgeSource(), fs.readFileSync(sourcePath, 'utf8'));
console.log(JSON.stringify(real.map((entry) => entry[0])));
"""

# craft-mock.js as a plain <script>: no require, a window, craft/*.js fetched next to it.
PLAIN_SCRIPT = r"""
const assert = require('assert');
const fs = require('fs');
const vm = require('vm');
const url = require('url');
const mockPath = process.argv[2];
function XMLHttpRequest() {}
XMLHttpRequest.prototype.open = function (method, where, async) { this.where = where; this.async = async; };
XMLHttpRequest.prototype.send = function () {
  assert.strictEqual(this.async, false, 'before the page scripts: synchronous');
  this.responseText = fs.readFileSync(url.fileURLToPath(this.where), 'utf8');
  this.status = 200;
};
const page = { console, setTimeout, clearTimeout, btoa, atob, XMLHttpRequest,
               document: { currentScript: { src: url.pathToFileURL(mockPath).href } },
               craftMockOptions: { label: 'plain', state: { theme: 'dark' } } };
page.window = page;
vm.createContext(page);
vm.runInContext(fs.readFileSync(mockPath, 'utf8'), page, { filename: mockPath });
vm.runInContext(`
  craftMock.mockInvoke('add', (a, b) => a + b);
  window.results = Promise.all([craft.invoke('add', 2, 3), craft.ready.then((c) => c === window.craft),
                                craft.label, craft.state.theme]);
`, page);
page.results.then((results) => {
  assert.strictEqual(JSON.stringify(results), '[5,true,"plain","dark"]');  // the page's own realm
  console.log('ok');
}).catch((error) => { console.error(error); process.exitCode = 1; });
"""

ES2017 = """
const acorn = require(process.argv[1]);
const source = require('fs').readFileSync(process.argv[2], 'utf8');
acorn.parse(source, {ecmaVersion: 2017, sourceType: 'script'});
const newer = /\\bglobalThis\\b|\\.fromEntries\\(|\\.flat\\(|\\.flatMap\\(|\\.matchAll\\(|\\.replaceAll\\(/.exec(source);
if (newer) { throw new Error('a built-in newer than ES2017: ' + newer[0]); }
"""

TYPED = """
import mock = require('{mock}');

mock.mockInvoke('get-user', function (id: number) {{
  this.progress(1, 2, 'half');
  return this.signal.aborted ? null : {{ id }};
}});
async function main(): Promise<void> {{
  const end: mock.NativeChannel = mock.openChannelFromNative('feed', {{ window: 2, manual: true }});
  await end.send(new Uint8Array([1]));
  const next: unknown = await end.receive();
  const call: mock.NativeInvoke<string> = mock.invokeFromNative<string>('get-selection', 1);
  call.cancel();
  const text: string = await call;
  const state: unknown = mock.getState('settings.theme');
  mock.setState(['settings', 'theme'], 'dark');
  mock.reset({{ label: 'x', state: {{ a: 1 }}, invokeTimeout: 100 }});
  const user = await mock.craft.invoke('get-user', 1, mock.craft.options({{ timeout: 10 }}));
  mock.events().forEach((event) => event.name.toUpperCase());
  console.log(next, text, state, user, mock.sent().length, mock.error('ValueError', 'bad').message);
}}
main();
"""


def node(script: str, *args: str, cwd: str = TOP) -> subprocess.CompletedProcess:
    """Run `script` with node, args after it; stdout and stderr captured."""
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False, encoding="utf-8") as out:
        out.write(script)
    try:
        return subprocess.run([NODE, out.name] + list(args), cwd=cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    finally:
        os.unlink(out.name)


@unittest.skipUnless(shutil.which("node") or os.environ.get("CI"), "needs node")
class CraftMock(unittest.TestCase):
    def passes(self, result: subprocess.CompletedProcess) -> None:
        self.assertEqual(result.returncode, 0, (result.stdout + result.stderr)[-4000:])
        self.assertNotIn("not ok", result.stdout)

    def test_page_code_meets_the_real_craft_against_a_mocked_native(self) -> None:
        result = node(SCENARIOS, MOCK)
        self.passes(result)
        self.assertEqual(result.stdout.count("ok - "), SCENARIOS.count("async '"), result.stdout)

    def test_the_example_page_and_its_node_test(self) -> None:
        result = subprocess.run([NODE, os.path.join(TOP, "examples", "mock", "notes.test.js")], cwd=TOP,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
        self.passes(result)
        self.assertEqual(result.stdout.count("ok - "), 5, result.stdout)

    def test_the_mock_has_every_name_of_the_served_window_craft(self) -> None:
        folder = tempfile.mkdtemp(prefix="craft-mock-")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        served = os.path.join(folder, "served.js")
        source = os.path.join(folder, "craft.js")
        boot = {"secret": "s", "maxMessageSize": 1 << 20, "debug": False, "contextMenu": False, "label": "p",
                "services": [], "state": {}, "stateVersion": 0}
        with open(served, "w", encoding="utf-8") as out:
            out.write(protocol.bridge_script(jsbridge.bridge_source(), boot))
        with open(source, "w", encoding="utf-8") as out:
            out.write(jsbridge.bridge_source())
        result = node(SURFACE, MOCK, served, source)
        self.passes(result)
        names = json.loads(result.stdout.strip().splitlines()[-1])
        for name in ("send", "on", "once", "off", "invoke", "options", "handle", "connectChannel", "state",
                     "watchState", "ready", "label", "sendTo", "broadcast", "contextMenu"):
            self.assertIn(name, names)

    def test_a_plain_script_defines_window_craft(self) -> None:
        self.passes(node(PLAIN_SCRIPT, MOCK))

    @unittest.skipUnless(os.path.isdir(ACORN) or os.environ.get("CI"), "needs acorn (make test installs it)")
    def test_the_mock_parses_as_es2017(self) -> None:
        result = subprocess.run([NODE, "-e", ES2017, ACORN, MOCK], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True)
        self.assertEqual(result.returncode, 0, result.stderr[-800:])

    @unittest.skipUnless(os.path.isfile(TSC) or os.environ.get("CI"), "needs typescript (make test installs it)")
    def test_the_declarations_type_a_test(self) -> None:
        folder = tempfile.mkdtemp(prefix="craft-mock-ts-")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        test = os.path.join(folder, "page.test.ts")
        with open(test, "w", encoding="utf-8") as out:
            out.write(TYPED.format(mock=os.path.join(TOP, "jsbridge", "craft-mock")))
        result = subprocess.run([NODE, TSC, "--noEmit", "--strict", "--target", "es2017", "--lib", "es2018,dom",
                                 "--moduleResolution", "node", "--module", "commonjs", test],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(result.returncode, 0, result.stdout[-2000:])


if __name__ == "__main__":
    unittest.main()
