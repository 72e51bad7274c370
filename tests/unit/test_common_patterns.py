"""The pure parts of menus, shortcuts and drops: key chords from apps, Tk and CEF; menus a
page asks for; what a dropped file tells the page; whose page gets paths."""

import os
import re
import shutil
import tempfile
import tkinter
import unittest
from types import SimpleNamespace

from craft_tk import jsbridge
from craft_tk import SEPARATOR, MenuItem, Submenu
from craft_tk._dispatcher import BUILTIN_PREFIX
from craft_tk._drops import Dropped, describe_files, drop_strings, read_drop
from craft_tk._keys import chord, chord_from_cef, chord_from_tk, menu_label
from craft_tk._menus import menu_items_from_page
from craft_tk._security import OriginPolicy


class Chords(unittest.TestCase):
    def test_what_apps_write_has_one_spelling(self) -> None:
        cases = {"ctrl+s": "Ctrl+S", "Control-Shift-z": "Ctrl+Shift+Z", "CmdOrCtrl+O": "Ctrl+O", "F5": "F5",
                 "alt+left": "Alt+Left", "Ctrl+=": "Ctrl+Equal", "Ctrl++": "Ctrl+Plus", "Ctrl+-": "Ctrl+Minus",
                 "Ctrl+Shift+Plus": "Ctrl+Plus", "shift+alt+ctrl+k": "Ctrl+Alt+Shift+K", "Esc": "Escape"}
        for written, canonical in cases.items():
            self.assertEqual(chord(written), canonical, written)
        self.assertEqual(menu_label("Ctrl+Plus"), "Ctrl++")

    def test_unclear_accelerators_are_refused_with_the_reason(self) -> None:
        for bad, reason in (("Hyper+S", "unknown modifier"), ("Ctrl+Banana", "unknown key"), ("Ctrl+", "no key")):
            with self.assertRaisesRegex(ValueError, reason):
                chord(bad)

    def test_tk_and_cef_key_presses_read_as_the_same_chords(self) -> None:
        tk_presses = [("s", 0x4, "Ctrl+S"), ("S", 0x5, "Ctrl+Shift+S"), ("F5", 0, "F5"), ("plus", 0x5, "Ctrl+Plus"),
                      ("Left", 0x8, "Alt+Left"), ("Control_L", 0x4, None), ("KP_1", 0x4, "Ctrl+1")]
        for keysym, state, expected in tk_presses:
            self.assertEqual(chord_from_tk(SimpleNamespace(keysym=keysym, state=state)), expected, keysym)
        cef_presses = [(0x53, 1 << 2, "Ctrl+S"), (0x53, (1 << 2) | (1 << 1), "Ctrl+Shift+S"), (0x74, 0, "F5"),
                       (0xBB, (1 << 2) | (1 << 1), "Ctrl+Plus"), (0xBB, 1 << 2, "Ctrl+Equal"),
                       (0x25, 1 << 3, "Alt+Left"), (0x11, 1 << 2, None)]
        for code, flags, expected in cef_presses:
            self.assertEqual(chord_from_cef({"type": 0, "windows_key_code": code, "modifiers": flags}), expected)
        self.assertIsNone(chord_from_cef({"type": 3, "windows_key_code": 0x53, "modifiers": 1 << 2}), "a char event")


class PageMenus(unittest.TestCase):
    def test_items_a_page_asks_for(self) -> None:
        made = menu_items_from_page([{"id": "cut", "label": "Cut"}, "-",
                                     {"label": "More", "items": [{"id": "deep", "label": "Deep", "checked": True}]}])
        self.assertEqual(made, [MenuItem("Cut", "cut"), SEPARATOR,
                                Submenu("More", [MenuItem("Deep", "deep", checked=True)])])

    def test_radio_items_a_page_asks_for_follow_only_checked(self) -> None:
        made = menu_items_from_page([{"id": "a", "label": "A", "radio": True},
                                     {"id": "b", "label": "B", "radio": True, "checked": True}])
        self.assertEqual(made, [MenuItem("A", "a", checked=False, radio=""), MenuItem("B", "b", checked=True, radio="")])

    def test_what_does_not_fit_is_named(self) -> None:
        for items, reason in (([], "non-empty list"), ([{"label": "x"}], "needs a string id"),
                              ([{"id": "x"}], "string label"), ("cut", "non-empty list")):
            with self.assertRaisesRegex(ValueError, reason):
                menu_items_from_page(items)


