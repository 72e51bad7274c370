"""Native services for the page (``services=[...]``): Tk's dialogs answered by real X input,
the clipboard both ways, the window (calls, events, a close the page may veto, asked the
way a window manager asks), the theme as a class of the page's root element, and refusal
of what a panel did not enable."""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import tkinter as tk
from typing import Any, Callable, List

import craft_tk
from craft_tk import InvokeTimeout, NotAllowed, SharedState
from craft_tk._services import _gtk_theme, system_theme

from .support import ENGINE, SHOTS, EngineTestCase, shoot

PAGE = """<html><head><title>Services</title></head><body><p id="p">services</p><script>
  var seen = {resize: [], move: [], focus: 0, blur: 0};
  craft.window.on('resize', function (size) { seen.resize.push(size); craft.send('resized', size); });
  craft.window.on('move', function (position) { seen.move.push(position); });
  craft.window.on('focus', function () { seen.focus++; craft.send('focus', true); });
  craft.window.on('blur', function () { seen.blur++; craft.send('focus', false); });
</script></body></html>"""

ALL = ["dialogs", "clipboard", "window", "theme"]


class XInput:
    """xdotool driven from a worker thread: a modal Tk dialog runs its own event loop inside
    the test's ``update()``, so whatever answers it must not need the main thread."""

    def __init__(self, test: EngineTestCase) -> None:
        self.errors: List[BaseException] = []
        self.done = threading.Event()
        test.addCleanup(self.check)
        test.addCleanup(self.done.wait, 30)  # first (cleanups run last in, first out)

    def check(self) -> None:
        if self.errors:
            raise AssertionError("answering the dialog failed: {!r}".format(self.errors[0]))

    def answer(self, title: str, *steps: List[str]) -> None:
        """Wait for the window named ``title``, give it the keyboard, run xdotool ``steps``;
        again (up to five times) if the dialog is still up after them (a browser took the
        keyboard back meanwhile), then close it as a window manager would: never hang."""
        def run() -> None:
            window = shown_window(title)
            seen = []
            for _ in range(5):
                subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=10)
                time.sleep(0.3)  # Tk moves its focus into the dialog's entry or default button
                focused_before = x_focus()
                for step in steps:
                    subprocess.run(["xdotool"] + list(step), check=True, timeout=20)
                if not still_up(window, title):
                    return
                seen.append("focus {} before the keys, {} after; visible: {}".format(
                    focused_before, x_focus(), visible_windows()))
            shot = os.path.join(SHOTS, "failed-dialog-{}.png".format(re.sub(r"\W+", "-", title)))
            os.makedirs(SHOTS, exist_ok=True)
            shoot("root", shot)
            self.errors.append(AssertionError("the dialog {!r} (X window {}) did not take the keys; {}; "
                                              "screenshot {}".format(title, window, " | ".join(seen), shot)))
            close_as_a_window_manager(int(window))

        self._in_thread(run, escape_on_error=True)

    def close(self, title: str) -> None:
        """Wait for the window named ``title`` and close it as a window manager would."""
        def run() -> None:
            window = shown_window(title)
            time.sleep(0.3)  # the dialog sets its close handler after it shows
            close_as_a_window_manager(int(window))

        self._in_thread(run)

    def _in_thread(self, work: Callable[[], None], escape_on_error: bool = False) -> None:
        """Run ``work`` on a worker thread; keep its error for ``check`` and, with
        ``escape_on_error``, press Escape so that no modal dialog is left up (the test's
        ``update()`` is inside it)."""
        def run() -> None:
            try:
                work()
            except BaseException as error:
                self.errors.append(error)
                for _ in range(3 if escape_on_error else 0):
                    subprocess.run(["xdotool", "key", "Escape"], timeout=10)
                    time.sleep(0.2)
            finally:
                self.done.set()

        threading.Thread(target=run, daemon=True).start()


def shown_window(title: str) -> str:
    """The X window named ``title``, once it is visible (20 s at most)."""
    found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^{}$".format(re.escape(title))],
                           stdout=subprocess.PIPE, universal_newlines=True, timeout=20, check=True)
    return found.stdout.split()[0]


