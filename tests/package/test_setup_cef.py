"""``python -m craft_tk setup-cef`` from an installed wheel: it makes the Python 3.7 helper
environment, after which an app of that install, run outside the checkout with no
CRAFT_CEF_PYTHON, runs CEF in the helper; a second run is quick; doctor agrees."""

import json
import os
import sys
import shutil
import tempfile
import textwrap
import time
import unittest

from .support import fresh_venv, outside_env, python37, run_outside

SETUP_TIMEOUT_S = 1200  # pip downloads cefpython3 (about 70 MB) when it is not cached
APP_TIMEOUT_S = 180  # CEF starting in a helper on a loaded 2-core machine
# A page that sends a message and invokes a Python handler; the app prints what crossed,
# and which helper ran it, as one JSON line.
APP = textwrap.dedent("""\
    import json, tkinter as tk, craft_tk
    root = tk.Tk()
    page = ("<script>craft.send('greet', {text: 'hello from the page'});"
            "craft.invoke('add', 2, 3).then(function (sum) { craft.send('sum', sum); });</script>")
    panel = craft_tk.WebPanel(root, html=page, backend="cef")
    panel.pack(fill="both", expand=True)
    heard = {}
    panel.on("greet", lambda data: heard.update(greet=data["text"]))
    panel.handle("add", lambda a, b: a + b)

    def done(total):
        from craft_tk.backends import _cef_host
        heard.update(sum=total, backend=panel.backend, python=_cef_host._PYTHON, path=_cef_host._HELPER.path,
                     found_by=_cef_host._HELPER.found_by, craft_tk=craft_tk.__file__)
        print(json.dumps(heard), flush=True)
        root.destroy()

    panel.on("sum", done)
    root.after(150000, lambda: (print("no answer from the page", flush=True), root.destroy()))
    root.mainloop()
    """)