class DroppedFiles(unittest.TestCase):
    def test_the_page_learns_name_size_type_and_the_path_only_when_allowed(self) -> None:
        folder = tempfile.mkdtemp(prefix="craft-test-")
        self.addCleanup(shutil.rmtree, folder, True)
        path = os.path.join(folder, "résumé ü.txt")
        with open(path, "w", encoding="utf-8") as out:
            out.write("ü")
        with_path, without = describe_files([path], True)[0], describe_files([path], False)[0]
        self.assertEqual((with_path["name"], with_path["size"], with_path["type"], with_path["path"]),
                         ("résumé ü.txt", 2, "text/plain", path))
        self.assertNotIn("path", without)
        self.assertEqual(describe_files(["/no/such/file"], True)[0]["size"], 0)

    def test_a_drop_is_sorted_into_local_files_urls_and_text(self) -> None:
        tcl = tkinter.Tcl()  # tkdnd's data is a Tcl list: what its xdnd::normalise_data leaves of a text/uri-list
        items = ["/tmp/a b.txt", "localhost/etc/hosts", "https://example.com/a%20b", "mailto:a@b.example",
                 "sftp://host/p", "a", "comment", "host/share/x", ""]
        data = tcl.eval("list " + " ".join("{" + item + "}" for item in items))
        self.assertEqual(read_drop(tcl, data, "text/uri-list"),
                         Dropped(["/tmp/a b.txt", "/etc/hosts"], ["https://example.com/a%20b", "mailto:a@b.example",
                                                                  "sftp://host/p"], None))
        self.assertEqual(read_drop(tcl, "{unbalanced", "text/uri-list"), Dropped([], [], "{unbalanced"), "text after all")
        self.assertEqual(read_drop(tcl, "hello world", "text/uri-list"), Dropped([], [], "hello world"))
        self.assertEqual(read_drop(tcl, "{a} $b [c]", "text/plain;charset=utf-8"), Dropped([], [], "{a} $b [c]"))

    def test_links_and_text_read_as_a_browsers_page_reads_them(self) -> None:
        self.assertEqual(drop_strings(Dropped([], ["https://a.example/x", "ftp://b.example/y"], None)),
                         {"text/uri-list": "https://a.example/x\r\nftp://b.example/y", "text/plain": "https://a.example/x"})
        self.assertEqual(drop_strings(Dropped([], [], "some text")), {"text/plain": "some text"})
        self.assertEqual(drop_strings(Dropped(["/tmp/f"], [], None)), {}, "files: craft.js makes their strings")

    def test_only_the_apps_own_content_gets_paths(self) -> None:
        policy = OriginPolicy(["https://allowed.example"])
        policy.add("http://127.0.0.1:8000/app.html")
        self.assertTrue(policy.own_content("file:///tmp/page.html"))
        self.assertTrue(policy.own_content("about:blank"))
        self.assertTrue(policy.own_content("http://127.0.0.1:8000/other.html"))
        self.assertFalse(policy.own_content("https://allowed.example/page"), "allowed is not the app's own")
        self.assertFalse(policy.own_content("https://elsewhere.example/"))


class SharedNames(unittest.TestCase):
    def test_craft_js_reserves_the_same_prefix_for_builtins(self) -> None:
        found = re.search(r"var BUILTIN = '([^']+)';", jsbridge.bridge_source())
        assert found is not None
        self.assertEqual(found.group(1), BUILTIN_PREFIX)


if __name__ == "__main__":
    unittest.main()