def x_focus() -> str:
    """The X window with the input focus, and its name (for a failure's message)."""
    return x_name(subprocess.run(["xdotool", "getwindowfocus"], stdout=subprocess.PIPE, universal_newlines=True,
                                 timeout=10).stdout.strip())


def visible_windows() -> str:
    """The named visible X windows (for a failure's message)."""
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "."], stdout=subprocess.PIPE,
                           universal_newlines=True, timeout=10).stdout.split()
    return ", ".join(x_name(window) for window in found)


def x_name(window: str) -> str:
    """X window ``window``'s id and name."""
    return "{} {!r}".format(window, subprocess.run(["xdotool", "getwindowname", window], stdout=subprocess.PIPE,
                                                   stderr=subprocess.DEVNULL, universal_newlines=True,
                                                   timeout=10).stdout.strip())


CLEAR_ENTRY = ["key", "ctrl+a", "ctrl+k"]  # Tk's entry bindings: to the start, then delete to the end


def still_up(window: str, title: str, seconds: float = 3.0) -> bool:
    """Whether X window ``window`` stays visible with ``title`` for ``seconds`` (polled
    often: the next dialog may reuse the window)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        visible = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^{}$".format(re.escape(title))],
                                 stdout=subprocess.PIPE, universal_newlines=True, timeout=10).stdout.split()
        if window not in visible:
            return False
        time.sleep(0.05)
    return True


def close_as_a_window_manager(window_id: int) -> None:
    """Send X window ``window_id`` (or the window above it that speaks WM_PROTOCOLS) a
    WM_DELETE_WINDOW, as a window manager's close button does."""
    from Xlib import X, display as xdisplay
    from Xlib.protocol import event as xevent

    display = xdisplay.Display()
    try:
        protocols = display.intern_atom("WM_PROTOCOLS")
        window = display.create_resource_object("window", window_id)
        while window.get_full_property(protocols, X.AnyPropertyType) is None:  # up to Tk's wrapper
            window = window.query_tree().parent
            if not window or window == display.screen().root:
                raise AssertionError("no window with WM_PROTOCOLS above {}".format(window_id))
        message = xevent.ClientMessage(window=window, client_type=protocols,
                                       data=(32, [display.intern_atom("WM_DELETE_WINDOW"), X.CurrentTime, 0, 0, 0]))
        window.send_event(message, event_mask=X.NoEventMask)
        display.sync()  # a round trip: delivered before this connection closes (else it may be lost)
    finally:
        display.close()


def send_wm_delete_window(toplevel: tk.Misc) -> None:
    """Ask ``toplevel`` to close as a window manager does, from another X client."""
    close_as_a_window_manager(toplevel.winfo_id())


def window_manager_running(widget: tk.Misc) -> bool:
    """Whether a window manager says it runs (EWMH's _NET_SUPPORTING_WM_CHECK)."""
    from Xlib import X, display as xdisplay

    display = xdisplay.Display()
    try:
        check = display.intern_atom("_NET_SUPPORTING_WM_CHECK")
        return display.screen().root.get_full_property(check, X.AnyPropertyType) is not None
    finally:
        display.close()


class ServiceCase(EngineTestCase):
    geometry = "640x480+0+0"

    def value(self, future: Any, what: str = "the page's answer", timeout: float = 30.0) -> Any:
        self.wait_for(future.done, what, timeout)
        return future.result()

    def page_error(self, panel: craft_tk.WebPanel, call: str) -> Any:
        """The error the page's promise ``call`` rejects with, as the page sees it."""
        caught = self.value(panel.evaluate(
            "(%s).then(function () { return null; }, function (e) { return {name: e.name, message: e.message}; })"
            % call))
        self.assertIsNotNone(caught, "{} should have failed".format(call))
        return caught

    def window(self, html: str = PAGE, connect: bool = True, **options: Any) -> craft_tk.CraftWindow:
        options.setdefault("backend", ENGINE)
        options.setdefault("services", ALL)
        options.setdefault("state", SharedState({}))  # the theme service writes its key: not into the app's
        window = craft_tk.create_window(html, master=self.root, width=420, height=300, **options)
        window.geometry("420x300+30+40")
        window.on_ipc_error(self.ipc_errors.append)
        self.wait_for(window.winfo_viewable, "the window on screen")  # a window manager asks only those
        self.wait_for(window.winfo_viewable, "the window on screen")  # a window manager asks only those
        if connect:
            self.wait_for(lambda: window.panel.connected, "the window's page to connect")
        return window

    def temp_dir(self) -> str:
        folder = tempfile.mkdtemp(prefix="craft-services-")
        self.addCleanup(shutil.rmtree, folder, True)
        return folder


