"""Native services a page may ask for, opt-in per panel (``services=[...]``): dialogs,
the clipboard, its window, and the theme. Built on Tk, so the same on every engine; each is
a craft_tk built-in handler (``craft:<service>``, called as ``[method, ...args]``), refused
unless the panel enabled it.

- ``dialogs``: Tk's file and message dialogs, modal to the panel's toplevel. They run from
  Tk's loop (``after``), never inside the IPC receive path; the page's call settles when
  the user answers, and the IPC keeps running meanwhile.
- ``clipboard``: Tk's clipboard, text only.
- ``window``: the panel's toplevel: title, size, position, state, focus, close. Its
  ``<Configure>``/``<FocusIn>``/``<FocusOut>`` become ``craft:window-resize``/``-move``
  (throttled) and ``craft:window-focus`` events; a page that registers
  ``craft.window.onCloseRequested`` is asked (page built-in ``craft:close-requested``)
  before the toplevel's own WM_DELETE_WINDOW handler runs, and may veto it.
- ``theme``: the system's light/dark preference, as far as Tk can tell, in the shared
  state key ``theme`` (unless the app set one); craft.js mirrors that key as the class
  ``craft-theme-<value>`` of the page's root element.

Native tells each page load which services it has with the page built-in
``craft:services``, an invoke the page never answers: it settles with ``PageGone`` when that
load goes, which is when native tells the next one.
"""

import asyncio
import configparser
import difflib
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import tkinter as tk
from tkinter import filedialog, messagebox
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from ._dispatcher import BUILTIN_PREFIX, Dispatcher
from ._errors import CraftError, InvokeTimeout, NotAllowed, PageGone, PanelClosed

__all__ = ["SERVICES", "check_services", "install_services", "system_theme"]

log = logging.getLogger("craft_tk")

SERVICES = ("dialogs", "clipboard", "window", "theme")
CLOSE_TIMEOUT_S = 3.0  # how long a page may take to answer a close request (longer while it shows a dialog)
WINDOW_EVENT_THROTTLE_MS = 50  # resize and move events: at most one per interval, the latest last
RESIZE_EVENT = "craft:window-resize"
MOVE_EVENT = "craft:window-move"
FOCUS_EVENT = "craft:window-focus"
_GEOMETRY = re.compile(r"^(\d+)x(\d+)([+-]-?\d+)([+-]-?\d+)$")
_THEME_ENV = "CRAFT_TK_THEME"  # "light" or "dark": overrides what the system says
DIALOG_OPTIONS = {
    "openFile": ("title", "filters", "multiple", "directory"),
    "saveFile": ("title", "defaultName", "filters", "directory"),
    "chooseDirectory": ("title", "directory"),
    "message": ("title", "message", "kind"),
    "confirm": ("title", "message", "kind"),
}


def check_services(names: Optional[Sequence[str]]) -> None:
    """``TypeError``/``ValueError`` (with a "did you mean") unless ``names`` is a list of
    known services (or None): a panel can check ``services=`` before it makes anything."""
    if names is None:
        return
    if isinstance(names, str) or not isinstance(names, (list, tuple, set, frozenset)) \
            or not all(isinstance(name, str) for name in names):
        raise TypeError("services= takes a list of service names, such as ['dialogs'], not {!r}".format(names))
    unknown = [name for name in names if name not in SERVICES]
    if unknown:
        close = difflib.get_close_matches(unknown[0], SERVICES, n=1)
        raise ValueError("unknown services {}{}; the services are {}".format(
            unknown, " (did you mean {!r}?)".format(close[0]) if close else "", list(SERVICES)))


def install_services(frame: tk.Misc, dispatcher: Dispatcher, names: Optional[Sequence[str]]) -> None:
    """Give the page of ``frame`` the services ``names``; ``ValueError`` for unknown ones.
    Every service name becomes a built-in handler: those not enabled refuse (NotAllowed)."""
    check_services(names)
    Services(frame, dispatcher, names or ())


