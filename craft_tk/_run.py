"""``python -m craft_tk run app.py [--reload] [ARGS...]``: run a craft_tk app.

SIGTERM and Ctrl+C end the app as ``sys.exit()`` would (``_exit_signals``). With
``--reload``, the app runs in a child process with ``CRAFT_TK_WATCH=1`` (its panels
reload when their local page files change, keeping the shared state) and is restarted
when a ``.py`` file in its folder changes. An app that exits by itself ends the command
with its exit status; one that fails waits for the next change.
"""

import argparse
import os
import runpy
import subprocess
import sys
import threading
from typing import List, Optional

from ._exit_signals import exit_cleanly_on

__all__ = ["main"]

STOP_GRACE_S = 3.0


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m craft_tk run")
    parser.add_argument("--reload", action="store_true",
                        help="reload pages when their files change, restart the app when its .py files change")
    parser.add_argument("app", help="the app's script")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="passed to the app")
    if "--reload" in argv[1:2]:  # `run app.py --reload`, as well as `run --reload app.py`
        argv = ["--reload", argv[0]] + argv[2:]
    options = parser.parse_args(argv)
    if not os.path.isfile(options.app):
        parser.error("no such file: {}".format(options.app))
    if not options.reload:
        exit_cleanly_on()
        sys.argv = [options.app] + options.args
        _put_app_folder_first(options.app)
        runpy.run_path(options.app, run_name="__main__")
        return 0
    return _Supervisor(options.app, options.args).run()


def _put_app_folder_first(app: str) -> None:
    """``sys.path`` as ``python app.py`` makes it: the app's folder first, in place of
    the current directory that ``python -m`` put there."""
    folder = os.path.dirname(os.path.abspath(app))
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.getcwd():
        sys.path[0] = folder
    else:
        sys.path.insert(0, folder)


class _Supervisor:
    """Runs the app in a child process, again after each change of its Python files."""

    def __init__(self, app: str, args: List[str]) -> None:
        self.app = [app] + args
        self.command = [sys.executable, "-m", "craft_tk", "run"] + self.app  # which ends on SIGTERM cleanly
        self.folder = os.path.dirname(os.path.abspath(app))
        self.env = dict(os.environ, CRAFT_TK_WATCH="1")
        self.changed = threading.Event()
        self.child: Optional["subprocess.Popen[bytes]"] = None

    def run(self) -> int:
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            raise SystemExit("run --reload needs watchdog: pip install watchdog (or 'craft_tk[watch]')") from None

        changed = self.changed

        class Handler(FileSystemEventHandler):  # type: ignore[misc]
            def on_any_event(self, event: object) -> None:
                paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
                if getattr(event, "event_type", "") not in ("opened", "closed", "closed_no_write") and \
                        any(str(path).endswith(".py") for path in paths):
                    changed.set()

        observer = Observer()
        observer.schedule(Handler(), self.folder, recursive=True)
        observer.start()
        try:
            return self._loop()
        except KeyboardInterrupt:
            return 130
        finally:
            self._stop_child()
            observer.stop()

    def _loop(self) -> int:
        while True:
            self.changed.clear()
            print("craft_tk run: starting {}".format(" ".join(self.app)), file=sys.stderr, flush=True)
            self.child = subprocess.Popen(self.command, env=self.env)
            while not self.changed.wait(0.2):
                status = self.child.poll()
                if status == 0:
                    return 0
                if status is not None:
                    print("craft_tk run: the app exited with status {}; waiting for a change to restart it"
                          .format(status), file=sys.stderr, flush=True)
                    self.changed.wait()
                    break
            self._quiet_for(0.2)  # let an editor finish saving
            print("craft_tk run: a Python file changed; restarting", file=sys.stderr, flush=True)
            self._stop_child()

    def _quiet_for(self, seconds: float) -> None:
        """Wait until no Python file has changed for ``seconds``."""
        while True:
            self.changed.clear()
            if not self.changed.wait(seconds):
                return

    def _stop_child(self) -> None:
        child, self.child = self.child, None
        if child is None or child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
