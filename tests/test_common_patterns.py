"""The seed's common patterns through real X input: menus and shortcuts, native context
menus, and files dropped from another X client (see tests/xdnd.py)."""

import os
import shutil
import subprocess
import tempfile
import tkinter as tk
from typing import Any, Dict, List, Tuple

import craft_tk
from craft_tk import SEPARATOR, MenuItem, Submenu

from .support import EngineTestCase, HttpServer
from .xdnd import drag_files_in_thread, drag_in_thread


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool"] + list(args), check=True)


def mapped_menus(widget: tk.Misc, kind: str = "normal") -> List[str]:
    """The Tk menus on screen of type ``kind`` (Tk shows clones of a menubar's menus)."""
    call, found = widget.tk.call, []

    def walk(path: str) -> None:
        for child in widget.tk.splitlist(call("winfo", "children", path)):
            if (call("winfo", "class", child) == "Menu" and int(call("winfo", "ismapped", child))
                    and str(call(child, "cget", "-type")) == kind):
                found.append(str(child))
            walk(str(child))

    walk(".")
    return found


def entry_point(widget: tk.Misc, menu: str, index: int) -> Tuple[int, int]:
    """The root coordinates of the middle of entry ``index`` of mapped ``menu``."""
    call = widget.tk.call
    top = int(call(menu, "yposition", index))
    last = int(call(menu, "index", "end"))
    bottom = int(call(menu, "yposition", index + 1)) if index < last else int(call("winfo", "height", menu))
    return int(call("winfo", "rootx", menu)) + 30, int(call("winfo", "rooty", menu)) + (top + bottom) // 2


class PatternCase(EngineTestCase):
    geometry = "600x400+0+0"

    def setUp(self) -> None:
        super().setUp()
        self.root.configure(menu="")
        self.addCleanup(lambda: self.root.configure(menu=""))

    def open_menubar_menu(self) -> None:
        """Open the first menu of the window's menubar with a real click."""
        self.root.lift()
        self.pump(0.5)
        bar = self.wait_for(lambda: mapped_menus(self.root, "menubar"), "the menubar")[0]
        xdotool("mousemove", str(int(self.root.tk.call("winfo", "rootx", bar)) + 15),
                str(int(self.root.tk.call("winfo", "rooty", bar)) + 8), "click", "1")

    def choose_from_posted_menu(self, index: int) -> None:
        menu = self.wait_for(lambda: mapped_menus(self.root), "a menu on screen")[-1]
        x, y = entry_point(self.root, menu, index)
        xdotool("mousemove", str(x), str(y))
        self.wait_for(lambda: str(self.root.tk.call(menu, "index", "active")) == str(index), "the entry highlighted")
        xdotool("click", "1")

    def click_page(self, panel: craft_tk.WebPanel, x: int = 60, y: int = 25, button: str = "1") -> None:
        self.root.lift()
        self.pump(0.3)
        xdotool("mousemove", str(panel.winfo_rootx() + x), str(panel.winfo_rooty() + y), "click", button)

    def focus_page(self, panel: craft_tk.WebPanel) -> None:
        """Click into PAGE's field; return once it has the focus."""
        focused = self.collect(panel, "page-focus")
        self.click_page(panel)
        self.wait_for(lambda: "field" in focused, "the page's field to take the focus")

    def click_tk(self, widget: tk.Widget) -> None:
        """Click into ``widget``; return once Tk gives it the focus."""
        xdotool("mousemove", str(widget.winfo_rootx() + 20), str(widget.winfo_rooty() + 5), "click", "1")
        self.wait_for(lambda: str(self.root.tk.call("focus")) == str(widget), "the Tk widget to take the focus")


