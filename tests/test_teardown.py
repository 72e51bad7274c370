"""Teardown and crashes: a closed panel leaves nothing behind, by whatever path it goes;
a killed renderer is noticed; odd calls of the CEF host function are reported, never printed."""

import asyncio
import gc
import os
import signal
import tempfile
import time
import tkinter as tk
import unittest
from typing import Any, Callable, Dict, List, Set, Tuple

import craft_tk
from craft_tk import PageGone

from bench._proc import cmdline, descendants, fd_count, parent_of, rss_kb

from .support import ENGINE, EngineTestCase

CEF_ONLY = unittest.skipUnless(ENGINE == "cef", "CEF's renderer process and host function (Tkhtml has neither)")

# The page holds some JavaScript memory (a few MB) and a timer, so that a page world or
# a renderer left behind shows in the counts.
PAGE = """<p>teardown</p>
<script>
  var ballast = [];
  for (var i = 0; i < 40000; i++) { ballast.push({index: i, text: 'item ' + i}); }
  setInterval(function () { ballast.length; }, 50);
  craft.handle('echo', function (value) { return value; });
</script>"""

PANEL_OPTIONS: Dict[str, Any] = {"backend": ENGINE, "width": 300, "height": 200}
CYCLES_MEASURED_FROM, CYCLES = 10, 50
# Allowed growth between the counts after 10 and after 50 cycles. A leaked CEF renderer
# is a process, two file descriptors and about 70 MB (40 cycles: +40, +80, +2.8 GB); a
# leaked Tkhtml panel was 24 Tcl commands and 3 MB. A CEF process tree's descriptors
# move by a few on their own (seen: -11 to +5).
EXTRA_PROCESSES, EXTRA_FDS, EXTRA_TCL_COMMANDS, EXTRA_RSS_MB = 0, 16, 5, 40


ALLOWED = (("processes", EXTRA_PROCESSES), ("open fds", EXTRA_FDS), ("Tcl commands", EXTRA_TCL_COMMANDS),
           ("RSS MB", EXTRA_RSS_MB))


def _grown(now: Dict[str, int], before: Dict[str, int]) -> List[str]:
    """The counts of ``now`` that grew past their allowance since ``before``."""
    return [what for what, allowed in ALLOWED if now[what] > before[what] + allowed]


class PanelTeardown(EngineTestCase):
    geometry = "400x300+0+0"

    def test_panels_destroyed_by_every_path_release_their_browser_and_memory(self) -> None:
        paths = [self._panel_destroy, self._parent_destroy, self._window_destroy, self._window_close_button,
                 self._panel_close]
        self._cycle(paths[0])  # the engine starts: its first processes and memory are not a leak
        footprint: Dict[str, int] = {}
        for number in range(1, CYCLES + 1):
            self._cycle(paths[number % len(paths)])
            if number == CYCLES_MEASURED_FROM:
                footprint = self._footprint()
        # The last cycle's CEF processes and descriptors may take a while to go on a loaded
        # machine: a leak stays, what is merely late goes within the wait.
        deadline = time.monotonic() + 20
        after = self._footprint()
        while _grown(after, footprint) and time.monotonic() < deadline:
            self.pump(0.5)
            after = self._footprint()
        for what, allowed in ALLOWED:
            self.assertLessEqual(after[what], footprint[what] + allowed, "{} grew from {} after {} cycles to {} after "
                                 "{} (all counts: {} -> {})".format(what, footprint[what], CYCLES_MEASURED_FROM,
                                                                    after[what], CYCLES, footprint, after))

    # -- one create/destroy cycle per path ----------------------------------------------------

    def _cycle(self, path: Callable[[], Tuple[str, Callable[[], None]]]) -> None:
        renderers = _renderers()
        how, teardown = path()
        teardown()
        self.wait_for(lambda: _renderers() <= renderers, "the renderer of a panel closed by {} to exit".format(how), 10)

    def _new_panel(self, master: tk.Misc) -> craft_tk.WebPanel:
        panel = craft_tk.WebPanel(master, html=PAGE, **PANEL_OPTIONS)
        panel.pack(fill="both", expand=True)
        self.wait_for(lambda: panel.connected, "the page to connect")
        return panel

    def _new_window(self) -> craft_tk.CraftWindow:
        window = craft_tk.create_window(PAGE, master=self.root, **PANEL_OPTIONS)
        self.wait_for(lambda: window.panel.connected, "the window's page to connect")
        return window

    def _panel_destroy(self) -> Tuple[str, Callable[[], None]]:
        return "panel.destroy()", self._new_panel(self.root).destroy

    def _parent_destroy(self) -> Tuple[str, Callable[[], None]]:
        parent = tk.Frame(self.root)
        parent.pack(fill="both", expand=True)
        self._new_panel(parent)
        return "its parent's destroy()", parent.destroy

    def _window_destroy(self) -> Tuple[str, Callable[[], None]]:
        return "CraftWindow.destroy()", self._new_window().destroy

    def _window_close_button(self) -> Tuple[str, Callable[[], None]]:
        window = self._new_window()
        # What Tk runs when the window manager's close button sends WM_DELETE_WINDOW.
        return "the window's close button", lambda: self.root.tk.call(window.protocol("WM_DELETE_WINDOW"))

    def _panel_close(self) -> Tuple[str, Callable[[], None]]:
        panel = self._new_panel(self.root)

        def close_then_destroy() -> None:
            renderers = _renderers()
            panel.close()
            self.wait_for(lambda: len(_renderers()) < len(renderers) or not renderers,
                          "panel.close() to end its renderer while the panel is still shown", 10)
            panel.destroy()

        return "panel.close()", close_then_destroy

    def _footprint(self) -> Dict[str, int]:
        """What the app holds: its processes (CEF's, or the CEF helper and CEF's there),
        open file descriptors and RSS of the app, the helper and the renderers, and Tcl
        commands. (Not the RSS of CEF's GPU process: under Xvfb it swings by 500 MB from
        one moment to the next, whatever the panels.)"""
        processes = descendants(os.getpid())
        ours = [os.getpid()] + [pid for pid in processes if _is_python(pid)]
        return {
            "processes": len(processes),
            "open fds": sum(fd_count(pid) for pid in ours),
            "Tcl commands": len(self.root.tk.call("info", "commands")),
            "RSS MB": sum(rss_kb(pid) for pid in ours + list(_renderers())) // 1024,
        }


