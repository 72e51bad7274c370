"""Helpers for the engine tests: the engine under test, a Tk root per class, waiting.

Tests drive Tk with ``update()`` until what a user would see has happened, or fail
after a deadline; they never sleep blindly and never call ``mainloop()``.
"""

import faulthandler
import functools
import gc
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
import time
import tkinter as tk
import unittest
from typing import Any, Callable, Dict, List, Optional

import craft_tk
from craft_tk import BackendUnavailable, load_backend

ENGINE = os.environ.get("CRAFT_TEST_ENGINE", "auto")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_TIMEOUT_S = 120
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(TOP, ".test-results", "screenshots")  # kept for a person to look at


def shoot(window: str, path: str) -> bool:
    """Save a PNG of X window ``window`` ("root": the whole screen) at ``path``."""
    return subprocess.run(["import", "-silent", "-window", window, path],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def helper_report(helper: Any, transport: Any) -> str:
    """What the app knows of a ``cef-host`` helper, and what the system says of its
    process: for a test that waited in vain for the app to notice the helper's end."""
    try:
        with open("/proc/{}/stat".format(helper.process.pid)) as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        state = "gone"
    return "helper alive {}, exit code {}, process state {}, the panel among its panels {}".format(
        helper.alive, helper.process.returncode, state, transport in helper.panels.values())


def engine_problem() -> Optional[str]:
    """Why the engine under test cannot run here, or None."""
    try:
        load_backend(ENGINE)
    except BackendUnavailable as error:
        return str(error)
    if not os.environ.get("DISPLAY"):
        return "no X display (run the tests through tools/with-display.sh)"
    return None


class EngineTestCase(unittest.TestCase):
    """One withdrawn-free Tk root per class; panels on the engine under test."""

    root: tk.Tk
    geometry = "800x600+0+0"

    @classmethod
    def setUpClass(cls) -> None:
        problem = engine_problem()
        if problem:
            if IN_CI:  # in CI an engine that cannot run is a failure, never a skip
                raise RuntimeError("engine {!r} cannot run: {}".format(ENGINE, problem))
            raise unittest.SkipTest("engine {!r} cannot run: {}".format(ENGINE, problem))
        cls.root = tk.Tk()
        cls.root.geometry(cls.geometry)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.root.destroy()
        # Collect the dead interpreter here: if a worker thread's garbage collection found
        # it later, Tcl would abort ("async handler deleted by the wrong thread").
        del cls.root
        gc.collect()

    def setUp(self) -> None:
        faulthandler.dump_traceback_later(TEST_TIMEOUT_S, exit=True)
        self.ipc_errors: List[craft_tk.IpcError] = []

    def tearDown(self) -> None:
        for child in list(self.root.winfo_children()):
            child.destroy()
        self.pump(0.05)
        faulthandler.cancel_dump_traceback_later()

    # -- helpers --------------------------------------------------------------------------

    def panel(self, html: str, connect: bool = True, **options: Any) -> craft_tk.WebPanel:
        """A packed panel on the engine under test, connected unless asked otherwise."""
        options.setdefault("backend", ENGINE)
        panel = craft_tk.WebPanel(self.root, html=html, **options)
        panel.pack(fill="both", expand=True)
        panel.on_ipc_error(self.ipc_errors.append)
        if connect:
            self.wait_for(lambda: panel.connected, "the page's bridge to connect")
        return panel

    def wait_for(self, condition: Callable[[], Any], what: str, timeout: float = 15.0,
                 then: Optional[Callable[[], str]] = None) -> Any:
        """Pump Tk until ``condition()`` is truthy; fail naming ``what`` after ``timeout``
        (and saying ``then()``: what was seen meanwhile)."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("timed out after {:.0f} s waiting for {}{}".format(
                    timeout, what, "; then: " + then() if then else ""))
            self.root.update()
            time.sleep(0.0005)

    def pump(self, seconds: float) -> None:
        """Let Tk run for ``seconds`` (for checking that something does NOT happen)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.root.update()
            time.sleep(0.001)

    def post_with_secret(self, panel: craft_tk.WebPanel, wire_js: str) -> None:
        """Post a hand-made wire string as the connected page would, with its load's
        secret: ``wire_js`` is a JavaScript expression giving the rest of the wire (a string
        such as ``'{"kind": "event"}'``, or a non-string value posted as is)."""
        secret = panel._dispatcher.secrets.connected
        panel.run_js("(function (rest) {{ __craftHostPost(typeof rest === 'string' ? '[\"{}\",' + rest + ']' : rest); }})"
                     "({});".format(secret, wire_js))

    def collect(self, panel: craft_tk.WebPanel, name: str) -> List[Any]:
        """A list that fills with the data of each page event ``name``."""
        received: List[Any] = []
        panel.on(name, received.append)
        return received


def screenshot_pixel(x: int, y: int) -> str:
    """The colour of screen pixel (x, y) as ``#rrggbb``, read from the X server."""
    out = subprocess.run(
        ["import", "-silent", "-window", "root", "-crop", "1x1+{}+{}".format(x, y), "-depth", "8", "txt:-"],
        check=True, stdout=subprocess.PIPE, universal_newlines=True,
    ).stdout
    return "#" + out.strip().splitlines()[-1].split("#", 1)[1][:6].lower()


class HttpServer:
    """An HTTP server on 127.0.0.1 serving ``pages``, answering ``redirects`` (path ->
    Location) with 302 to GET and 303 to POST, and counting every request it gets."""

    def __init__(self, test: EngineTestCase, pages: Dict[str, str], redirects: Dict[str, str] = None) -> None:
        folder = tempfile.mkdtemp(prefix="craft-www-")
        test.addCleanup(shutil.rmtree, folder, True)
        for name, body in pages.items():
            with open(os.path.join(folder, name), "w") as out:
                out.write(body)
        self.requests: List[str] = []
        requests, redirects = self.requests, dict(redirects or {})

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                if self.path in redirects:
                    self.redirect(302)
                else:
                    super().do_GET()

            def do_POST(self) -> None:
                requests.append("POST " + self.path)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.redirect(303)

            def redirect(self, code: int) -> None:
                self.send_response(code)
                self.send_header("Location", redirects.get(self.path, "/"))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=folder))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        test.addCleanup(self.server.server_close)
        test.addCleanup(self.server.shutdown)
        self.origin = "http://127.0.0.1:{}".format(self.server.server_address[1])
