"""Menus and dropped files: a text editor with a native menubar, accelerators, file dialogs and shared state.

File > New/Open/Save/Save As/Quit (Ctrl+N/O/S/Shift+S/Q), View > Word wrap (a check item)
and View > Small/Medium/Large text (radio items) are native menus; the text lives in the page's <textarea>. `doc.dirty` (shared state) enables Save
and marks the title, `recent` lists the files opened (click one to reopen it), and a file
dropped on the page opens. Run: python examples/text_editor.py [cef|tkhtml] [file]
"""

import asyncio
import html
import os
import sys
import tkinter as tk
import tkinter.font as tkfont
from tkinter import filedialog, messagebox
from typing import Any, Callable, Dict, List, Optional

import craft_tk
from craft_tk import SEPARATOR, MenuItem, Submenu

WELCOME = """Welcome to the craft_tk text editor.

Type here; the title gets a * and File > Save turns on.
Open a file with Ctrl+O, drop one on this window, or click a recent file on the left.
View > Word wrap follows the shared state `settings.wrap`, as does the switch above;
View > Small/Medium/Large text sets `settings.size`.
"""

PAGE = """<!doctype html>
<html><head><style>
  body { margin: 0; font-family: sans-serif; font-size: 13px; background: #eef0f3; color: #222; }
  #bar { background: #2f3b52; color: #fff; padding: 8px 12px; }
  #name { font-weight: bold; }
  #dirty { color: #ffcc66; }
  #wrap { float: right; cursor: pointer; background: #46536e; padding: 2px 8px; }
  #side { width: 190px; vertical-align: top; padding: 10px; background: #e3e6eb; }
  #side h4 { margin: 0 0 6px 0; color: #445; }
  .recent { padding: 4px 6px; margin-bottom: 3px; background: #fff; border: 1px solid #cdd2da; cursor: pointer; }
  .recent:hover { background: #dbe6f7; }
  .dir { color: #778; font-size: 11px; }
  #hint { color: #778; font-size: 11px; margin-top: 12px; }
  #cell { vertical-align: top; padding: 10px; }
  #frame { border: 1px solid #b8bfca; background: #fff; padding: 4px; }
  #text { width: 100%; height: 360px; font-family: monospace; font-size: 13px; border: 0; padding: 0;
          background: #fff; color: #111; outline: none; resize: none; }
  #status { color: #556; padding: 2px 10px 6px 10px; }
  body.dragging #cell { background: #cfe0f7; }
  body.dragging #frame { border: 1px dashed #3b73c4; }
</style></head>
<body>
  <div id="bar"><span id="wrap" onclick="toggleWrap()">wrap</span>
    <span id="name">untitled</span> <span id="dirty"></span></div>
  <table width="100%" cellspacing="0" cellpadding="0"><tr>
    <td id="side"><h4>Recent files</h4><div id="recent"></div>
      <div id="hint">Drop a file anywhere on this window to open it.</div></td>
    <td id="cell"><div id="frame"><textarea id="text">{welcome}</textarea></div></td>
  </tr></table>
  <div id="status">-</div>
  <script>
    var text = document.getElementById('text');
    var dragDepth = 0;
    function el(id) { return document.getElementById(id); }
    function countWords() {
      var value = text.value, words = value.split(/\\s+/).filter(function (w) { return w; }).length;
      var lines = value ? value.replace(/\\n$/, '').split('\\n').length : 0;
      el('status').textContent = lines + (lines === 1 ? ' line, ' : ' lines, ') +
        words + (words === 1 ? ' word' : ' words');
    }
    function showDoc(doc) {
      el('name').textContent = doc.name;
      el('dirty').textContent = doc.dirty ? '(modified)' : '';
    }
    function showWrap(on) {
      text.setAttribute('wrap', on ? 'soft' : 'off');
      el('wrap').textContent = 'word wrap: ' + (on ? 'on' : 'off');
    }
    function toggleWrap() { craft.state.settings.wrap = !craft.state.settings.wrap; }
    function showSize(size) { text.style.fontSize = {small: '11px', medium: '13px', large: '16px'}[size]; }
    function showRecent(paths) {
      var list = el('recent');
      list.innerHTML = '';
      paths.forEach(function (path) {
        var item = document.createElement('div'), slash = path.lastIndexOf('/');
        item.className = 'recent';
        item.innerHTML = '<b></b><br><span class="dir"></span>';
        item.firstChild.textContent = path.slice(slash + 1);
        item.lastChild.textContent = path.slice(0, slash) || '/';
        item.addEventListener('click', function () { craft.invoke('open-path', path); });
        list.appendChild(item);
      });
      if (!paths.length) { list.textContent = '(none yet)'; }
    }
    function fitText() {
      text.style.height = Math.max(160, window.innerHeight - text.getBoundingClientRect().top - 52) + 'px';
    }
    text.addEventListener('input', function () {
      if (!craft.state.doc.dirty) { craft.state.doc.dirty = true; }
      countWords();
    });
    document.addEventListener('dragenter', function () { dragDepth++; document.body.className = 'dragging'; });
    document.addEventListener('dragleave', function () {
      dragDepth = Math.max(0, dragDepth - 1);
      if (!dragDepth) { document.body.className = ''; }
    });
    document.addEventListener('dragover', function (e) { e.preventDefault(); });
    document.addEventListener('drop', function (e) {
      e.preventDefault();
      dragDepth = 0; document.body.className = '';
      var files = Array.from(e.dataTransfer.files).map(function (f) { return f.path; });
      craft.send('files-dropped', { files: files });
    });
    craft.handle('get-text', function () { return text.value; });
    craft.on('load-text', function (value) { text.value = value; text.scrollTop = 0; countWords(); });
    craft.on('notice', function (message) { el('status').textContent = message; });
    craft.watchState('doc', showDoc);
    craft.watchState('settings.wrap', showWrap);
    craft.watchState('settings.size', showSize);
    craft.watchState('recent', showRecent);
    window.addEventListener('resize', fitText);
    showDoc(craft.state.doc); showWrap(craft.state.settings.wrap); showSize(craft.state.settings.size); showRecent(craft.state.recent);
    countWords(); fitText();
    craft.send('ready');
  </script>
</body></html>"""

