// notes.js: the script of a small notes page, the page side only (a panel shows it with
// craft_tk; notes.test.js tests it under Node with jsbridge/craft-mock.js, no browser, no Python).
// It lists notes from native, saves through an invoke, answers native's 'get-draft', follows
// the shared state's theme, and exports the notes over a channel.
'use strict';

function startNotes(craft) {
  const page = { notes: [], draft: '', status: '', theme: craft.state.theme || null };

  craft.on('notes-changed', (notes) => { page.notes = notes; });
  craft.handle('get-draft', () => page.draft);
  craft.watchState('theme', (theme) => { page.theme = theme; });

  page.load = async () => {
    page.notes = await craft.invoke('list-notes');
  };

  page.save = async (text) => {
    try {
      await craft.invoke('save-note', text, craft.options({ timeout: 2000 }));
      craft.state.lastSaved = text;
      craft.send('note-saved', { length: text.length });
      page.status = 'saved';
    } catch (error) {
      page.status = error.name === 'ValueError' ? 'invalid: ' + error.message : 'failed: ' + error.name;
    }
  };

  page.exportAll = async () => {
    const channel = craft.connectChannel('export');
    for (const note of page.notes) {
      await channel.send(note);  // paced by native's window
    }
    channel.close('done');
  };

  return page;
}

if (typeof module === 'object' && module.exports) {
  module.exports = startNotes;
} else {
  window.notes = startNotes(window.craft);
}