class Services:
    """The services of one panel: its built-in handlers, and what they keep."""

    def __init__(self, frame: tk.Misc, dispatcher: Dispatcher, names: Sequence[str]) -> None:
        self.frame = frame
        self.dispatcher = dispatcher
        self.enabled = [name for name in SERVICES if name in names]
        self.toplevel: Union[tk.Tk, tk.Toplevel] = frame.winfo_toplevel()
        self._root: tk.Misc = frame._root()  # type: ignore[attr-defined]  # outlives the panel
        self._closed = False
        self.dialogs_open = 0  # a page asked to close waits while one of its dialogs is open
        self.window: Optional[WindowService] = None
        # Every service name is a built-in, so allow= does not hide the reason of a refusal.
        dispatcher.on("invoke", self._screen)
        calls: Dict[str, Callable[..., Any]] = {"dialogs": self._dialogs, "clipboard": self._clipboard,
                                                "theme": self._theme}
        if "window" in self.enabled:
            self.window = WindowService(self)
            calls["window"] = self.window.call
        for name in SERVICES:
            dispatcher.handle_builtin(name, calls.get(name, self._refused(name)))
        if "theme" in self.enabled and "theme" not in dispatcher.state:
            dispatcher.state.set("theme", system_theme(frame))
        frame.bind("<Destroy>", self._on_destroy, add="+")
        if self.enabled:
            self._tell_page()

    @property
    def alive(self) -> bool:
        return not self._closed

    # -- refusals, and what each page load is told ---------------------------------------------

    def _screen(self, name: str, args: Any, respond: Callable[[Any], None]) -> None:
        """The invoke hook: a service this panel did not enable is refused (NotAllowed)."""
        if isinstance(name, str) and name.startswith(BUILTIN_PREFIX) and name[len(BUILTIN_PREFIX):] in SERVICES:
            service = name[len(BUILTIN_PREFIX):]
            if service not in self.enabled:
                respond({"error": not_enabled(service)})

    @staticmethod
    def _refused(service: str) -> Callable[..., Any]:
        def refuse(*args: Any) -> Any:  # the hook answers first; this is a second lock
            raise NotAllowed(not_enabled(service), BUILTIN_PREFIX + service)

        return refuse

    def _tell_page(self) -> None:
        """Tell the next page load (the current one, if connected) which services it has."""
        try:
            future = self.dispatcher.invoke(BUILTIN_PREFIX + "services", self.enabled, timeout=0)
        except CraftError:
            return  # the panel is closed
        future.add_done_callback(self._page_went)

    def _page_went(self, future: "asyncio.Future[Any]") -> None:
        error = None if future.cancelled() else future.exception()
        if isinstance(error, PageGone) and not self._closed:
            if self.window is not None:
                self.window.page_went()
            self._tell_page()  # the load went: the next one hears it once it connects

    def _on_destroy(self, event: tk.Event) -> None:
        if event.widget is self.frame and not self._closed:
            self._closed = True
            if self.window is not None:
                self.window.close()

    # -- running Tk's modal dialogs from Tk's loop ----------------------------------------------

    def on_tk_loop(self, fn: Callable[..., Any], *args: Any) -> "asyncio.Future[Any]":
        """A future of ``fn(*args)``, run from Tk's loop soon (not inside the caller), as a
        dialog's own event loop must be."""
        future: "asyncio.Future[Any]" = self.dispatcher.driver.loop.create_future()

        def run() -> None:
            if future.done():
                return  # the page gave up meanwhile
            if self._closed:
                future.set_exception(PanelClosed("the panel closed before the dialog opened"))
                return
            self.dialogs_open += 1
            # The keyboard may sit in a browser's own X window (CEF): once the dialog is up,
            # give it what Tk focuses in it.
            self._root.after(200, _force_tk_focus, self._root)
            try:
                value = fn(*args)
            except Exception as error:
                if not future.done():
                    future.set_exception(error)
                return
            finally:
                self.dialogs_open -= 1
            if not future.done():
                future.set_result(value)

        self._root.after(0, run)
        return future

    # -- dialogs ------------------------------------------------------------------------------

    def _dialogs(self, method: Any, options: Any = None) -> Any:
        dialogs: Dict[str, Callable[[Dict[str, Any]], Any]] = {
            "openFile": self._open_file, "saveFile": self._save_file, "chooseDirectory": self._choose_directory,
            "message": self._message, "confirm": self._confirm}
        fn = _method(dialogs, "dialogs", method)
        return self.on_tk_loop(fn, _options(options, "dialogs." + method, DIALOG_OPTIONS[method]))

    def _file_options(self, options: Dict[str, Any]) -> Dict[str, Any]:
        made: Dict[str, Any] = {"parent": self.toplevel}
        if options.get("title") is not None:
            made["title"] = _text(options["title"], "title")
        if options.get("directory") is not None:
            made["initialdir"] = _text(options["directory"], "directory")
        else:  # Tk's own memory of the last folder shows an error box when that folder is gone
            made["initialdir"] = _start_folder()
        if options.get("filters") is not None:
            made["filetypes"] = _filetypes(options["filters"])
        return made

    def _open_file(self, options: Dict[str, Any]) -> Any:
        kwargs = self._file_options(options)
        if options.get("multiple"):
            chosen = filedialog.askopenfilenames(**kwargs)
            paths = [str(path) for path in self.frame.tk.splitlist(chosen)] if chosen else []
            return _remember(paths[0], paths) if paths else None
        path = _path(filedialog.askopenfilename(**kwargs))
        return _remember(path, path) if path else None

    def _save_file(self, options: Dict[str, Any]) -> Optional[str]:
        kwargs = self._file_options(options)
        if options.get("defaultName") is not None:
            kwargs["initialfile"] = _text(options["defaultName"], "defaultName")
        path = _path(filedialog.asksaveasfilename(**kwargs))
        return _remember(path, path) if path else None

    def _choose_directory(self, options: Dict[str, Any]) -> Optional[str]:
        path = _path(filedialog.askdirectory(mustexist=True, **self._file_options(options)))
        return _remember(os.path.join(path, ""), path) if path else None

    def _message_options(self, options: Dict[str, Any], method: str) -> Dict[str, Any]:
        message = options.get("message")
        if not isinstance(message, str):
            raise TypeError("craft.dialogs.{}: message must be a string, got {}".format(method, _js_type(message)))
        title = options.get("title")
        return {"parent": self.toplevel, "message": message,
                "title": _text(title, "title") if title is not None else self.toplevel.title()}

    def _message(self, options: Dict[str, Any]) -> None:
        kinds = {"info": messagebox.showinfo, "warning": messagebox.showwarning, "error": messagebox.showerror}
        show = kinds.get(options.get("kind") or "info")
        if show is None:
            raise ValueError("craft.dialogs.message: kind must be 'info', 'warning' or 'error', not {!r}"
                             .format(options.get("kind")))
        kwargs = self._message_options(options, "message")
        show(kwargs.pop("title"), kwargs.pop("message"), **kwargs)

    def _confirm(self, options: Dict[str, Any]) -> bool:
        kwargs = self._message_options(options, "confirm")
        icon: Any = {"info": messagebox.INFO, "warning": messagebox.WARNING, "error": messagebox.ERROR,
                None: messagebox.QUESTION}.get(options.get("kind"), messagebox.QUESTION)
        return bool(messagebox.askokcancel(kwargs.pop("title"), kwargs.pop("message"), icon=icon, **kwargs))

    # -- clipboard ----------------------------------------------------------------------------

    def _clipboard(self, method: Any, *args: Any) -> Any:
        calls: Dict[str, Callable[..., Any]] = {"readText": self._read_text, "writeText": self._write_text}
        return _method(calls, "clipboard", method)(*args)

    def _read_text(self) -> str:
        for kind in ("UTF8_STRING", "STRING"):  # UTF8_STRING is X11's; other systems refuse it
            try:
                return str(self.frame.clipboard_get(type=kind))
            except tk.TclError:
                continue
        return ""  # empty, or not text

    def _write_text(self, text: Any = "") -> None:
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise TypeError("craft.clipboard.writeText takes a string, got {}".format(_js_type(text)))
        self.frame.clipboard_clear()
        self.frame.clipboard_append(text)

    # -- theme --------------------------------------------------------------------------------

    @staticmethod
    def _theme(*args: Any) -> Any:
        raise ValueError("craft.theme has no methods: read craft.theme, and set craft.state.theme to change it")


