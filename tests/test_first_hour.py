"""A new user's first hour: what the page says is seen, CEF leaves no files behind and
prints nothing, ``backend="auto"`` is predictable, and ``connected`` tells the truth."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from typing import Any, Dict, List, Optional, Sequence

import craft_tk
from craft_tk import BackendUnavailable, PageError, load_backend

from .support import ENGINE, EngineTestCase, engine_problem

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CEF_ONLY = unittest.skipUnless(ENGINE == "cef", "CEF's own files, processes and log lines (Tkhtml has none)")
TKHTML_CONSOLE_PENDING = unittest.skipIf(ENGINE == "tkhtml", "Tkhtml: PythonMonkey gives no hook for unhandled "
                                                                "promise rejections (it prints them itself)")
SUBPROCESS_TIMEOUT_S = 120  # a CEF app starting on a loaded 2-core machine


def page_errors(errors: List[craft_tk.IpcError]) -> List[PageError]:
    return [error for error in errors if isinstance(error, PageError)]


class PageConsoleAndErrors(EngineTestCase):
    def test_an_uncaught_error_in_a_page_script_is_a_page_error_saying_where(self) -> None:
        self.panel("<p>page</p><script>notDefinedAnywhere();</script>", connect=False)
        error = self.wait_for(lambda: page_errors(self.ipc_errors), "the page's error to reach on_ipc_error")[0]
        self.assertIn("ReferenceError", str(error))
        self.assertIn("notDefinedAnywhere", str(error))
        self.assertTrue(error.source, "where the error happened")
        if ENGINE == "cef":  # Tkhtml's scripts have no line numbers
            self.assertIsInstance(error.line, int)

    @TKHTML_CONSOLE_PENDING
    def test_an_unhandled_rejection_is_a_page_error(self) -> None:
        self.panel("<script>Promise.reject(new Error('nope'));</script>", connect=False)
        error = self.wait_for(lambda: page_errors(self.ipc_errors), "the rejection to reach on_ipc_error")[0]
        self.assertEqual(str(error), "unhandled rejection: nope")

    def test_console_output_reaches_the_page_logger_at_its_level(self) -> None:
        said = [("INFO", "hello"), ("WARNING", "careful"), ("ERROR", "broken")]
        with self.assertLogs("craft_tk.page", "INFO") as logs:
            self.panel("<script>console.log('hello'); console.warn('careful'); console.error('broken');</script>")

            def heard() -> List[Any]:
                return [(record.levelname, record.getMessage().split(" (")[0]) for record in logs.records]

            self.wait_for(lambda: all(line in heard() for line in said), "the page's console lines in the log")
        self.assertEqual([line for line in heard() if line in said], said)


class ForgottenMainloop(EngineTestCase):
    def test_messages_never_sent_are_named_at_exit(self) -> None:
        app = ("import tkinter as tk, sys, craft_tk\n"
               "root = tk.Tk()\n"
               "panel = craft_tk.WebPanel(root, html='<p>x</p>', backend=sys.argv[1])\n"
               "panel.emit('lost', 1)\n")  # and no mainloop()
        result = subprocess.run([sys.executable, "-c", app, ENGINE], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, timeout=SUBPROCESS_TIMEOUT_S)
        self.assertIn("never sent: did the app run mainloop()?", result.stderr)


class ConnectedIsHonest(EngineTestCase):
    def test_a_new_panel_connects_only_once_tk_has_run(self) -> None:
        panel = self.panel("<p>page</p>", connect=False)  # made and packed; Tk's loop not run
        self.assertFalse(panel.connected, "connected before Tk's loop ran")
        self.wait_for(lambda: panel.connected, "the page to connect")

    def test_a_new_load_disconnects_until_tk_has_run_and_keeps_the_page_order(self) -> None:
        panel = self.panel("<p>first</p>")
        said = self.collect(panel, "said")
        panel.load_html("<script>craft.send('said', 1); craft.send('said', 2);</script>")
        self.assertFalse(panel.connected, "connected to the new page before Tk's loop ran")
        self.wait_for(lambda: panel.connected and len(said) == 2, "the new page to connect and speak")
        self.assertEqual(said, [1, 2])


@CEF_ONLY
class QuietCef(unittest.TestCase):
    """A CEF app run in a fresh working directory: nothing left there, no Chromium lines."""

    APP = textwrap.dedent("""\
        import tkinter as tk
        import craft_tk
        root = tk.Tk()
        page = ("<p>page</p><script>console.log('said by the page');"
                "requestAnimationFrame(function () {"
                "  requestAnimationFrame(function () { craft.send('painted'); }); });</script>")
        panel = craft_tk.WebPanel(root, html=page, backend="cef")
        panel.pack(fill="both", expand=True)
        panel.on("painted", lambda _: (print("painted on", panel.backend, flush=True), root.destroy()))
        root.mainloop()
        """)

    def setUp(self) -> None:
        problem = engine_problem()
        if problem:
            self.skipTest(problem)
        self.workdir = tempfile.mkdtemp(prefix="craft-first-hour-")
        self.cache = tempfile.mkdtemp(prefix="craft-cef-cache-")
        self.addCleanup(shutil.rmtree, self.workdir, True)
        self.addCleanup(shutil.rmtree, self.cache, True)

    def test_the_working_directory_stays_empty_and_chromium_prints_nothing(self) -> None:
        env = dict(os.environ, CRAFT_TK_CEF_CACHE=self.cache,
                   PYTHONPATH=TOP + os.pathsep + os.environ.get("PYTHONPATH", ""))
        run = subprocess.run([sys.executable, "-c", self.APP], cwd=self.workdir, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True, timeout=SUBPROCESS_TIMEOUT_S)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("painted on cef", run.stdout)
        self.assertEqual(os.listdir(self.workdir), [], "CEF's files belong in its cache directory")
        self.assertNotEqual(os.listdir(self.cache), [], "CEF's files went to CRAFT_TK_CEF_CACHE")
        self.assertNotIn("InitializeSandbox", run.stderr)
        self.assertNotIn("said by the page", run.stderr, "console lines go to the logger (INFO: not shown)")
        chromium_lines = [line for line in run.stderr.splitlines() if line.startswith("[") and ":ERROR:" in line]
        self.assertEqual(chromium_lines, [])


class CefCacheDirectory(unittest.TestCase):
    def test_it_is_per_user_and_the_variable_overrides_it(self) -> None:
        from craft_tk.backends._cef_python import cef_cache_dir

        home = os.path.expanduser("~")
        self.assertEqual(cef_cache_dir({}), os.path.join(home, ".cache", "craft_tk", "cef"))
        self.assertEqual(cef_cache_dir({"XDG_CACHE_HOME": "/x/cache"}), "/x/cache/craft_tk/cef")
        self.assertEqual(cef_cache_dir({"XDG_CACHE_HOME": "/x/cache", "CRAFT_TK_CEF_CACHE": "/y/cef"}), "/y/cef")


# -- backend="auto" ----------------------------------------------------------------------

CHOOSE = textwrap.dedent("""\
    import json, logging, sys
    name, blocked = sys.argv[1], sys.argv[2:]

    class Block:  # makes an engine's packages unimportable, as on a machine without them
        def find_spec(self, fullname, path=None, target=None):
            if fullname.split(".")[0] in blocked:
                raise ImportError("No module named " + repr(fullname))
            return None

    sys.meta_path.insert(0, Block())
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("craft_tk").addHandler(handler)
    logging.getLogger("craft_tk").setLevel(logging.INFO)
    from craft_tk import BackendUnavailable, load_backend
    try:
        names, error = [load_backend(name).name, load_backend(name).name], None
    except BackendUnavailable as failure:
        names, error = [], str(failure)
    log = [record.getMessage() for record in records if record.name == "craft_tk"]
    print(json.dumps({"names": names, "error": error, "log": log}))
    """)


def choose(name: str = "auto", blocked: Sequence[str] = (), **variables: Optional[str]) -> Dict[str, Any]:
    """What ``load_backend(name)``, called twice, does in a new process with this Python,
    the packages ``blocked`` unimportable and the environment ``variables`` (None: unset)."""
    env = dict(os.environ, PYTHONPATH=TOP + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for variable_name in ("CRAFT_TK_BACKEND", "CRAFT_CEF_PYTHON"):
        env.pop(variable_name, None)
    env.update({key: value for key, value in variables.items() if value is not None})
    run = subprocess.run([sys.executable, "-c", CHOOSE, name] + list(blocked), env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True, timeout=SUBPROCESS_TIMEOUT_S)
    if run.returncode != 0:
        raise AssertionError(run.stderr)
    return json.loads(run.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def helper_python() -> Optional[str]:
    """A Python 3.7 with cefpython3 for the helper, if this machine has one."""
    from craft_tk.backends._cef_python import find_helper_python

    try:
        return find_helper_python()
    except BackendUnavailable:
        return None


THIS_PYTHON = "Python {}.{}".format(*sys.version_info[:2])
ON_37 = sys.version_info[:2] == (3, 7)


class AutoBackend(unittest.TestCase):
    def test_cef_in_process_comes_first(self) -> None:
        if not ON_37:
            self.skipTest("cefpython3 imports on Python 3.7 only")
        outcome = choose(CRAFT_CEF_PYTHON=sys.executable)
        self.assertEqual(outcome["names"], ["cef", "cef"])
        self.assertEqual(outcome["log"], ["auto chose cef: cefpython3 imports on " + THIS_PYTHON])

    def test_then_tkhtml_even_with_a_cef_helper_at_hand(self) -> None:
        if ON_37:
            self.skipTest("Tkhtml needs Python >= 3.8")
        outcome = choose(CRAFT_CEF_PYTHON=helper_python() or "/no/such/python")
        self.assertEqual(outcome["names"], ["tkhtml", "tkhtml"])
        self.assertEqual(len(outcome["log"]), 1, "the choice is logged once per process")
        self.assertTrue(outcome["log"][0].startswith("auto chose tkhtml: cefpython3 not importable on "
                                                     + THIS_PYTHON), outcome["log"])

    def test_then_cef_in_a_helper_process(self) -> None:
        python = helper_python()
        if ON_37 or python is None:
            self.skipTest("needs a Python other than 3.7, and a Python 3.7 with cefpython3 for the helper")
        outcome = choose(blocked=["pythonmonkey", "tkinterweb"], CRAFT_CEF_PYTHON=python)
        self.assertEqual(outcome["names"], ["cef-host", "cef-host"])
        self.assertIn("auto chose cef-host", outcome["log"][0])
        self.assertIn(python, outcome["log"][0])

    def test_the_environment_variable_decides_first(self) -> None:
        outcome = choose(CRAFT_TK_BACKEND="loopback")
        self.assertEqual(outcome["names"], ["loopback", "loopback"])
        self.assertEqual(outcome["log"], ["auto chose loopback: CRAFT_TK_BACKEND is 'loopback'"])

    def test_a_cef_python_variable_pointing_at_nothing_is_an_error_when_the_helper_is_needed(self) -> None:
        if ON_37:
            self.skipTest("CEF runs in process on Python 3.7: the helper is never needed")
        outcome = choose(blocked=["pythonmonkey", "tkinterweb"], CRAFT_CEF_PYTHON="/no/such/python3.7")
        self.assertEqual(outcome["names"], [])
        self.assertIn("CRAFT_CEF_PYTHON", outcome["error"])
        self.assertIn("/no/such/python3.7", outcome["error"])

    def test_a_cef_python_without_cefpython3_is_an_error_naming_it(self) -> None:
        if ON_37:
            self.skipTest("CEF runs in process on Python 3.7: the helper is never needed")
        outcome = choose("cef", CRAFT_CEF_PYTHON=sys.executable)  # this Python has no cefpython3
        self.assertEqual(outcome["names"], [])
        self.assertIn("CRAFT_CEF_PYTHON", outcome["error"])
        self.assertIn(sys.executable, outcome["error"])
        self.assertIn("cefpython3", outcome["error"])

    def test_a_misspelt_name_gets_a_suggestion(self) -> None:
        with self.assertRaisesRegex(ValueError, "did you mean 'tkhtml'"):
            load_backend("tkhmtl")
        with variable("CRAFT_TK_BACKEND", "loopbak"):
            with self.assertRaisesRegex(ValueError, "CRAFT_TK_BACKEND.*did you mean 'loopback'"):
                load_backend("auto")


class variable:
    """Set (or unset, with None) one environment variable for a block. Only that one:
    cefpython3 adds LD_LIBRARY_PATH to os.environ, which CEF still needs afterwards."""

    def __init__(self, name: str, value: Optional[str]) -> None:
        self.name, self.value = name, value

    def __enter__(self) -> None:
        self.saved = os.environ.pop(self.name, None)
        if self.value is not None:
            os.environ[self.name] = self.value

    def __exit__(self, *_: Any) -> None:
        os.environ.pop(self.name, None)
        if self.saved is not None:
            os.environ[self.name] = self.saved


if __name__ == "__main__":
    unittest.main()
