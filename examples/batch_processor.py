"""Progress and cancel: a batch processor whose thread handler reports progress to the page and to Tk.

Drop files (or folders) on the drop zone: they join the queue. Start invokes a thread
handler that counts each file's lines and words and hashes it (SHA-256), reporting
progress to the page's bar and to a native ttk.Progressbar below; Cancel aborts it. It also
emits the spec's `progress` and `progress-complete` events, which the status line shows.
Run: python examples/batch_processor.py [cef|tkhtml] [files...]
"""

import glob
import hashlib
import itertools
import os
import sys
import threading
import time
import tkinter as tk
from tkinter import ttk
from typing import Any, Dict, Iterator, List, Optional

import craft_tk
from craft_tk import current_invocation

PAGE = """<!doctype html>
<html><head><style>
  body { margin: 0; padding: 12px 16px; font-family: sans-serif; font-size: 13px; background: #f3f4f7; color: #222; }
  h2 { margin: 0 0 10px 0; font-size: 18px; color: #2f3b52; }
  #zone { border: 2px dashed #9aa5b8; background: #fff; color: #667; padding: 18px; text-align: center; }
  #zone.over { border-color: #2f7d4f; background: #e3f4e8; color: #2f7d4f; }
  #controls { margin: 10px 0 6px 0; }
  button { font-size: 13px; padding: 4px 14px; margin-right: 6px; background: #fff; color: #2f3b52;
           border: 1px solid #9aa5b8; }
  button.primary { background: #3b73c4; color: #fff; border-color: #2f5d9e; }
  button:focus { outline: none; }
  button.off { background: #e8eaee; color: #a0a7b4; border-color: #d0d5dd; }
  #bar { border: 1px solid #9aa5b8; background: #fff; height: 14px; margin: 6px 0; }
  #fill { background: #3b73c4; height: 14px; width: 0%; }
  #status { color: #445; }
  table { border-collapse: collapse; width: 100%; margin-top: 8px; background: #fff; }
  th { text-align: left; background: #2f3b52; color: #fff; padding: 4px 8px; font-weight: normal; }
  td { padding: 3px 8px; border-bottom: 1px solid #e2e5ea; }
  td.num { text-align: right; }
  .hash { font-family: monospace; color: #556; }
  .done { color: #2f7d4f; } .failed { color: #b03030; } .working { color: #3b73c4; }
</style></head>
<body>
  <h2>Batch processor</h2>
  <div id="zone">Drop files or folders here to queue them</div>
  <div id="controls"><button id="start" class="primary" onclick="start()">Start</button>
    <button id="cancel" class="off" onclick="cancel()">Cancel</button>
    <button id="clear" onclick="clearQueue()">Clear</button> <span id="status">-</span></div>
  <div id="bar"><div id="fill"></div></div>
  <table><thead><tr><th>File</th><th width="70">Size</th><th width="60">Lines</th><th width="60">Words</th>
      <th width="150">SHA-256</th><th width="80">Status</th></tr></thead>
    <tbody id="rows"></tbody></table>
  <script>
    var queue = [], rows = {}, controller = null, hovering = 0;
    function el(id) { return document.getElementById(id); }
    function cell(cells, index, text, className) {
      cells[index].textContent = text;
      if (className !== undefined) { cells[index].className = className; }
    }
    function addFiles(files) {
      files.forEach(function (file) {
        if (rows[file.path]) { return; }
        var row = document.createElement('tr'), cells = [];
        ['', 'num', 'num', 'num', 'hash', ''].forEach(function (className) {
          var td = document.createElement('td');
          td.className = className; row.appendChild(td); cells.push(td);
        });
        cell(cells, 0, file.name); cell(cells, 1, (file.size / 1024).toFixed(1) + ' KB'); cell(cells, 5, 'queued');
        el('rows').appendChild(row);
        rows[file.path] = cells; queue.push(file.path);
      });
      el('status').textContent = queue.length + ' files queued';
    }
    function clearQueue() {
      if (controller) { return; }
      queue = []; rows = {}; el('rows').innerHTML = ''; el('status').textContent = 'queue empty';
    }
    function busy(on) {  // classes, not `disabled`, which Tkhtml keeps matching once removed
      el('start').className = on ? 'off' : 'primary'; el('clear').className = on ? 'off' : '';
      el('cancel').className = on ? '' : 'off';
    }
    function start() {
      if (controller || !queue.length) { return; }
      controller = new AbortController();
      busy(true);
      el('fill').style.width = '0%';
      queue.forEach(function (path) {
        [2, 3, 4].forEach(function (i) { cell(rows[path], i, ''); });
        cell(rows[path], 5, 'queued', '');
      });
      craft.invoke('process', queue, craft.options({signal: controller.signal, onProgress: function (p) {
        el('fill').style.width = p.percent + '%';
      }})).catch(function (error) {
        el('status').textContent = error.name === 'AbortError' ? 'Cancelling…' : 'Failed: ' + error.message;
      }).then(function () { busy(false); controller = null; });
    }
    function cancel() { if (controller) { controller.abort(); } }
    var zone = el('zone');
    zone.addEventListener('dragenter', function () { hovering++; zone.className = 'over'; });
    zone.addEventListener('dragleave', function () {
      hovering = Math.max(0, hovering - 1);
      if (!hovering) { zone.className = ''; }
    });
    document.addEventListener('dragover', function (e) { e.preventDefault(); });
    document.addEventListener('drop', function (e) {
      e.preventDefault();
      hovering = 0; zone.className = '';
      var files = Array.from(e.dataTransfer.files).map(function (f) { return f.path; });
      craft.send('files-dropped', { files: files });
    });
    craft.on('add-files', addFiles);
    craft.on('file-started', function (path) { cell(rows[path], 5, 'working…', 'working'); });
    craft.on('file-done', function (r) {
      var cells = rows[r.path];
      if (r.error) { cell(cells, 5, r.error, 'failed'); return; }
      cell(cells, 2, String(r.lines)); cell(cells, 3, String(r.words));
      cell(cells, 4, r.sha256.slice(0, 16) + '…'); cell(cells, 5, 'done', 'done');
    });
    craft.on('progress', function (p) {
      el('status').textContent = 'Processing ' + p.current + ' of ' + p.total + ' (' + p.percent + '%)';
    });
    craft.on('progress-complete', function (s) {
      el('fill').style.width = Math.round(100 * s.done / Math.max(1, s.total)) + '%';
      el('status').textContent = (s.cancelled ? 'Cancelled after ' + s.done + ' of ' + s.total : 'Finished') +
        ': ' + s.ok + ' processed, ' + s.failed + ' failed';
    });
  </script>
</body></html>"""