class WindowService:
    """The panel's toplevel, for its page: calls, events, and the close request."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.dispatcher = services.dispatcher
        self.toplevel = services.toplevel
        self.tk = self.toplevel.tk
        self._top = str(self.toplevel)
        self._geometry = (0, 0, 0, 0)
        self._asked_size: Optional[Tuple[int, int, float]] = None  # setSize before Tk shows it
        self._focused: Optional[bool] = None
        self._focus_check: Optional[str] = None
        self._emit_failed = False
        # Events of the toplevel itself (not of its children): a bind tag of our own.
        self._tag = "craft_window" + str(services.frame).replace(".", "_")
        configure = services.frame.register(self._configured)  # deleted with the panel
        focus = services.frame.register(self._focus_changed)
        self.tk.call("bind", self._tag, "<Configure>", configure + " %w %h")
        self.tk.call("bind", self._tag, "<FocusIn>", focus)
        self.tk.call("bind", self._tag, "<FocusOut>", focus)
        self.tk.call("bindtags", self._top, (self._tag,) + self.tk.splitlist(self.tk.call("bindtags", self._top)))
        # The close request: registered on the toplevel, which it must outlive the panel with.
        self._close_command = self.toplevel.register(self._close_requested)
        self._previous: Optional[str] = None  # the WM_DELETE_WINDOW script we wrap, once we do
        self._watched = False  # a page registered onCloseRequested
        self._asking = False

    def call(self, method: Any, *args: Any) -> Any:
        calls: Dict[str, Callable[..., Any]] = {
            "setTitle": self._set_title, "getTitle": self._get_title, "setSize": self._set_size,
            "getSize": self._get_size, "setPosition": self._set_position, "getPosition": self._get_position,
            "minimize": self._minimize, "maximize": self._maximize, "restore": self._restore,
            "setFullscreen": self._set_fullscreen, "close": self._close, "focus": self._focus,
            "watchClose": self._watch_close}
        return _method(calls, "window", method)(*args)

    # -- calls ----------------------------------------------------------------------------------

    def _set_title(self, title: Any) -> None:
        if not isinstance(title, str):
            raise TypeError("craft.window.setTitle takes a string, got {}".format(_js_type(title)))
        self.toplevel.title(title)

    def _get_title(self) -> str:
        return str(self.toplevel.title())

    def _set_size(self, width: Any, height: Any) -> None:
        w, h = _whole(width, "width", 1), _whole(height, "height", 1)
        self.toplevel.geometry("{}x{}".format(w, h))
        self._asked_size = (w, h, time.monotonic())

    def _get_size(self) -> Dict[str, int]:
        w, h, _, _ = self._current_geometry()
        asked = self._asked_size
        if asked is not None and time.monotonic() - asked[2] < 1.0:  # set, and Tk has not shown it yet
            w, h = asked[0], asked[1]
        return {"width": w, "height": h}

    def _set_position(self, x: Any, y: Any) -> None:
        self.toplevel.geometry("{:+d}{:+d}".format(_whole(x, "x"), _whole(y, "y")))

    def _get_position(self) -> Dict[str, int]:
        _, _, x, y = self._current_geometry()
        return {"x": x, "y": y}

    def _minimize(self) -> None:
        self.toplevel.iconify()

    def _maximize(self) -> None:
        self.toplevel.deiconify()
        try:
            self.toplevel.state("zoomed")  # Windows, macOS
        except tk.TclError:
            self.toplevel.attributes("-zoomed", True)  # X11

    def _restore(self) -> None:
        self.toplevel.deiconify()
        if str(self.toplevel.state()) == "zoomed":
            self.toplevel.state("normal")
        try:
            self.toplevel.attributes("-zoomed", False)
        except tk.TclError:
            pass  # no such attribute here

    def _set_fullscreen(self, on: Any = True) -> None:
        if not isinstance(on, bool):
            raise TypeError("craft.window.setFullscreen takes true or false, got {}".format(_js_type(on)))
        self.toplevel.attributes("-fullscreen", on)

    def _focus(self) -> None:
        self.toplevel.deiconify()
        self.toplevel.lift()
        self.toplevel.focus_force()

    def _close(self) -> None:
        """The page's craft.window.close(): what the user's close does, without asking the
        page (it asked); soon, from Tk's loop, not inside this call."""
        self.services._root.after(0, self._close_now)

    def _current_geometry(self) -> Tuple[int, int, int, int]:
        match = _GEOMETRY.match(str(self.toplevel.geometry()))
        if match is None:
            return 0, 0, 0, 0
        return int(match.group(1)), int(match.group(2)), int(match.group(3)), int(match.group(4))

    # -- events ---------------------------------------------------------------------------------

    def _emit(self, name: str, data: Any, throttle: Optional[float] = None) -> None:
        try:
            self.dispatcher.emit(name, data, throttle=throttle)
        except PanelClosed:
            pass
        except Exception as error:  # a typed panel's contract, say: tell once, keep Tk running
            if not self._emit_failed:
                self._emit_failed = True
                log.warning("craft.window events of this panel cannot be sent: %s", error)

    def _configured(self, width: str, height: str) -> None:
        if not self.services.alive:
            return
        _, _, x, y = self._current_geometry()
        w, h = int(width), int(height)  # the toplevel's own size, as this event says
        old = self._geometry
        self._geometry = (w, h, x, y)
        asked = self._asked_size
        if asked is not None and (asked[0], asked[1]) == (w, h):
            self._asked_size = None
        if (w, h) != old[:2]:
            self._emit(RESIZE_EVENT, {"width": w, "height": h}, WINDOW_EVENT_THROTTLE_MS)
        if (x, y) != old[2:]:
            self._emit(MOVE_EVENT, {"x": x, "y": y}, WINDOW_EVENT_THROTTLE_MS)

    def _focus_changed(self) -> None:
        """FocusIn/FocusOut of the toplevel: decide once Tk has settled where the focus is."""
        if self._focus_check is None and self.services.alive:
            self._focus_check = self.services._root.after_idle(self._check_focus)

    def _check_focus(self) -> None:
        self._focus_check = None
        if not self.services.alive:
            return
        try:
            focus = str(self.tk.call("focus", "-displayof", self._top))
            focused = bool(focus) and str(self.tk.call("winfo", "toplevel", focus)) == self._top
        except tk.TclError:
            return
        if focused != self._focused:
            first = self._focused is None
            self._focused = focused
            if focused or not first:
                self._emit(FOCUS_EVENT, focused)

    # -- the close request ------------------------------------------------------------------------

    def _watch_close(self) -> None:
        """A page registered craft.window.onCloseRequested: wrap the toplevel's handler
        (again, if the app replaced it since)."""
        self._watched = True
        current = str(self.toplevel.protocol("WM_DELETE_WINDOW"))
        if current != self._close_command:
            self._previous = current
            self.toplevel.protocol("WM_DELETE_WINDOW", self._close_command)

    def page_went(self) -> None:
        """The page load went: the next one asks to veto a close only if it registers."""
        self._watched = False

    def _close_requested(self) -> None:
        """WM_DELETE_WINDOW: ask the page, then run the wrapped handler unless it vetoed."""
        if self._asking:
            return  # asked already; the answer (or the timeout) decides
        if not (self.services.alive and self._watched and self.dispatcher.connected):
            self._close_now()
            return
        try:
            future = self.dispatcher.invoke(BUILTIN_PREFIX + "close-requested", timeout=0)
        except CraftError:
            self._close_now()
            return
        self._asking = True
        loop = self.dispatcher.driver.loop
        started = time.monotonic()

        def expire() -> None:
            if future.done():
                return
            if self.services.dialogs_open and self.services.alive:  # it asks the user: wait for them
                timer[0] = loop.call_later(0.25, expire)
                return
            self.dispatcher.report(InvokeTimeout("the page did not answer the close request in {:.0f} s: closing"
                                                 .format(time.monotonic() - started), BUILTIN_PREFIX + "close-requested"))
            future.cancel()

        timer = [loop.call_later(CLOSE_TIMEOUT_S, expire)]

        def answered(done: "asyncio.Future[Any]") -> None:
            self._asking = False
            timer[0].cancel()
            vetoed = not done.cancelled() and done.exception() is None and done.result() is False
            if not vetoed:
                self.services._root.after(0, self._close_now)  # from Tk's loop, not an asyncio step

        future.add_done_callback(answered)

    def _close_now(self) -> None:
        """Run the toplevel's own WM_DELETE_WINDOW handler (the one we wrap), or destroy it."""
        try:
            if not int(self.tk.call("winfo", "exists", self._top)):
                return
            current = str(self.toplevel.protocol("WM_DELETE_WINDOW"))
            script = self._previous if current == self._close_command else current
        except tk.TclError:
            return
        if script:
            try:
                self.tk.eval(script)
                return
            except tk.TclError as error:
                log.warning("the window's WM_DELETE_WINDOW handler failed (%s): destroying it", error)
        self.toplevel.destroy()

    def close(self) -> None:
        """The panel is gone: unbind, and hand the close request back if it is still ours."""
        try:
            if int(self.tk.call("winfo", "exists", self._top)):
                tags = [tag for tag in self.tk.splitlist(self.tk.call("bindtags", self._top)) if tag != self._tag]
                self.tk.call("bindtags", self._top, tuple(tags))
                if str(self.toplevel.protocol("WM_DELETE_WINDOW")) == self._close_command:
                    self.toplevel.protocol("WM_DELETE_WINDOW", self._previous or "")
            for sequence in ("<Configure>", "<FocusIn>", "<FocusOut>"):
                self.tk.call("bind", self._tag, sequence, "")
        except tk.TclError:
            pass
        if self._focus_check is not None:
            try:
                self.services._root.after_cancel(self._focus_check)
            except tk.TclError:
                pass
            self._focus_check = None
        # A wrapper someone else wrapped meanwhile stays in their chain: it now passes through.
        self._watched = False