class Refusal(ServiceCase):
    def test_a_service_the_panel_did_not_enable_is_refused_saying_how_to_enable_it(self) -> None:
        panel = self.panel(PAGE)
        error = self.page_error(panel, "craft.clipboard.readText()")
        self.assertEqual(error["name"], "NotAllowed")
        self.assertIn("craft.clipboard is not enabled for this panel", error["message"])
        self.assertIn("services=['clipboard']", error["message"])
        self.wait_for(lambda: self.ipc_errors, "the refusal on_ipc_error")
        self.assertIsInstance(self.ipc_errors[-1], NotAllowed)
        self.assertIn("services=['clipboard']", str(self.ipc_errors[-1]))
        error = self.page_error(panel, "craft.window.setTitle('nope')")
        self.assertIn("craft.window is not enabled", error["message"])
        self.assertNotEqual(self.root.title(), "nope")
        self.assertEqual(len(self.ipc_errors), 2)

    def test_enabled_services_work_under_allow_and_the_others_are_still_refused(self) -> None:
        panel = self.panel(PAGE, allow=["app-call"], services=["clipboard"])
        self.assertIsNone(self.value(panel.evaluate("craft.clipboard.writeText('allowed')")))
        self.assertEqual(self.root.clipboard_get(), "allowed")
        error = self.page_error(panel, "craft.dialogs.confirm({message: 'never shown'})")
        self.assertEqual(error["name"], "NotAllowed")
        self.assertIn("craft.dialogs is not enabled", error["message"])

    def test_unknown_services_and_methods(self) -> None:
        with self.assertRaisesRegex(ValueError, "did you mean 'clipboard'"):
            craft_tk.WebPanel(self.root, html="", backend="loopback", services=["clipbaord"], state=SharedState())
        with self.assertRaises(TypeError):
            craft_tk.WebPanel(self.root, html="", backend="loopback", services="dialogs",  # type: ignore[arg-type]
                              state=SharedState())
        panel = self.panel(PAGE, services=["window"])
        error = self.page_error(panel, "craft.invoke('craft:window', 'explode')")
        self.assertEqual(error["name"], "ValueError")
        self.assertIn("no method 'explode'", error["message"])
        error = self.page_error(panel, "craft.window.setSize('wide', 10)")
        self.assertEqual(error["name"], "TypeError")


class Clipboard(ServiceCase):
    def test_native_writes_the_page_reads_and_back(self) -> None:
        panel = self.panel(PAGE, services=["clipboard"])
        self.root.clipboard_clear()
        self.root.clipboard_append("from native: h\u00e9llo \u2713")
        self.assertEqual(self.value(panel.evaluate("craft.clipboard.readText()")), "from native: h\u00e9llo \u2713")
        self.value(panel.evaluate("craft.clipboard.writeText('from the page \u00e0 \u2603')"))
        self.assertEqual(self.root.clipboard_get(), "from the page \u00e0 \u2603")
        self.root.clipboard_clear()
        self.assertEqual(self.value(panel.evaluate("craft.clipboard.readText()")), "")
        self.assertEqual(self.ipc_errors, [])