PAGE = """<html><body style="margin:0">
  <input id="field" style="position:absolute; left:10px; top:10px; width:200px; height:30px">
  <script>
    var keys = [];
    document.addEventListener('focus', function (e) { craft.send('page-focus', e.target.id); }, true);
    document.addEventListener('keydown', function (e) {
      if (e.ctrlKey && e.key.length === 1) { craft.send('page-key', 'Ctrl+' + e.key.toUpperCase()); }
    });
    craft.handle('menu:save-file', function () { craft.send('page-saved', true); return 'saved'; });
    craft.send('loaded', document.readyState);
  </script>
</body></html>"""


class Menus(PatternCase):
    def test_a_clicked_item_runs_the_native_handler_or_else_the_pages(self) -> None:
        panel = self.panel(PAGE)
        opened: List[str] = []
        panel.handle("menu:new-file", lambda: opened.append("new"))
        page_saved = self.collect(panel, "page-saved")
        panel.set_menu([Submenu("File", [MenuItem("New", "new-file", accelerator="Ctrl+N"), SEPARATOR,
                                         MenuItem("Save", "save-file", accelerator="Ctrl+S")])])
        self.open_menubar_menu()
        self.choose_from_posted_menu(0)
        self.wait_for(lambda: opened, "the native handler of menu:new-file")
        self.open_menubar_menu()
        self.choose_from_posted_menu(2)
        self.wait_for(lambda: page_saved, "the page's handler of menu:save-file")
        self.assertEqual(opened, ["new"])
        self.assertEqual(self.ipc_errors, [])

    def test_an_item_nobody_handles_is_reported(self) -> None:
        panel = self.panel(PAGE)
        menu = panel.set_menu([Submenu("Edit", [MenuItem("Frobnicate", "frobnicate")])])
        menu.choose("frobnicate")
        self.wait_for(lambda: self.ipc_errors, "the report")
        self.assertIn("menu:frobnicate", str(self.ipc_errors[0]))

    def test_enabled_and_checked_follow_the_shared_state_both_ways(self) -> None:
        state = craft_tk.create_shared_state({"doc": {"dirty": False}, "settings": {"wrap": False}})
        panel = self.panel(PAGE, state=state)
        saves: List[bool] = []
        panel.handle("menu:save", lambda: saves.append(True))
        menu = panel.set_menu([Submenu("File", [MenuItem("Save", "save", accelerator="Ctrl+S", enabled="doc.dirty"),
                                                MenuItem("Word wrap", "wrap", checked="settings.wrap")])])
        self.assertFalse(menu.item("save").enabled)
        panel.run_js("craft.state.doc.dirty = true;")
        self.wait_for(lambda: menu.item("save").enabled, "the item to follow the page's write")
        seen = self.collect(panel, "wrap")
        watching = self.collect(panel, "watching")
        panel.run_js("craft.watchState('settings.wrap', function (on) { craft.send('wrap', on); });"
                     "craft.send('watching', true);")
        self.wait_for(lambda: watching, "the page's watcher")
        menu.choose("wrap")
        self.assertIs(state.get("settings.wrap"), True)
        self.assertTrue(menu.item("wrap").checked)
        self.wait_for(lambda: seen, "the page's view of the state")
        self.assertEqual(seen, [True])
        state.set("doc.dirty", False)
        menu.choose("save")
        self.assertEqual(saves, [], "a disabled item does nothing")
        menu.item("save").label = "Save now"
        self.assertEqual(menu.item("save").label, "Save now")


    def test_radio_items_follow_the_shared_state_and_a_click_sets_it(self) -> None:
        state = craft_tk.create_shared_state({"view": {"theme": "light"}})
        panel = self.panel(PAGE, state=state)
        chosen: List[str] = []
        panel.handle("menu:dark", lambda: chosen.append("dark"))
        menu = panel.set_menu([Submenu("View", [MenuItem("Light", "light", radio="view.theme"),
                                                MenuItem("Dark", "dark", radio="view.theme"),
                                                MenuItem("Sepia", "sepia", radio="view.theme", value="warm")])])
        marked = lambda: [name for name in ("light", "dark", "sepia") if menu.item(name).checked]
        self.assertEqual(marked(), ["light"])
        panel.run_js("craft.state.view.theme = 'warm';")
        self.wait_for(lambda: marked() == ["sepia"], "the marks to follow the page's write")
        seen = self.collect(panel, "theme")
        watching = self.collect(panel, "watching")
        panel.run_js("craft.watchState('view.theme', function (theme) { craft.send('theme', theme); });"
                     "craft.send('watching', true);")
        self.wait_for(lambda: watching, "the page's watcher")
        self.open_menubar_menu()
        self.choose_from_posted_menu(1)
        self.wait_for(lambda: chosen, "the native handler of menu:dark")
        self.assertEqual((state.get("view.theme"), marked()), ("dark", ["dark"]))
        self.wait_for(lambda: seen, "the page's view of the state")
        self.assertEqual(seen, ["dark"])
        self.open_menubar_menu()
        self.choose_from_posted_menu(0)  # Light: no handler anywhere, the state is its action
        self.wait_for(lambda: seen == ["dark", "light"], "the page's view of the second choice")
        self.assertEqual((state.get("view.theme"), marked()), ("light", ["light"]))
        menu.item("sepia").checked = True  # from code: it writes the state, which the marks follow
        self.assertEqual((state.get("view.theme"), marked()), ("warm", ["sepia"]))
        with self.assertRaisesRegex(ValueError, "unmarked by marking another"):
            menu.item("sepia").checked = False
        state.set("view.theme", "none of them")
        self.assertEqual(marked(), [])
        self.pump(0.3)
        self.assertEqual(self.ipc_errors, [], "no item is reported for having no handler")


