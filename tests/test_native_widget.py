"""The panel behaves like a native widget: it resizes, takes clicks and typing, shares focus."""

import os
import signal
import subprocess
import tkinter as tk
import unittest
from typing import Any, List, Tuple

from craft_tk import PageGone

from bench._proc import cmdline, descendants, status_value
from craft_tk.backends._xwindows import direct_rendering

from .support import ENGINE, EngineTestCase, helper_report, screenshot_pixel

CEF_ONLY = unittest.skipUnless(ENGINE == "cef", "CEF's input and helper process (Tkhtml is a Tk widget already)")

FORM = """<html><body style="margin:0; background:#ff00aa">
  <input id="field" style="position:absolute; left:10px; top:10px; width:200px; height:30px"
         oninput="craft.send('typed', this.value)" onfocus="craft.send('focused', this.id)">
  <script>craft.on('ping', function (d) { craft.send('pong', d); });</script>
</body></html>"""


# Generous: on a loaded 2-core machine CEF, Xvfb and the screenshot tool share the cores.
GROWN_PAINT_TIMEOUT_S = 30


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool"] + list(args), check=True)


class Resizing(EngineTestCase):
    geometry = "400x300+0+0"

    def test_the_page_follows_the_frame_when_the_window_grows(self) -> None:
        # The window grows as soon as the page connects, while it paints for the first time:
        # when CEF could lose the frame of the new size (see CefTransport._settle).
        panel = self.panel('<html><body style="margin:0; background-color:#ff00aa"><p>page</p></body></html>')
        self.root.lift()
        self.root.geometry("700x500+0+0")
        self.wait_for(lambda: panel.winfo_width() >= 690 and panel.winfo_height() >= 490, "the frame to grow")
        left, top = panel.winfo_rootx(), panel.winfo_rooty()
        grown = [(left + 650, top + 450),  # only inside the grown area, up to its far corner
                 (left + panel.winfo_width() - 1, top + panel.winfo_height() - 1)]
        self.wait_for(lambda: all(screenshot_pixel(x, y) == "#ff00aa" for x, y in grown),
                      "the page to fill the grown frame", GROWN_PAINT_TIMEOUT_S)


@CEF_ONLY
class KeyboardAndFocus(EngineTestCase):
    geometry = "600x300+0+0"

    def test_typing_reaches_the_page_and_focus_moves_between_tk_and_the_page(self) -> None:
        entry = tk.Entry(self.root)
        entry.pack(fill="x")
        panel = self.panel(FORM)
        typed, focused = self.collect(panel, "typed"), self.collect(panel, "focused")
        self.root.lift()
        self.pump(0.5)
        x, y = panel.winfo_rootx() + 50, panel.winfo_rooty() + 25
        xdotool("mousemove", str(x), str(y), "click", "1")
        self.wait_for(lambda: focused, "the page's input to take the focus")
        xdotool("type", "--delay", "30", "hello")
        self.wait_for(lambda: typed and typed[-1] == "hello", "the page's input to hold what was typed")
        xdotool("mousemove", str(entry.winfo_rootx() + 20), str(entry.winfo_rooty() + 5), "click", "1")
        self.wait_for(lambda: str(self.root.tk.call("focus")) == str(entry), "the Tk entry to take the focus")
        xdotool("type", "--delay", "30", "tk")
        self.wait_for(lambda: entry.get() == "tk", "the Tk entry to take the typing")
        self.assertEqual(typed[-1], "hello", "typing into Tk must not reach the page")