class Dialogs(ServiceCase):
    def test_save_file_returns_the_path_typed_into_the_dialog(self) -> None:
        folder = self.temp_dir()
        panel = self.panel(PAGE, services=["dialogs"])
        target = os.path.join(folder, "typed report.txt")
        XInput(self).answer("Save the report", CLEAR_ENTRY, ["type", "--delay", "15", target], ["key", "Return"])
        chosen = self.value(panel.evaluate(
            "craft.dialogs.saveFile({title: 'Save the report', filters: [{name: 'Text', extensions: ['txt']}]})"))
        self.assertEqual(chosen, target)
        self.assertEqual(self.ipc_errors, [])

    def test_save_file_with_a_default_name_and_cancel(self) -> None:
        folder = self.temp_dir()
        panel = self.panel(PAGE, services=["dialogs"])
        XInput(self).answer("Save as", ["key", "Return"])
        chosen = self.value(panel.evaluate("craft.dialogs.saveFile({title: 'Save as', defaultName: 'notes.md', "
                                           "directory: %r})" % folder))
        self.assertEqual(chosen, os.path.join(folder, "notes.md"))
        XInput(self).answer("Save as", ["key", "Escape"])
        self.assertIsNone(self.value(panel.evaluate("craft.dialogs.saveFile({title: 'Save as'})")))

    def test_open_file_and_choose_directory(self) -> None:
        folder = self.temp_dir()
        existing = os.path.join(folder, "data.txt")
        with open(existing, "w") as out:
            out.write("x")
        panel = self.panel(PAGE, services=["dialogs"])
        XInput(self).answer("Open data", CLEAR_ENTRY, ["type", "--delay", "15", existing], ["key", "Return"])
        self.assertEqual(self.value(panel.evaluate("craft.dialogs.openFile({title: 'Open data'})")), existing)
        XInput(self).answer("Open several", CLEAR_ENTRY, ["type", "--delay", "15", existing], ["key", "Return"])
        self.assertEqual(self.value(panel.evaluate("craft.dialogs.openFile({title: 'Open several', multiple: true})")),
                         [existing])
        XInput(self).answer("Pick a folder", ["key", "Return"])
        self.assertEqual(self.value(panel.evaluate("craft.dialogs.chooseDirectory({title: 'Pick a folder', "
                                                   "directory: %r})" % folder)), folder)

    def test_file_dialogs_closed_by_the_window_manager_give_null(self) -> None:
        panel = self.panel(PAGE, services=["dialogs"])
        for call in ("openFile({title: 'Closed'})", "openFile({title: 'Closed', multiple: true})",
                     "saveFile({title: 'Closed'})", "chooseDirectory({title: 'Closed'})"):
            XInput(self).close("Closed")
            self.assertIsNone(self.value(panel.evaluate("craft.dialogs." + call)), call)
        self.assertEqual(self.ipc_errors, [])

    def test_confirm_and_message_answered_from_the_keyboard(self) -> None:
        panel = self.panel(PAGE, services=["dialogs"])
        XInput(self).answer("Really?", ["key", "Return"])
        self.assertIs(self.value(panel.evaluate("craft.dialogs.confirm({title: 'Really?', message: 'Go on?'})")), True)
        XInput(self).answer("Really?", ["key", "Escape"])
        self.assertIs(self.value(panel.evaluate("craft.dialogs.confirm({title: 'Really?', message: 'Go on?'})")), False)
        XInput(self).answer("Careful", ["key", "Return"])
        self.assertIsNone(self.value(panel.evaluate(
            "craft.dialogs.message({title: 'Careful', message: 'It is hot', kind: 'warning'})")))
        error = self.page_error(panel, "craft.dialogs.message({title: 'x', message: 'y', kind: 'loud'})")
        self.assertIn("kind must be", error["message"])
        self.assertIn("unknown option 'titel'",
                      self.page_error(panel, "craft.dialogs.confirm({titel: 'x', message: 'y'})")["message"])

    def test_the_ipc_keeps_running_while_a_dialog_is_open(self) -> None:
        panel = self.panel(PAGE, services=["dialogs"])
        panel.handle("ping", lambda n: n + 1)
        confirmed = self.collect(panel, "confirmed")
        answer = XInput(self)
        panel.run_js("var order = [];"
                     "craft.dialogs.confirm({title: 'Busy', message: 'Wait'}).then(function (ok) {"
                     "  order.push('confirmed'); craft.send('confirmed', {ok: ok, order: order}); });"
                     "setTimeout(function () { craft.invoke('ping', 1).then(function (n) { order.push(n); }); }, 300);")
        # The dialog is answered 1.5 s after it shows: the ping crosses while its loop runs.
        answer.answer("Busy", ["sleep", "1.5"], ["key", "Return"])
        self.wait_for(lambda: confirmed, "the confirm to be answered")
        self.assertEqual(confirmed, [{"ok": True, "order": [2, "confirmed"]}])