TEXT_PX = {"small": 11, "medium": 13, "large": 16}  # View > ... text, as the page's CSS has them


def main(backend: str = "auto", path: str = "") -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    state = craft_tk.create_shared_state({
        "doc": {"name": "welcome.txt", "path": None, "dirty": False},
        "settings": {"wrap": True, "size": "medium"},
        "recent": [os.path.join(here, "text_editor.py"), os.path.join(os.path.dirname(here), "README.md")],
    })
    window = craft_tk.create_window(PAGE.replace("{welcome}", html.escape(WELCOME)), state=state, backend=backend,
                                    title="craft_tk: editor", width=760, height=500)

    def show_title(*_: Any) -> None:
        window.title("craft_tk: {}{} - editor".format(state.doc.name, "*" if state.doc.dirty else ""))

    def folder() -> Optional[str]:
        return os.path.dirname(state.doc.path or (state.recent[0] if state.recent else "")) or None

    def when_saved_or_dropped(action: Callable[[], Any]) -> None:
        """Run ``action`` once unsaved changes are saved or given up (asks); never on Cancel."""
        if not state.doc.dirty:
            action()
            return
        answer = messagebox.askyesnocancel("Unsaved changes", "Save the changes to {}?".format(state.doc.name),
                                           parent=window)
        if answer:
            save(state.doc.path, then=action)
        elif answer is not None:
            action()

    def load(path: Optional[str], text: str) -> None:
        with state.batch():
            state.doc = {"name": os.path.basename(path) if path else "untitled", "path": path, "dirty": False}
            if path:
                state.recent = [path] + [p for p in state.recent if p != path][:7]
        window.emit("load-text", text)

    def read(path: str) -> None:
        try:
            if os.path.getsize(path) > 2_000_000:
                raise OSError("larger than 2 MB")
            with open(path, encoding="utf-8", errors="replace") as handle:
                load(path, handle.read())
        except OSError as error:
            window.emit("notice", "Could not open {}: {}".format(path, error.strerror or error))

    def choose_and_read() -> None:
        path = filedialog.askopenfilename(parent=window, initialdir=folder())
        if path:
            read(path)

    def save(path: Optional[str], then: Optional[Callable[[], Any]] = None) -> None:
        path = path or filedialog.asksaveasfilename(parent=window, initialdir=folder(), initialfile=state.doc.name)
        if path:
            asyncio.ensure_future(write(path, then))

    async def write(path: str, then: Optional[Callable[[], Any]]) -> None:
        try:
            text = await window.invoke("get-text", timeout=10)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        except (OSError, craft_tk.CraftError) as error:
            window.emit("notice", "Could not save {}: {}".format(path, getattr(error, "strerror", None) or error))
            return
        load(path, text)
        window.emit("notice", "Saved " + path)
        if then is not None:
            window.after_idle(then)

    def later(action: Callable[..., Any]) -> Callable[..., None]:
        """``action`` run from Tk's loop, so that its dialogs never open inside an IPC or key callback."""
        def run(*args: Any) -> None:
            window.after_idle(action, *args)
        return run

    def dropped(data: Dict[str, List[Optional[str]]]) -> None:
        paths = [path for path in data["files"] if path]
        if paths:
            later(open_path)(paths[0])

    def open_path(path: str) -> None:
        when_saved_or_dropped(lambda: read(path))

    window.handle("menu:new-file", later(lambda: when_saved_or_dropped(lambda: load(None, ""))))
    window.handle("menu:open-file", later(lambda: when_saved_or_dropped(choose_and_read)))
    window.handle("menu:save-file", later(lambda: save(state.doc.path)))
    window.handle("menu:save-as", later(lambda: save(None)))
    window.handle("menu:quit", later(lambda: when_saved_or_dropped(window.destroy)))
    window.handle("open-path", later(open_path))
    window.on("files-dropped", dropped)
    window.set_menu([
        Submenu("File", [MenuItem("New", "new-file", accelerator="Ctrl+N"),
                         MenuItem("Open…", "open-file", accelerator="Ctrl+O"), SEPARATOR,
                         MenuItem("Save", "save-file", accelerator="Ctrl+S", enabled="doc.dirty"),
                         MenuItem("Save As…", "save-as", accelerator="Ctrl+Shift+S"), SEPARATOR,
                         MenuItem("Quit", "quit", accelerator="Ctrl+Q")]),
        Submenu("View", [MenuItem("Word wrap", "wrap", checked="settings.wrap"), SEPARATOR,
                         MenuItem("Small text", "small", radio="settings.size"),
                         MenuItem("Medium text", "medium", radio="settings.size"),
                         MenuItem("Large text", "large", radio="settings.size")]),
    ])
    state.watch("doc", show_title)
    state.watch("settings.wrap", lambda on, old: style_tk_text(window, wrap="word" if on else "none"))
    state.watch("settings.size", lambda size, old: style_tk_text(window, font=lambda text: (
        tkfont.Font(font=text.cget("font")).actual("family"), -TEXT_PX[size])))
    window.on("ready", lambda _: style_tk_text(window, wrap="word" if state.settings.wrap else "none"))
    window.protocol("WM_DELETE_WINDOW", lambda: when_saved_or_dropped(window.destroy))
    show_title()
    if path:
        window.after_idle(open_path, os.path.abspath(path))
    window.mainloop()


def style_tk_text(widget: tk.Misc, **options: Any) -> None:
    """Tkhtml draws a <textarea> as a Tk Text widget, which the page's CSS does not reach
    once drawn: give it ``options`` here (a function of the widget gives a value for it).
    CEF's pages have no Tk Text."""
    for child in widget.winfo_children():
        if isinstance(child, tk.Text):
            child.configure(**{name: value(child) if callable(value) else value for name, value in options.items()})
        style_tk_text(child, **options)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auto", sys.argv[2] if len(sys.argv) > 2 else "")
