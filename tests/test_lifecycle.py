"""An app's life with a panel: it starts, talks, closes, and leaves nothing behind."""

import os
import signal
import subprocess
import sys
import textwrap
import time
import unittest

from .support import ENGINE, EngineTestCase

APP = textwrap.dedent("""
    import sys
    import craft_tk

    window = craft_tk.create_window("<script>craft.send('up', 1)</script>", backend=sys.argv[1])
    got = []
    window.on("up", got.append)
    window.after(15000, window.destroy)  # a safety net; the test fails if it is needed

    def close_when_done():
        if got:
            window.destroy()
        else:
            window.after(10, close_when_done)

    close_when_done()
    window.mainloop()
    print("exchanged", got)
""")


class AppLifecycle(EngineTestCase):
    def test_app_exits_cleanly_with_no_stray_processes(self) -> None:
        started = time.monotonic()
        app = subprocess.Popen(
            [sys.executable, "-c", APP, ENGINE],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
            start_new_session=True,
        )
        out, err = app.communicate(timeout=60)
        elapsed = time.monotonic() - started
        self.assertEqual(app.returncode, 0, "the app crashed on exit:\n" + err[-2000:])
        self.assertIn("exchanged [1]", out)
        self.assertLess(elapsed, 14, "the app only ended through its safety timeout")
        self.assertEqual(_leftovers(app.pid, 5), [], "processes of the app outlived it")

    def test_a_killed_app_leaves_no_processes_behind(self) -> None:
        app = subprocess.Popen(
            [sys.executable, "-c", KILLED_APP, ENGINE],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True, start_new_session=True,
        )
        self.assertEqual(app.stdout.readline().strip(), "connected")  # type: ignore[union-attr]
        os.kill(app.pid, signal.SIGKILL)
        app.wait(timeout=10)  # reaped: only its children could be left
        self.assertEqual(_leftovers(app.pid, 15), [], "processes outlived the killed app")


KILLED_APP = textwrap.dedent("""
    import sys
    import craft_tk

    window = craft_tk.create_window("<p>killed soon</p>", backend=sys.argv[1])

    def report():
        if window.panel.connected:
            print("connected", flush=True)
        else:
            window.after(20, report)

    report()
    window.after(30000, window.destroy)
    window.mainloop()
""")


def _leftovers(session_id: int, seconds: float) -> list:
    """The processes of a session still there after waiting up to ``seconds`` for none."""
    deadline = time.monotonic() + seconds
    leftovers = _session_processes(session_id)
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.1)
        leftovers = _session_processes(session_id)
    return leftovers


def _session_processes(session_id: int) -> list:
    rows = subprocess.run(["ps", "-eo", "pid=,sid=,args="], stdout=subprocess.PIPE, universal_newlines=True).stdout
    return [row.strip() for row in rows.splitlines() if row.split()[1] == str(session_id)]


if __name__ == "__main__":
    unittest.main()
