"""Invoke/handle: the spec's get-user, save-file and risky-operation, and a native call into the page.

The page awaits native handlers; native awaits the page's get-selection handler. Files
are saved into a folder you pick (a temporary folder until you do).
Run: python examples/invoke.py [cef|tkhtml]
"""

import asyncio
import os
import sys
import tkinter as tk
from tkinter import filedialog

import craft_tk

PAGE = """<!doctype html>
<html><head><style>
  body { font-family: sans-serif; margin: 16px; background: #f7f7fb; }
  button { font-size: 14px; margin: 4px 0; }
  .out { padding: 6px; background: #fff; border: 1px solid #ccd; margin-bottom: 10px; }
</style></head>
<body>
  <h3>Page</h3>
  <button onclick="loadUser()">Load user 123</button>
  <div class="out" id="user">-</div>
  <textarea id="doc" rows="3" cols="40">Some text worth keeping.</textarea><br>
  <button onclick="saveDocument()">Save document</button>
  <div class="out" id="saved">-</div>
  <button onclick="risky()">Risky operation (invalid data)</button>
  <div class="out" id="risky">-</div>
  <p id="selection-source">Text the native side can ask for: <b>selected text</b></p>
  <script>
    function show(id, text) { document.getElementById(id).textContent = text; }

    async function loadUser() {
      const user = await window.craft.invoke('get-user', 123)
      show('user', user.name + ' (id ' + user.id + ')')
    }

    async function saveDocument() {
      const content = document.getElementById('doc').value || 'Some text worth keeping.'
      const result = await window.craft.invoke('save-file', content, 'doc.txt')
      if (result.success) {
        show('saved', 'Saved! ' + result.path)
      }
    }

    async function risky() {
      try {
        const result = await window.craft.invoke('risky-operation', { valid: false })
        show('risky', 'unexpected: ' + result)
      } catch (error) {
        show('risky', 'Operation failed: ' + error.message + ' (' + error.name + ')')
      }
    }

    window.craft.handle('get-selection', () => 'selected text')
  </script>
</body></html>"""


def main(backend: str = "auto") -> None:
    root = tk.Tk()
    root.title("craft_tk: invoke/handle")
    root.geometry("820x520")
    # The example's documents, kept between runs in the user's cache (not the temporary directory).
    documents = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                             "craft_tk", "examples", "documents")
    os.makedirs(documents, exist_ok=True)
    folder = tk.StringVar(value=documents)

    side = tk.Frame(root, padx=8, pady=8)
    side.pack(side="left", fill="y")
    panel = craft_tk.WebPanel(root, html=PAGE, backend=backend, width=560, height=500)
    panel.pack(side="right", fill="both", expand=True)

    tk.Label(side, text="Saving into:").pack(anchor="w")
    tk.Label(side, textvariable=folder, wraplength=220, justify="left", fg="#335").pack(anchor="w")
    tk.Button(side, text="Choose folder...",
              command=lambda: folder.set(filedialog.askdirectory() or folder.get())).pack(anchor="w", pady=4)
    answer = tk.StringVar(value="-")
    tk.Button(side, text="Ask the page for its selection",
              command=lambda: ask_selection(panel, answer)).pack(anchor="w", pady=(16, 0))
    tk.Label(side, textvariable=answer, fg="#353").pack(anchor="w")

    @panel.handle("get-user")
    def get_user(user_id: int) -> dict:
        return {"id": user_id, "name": "John"}

    @panel.handle("save-file")
    async def save_file(content: str, filename: str) -> dict:
        path = os.path.join(folder.get(), os.path.basename(filename))
        await asyncio.get_event_loop().run_in_executor(None, _write, path, content)
        return {"success": True, "path": path}

    @panel.handle("risky-operation")
    async def risky_operation(data: dict) -> dict:
        if not data.get("valid"):
            raise ValueError("Invalid data")
        return {"processed": True}

    root.mainloop()


def ask_selection(panel: craft_tk.WebPanel, answer: tk.StringVar) -> None:
    future = panel.invoke("get-selection", timeout=5)
    future.add_done_callback(
        lambda done: answer.set("Selected text: " + done.result() if not done.exception() else str(done.exception())))


def _write(path: str, content: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(content)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auto")
