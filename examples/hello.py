"""Hello: native Tk widgets and a web panel exchanging events both ways.

Type in the native entry and press "Send to page": the page shows it. Click the button
in the page: the native list logs it, and so does standard output.
Run: python examples/hello.py [cef|tkhtml]
"""

import sys
import time
import tkinter as tk

import craft_tk

PAGE = """<!doctype html>
<html><head><style>
  body { font-family: sans-serif; background: #f4f1ea; margin: 16px; }
  h2 { color: #2a5d8f; }
  #greeting { font-size: 20px; padding: 8px; background: #fff; border: 1px solid #ccc; }
  button { font-size: 16px; padding: 6px 12px; }
</style></head>
<body>
  <h2>Web panel</h2>
  <p>Native says: <span id="greeting">(nothing yet)</span></p>
  <p><button onclick="clicked()">Send a click to native</button></p>
  <p id="count">0 clicks sent</p>
  <script>
    var clicks = 0;
    function clicked() {
      clicks++;
      window.craft.send('user-action', { type: 'click', target: 'button', clicks: clicks });
      document.getElementById('count').textContent = clicks + ' clicks sent';
    }
    window.craft.on('greet', function (data) {
      document.getElementById('greeting').textContent = data.text;
    });
  </script>
</body></html>"""


def main(backend: str = "auto") -> None:
    root = tk.Tk()
    root.title("craft_tk: hello")
    root.geometry("760x460")

    side = tk.Frame(root, padx=8, pady=8)
    side.pack(side="left", fill="y")
    tk.Label(side, text="Native Tk side", font=("TkDefaultFont", 12, "bold")).pack(anchor="w")
    entry = tk.Entry(side, width=24)
    entry.insert(0, "Hello from Python")
    entry.pack(anchor="w", pady=4)
    log = tk.Listbox(side, width=32, height=14)

    panel = craft_tk.WebPanel(root, html=PAGE, backend=backend, width=480, height=440)
    panel.pack(side="right", fill="both", expand=True)

    def send_to_page() -> None:
        panel.emit("greet", {"text": entry.get()})

    tk.Button(side, text="Send to page", command=send_to_page).pack(anchor="w")
    tk.Label(side, text="Events from the page:").pack(anchor="w", pady=(12, 0))
    log.pack(anchor="w", fill="y", expand=True)

    def note(line: str) -> None:
        log.insert("end", line)
        log.see("end")
        print(line, flush=True)

    @panel.on("user-action")
    def on_user_action(data: dict) -> None:
        note("{} {} on {} (#{})".format(time.strftime("%H:%M:%S"), data["type"], data["target"], data["clicks"]))

    panel.on_ipc_error(lambda error: note("IPC error: {}".format(error)))
    root.mainloop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auto")