class Shortcuts(PatternCase):
    def test_an_accelerator_fires_once_from_the_page_and_from_a_tk_entry(self) -> None:
        entry = tk.Entry(self.root)
        entry.pack(side="bottom", fill="x")
        panel = self.panel(PAGE)
        saves: List[bool] = []
        panel.handle("menu:save-file", lambda: saves.append(True))
        page_keys = self.collect(panel, "page-key")
        panel.set_menu([Submenu("File", [MenuItem("Save", "save-file", accelerator="Ctrl+S")])])
        self.focus_page(panel)
        xdotool("key", "ctrl+s")
        self.wait_for(lambda: saves, "Ctrl+S typed in the page")
        xdotool("key", "ctrl+b")
        self.wait_for(lambda: page_keys, "an unbound chord to reach the page")
        self.assertEqual(page_keys, ["Ctrl+B"], "the page never sees the app's Ctrl+S")
        self.click_tk(entry)
        xdotool("key", "ctrl+s")
        self.wait_for(lambda: len(saves) == 2, "Ctrl+S typed in the Tk entry")
        self.pump(0.5)
        self.assertEqual(len(saves), 2, "each press fires once")
        self.assertEqual(page_keys, ["Ctrl+B"])

    def test_a_shortcut_runs_before_the_focused_tk_widget_acts_on_the_key(self) -> None:
        text = tk.Text(self.root, height=3)
        text.pack(side="bottom", fill="x")
        panel = self.panel(PAGE)
        opened: List[bool] = []
        panel.add_shortcut("Ctrl+O", lambda: opened.append(True))  # Tk's Text inserts a line on Ctrl+O
        self.root.lift()
        self.pump(0.3)
        self.click_tk(text)
        xdotool("type", "--delay", "30", "ab")
        xdotool("key", "ctrl+o")
        self.wait_for(lambda: opened, "the shortcut")
        self.pump(0.3)
        self.assertEqual(text.get("1.0", "end-1c"), "ab", "the Text did not see Ctrl+O")

    def test_browser_keys_do_nothing(self) -> None:
        panel = self.panel(PAGE, connect=False)
        loads = self.collect(panel, "loaded")
        self.wait_for(lambda: loads, "the page's first load")
        self.focus_page(panel)
        for key in ("F5", "ctrl+r", "ctrl+shift+r"):
            xdotool("key", key)
        self.pump(1.5)
        self.assertEqual(len(loads), 1, "no reload")
        self.assertTrue(panel.connected)

    def test_add_shortcut_runs_a_function_or_a_menu_id(self) -> None:
        panel = self.panel(PAGE)
        pressed: List[str] = []
        page_saved = self.collect(panel, "page-saved")
        remove = panel.add_shortcut("Ctrl+K", lambda: pressed.append("k"))
        panel.add_shortcut("Ctrl+Shift+S", "save-file")
        self.focus_page(panel)
        xdotool("key", "ctrl+k")
        xdotool("key", "ctrl+shift+s")
        self.wait_for(lambda: pressed and page_saved, "both shortcuts")
        remove()
        xdotool("key", "ctrl+k")
        self.pump(0.5)
        self.assertEqual(pressed, ["k"])