class SetupCef(unittest.TestCase):
    def setUp(self) -> None:
        self.python37 = python37()  # skipped without one, a failure in CI
        self.cache = tempfile.mkdtemp(prefix="craft-setup-cef-cache-")
        self.addCleanup(shutil.rmtree, self.cache, True)
        self.env = outside_env({"XDG_CACHE_HOME": self.cache, "CRAFT_PY37": self.python37})

    def test_setup_cef_lets_an_installed_app_run_cef_in_a_helper(self) -> None:
        python = fresh_venv(self, sys.executable, ["{wheel}"])  # no tkhtml: "auto" would be cef-host too

        before = run_outside(self, [python, "-c", "import craft_tk; craft_tk.load_backend('cef')"], self.env)
        self.assertNotEqual(before.returncode, 0, before.stdout)
        self.assertIn("-m craft_tk setup-cef", before.stdout, "the error says what to run")

        started = time.monotonic()
        first = run_outside(self, [python, "-m", "craft_tk", "setup-cef"], self.env, timeout=SETUP_TIMEOUT_S)
        first_s = time.monotonic() - started
        self.assertEqual(first.returncode, 0, first.stdout)
        self.assertIn("setup-cef: ready: ", first.stdout)
        with open(os.path.join(self.cache, "craft_tk", "cef-helper.json")) as handle:
            record = json.load(handle)
        helper_dir = os.path.join(self.cache, "craft_tk", "cef-helper")
        self.assertEqual(record["python"], os.path.join(helper_dir, "bin", "python"))
        self.assertEqual(record["pythonpath"], os.path.join(helper_dir, "pythonpath"))
        self.assertEqual(record["cefpython3"], "66.0")
        copied = os.path.join(record["pythonpath"], "craft_tk")
        self.assertTrue(os.path.isfile(os.path.join(copied, "jsbridge", "craft", "api.js")), "real files copied")
        self.assertFalse(os.path.islink(os.path.join(copied, "jsbridge")))

        app = run_outside(self, [python, "-c", APP], self.env, timeout=APP_TIMEOUT_S)
        self.assertEqual(app.returncode, 0, app.stdout)
        heard = json.loads(app.stdout.strip().splitlines()[-1])
        self.assertEqual(heard["greet"], "hello from the page")
        self.assertEqual(heard["sum"], 5)
        self.assertEqual(heard["backend"], "cef-host")
        self.assertEqual((heard["python"], heard["path"], heard["found_by"]),
                         (record["python"], record["pythonpath"], "setup-cef"))
        self.assertTrue(heard["craft_tk"].startswith(os.path.dirname(os.path.dirname(python))),
                        "the app's craft_tk is the installed one")

        started = time.monotonic()
        again = run_outside(self, [python, "-m", "craft_tk", "setup-cef"], self.env, timeout=SETUP_TIMEOUT_S)
        again_s = time.monotonic() - started
        self.assertEqual(again.returncode, 0, again.stdout)
        self.assertIn("ready already, nothing to do", again.stdout)
        self.assertEqual(len(again.stdout.strip().splitlines()), 1, again.stdout)
        self.assertLess(again_s, 30, "a second run does nothing heavy")
        print("\n    setup-cef took {:.1f} s, then {:.1f} s".format(first_s, again_s), file=sys.stderr)

        doctor = run_outside(self, [python, "-m", "craft_tk", "doctor"], self.env)
        self.assertEqual(doctor.returncode, 0, doctor.stdout)
        self.assertRegex(doctor.stdout, r"\n  ok  cef-host .*found through setup-cef's record")
        self.assertIn('backend="auto" chooses cef-host', doctor.stdout)

        # Another craft_tk (here: other files) makes the copy stale: the app is told, and
        # setup-cef refreshes the copy without reinstalling anything.
        with open(os.path.join(copied, "stale.py"), "w") as extra:
            extra.write("")
        record["craft_tk_files"] = "from another craft_tk"
        with open(os.path.join(self.cache, "craft_tk", "cef-helper.json"), "w") as handle:
            json.dump(record, handle)
        stale = run_outside(self, [python, "-c", "import craft_tk; craft_tk.load_backend('cef')"], self.env)
        self.assertNotEqual(stale.returncode, 0, stale.stdout)
        self.assertIn("holds another build of craft_tk", stale.stdout)
        self.assertIn("run setup-cef again", stale.stdout)
        refresh = run_outside(self, [python, "-m", "craft_tk", "setup-cef"], self.env, timeout=SETUP_TIMEOUT_S)
        self.assertEqual(refresh.returncode, 0, refresh.stdout)
        self.assertIn("copied craft_tk", refresh.stdout)
        self.assertNotIn("installing", refresh.stdout)
        self.assertFalse(os.path.exists(os.path.join(copied, "stale.py")))
        fresh = run_outside(self, [python, "-c", "import craft_tk; craft_tk.load_backend('cef')"], self.env)
        self.assertEqual(fresh.returncode, 0, fresh.stdout)

    def test_a_cef_python_of_the_apps_craft_tk_runs_the_helper_and_one_of_another_build_is_refused(self) -> None:
        python = fresh_venv(self, sys.executable, ["{wheel}"])
        helper = fresh_venv(self, self.python37, ["{wheel}[cef]"])  # the app's craft_tk, its own copy
        env = dict(self.env, CRAFT_CEF_PYTHON=helper)

        app = run_outside(self, [python, "-c", APP], env, timeout=APP_TIMEOUT_S)
        self.assertEqual(app.returncode, 0, app.stdout)
        heard = json.loads(app.stdout.strip().splitlines()[-1])
        self.assertEqual((heard["greet"], heard["sum"], heard["backend"]), ("hello from the page", 5, "cef-host"))
        self.assertEqual((heard["python"], heard["path"], heard["found_by"]), (helper, "", "CRAFT_CEF_PYTHON"))

        where = run_outside(self, [helper, "-c", "import craft_tk, os; print(os.path.dirname(craft_tk.__file__))"],
                            env)
        with open(os.path.join(where.stdout.strip(), "_protocol.py"), "a") as changed:
            changed.write("\n# another build of the same version\n")
        refused = run_outside(self, [python, "-c", "import craft_tk; craft_tk.load_backend('cef')"], env)
        self.assertNotEqual(refused.returncode, 0, refused.stdout)
        self.assertIn("CRAFT_CEF_PYTHON is set to {!r}, whose another build of craft_tk".format(helper),
                      refused.stdout)
        self.assertIn("the helper and the app must run the same craft_tk", refused.stdout)

    def test_setup_cef_on_python37_says_cef_runs_in_process(self) -> None:
        python = fresh_venv(self, self.python37, ["{wheel}"])
        run = run_outside(self, [python, "-m", "craft_tk", "setup-cef"], self.env)
        self.assertEqual(run.returncode, 0, run.stdout)
        self.assertIn("CEF runs in process here", run.stdout)
        self.assertIn("pip install 'craft_tk[cef]'", run.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.cache, "craft_tk")), "nothing made")

    def test_setup_cef_without_a_python37_says_how_to_get_one(self) -> None:
        env = dict(self.env, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
        run = run_outside(self, [sys.executable, "-m", "craft_tk", "setup-cef", "--python", "/no/such/python3.7"],
                          env)
        self.assertEqual(run.returncode, 1, run.stdout)
        self.assertIn("setup-cef: passed over: /no/such/python3.7 not a program", run.stdout)
        self.assertIn("setup-cef: error: no Python 3.7 with tkinter found", run.stdout)
        self.assertIn("pyenv install 3.7", run.stdout)
        self.assertIn("uv python install 3.7", run.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.cache, "craft_tk", "cef-helper.json")))


if __name__ == "__main__":
    unittest.main()
