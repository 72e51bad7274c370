"""Channels: a telemetry panel receiving CPU and memory figures every 100 ms (the spec's telemetry example).

Run: python examples/telemetry.py [cef|tkhtml]
"""

import sys
import time
import tkinter as tk
from typing import Tuple

import craft_tk

PAGE = """<!doctype html>
<html><head><style>
  body { margin: 16px; font-family: sans-serif; }
  .bar { height: 18px; background: #e4e4ec; width: 400px; margin-bottom: 14px; }
  .fill { height: 18px; background: #4a7bd0; width: 0px; }
</style></head>
<body>
  <h3>Telemetry (every 100 ms)</h3>
  <p>CPU: <b id="cpu">-</b> %</p>
  <div class="bar"><div class="fill" id="cpu-bar"></div></div>
  <p>Memory: <b id="memory">-</b> % used</p>
  <div class="bar"><div class="fill" id="memory-bar"></div></div>
  <p>Samples: <span id="samples">0</span>, latest at <span id="time">-</span></p>
  <script>
    var samples = 0;
    var channel = window.craft.connectChannel('telemetry');
    channel.on('message', function (data) {
      samples++;
      document.getElementById('cpu').textContent = data.cpu.toFixed(1);
      document.getElementById('memory').textContent = data.memory.toFixed(1);
      document.getElementById('cpu-bar').style.width = Math.round(data.cpu * 4) + 'px';
      document.getElementById('memory-bar').style.width = Math.round(data.memory * 4) + 'px';
      document.getElementById('samples').textContent = String(samples);
      document.getElementById('time').textContent = new Date(data.timestamp).toLocaleTimeString();
    });
  </script>
</body></html>"""


def cpu_times() -> Tuple[int, int]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def memory_used_percent() -> float:
    info = {}
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            key, value = line.split(":", 1)
            info[key] = int(value.split()[0])
    return 100.0 * (1 - info["MemAvailable"] / info["MemTotal"])


def main(backend: str = "auto") -> None:
    root = tk.Tk()
    root.title("craft_tk: telemetry")
    root.geometry("520x360")
    panel = craft_tk.WebPanel(root, html=PAGE, backend=backend)
    panel.pack(fill="both", expand=True)
    channel = panel.create_channel("telemetry")
    last = cpu_times()

    def sample() -> None:
        nonlocal last
        busy, total = cpu_times()
        cpu = 100.0 * (busy - last[0]) / max(1, total - last[1])
        last = (busy, total)
        if not channel.closed:
            try:
                channel.send({"cpu": cpu, "memory": memory_used_percent(), "timestamp": time.time() * 1000})
            except craft_tk.ChannelFull:
                pass  # the page is behind: drop a sample rather than queue stale ones
        root.after(100, sample)

    sample()
    root.mainloop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auto")
