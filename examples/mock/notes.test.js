// notes.test.js: notes.js's unit tests under Node: `node examples/mock/notes.test.js`.
'use strict';
const assert = require('assert');
const mock = require('../../jsbridge/craft-mock.js');  // or require('craft_tk/jsbridge/craft-mock.js')
const startNotes = require('./notes.js');

const tests = {
  async 'loads the notes native lists, and follows native events'() {
    mock.mockInvoke('list-notes', () => ['a', 'b']);
    const page = startNotes(mock.craft);
    await page.load();
    assert.deepStrictEqual(page.notes, ['a', 'b']);
    mock.emitFromNative('notes-changed', ['c']);
    assert.deepStrictEqual(page.notes, ['c']);
  },

  async 'saves: the invoke, the event, the state write'() {
    const saved = [];
    mock.mockInvoke('save-note', (text) => { saved.push(text); return true; });
    const page = startNotes(mock.craft);
    await page.save('hello');
    await mock.flush();
    assert.deepStrictEqual(saved, ['hello']);
    assert.strictEqual(page.status, 'saved');
    assert.deepStrictEqual(mock.events(), [{ name: 'note-saved', data: { length: 5 } }]);
    assert.strictEqual(mock.getState('lastSaved'), 'hello');
  },

  async 'shows what native refused, as its exception says'() {
    mock.mockInvoke('save-note', () => { throw mock.error('ValueError', 'empty note'); });
    const page = startNotes(mock.craft);
    await page.save('');
    assert.strictEqual(page.status, 'invalid: empty note');
    mock.reset();
    const again = startNotes(mock.craft);  // no mock for save-note now
    await again.save('x');
    assert.strictEqual(again.status, 'failed: HandlerNotFound');
  },

  async 'answers native, and follows the theme'() {
    mock.mockState({ theme: 'dark' });  // before the page loads: its snapshot
    const page = startNotes(mock.craft);
    assert.strictEqual(page.theme, 'dark');
    page.draft = 'half a thought';
    assert.strictEqual(await mock.invokeFromNative('get-draft'), 'half a thought');
    mock.setState('theme', 'light');
    assert.strictEqual(page.theme, 'light');
  },

  async 'exports over a channel, within native window'() {
    const end = mock.openChannelFromNative('export', { window: 1, manual: true });
    const page = startNotes(mock.craft);
    page.notes = ['one', 'two', 'three'];
    const done = page.exportAll();
    const received = [];
    for await (const note of end) {  // takes one at a time: the page waits for each
      received.push(note);
    }
    await done;
    assert.deepStrictEqual(received, ['one', 'two', 'three']);
    assert.strictEqual(end.closeReason, 'done');
  },
};

(async () => {
  for (const name of Object.keys(tests)) {
    mock.reset();
    try {
      await tests[name]();
      console.log('ok -', name);
    } catch (error) {
      console.log('not ok -', name);
      console.log(error);
      process.exitCode = 1;
    }
  }
  assert.deepStrictEqual(mock.faults(), []);
})();