CONTEXT_PAGE = """<html><body style="margin:0; height:100%">
  <div id="area" style="position:absolute; left:0; top:0; width:400px; height:300px">area</div>
  <script>
    craft.handle('ping', function () { return 1; });
    craft.on('open', function () {
      craft.contextMenu([{id: 'cut', label: 'Cut'}, '-', {id: 'paste', label: 'Paste'},
                         {label: 'More', items: [{id: 'deep', label: 'Deep'}]}])
        .then(function (id) { craft.send('chosen', id); });
    });
    craft.on('open-radio', function () {
      craft.contextMenu([{id: 'narrow', label: 'Narrow', radio: true},
                         {id: 'wide', label: 'Wide', radio: true, checked: true}])
        .then(function (id) { craft.send('chosen', id); });
    });
  </script>
</body></html>"""


class ContextMenus(PatternCase):
    def test_the_page_opens_a_native_menu_and_learns_the_choice_or_the_dismissal(self) -> None:
        panel = self.panel(CONTEXT_PAGE)
        chosen = self.collect(panel, "chosen")
        self.root.lift()
        x, y = panel.winfo_rootx() + 50, panel.winfo_rooty() + 50
        xdotool("mousemove", str(x), str(y))
        self.wait_for(lambda: self.root.winfo_pointerxy() == (x, y), "the pointer where the menu will open")
        panel.emit("open")
        self.choose_from_posted_menu(2)
        self.wait_for(lambda: chosen, "the choice")
        self.assertEqual(chosen, ["paste"])
        panel.emit("open")
        menu = self.wait_for(lambda: mapped_menus(self.root), "the menu again")[-1]
        self.wait_for(lambda: str(self.root.tk.call("grab", "status", menu)) == "global", "the menu's pointer grab")
        xdotool("mousemove", str(panel.winfo_rootx() + 500), str(panel.winfo_rooty() + 350), "click", "1")
        self.wait_for(lambda: len(chosen) == 2, "the dismissal")
        self.assertEqual(chosen[1], None)

    def test_the_pages_menu_draws_radio_items_marked_as_the_page_says(self) -> None:
        panel = self.panel(CONTEXT_PAGE)
        chosen = self.collect(panel, "chosen")
        self.root.lift()
        panel.emit("open-radio")
        menu = self.wait_for(lambda: mapped_menus(self.root), "the menu")[-1]
        call = self.root.tk.call
        self.assertEqual([str(call(menu, "type", index)) for index in (0, 1)], ["radiobutton", "radiobutton"])
        variable = str(call(menu, "entrycget", 0, "-variable"))
        self.assertEqual(str(call("set", variable)), str(call(menu, "entrycget", 1, "-value")), "'wide' marked")
        self.choose_from_posted_menu(0)
        self.wait_for(lambda: chosen, "the choice")
        self.assertEqual(chosen, ["narrow"])

    def test_a_right_click_opens_the_panels_menu(self) -> None:
        panel = self.panel(CONTEXT_PAGE)
        reloaded: List[bool] = []
        panel.handle("menu:reload-data", lambda: reloaded.append(True))
        panel.set_context_menu([MenuItem("Reload data", "reload-data")])
        self.wait_for(panel.invoke("ping").done, "the page to take the panel's menu")  # after set_context_menu's event
        self.click_page(panel, 100, 100, button="3")
        self.choose_from_posted_menu(0)
        self.wait_for(lambda: reloaded, "the item's native handler")