class Window(ServiceCase):
    def test_title_size_position_and_state_from_the_page(self) -> None:
        window = self.window()
        panel = window.panel
        self.value(panel.evaluate("craft.window.setTitle('Renamed by the page')"))
        self.assertEqual(window.title(), "Renamed by the page")
        self.assertEqual(self.value(panel.evaluate("craft.window.getTitle()")), "Renamed by the page")
        self.assertEqual(self.value(panel.evaluate(
            "craft.window.setSize(510, 333).then(function () { return craft.window.getSize(); })")),
            {"width": 510, "height": 333})
        self.wait_for(lambda: (window.winfo_width(), window.winfo_height()) == (510, 333), "the window to resize")
        self.value(panel.evaluate("craft.window.setPosition(77, 66)"))
        self.wait_for(lambda: (window.winfo_rootx(), window.winfo_rooty()) == (77, 66), "the window to move")
        self.assertEqual(self.value(panel.evaluate("craft.window.getPosition()")), {"x": 77, "y": 66})
        self.value(panel.evaluate("craft.window.minimize()"))
        if window_manager_running(window):  # iconifying is the window manager's work (Xvfb has none)
            self.wait_for(lambda: window.state() == "iconic", "the window to be minimized")
        self.value(panel.evaluate("craft.window.restore()"))
        self.wait_for(lambda: window.state() == "normal" and window.winfo_ismapped(), "the window to be restored")
        managed = window_manager_running(window)  # full screen and maximized are the window manager's work
        self.value(panel.evaluate("craft.window.setFullscreen(true)"))
        if managed:
            self.wait_for(lambda: int(window.attributes("-fullscreen")), "full screen")
        self.value(panel.evaluate("craft.window.setFullscreen(false)"))
        self.wait_for(lambda: not int(window.attributes("-fullscreen")), "full screen to end")
        self.value(panel.evaluate("craft.window.maximize()"))
        if managed:
            self.wait_for(lambda: int(window.attributes("-zoomed")), "the window to be maximized")
        self.value(panel.evaluate("craft.window.restore()"))
        self.wait_for(lambda: window.state() == "normal" and not int(window.attributes("-zoomed")), "restored")
        self.assertEqual(self.ipc_errors, [])

    def test_resize_move_and_focus_reach_the_page(self) -> None:
        focus: List[bool] = []  # from the page's first event on (the window may start focused)
        self.addCleanup(craft_tk.app.on("focus", focus.append))
        window = self.window()
        panel = window.panel
        resized = self.collect(panel, "resized")
        window.geometry("380x260")
        self.wait_for(lambda: {"width": 380, "height": 260} in resized, "the page's resize listener")
        window.geometry("+120+90")
        self.wait_for(lambda: self.value(panel.evaluate(
            "seen.move.length && seen.move[seen.move.length - 1]")) == {"x": 120, "y": 90}, "a move event")
        for size in range(300, 340, 2):  # a drag: coalesced, and the last size always arrives
            window.geometry("{}x250".format(size))
            self.root.update()
        self.wait_for(lambda: resized[-1] == {"width": 338, "height": 250}, "the last size of a burst")
        self.assertLess(len(resized), 15, "a burst of resizes is throttled")
        other = tk.Toplevel(self.root)
        other.geometry("100x80+500+400")
        self.addCleanup(other.destroy)
        self.pump(0.3)
        # The window may have had the focus from the start (no window manager: the pointer
        # decides): take it away first. A forced focus can be lost to what another test left
        # behind: force it until the page hears of it.
        self.wait_for(lambda: (not focus or focus[-1] is False) or other.focus_force(), "the window without the focus")
        self.wait_for(lambda: (focus and focus[-1] is True) or window.focus_force(), "the page to see the window focused")
        self.wait_for(lambda: focus[-1] is False or other.focus_force(), "the page to see the window lose the focus")
        self.value(panel.evaluate("craft.window.focus()"))
        self.wait_for(lambda: focus[-1] is True, "craft.window.focus() to focus it again")

    def test_close_from_the_page(self) -> None:
        window = self.window()
        window.panel.run_js("craft.window.close()")
        self.wait_for(lambda: not window.winfo_exists(), "the window to close")