@CEF_ONLY
class Helper(EngineTestCase):
    def test_panels_share_one_helper(self) -> None:
        first, second = self.panel(FORM, connect=False, width=300), self.panel(FORM, connect=False, width=300)
        for panel in (first, second):
            panel.pack_configure(side="left")
        self.wait_for(lambda: first.connected and second.connected, "both pages")
        if first.backend != "cef-host":
            self.skipTest("CEF runs in this process here (Python 3.7): there is no helper")
        self.assertIs(first.transport._helper, second.transport._helper)

    def test_a_crashed_helper_settles_everything_and_reload_starts_a_new_one(self) -> None:
        panel = self.panel(FORM)
        if panel.backend != "cef-host":
            self.skipTest("CEF runs in this process here (Python 3.7): there is no helper to crash")
        helper = panel.transport._helper
        outcome, channel = self.wait_on_page(panel)
        os.kill(helper.process.pid, signal.SIGKILL)
        self.expect_settled_and_reload(panel, helper, outcome, channel)

    def test_a_crash_that_x_tells_before_the_pipe_still_settles_everything(self) -> None:
        # X can tell of the helper's end (its window gone, and Tk destroys the panel's
        # container with it) before the pipe's end or the exit reach the app. Here both are
        # held back until the container is gone.
        panel = self.panel(FORM)
        if panel.backend != "cef-host":
            self.skipTest("CEF runs in this process here (Python 3.7): there is no helper to crash")
        helper, holder = panel.transport._helper, panel.transport._holder
        self.root.tk.deletefilehandler(helper._reader.fd)
        helper._exited = lambda: None  # what the exit-watching thread calls
        outcome, channel = self.wait_on_page(panel)
        os.kill(helper.process.pid, signal.SIGKILL)
        self.wait_for(lambda: not holder.winfo_exists(), "X to end the helper's window and Tk the container")
        self.assertFalse(outcome, "nothing settled before the app heard of the helper's end")
        del helper._exited
        self.root.tk.createfilehandler(helper._reader.fd, tk.READABLE, helper._readable)
        self.expect_settled_and_reload(panel, helper, outcome, channel)

    def wait_on_page(self, panel: Any) -> Tuple[List[Any], Any]:
        """An invoke the page never answers and an open channel: what the helper's end
        must settle."""
        pending = panel.invoke("never-answered")
        channel = panel.create_channel("stream")
        outcome: List[Any] = []
        pending.add_done_callback(outcome.append)
        return outcome, channel

    def expect_settled_and_reload(self, panel: Any, helper: Any, outcome: List[Any], channel: Any) -> None:
        self.wait_for(lambda: outcome and channel.closed, "the pending invoke and the channel to settle",
                      then=lambda: helper_report(helper, panel.transport))
        self.assertIsInstance(outcome[0].exception(), PageGone)
        self.assertIn("helper", channel.close_reason)
        self.assertTrue(any("helper" in str(error) for error in self.ipc_errors))
        pongs = self.collect(panel, "pong")
        panel.reload()
        self.wait_for(lambda: panel.connected, "a new helper and the page again", 30)
        panel.emit("ping", "after the crash")
        self.wait_for(lambda: pongs, "the page to answer again")
        self.assertIsNot(panel.transport._helper, helper)


@CEF_ONLY
class GpuProcess(EngineTestCase):
    def test_without_direct_rendering_chromium_draws_with_swiftshader_and_its_gpu_process_stays_small(self) -> None:
        # Mesa's software rasterizer held 0.3-1.7 GB for a second in 1 GPU-process start of 10.
        if os.environ.get("CRAFT_TK_CEF_GL") or direct_rendering(self.root):
            self.skipTest("GL can draw on a GPU here, or CRAFT_TK_CEF_GL chooses: not craft_tk's choice to test")
        panel = self.panel('<html><body style="margin:0; background:#ff00aa"><canvas id="c"></canvas><script>'
                           'craft.ready.then(function () { craft.send("webgl", !!document.getElementById("c")'
                           '.getContext("webgl")); });</script></body></html>', connect=False)
        webgl = self.collect(panel, "webgl")
        self.wait_for(lambda: webgl, "the page to try WebGL")
        # The panel's own: a cef-host helper of an earlier class may still be ending.
        chromium = panel.transport._helper.process.pid if panel.backend == "cef-host" else os.getpid()
        gpu = [pid for pid in descendants(chromium) if b"--type=gpu-process" in cmdline(pid)]
        self.assertEqual(len(gpu), 1, "one GPU process in the tree")
        words = cmdline(gpu[0]).replace(b"\0", b" ").split()  # Chromium retitles its processes
        self.assertIn(b"--use-gl=swiftshader", words)
        self.assertEqual(webgl, [True], "WebGL still works")
        self.assertLess(status_value(gpu[0], "RssAnon") / 1024, 200, "MB of anonymous memory in the GPU process")
        left, top = panel.winfo_rootx(), panel.winfo_rooty()
        self.wait_for(lambda: screenshot_pixel(left + 50, top + 200) == "#ff00aa", "the page to paint")


if __name__ == "__main__":
    unittest.main()
