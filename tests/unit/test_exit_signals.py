"""``craft_tk run``'s exit on signals, in child processes driving a Tcl interpreter with
``update()`` (no display): the exit is raised in the app's code, never lost inside a Tk
callback, and a tracer already set survives; an app outside Tk exits at once; a second
signal ends the app at once. (``mainloop()`` apps, on every engine: tests/test_hot_reload.py.)"""

import os
import signal
import subprocess
import sys
import textwrap
import time
import unittest
from typing import List

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRELUDE = """\
import atexit, os, sys, time, tkinter
from craft_tk._exit_signals import exit_cleanly_on
exit_cleanly_on()
atexit.register(lambda: print('ended cleanly', flush=True))
"""


def start(body: str) -> "subprocess.Popen[str]":
    env = dict(os.environ, PYTHONPATH=TOP)
    env.pop("DISPLAY", None)
    return subprocess.Popen([sys.executable, "-c", PRELUDE + textwrap.dedent(body)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True)


def terminate_when_ready(process: "subprocess.Popen[str]", signum: int = signal.SIGTERM) -> List[str]:
    lines = []
    while "ready" not in lines:
        line = process.stdout.readline()
        if not line:
            raise AssertionError("the child ended before it was ready: {}".format(lines))
        lines.append(line.strip())
    time.sleep(0.3)
    process.send_signal(signum)
    out, _ = process.communicate(timeout=20)
    return lines + out.splitlines()


class ExitSignals(unittest.TestCase):
    def test_a_signal_inside_a_tk_callback_run_by_update_ends_the_app_from_its_own_code(self) -> None:
        child = start("""
            def tracer(frame, event, arg):  # a debugger's or a profiler's, say
                return None
            sys.settrace(tracer)
            atexit.register(lambda: print('tracer kept', sys.gettrace() is tracer, flush=True))
            tcl = tkinter.Tcl()
            tkinter._default_root = tcl  # as Tk() does
            def busy():  # the app's time is spent in Tk callbacks: the signal lands in one
                time.sleep(0.05)
                tcl.after(1, busy)
            busy()
            print('ready', flush=True)
            while True:
                tcl.update()
            """)
        lines = terminate_when_ready(child)
        self.assertEqual(child.returncode, 143, lines)
        self.assertEqual(lines[-2:], ["tracer kept True", "ended cleanly"])

    def test_ctrl_c_in_an_app_outside_tk_ends_it_at_once(self) -> None:
        child = start("""
            print('ready', flush=True)
            while True:
                time.sleep(0.01)
            """)
        lines = terminate_when_ready(child, signal.SIGINT)
        self.assertEqual((child.returncode, lines[-1]), (130, "ended cleanly"), lines)

    def test_a_second_signal_ends_an_app_stuck_in_its_exit_at_once(self) -> None:
        child = start("""
            atexit.register(lambda: time.sleep(60))
            print('ready', flush=True)
            while True:
                time.sleep(0.01)
            """)
        lines = []
        while "ready" not in lines:
            lines.append(child.stdout.readline().strip())
        child.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        started = time.monotonic()
        child.send_signal(signal.SIGTERM)
        child.communicate(timeout=20)
        self.assertEqual(child.returncode, -signal.SIGTERM)
        self.assertLess(time.monotonic() - started, 10, "not the 60 s of its exit")


if __name__ == "__main__":
    unittest.main()