CLOSE_PAGE = """<html><body><script>
  var allow = false;
  craft.on('allow', function (value) { allow = value; });
  craft.window.onCloseRequested(function () {
    craft.send('asked', allow);
    return new Promise(function (resolve) { setTimeout(function () { resolve(allow); }, 20); });
  });
  // Registered once a service call made after it has come back; said when asked (an event
  // sent at load could come before the test listens).
  var registered = craft.window.getTitle();
  craft.on('registered?', function () { registered.then(function () { craft.send('registered', true); }); });
</script></body></html>"""


class CloseRequest(ServiceCase):
    def test_the_page_vetoes_then_allows_a_close_asked_by_the_window_manager(self) -> None:
        window = self.window(CLOSE_PAGE, connect=False, services=["window"])
        registered = self.collect(window.panel, "registered")
        asked = self.collect(window.panel, "asked")
        window.emit("registered?")
        self.wait_for(lambda: registered, "the page to register its close handler")
        send_wm_delete_window(window)
        self.wait_for(lambda: asked, "the page to be asked")
        self.pump(0.5)
        self.assertTrue(window.winfo_exists(), "the page vetoed: the window stays")
        window.emit("allow", True)
        self.pump(0.1)
        send_wm_delete_window(window)
        self.wait_for(lambda: not window.winfo_exists(), "the window to close once the page allows it")
        self.assertEqual(asked, [False, True])
        self.assertEqual(self.ipc_errors, [])

    def test_without_a_handler_or_a_page_the_window_closes_at_once(self) -> None:
        window = self.window(PAGE, services=["window"])
        send_wm_delete_window(window)
        self.wait_for(lambda: not window.winfo_exists(), "a window whose page did not register to close")
        other = craft_tk.create_window("<p>no services</p>", master=self.root, backend=ENGINE)
        self.wait_for(lambda: other.panel.connected and other.winfo_viewable(), "the page on screen")
        send_wm_delete_window(other)
        self.wait_for(lambda: not other.winfo_exists(), "a window without the service to close")

    def test_a_page_that_never_answers_does_not_keep_the_window_open(self) -> None:
        window = self.window("<script>craft.window.onCloseRequested(function () { return new Promise(function () {}); });"
                             "var registered = craft.window.getTitle();"
                             "craft.on('registered?', function () { registered.then(function () { craft.send('registered', 1); }); });"
                             "</script>", connect=False, services=["window"])
        registered = self.collect(window.panel, "registered")
        window.emit("registered?")
        self.wait_for(lambda: registered, "the page to register its close handler")
        started = time.monotonic()
        send_wm_delete_window(window)
        self.pump(1.0)
        self.assertTrue(window.winfo_exists(), "the page has its time to answer")
        self.wait_for(lambda: not window.winfo_exists(), "the window to close anyway", timeout=10)
        self.assertLess(time.monotonic() - started, 6)
        self.assertTrue(any(isinstance(error, InvokeTimeout) for error in self.ipc_errors), self.ipc_errors)

    def test_a_veto_survives_a_reload_only_if_the_new_page_registers(self) -> None:
        window = self.window(CLOSE_PAGE, connect=False, services=["window"])
        registered = self.collect(window.panel, "registered")
        window.emit("registered?")
        self.wait_for(lambda: registered, "the page to register its close handler")
        loads = self.collect(window.panel, "loaded")
        window.panel.load_html("<p>a page with no close handler</p><script>craft.send('loaded', 1)</script>")
        self.wait_for(lambda: loads and window.panel.connected, "the new page")
        send_wm_delete_window(window)
        self.wait_for(lambda: not window.winfo_exists(), "the window to close: the new page did not ask to veto")