DROP_PAGE = """<html><body style="margin:0">
  <div id="zone" style="position:absolute; left:0; top:0; width:300px; height:200px; background:#ddd">drop here</div>
  <div id="other" style="position:absolute; left:320px; top:0; width:200px; height:200px">other</div>
  <script>
    document.addEventListener('dragenter', (e) => craft.send('hover', ['enter', e.target.id]));
    document.addEventListener('dragleave', (e) => craft.send('hover', ['leave', e.target.id]));
    document.addEventListener('dragover', (e) => e.preventDefault());
    // The seed's snippet, as it is:
    document.addEventListener('drop', (e) => {
      e.preventDefault()
      const files = Array.from(e.dataTransfer.files).map((f) => f.path)
      window.craft.send('files-dropped', { files })
    })
    document.addEventListener('drop', (e) => craft.send('drop-details', [e.target.id, e.clientX, e.clientY,
      Array.from(e.dataTransfer.files).map((f) => [f.name, f.size])]));
    document.addEventListener('drop', (e) => craft.send('drop-strings', [Array.from(e.dataTransfer.types),
      e.dataTransfer.getData('text'), e.dataTransfer.getData('URL'), e.dataTransfer.files.length]));
  </script>
</body></html>"""


class Drops(PatternCase):
    def make_files(self, *names: str) -> List[str]:
        folder = tempfile.mkdtemp(prefix="craft-drop ")
        self.addCleanup(shutil.rmtree, folder, True)
        paths = []
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "w", encoding="utf-8") as out:
                out.write("content of " + name)
            paths.append(path)
        return paths

    def drag(self, panel: craft_tk.WebPanel, paths: List[str], points: List[Tuple[int, int]], drop: bool = True) -> Any:
        self.root.lift()
        self.pump(0.3)
        left, top = panel.winfo_rootx(), panel.winfo_rooty()
        done = drag_files_in_thread(paths, [(left + x, top + y) for x, y in points], drop=drop)
        self.wait_for(done.done, "the drag to end", 20)
        return done.result()

    def test_files_from_another_client_reach_the_seeds_snippet_with_their_paths(self) -> None:
        panel = self.panel(DROP_PAGE)
        paths = self.make_files("my notes.txt", "résumé ü.txt")
        dropped, details = self.collect(panel, "files-dropped"), self.collect(panel, "drop-details")
        hover = self.collect(panel, "hover")
        native: List[craft_tk.Drop] = []
        panel.on_drop(native.append)
        self.drag(panel, paths, [(400, 50), (150, 60), (160, 80)])
        self.wait_for(lambda: dropped and details and native, "the drop in the page and natively")
        self.assertEqual(dropped, [{"files": paths}])
        self.assertEqual(details[0][0:3], ["zone", 160, 80])
        self.assertEqual(details[0][3], [[os.path.basename(path), os.path.getsize(path)] for path in paths])
        self.assertEqual(hover[:3], [["enter", "other"], ["leave", "other"], ["enter", "zone"]])
        self.assertEqual(native[0].paths, paths)
        self.assertEqual((native[0].x, native[0].y, native[0].target, native[0].handled), (160, 80, "zone", True))
        self.assertEqual(self.ipc_errors, [])

    def test_many_files_at_once_and_a_drag_that_leaves(self) -> None:
        panel = self.panel(DROP_PAGE)
        paths = self.make_files(*["file {:03}.txt".format(n) for n in range(120)])
        dropped, hover = self.collect(panel, "files-dropped"), self.collect(panel, "hover")
        self.drag(panel, paths[:1], [(100, 50), (110, 60)], drop=False)
        self.wait_for(lambda: ["leave", "zone"] in hover, "dragleave")
        self.drag(panel, paths, [(100, 50), (120, 70)])
        self.wait_for(lambda: dropped, "the drop")
        self.assertEqual(dropped[0]["files"], paths)

    def test_a_page_at_another_origin_gets_files_without_paths(self) -> None:
        server = HttpServer(self, {"drop.html": DROP_PAGE})
        panel = self.panel("<p>start</p>", allowed_origins=[server.origin])
        panel.load_url(server.origin + "/drop.html")
        # Allowed, but not loaded by the app itself: as if a link of its own page led there.
        panel._dispatcher.policy.loaded.discard(server.origin)
        self.wait_for(lambda: panel.connected and panel._dispatcher.page_url.startswith(server.origin), "the page")
        dropped, details = self.collect(panel, "files-dropped"), self.collect(panel, "drop-details")
        paths = self.make_files("secret.txt")
        self.drag(panel, paths, [(100, 50), (110, 60)])
        self.wait_for(lambda: dropped and details, "the drop")
        self.assertEqual(dropped, [{"files": [None]}], "no path for another origin")
        self.assertEqual(details[0][3], [["secret.txt", os.path.getsize(paths[0])]])

    def drag_data(self, panel: craft_tk.WebPanel, data: Dict[str, bytes]) -> None:
        self.root.lift()
        self.pump(0.3)
        left, top = panel.winfo_rootx(), panel.winfo_rooty()
        done = drag_in_thread(data, [(left + 100, top + 50), (left + 110, top + 60)])
        self.wait_for(done.done, "the drag to end", 20)
        self.assertEqual(done.result(), "copy")

    def test_text_and_links_from_a_browser_reach_the_page_as_it_would_read_them(self) -> None:
        panel = self.panel(DROP_PAGE)
        strings, dropped = self.collect(panel, "drop-strings"), self.collect(panel, "files-dropped")
        native: List[craft_tk.Drop] = []
        panel.on_drop(native.append)
        self.drag_data(panel, {"text/plain;charset=utf-8": "a line of text, é ü \u2713".encode("utf-8")})
        self.wait_for(lambda: strings and native, "the text in the page and natively")
        self.assertEqual(strings[0], [["text/plain"], "a line of text, é ü \u2713", "", 0])
        self.assertEqual((native[0].paths, native[0].urls, native[0].text), ([], (), "a line of text, é ü \u2713"))
        link = "https://example.com/a%20page?q=1#top"  # as a browser offers a link: the URI, and it as text
        self.drag_data(panel, {"text/uri-list": (link + "\r\n").encode("ascii"),
                               "text/plain;charset=utf-8": link.encode("ascii")})
        self.wait_for(lambda: len(strings) == 2 and len(native) == 2, "the link")
        self.assertEqual(strings[1], [["text/uri-list", "text/plain"], link, link, 0])
        self.assertEqual((native[1].paths, native[1].urls, native[1].text), ([], (link,), None))
        self.assertEqual(dropped, [{"files": []}, {"files": []}], "no file was dropped")
        self.assertEqual(self.ipc_errors, [])

    def test_a_drop_while_the_page_loads_arrives_once_it_is_connected(self) -> None:
        panel = self.panel(DROP_PAGE)
        dropped = self.collect(panel, "files-dropped")
        paths = self.make_files("late.txt")
        slow = DROP_PAGE.replace("<script>", "<script>var until = Date.now() + 1500; while (Date.now() < until) {}\n", 1)
        panel.load_html(slow)
        self.wait_for(lambda: not panel.connected, "the page to start loading")
        self.drag(panel, paths, [(100, 50), (110, 60)])
        self.wait_for(lambda: dropped, "the drop after the load", 30)
        self.assertEqual(dropped, [{"files": paths}])
