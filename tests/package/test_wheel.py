"""The wheel and sdist, installed like any library: in a fresh environment, run from a
folder outside the checkout, with the page-side files read from the installed package."""

import os
import sys
import tarfile
import textwrap
import unittest
import zipfile

from .support import TOP, built, fresh_venv, inside, outside_env, python37, run_outside

# An app as a user writes it: a page that sends an event and invokes Python; it prints
# what crossed, and where craft.js came from.
APP = textwrap.dedent("""
    import sys, tkinter as tk
    import craft_tk
    from craft_tk import jsbridge

    root = tk.Tk()
    panel = craft_tk.WebPanel(root, backend=sys.argv[1], width=400, height=300, html='''<p>installed</p>
      <script>craft.send('hello', 'from the page');
      craft.invoke('add', 2, 3).then(function (sum) { craft.send('sum', sum); });</script>''')
    panel.pack()
    panel.handle('add', lambda a, b: a + b)
    panel.on('hello', lambda text: print('hello:', text, flush=True))
    panel.on_ipc_error(lambda error: print('ipc error:', error, flush=True))

    @panel.on('sum')
    def done(total):
        print('sum:', total, flush=True)
        root.after(100, root.destroy)

    root.after(30000, root.destroy)
    print('backend:', panel.backend, flush=True)
    print('bridge from:', jsbridge.__file__, flush=True)
    root.mainloop()
""")


class BuiltDistributions(unittest.TestCase):
    def test_the_wheel_holds_the_page_side_inside_craft_tk_and_no_other_top_level_name(self) -> None:
        with zipfile.ZipFile(built()["wheel"]) as wheel:
            names = wheel.namelist()
        tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
        self.assertEqual(tops, {"craft_tk"})
        for shipped in ("craft_tk/jsbridge/craft/api.js", "craft_tk/jsbridge/tkhtml-dom.js",
                        "craft_tk/jsbridge/tkhtml-runner.js", "craft_tk/jsbridge/craft.d.ts", "craft_tk/py.typed"):
            self.assertIn(shipped, names)

    def test_the_sdist_builds_a_wheel_of_the_same_files(self) -> None:
        with tarfile.open(built()["sdist"]) as sdist:
            members = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
        with zipfile.ZipFile(built()["wheel"]) as wheel:
            for name in wheel.namelist():
                if not name.split("/")[0].endswith(".dist-info"):
                    self.assertIn(name, members)


class InstalledApps(unittest.TestCase):
    def run_app(self, python: str, backend: str) -> str:
        script = os.path.join(os.path.dirname(python), "app.py")
        with open(script, "w") as out:
            out.write(APP)
        run = run_outside(self, [python, script, backend], outside_env({"CRAFT_TK_CEF_CACHE": os.path.dirname(script)}))
        self.assertEqual(run.returncode, 0, run.stdout)
        return run.stdout

    def assert_crossed(self, output: str, backend: str, venv_python: str) -> None:
        self.assertIn("backend: " + backend, output)
        self.assertIn("hello: from the page", output)
        self.assertIn("sum: 5", output)
        self.assertNotIn("ipc error", output)
        bridge = output.split("bridge from: ", 1)[1].splitlines()[0]
        self.assertTrue(inside(bridge, os.path.dirname(os.path.dirname(venv_python))), bridge)
        self.assertFalse(inside(bridge, TOP), bridge)

    def test_tkhtml_from_the_wheel(self) -> None:
        python = fresh_venv(self, sys.executable, ["{wheel}[tkhtml]"])
        self.assert_crossed(self.run_app(python, "tkhtml"), "tkhtml", python)

    def test_cef_in_process_from_the_wheel_on_python_37(self) -> None:
        python = fresh_venv(self, python37(), ["{wheel}[cef]"])
        self.assert_crossed(self.run_app(python, "cef"), "cef", python)
