"""Channels: a log viewer that streams a growing log file into the page (the spec's log-stream example).

A worker thread appends to a log file; native tails it and streams new lines through the
channel, awaiting each send so a slow page is never flooded.
Run: python examples/log_viewer.py [cef|tkhtml] [path-to-a-log-file]
"""

import asyncio
import os
import random
import sys
import threading
import time
import tkinter as tk

import craft_tk

PAGE = """<!doctype html>
<html><head><style>
  body { margin: 0; font-family: sans-serif; background: #101418; color: #cfe3cf; }
  h3 { margin: 8px 12px; }
  #log { font-family: monospace; font-size: 12px; margin: 0 12px; white-space: pre; }
</style></head>
<body>
  <h3>log-stream <span id="count">0</span> lines</h3>
  <pre id="log"></pre>
  <script>
    var lines = [];
    var channel = window.craft.connectChannel('log-stream');
    channel.on('message', function (data) {
      if (data.done) { return; }
      lines = lines.concat(data.chunk.split('\\n').filter(function (line) { return line; }));
      lines = lines.slice(-30);
      document.getElementById('log').textContent = lines.join('\\n');
      document.getElementById('count').textContent = String(Number(document.getElementById('count').textContent) + data.lines);
    });
  </script>
</body></html>"""


def write_log_forever(path: str) -> None:
    """Stand-in for an app writing its log: a line every 50-300 ms."""
    levels = ["INFO", "INFO", "INFO", "WARN", "DEBUG", "ERROR"]
    n = 0
    while True:
        n += 1
        with open(path, "a") as log:
            log.write("{} {:5} request {} served in {} ms\n".format(
                time.strftime("%H:%M:%S"), random.choice(levels), n, random.randint(1, 900)))
        time.sleep(random.uniform(0.05, 0.3))


async def stream_log(channel: craft_tk.Channel, path: str) -> None:
    """Tail ``path`` and send what is new, one chunk at a time."""
    position = 0
    while not channel.closed:
        size = os.path.getsize(path) if os.path.exists(path) else 0
        if size > position:
            with open(path) as log:
                log.seek(position)
                chunk = log.read()
                position = log.tell()
            await channel.send({"chunk": chunk, "lines": chunk.count("\n")})
        await asyncio.sleep(0.1)


def main(backend: str = "auto", path: str = "") -> None:
    if not path:
        # A log written anew each run, in the user's cache (not the temporary directory).
        folder = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                              "craft_tk", "examples")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "log_viewer.log")
        open(path, "w").close()  # started anew
        threading.Thread(target=write_log_forever, args=(path,), daemon=True).start()
    root = tk.Tk()
    root.title("craft_tk: log viewer ({})".format(path))
    root.geometry("720x480")
    panel = craft_tk.WebPanel(root, html=PAGE, backend=backend)
    panel.pack(fill="both", expand=True)
    channel = panel.create_channel("log-stream")
    asyncio.get_event_loop().create_task(stream_log(channel, path))
    root.mainloop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auto", sys.argv[2] if len(sys.argv) > 2 else "")