def describe(paths: List[str], limit: int = 500) -> List[Dict[str, Any]]:
    """The files at ``paths`` (a folder's files, recursively), at most ``limit``, for the page's queue."""
    def files() -> Iterator[str]:
        for path in paths:
            if os.path.isfile(path):
                yield path
            for folder, subfolders, names in os.walk(path):
                subfolders.sort()
                for name in sorted(names):
                    yield os.path.join(folder, name)
    return [{"path": p, "name": os.path.basename(p), "size": os.path.getsize(p)}
            for p in itertools.islice(files(), limit) if os.path.isfile(p)]


def analyse(path: str) -> Dict[str, Any]:
    digest, lines, words = hashlib.sha256(), 0, 0
    with open(path, "rb") as handle:
        for line in handle:
            digest.update(line)
            lines += 1
            words += len(line.split())
    return {"path": path, "lines": lines, "words": words, "sha256": digest.hexdigest()}


def main(backend: Any = "auto", paths: Optional[List[str]] = None) -> None:  # backend: "auto", "cef", "tkhtml"
    root = tk.Tk()
    root.title("craft_tk: batch processor")
    root.geometry("780x560")
    below = ttk.Frame(root, padding=(10, 6))
    below.pack(side="bottom", fill="x")
    native_label = ttk.Label(below, text="Native progress: idle", width=34)
    native_label.pack(side="left")
    native_bar = ttk.Progressbar(below, mode="determinate")
    native_bar.pack(side="left", fill="x", expand=True)
    panel = craft_tk.WebPanel(root, html=PAGE, backend=backend, width=780, height=520)
    panel.pack(side="top", fill="both", expand=True)
    leaving = threading.Event()  # the app is ending (Ctrl+C): stop between files too

    @panel.handle("process", thread=True)
    def process(files: List[str]) -> Dict[str, int]:
        invocation = current_invocation()
        assert invocation is not None
        ok = failed = 0
        for index, path in enumerate(files):
            if leaving.is_set():
                return {"ok": ok, "failed": failed}  # nobody left to tell
            if invocation.cancelled:
                break
            panel.emit("file-started", path)
            try:
                result = analyse(path)
                ok += 1
            except OSError as error:
                result = {"path": path, "error": error.strerror or str(error)}
                failed += 1
            time.sleep(0.3)  # a slower job, so that the progress shows
            panel.emit("file-done", result)
            done = index + 1
            invocation.progress(done, len(files), os.path.basename(path))
            panel.emit("progress", {"current": done, "total": len(files), "percent": round(100 * done / len(files))})
        panel.emit("progress-complete", {"ok": ok, "failed": failed, "done": ok + failed, "total": len(files),
                                         "cancelled": invocation.cancelled})
        return {"ok": ok, "failed": failed}

    def follow(done: float, total: Optional[float], detail: Any) -> None:
        native_bar.configure(maximum=total or 1, value=done)
        native_label.configure(text="Native progress: {:g}/{:g} {}".format(done, total or 0, detail or ""))

    panel.on_progress("process", follow)
    panel.on("files-dropped", lambda data: panel.emit("add-files", describe([p for p in data["files"] if p])))
    here = os.path.dirname(os.path.abspath(__file__))
    panel.emit("add-files", describe(paths or sorted(glob.glob(os.path.join(here, "*.py")))))
    try:
        root.mainloop()
    finally:
        leaving.set()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auto", sys.argv[2:])
