"""What a user reads: help() on the main classes, and a README that stands on its own."""

import os
import pydoc
import unittest

import craft_tk

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Help(unittest.TestCase):
    def test_help_shows_the_parameters_and_the_ipc_methods_before_tk(self) -> None:
        for cls in (craft_tk.WebPanel, craft_tk.CraftWindow):
            text = pydoc.render_doc(cls, renderer=pydoc.plaintext)
            tk_part = text.index("Methods inherited from tkinter.")
            for method in ("on(self", "handle(self", "invoke(self", "emit(self", "create_channel(self"):
                self.assertLess(text.index(method), tk_part, "{} of {}".format(method, cls.__name__))
            self.assertNotIn("Construct a frame widget", text[:tk_part])
            self.assertNotIn("Construct a toplevel widget", text[:tk_part])


class Readme(unittest.TestCase):
    def test_the_readme_names_no_file_outside_the_repository(self) -> None:
        with open(os.path.join(TOP, "README.md"), encoding="utf-8") as handle:
            readme = handle.read()
        self.assertNotIn("ipc-communication.md", readme)
        self.assertNotIn("the seed", readme.lower())

    def test_the_launcher_speaks_the_readmes_words(self) -> None:
        from examples.__main__ import examples

        for name, summary in examples():
            self.assertNotIn("seed", summary.lower(), name)