THEME_PAGE = """<html><body><script>
  craft.ready.then(function () { craft.send('theme', [craft.theme, document.documentElement.className]); });
</script></body></html>"""


class Theme(ServiceCase):
    def root_classes(self, panel: craft_tk.WebPanel) -> List[str]:
        return str(self.value(panel.evaluate("document.documentElement.className"))).split()

    def test_the_system_theme_is_a_class_of_the_root_element_that_follows_the_state(self) -> None:
        state = SharedState({})
        panel = self.panel(THEME_PAGE, services=["theme"], state=state)
        system = system_theme(self.root)
        self.assertIn(system, ("light", "dark"))
        self.assertEqual(state.get("theme"), system)
        self.wait_for(lambda: "craft-theme-" + system in self.root_classes(panel), "the theme class")
        self.assertEqual(self.value(panel.evaluate("craft.theme")), system)
        other = "dark" if system == "light" else "light"
        state.theme = other
        self.wait_for(lambda: "craft-theme-" + other in self.root_classes(panel), "the class to follow the state")
        self.assertNotIn("craft-theme-" + system, self.root_classes(panel))
        self.assertEqual(self.value(panel.evaluate("craft.theme")), other)
        self.value(panel.evaluate("craft.state.theme = 'dark', null"))
        self.wait_for(lambda: self.root_classes(panel) == ["craft-theme-dark"], "the page's own write")

    def test_a_theme_the_app_set_stands_and_pages_without_the_service_get_no_class(self) -> None:
        state = SharedState({"theme": "dark"})
        panel = self.panel('<html class="mine"><body>x</body></html>', services=["theme"], state=state)
        self.wait_for(lambda: "craft-theme-dark" in self.root_classes(panel), "the app's theme as a class")
        self.assertIn("mine", self.root_classes(panel), "the page's own classes stay")
        self.assertEqual(state.get("theme"), "dark")
        panel.destroy()
        plain = self.panel("<p>plain</p>", state=SharedState({"theme": "dark"}))
        self.pump(0.3)
        self.assertEqual(self.root_classes(plain), [], "no theme service, no class")
        self.assertEqual(self.value(plain.evaluate("craft.theme")), "dark")

    def test_the_class_is_there_again_after_a_reload(self) -> None:
        state = SharedState({"theme": "dark"})
        panel = self.panel("<p>one</p>", services=["theme"], state=state)
        self.wait_for(lambda: "craft-theme-dark" in self.root_classes(panel), "the theme class")
        loads = self.collect(panel, "loaded")
        panel.load_html("<p>two</p><script>craft.send('loaded', 1)</script>")
        self.wait_for(lambda: loads and panel.connected, "the new page")
        self.wait_for(lambda: "craft-theme-dark" in self.root_classes(panel), "the theme class in the new page")

    def test_detection_can_be_told(self) -> None:
        old = os.environ.get("CRAFT_TK_THEME")
        self.addCleanup(lambda: os.environ.__setitem__("CRAFT_TK_THEME", old) if old is not None
                        else os.environ.pop("CRAFT_TK_THEME", None))
        os.environ["CRAFT_TK_THEME"] = "dark"
        self.assertEqual(system_theme(self.root), "dark")
        os.environ.pop("CRAFT_TK_THEME")
        self.root.option_add("*servicesdark*background", "#202020")
        themed = tk.Frame(tk.Frame(self.root, name="servicesdark"))
        self.root.option_add("*serviceslight*background", "#f0f0f0")
        light = tk.Frame(tk.Frame(self.root, name="serviceslight"))
        if _gtk_theme() is None:  # nothing said by GTK or GNOME here: the option database decides
            self.assertEqual(system_theme(themed), "dark", "a dark option database")
            self.assertEqual(system_theme(light), "light")