# -- the system theme -----------------------------------------------------------------------------


def system_theme(widget: tk.Misc) -> str:
    """``"dark"`` or ``"light"``: the system's preference as far as Tk can tell (macOS's
    appearance, Windows' app mode, GNOME/GTK settings, or Tk's option database's
    background on X11); ``"light"`` when nothing says. ``CRAFT_TK_THEME`` overrides it."""
    forced = os.environ.get(_THEME_ENV, "").strip().lower()
    if forced in ("light", "dark"):
        return forced
    system = str(widget.tk.call("tk", "windowingsystem"))
    said: Optional[str] = None
    if system == "aqua":
        said = _macos_theme(widget)
    elif system == "win32":
        said = _windows_theme()
    else:
        said = _gtk_theme() or _option_database_theme(widget)
    return said or "light"


def _macos_theme(widget: tk.Misc) -> Optional[str]:
    try:
        return "dark" if widget.tk.call("tk::unsupported::MacWindowStyle", "isdark", str(widget.winfo_toplevel())) \
            in (1, "1", True) else "light"
    except tk.TclError:
        return None  # Tk before 8.6.10


def _windows_theme() -> Optional[str]:
    if sys.platform != "win32":
        return None
    try:
        import winreg
        key = winreg.OpenKey(winreg.HKEY_CURRENT_USER,
                             r"Software\Microsoft\Windows\CurrentVersion\Themes\Personalize")
        value, _ = winreg.QueryValueEx(key, "AppsUseLightTheme")
        return "light" if value else "dark"
    except OSError:
        return None