@CEF_ONLY
class RendererCrash(EngineTestCase):
    PAGE = """<script>
      craft.handle('never', function () { craft.send('asked'); return new Promise(function () {}); });
      craft.handle('echo', function (value) { return value; });
    </script>"""

    def test_a_killed_renderer_settles_everything_and_reload_recovers(self) -> None:
        panel = self.panel(self.PAGE)
        # Every renderer of the app: this class's panel is its only one, but Chromium may
        # give it a renderer that an earlier class's page used (seen once in a full run).
        renderer = self.wait_for(_renderers, "the panel's renderer process", then=_tree)
        started, cancelled = [], []

        async def slow() -> None:
            started.append(True)
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

        panel.handle("slow", slow)
        asked = self.collect(panel, "asked")
        pending = panel.invoke("never")
        panel.run_js("craft.invoke('slow')")
        channel = panel.create_channel("stream")
        reasons: List[Any] = []
        channel.on("close", reasons.append)
        self.wait_for(lambda: asked and started, "an invoke each way to be under way")
        for pid in renderer:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # one that was ending
        self.wait_for(lambda: pending.done() and channel.closed and cancelled,
                      "the pending invokes both ways and the channel to settle")
        self.assertFalse(panel.connected)
        self.assertIsInstance(pending.exception(), PageGone)
        self.assertIn("renderer", str(pending.exception()))
        self.assertIn("renderer", str(reasons[0]))
        self.assertTrue(any("renderer" in str(error) for error in self.ipc_errors), self.ipc_errors)
        panel.reload()
        self.wait_for(lambda: panel.connected, "the page to connect again after reload()", 30)
        answer = panel.invoke("echo", "after the crash")
        self.wait_for(answer.done, "an invoke to round-trip after the crash")
        self.assertEqual(answer.result(), "after the crash")


@CEF_ONLY
class HelperProcess(EngineTestCase):
    def test_the_helper_of_a_destroyed_tk_root_exits_with_its_processes(self) -> None:
        other = tk.Tk()
        panel = craft_tk.WebPanel(other, html=PAGE, **PANEL_OPTIONS)
        panel.pack()
        self.wait_for(lambda: panel.connected, "the page to connect")  # Tk's update serves both roots
        if panel.backend != "cef-host":
            other.destroy()
            self.skipTest("CEF runs in this process here (Python 3.7): there is no helper")
        helper = panel.transport._helper.process.pid  # type: ignore[attr-defined]
        processes = set(descendants(helper)) | {helper}
        other.destroy()
        del other, panel
        gc.collect()  # the dead interpreter goes here, on the Tk thread (see EngineTestCase)
        self.wait_for(lambda: not processes & set(descendants(os.getpid())),
                      "the helper and CEF's processes under it to exit", 15)


@CEF_ONLY
class HostFunction(EngineTestCase):
    ODD_CALLS = ["__craftHostPost()", "__craftHostPost(42)", "__craftHostPost({wire: 'no'})",
                 "__craftHostPost('a', 'b', 'c')", "__craftHostPost(function () {})"]

    def test_odd_calls_from_page_scripts_are_reported_and_print_nothing(self) -> None:
        # The terminal is fd 2; the CEF helper (cef-host) inherits it when it starts here.
        with tempfile.TemporaryFile() as terminal:
            saved = os.dup(2)
            os.dup2(terminal.fileno(), 2)
            try:
                panel = self.panel(PAGE)
                for call in self.ODD_CALLS:
                    errors = len(self.ipc_errors)
                    panel.run_js(call)
                    self.wait_for(lambda: len(self.ipc_errors) > errors, "{} to reach on_ipc_error".format(call))
                answer = panel.invoke("echo", "still works")
                self.wait_for(answer.done, "an invoke to round-trip after the odd calls")
            finally:
                os.dup2(saved, 2)
                os.close(saved)
            terminal.seek(0)
            printed = terminal.read().decode("utf-8", "replace")
        self.assertEqual(answer.result(), "still works")
        self.assertTrue(panel.connected)
        self.assertNotIn("Traceback", printed)


# -- processes, as /proc shows them --------------------------------------------------------

def _renderers() -> Set[int]:
    """CEF's renderer processes of this app (in process, or the helper's in cef-host):
    those that say so, and the zygote's children (a renderer the zygote forked shows the
    zygote's command line until it retitles itself)."""
    processes = descendants(os.getpid())
    zygotes = {pid for pid in processes if b"--type=zygote" in cmdline(pid)}
    return {pid for pid in processes if b"--type=renderer" in cmdline(pid) or parent_of(pid) in zygotes}


def _tree() -> str:
    """The app's processes, for a failure's message: pid, parent, command line."""
    return "; ".join("{} (parent {}): {}".format(pid, parent_of(pid), cmdline(pid)[:100].replace(b"\0", b" ").decode(
        "utf-8", "replace")) for pid in descendants(os.getpid()))


def _is_python(pid: int) -> bool:
    return b"craft_tk" in cmdline(pid)


if __name__ == "__main__":
    unittest.main()