_gsettings_said: List[Optional[str]] = []  # asked once per process


def _gtk_theme() -> Optional[str]:
    """GTK_THEME, GNOME's color-scheme (when a desktop session runs gsettings), then
    GTK's settings.ini."""
    gtk_theme = os.environ.get("GTK_THEME", "").lower()
    if gtk_theme:
        return "dark" if gtk_theme.endswith(":dark") or "dark" in gtk_theme else "light"
    if not _gsettings_said:
        _gsettings_said.append(_gsettings_theme())
    if _gsettings_said[0] is not None:
        return _gsettings_said[0]
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    for version in ("gtk-4.0", "gtk-3.0"):
        settings = configparser.ConfigParser(interpolation=None)
        try:
            settings.read(os.path.join(config, version, "settings.ini"), encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        if not settings.has_section("Settings"):
            continue
        section = settings["Settings"]
        if section.get("gtk-application-prefer-dark-theme", "").strip().lower() in ("1", "true", "yes"):
            return "dark"
        if "dark" in section.get("gtk-theme-name", "").lower():
            return "dark"
    return None


def _gsettings_theme() -> Optional[str]:
    if not (os.environ.get("DBUS_SESSION_BUS_ADDRESS") and os.environ.get("XDG_CURRENT_DESKTOP")):
        return None
    gsettings = shutil.which("gsettings")
    if gsettings is None:
        return None
    try:
        out = subprocess.run([gsettings, "get", "org.gnome.desktop.interface", "color-scheme"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=1,
                             universal_newlines=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    if "prefer-dark" in out:
        return "dark"
    if "prefer-light" in out:
        return "light"
    return None


def _option_database_theme(widget: tk.Misc) -> Optional[str]:
    """Dark when the option database gives widgets a dark background (X resources, or an
    app's ``option_add('*background', ...)``)."""
    try:
        background = str(widget.option_get("background", "Background"))
        if not background:
            return None
        red, green, blue = widget.winfo_rgb(background)
    except tk.TclError:
        return None
    luminance = (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 65535
    return "dark" if luminance < 0.5 else "light"


_last_directory: List[str] = [""]  # of the last path a file dialog gave, for the next one


def _start_folder() -> str:
    """Where a file dialog opens: the folder of the last path one gave, if it still exists,
    else the working directory, else home."""
    try:
        working = os.getcwd()
    except OSError:  # deleted meanwhile
        working = ""
    for folder in (_last_directory[0], working, os.path.expanduser("~")):
        if folder and os.path.isdir(folder):
            return folder
    return os.sep


def _path(chosen: Any) -> str:
    """A file dialog's answer as a path, "" if cancelled: tkinter gives ``()`` rather than
    "" when Tk hands back an empty list (as a dialog closed by the window manager does)."""
    if isinstance(chosen, (tuple, list)):
        return str(chosen[0]) if chosen else ""
    return str(chosen) if chosen else ""


def _remember(path: str, value: Any) -> Any:
    """Note the folder of ``path`` for the next file dialog; return ``value``."""
    _last_directory[0] = os.path.dirname(path)
    return value


# -- checking what the page sent -------------------------------------------------------------------


def not_enabled(service: str) -> str:
    """The refusal of a service a panel did not enable, saying how to enable it."""
    return ("craft.{0} is not enabled for this panel: enable it with WebPanel(..., services=['{0}']) "
            "or create_window(..., services=['{0}'])".format(service))


def _method(calls: Dict[str, Callable[..., Any]], service: str, method: Any) -> Callable[..., Any]:
    found = calls.get(method) if isinstance(method, str) else None
    if found is None:
        raise ValueError("craft.{} has no method {!r}; it has {}".format(
            service, method, ", ".join(name for name in calls if name != "watchClose")))
    return found


def _options(options: Any, where: str, known: Tuple[str, ...]) -> Dict[str, Any]:
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise TypeError("craft.{} takes an options object, got {}".format(where, _js_type(options)))
    unknown = [key for key in options if key not in known]
    if unknown:
        raise ValueError("craft.{}: unknown option {!r}; the options are {}".format(where, unknown[0], ", ".join(known)))
    return options


def _filetypes(filters: Any) -> List[Tuple[str, str]]:
    """``[{name, extensions: ['txt', 'md']}]`` as Tk's ``filetypes``."""
    if not isinstance(filters, list):
        raise TypeError("filters must be a list of {name, extensions}, got " + _js_type(filters))
    made = []
    for position, item in enumerate(filters):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                or not isinstance(item.get("extensions"), list) \
                or not all(isinstance(ext, str) and ext for ext in item["extensions"]):
            raise TypeError("filters[{}] must be {{name: string, extensions: [non-empty strings]}}".format(position))
        patterns = ["*" if ext in ("*", ".*") else "*." + ext.lstrip(".").lstrip("*.") for ext in item["extensions"]]
        made.append((item["name"], " ".join(patterns) or "*"))
    return made


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError("{} must be a string, got {}".format(what, _js_type(value)))
    return value


def _whole(value: Any, what: str, least: Optional[int] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (
            float("inf"), float("-inf")):
        raise TypeError("{} must be a number, got {}".format(what, _js_type(value)))
    number = int(round(value))
    if least is not None and number < least:
        raise ValueError("{} must be at least {}, got {}".format(what, least, value))
    return number


def _js_type(value: Any) -> str:
    """How the page would name the type of ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _force_tk_focus(root: tk.Misc) -> None:
    """Give the X keyboard focus to the widget Tk has focused (a dialog's entry)."""
    try:
        focused = str(root.tk.call("focus"))
        if focused:
            root.tk.call("focus", "-force", focused)
    except tk.TclError:
        pass  # gone meanwhile
