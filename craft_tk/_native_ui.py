"""One panel's native surroundings: its menus, shortcuts and drops, wired to the IPC.

A menu item or shortcut named ``<id>`` runs the native handler ``menu:<id>`` when there is
one, else invokes the page's ``craft.handle('menu:<id>', ...)``; a failure or a missing
handler reaches ``on_ipc_error``. Files, links and text dropped on the panel become DOM
drag events in the page (``craft:drag``, answered by craft.js) and then ``Drop``s for
``on_drop`` listeners.
"""

import asyncio
import tkinter as tk
from typing import Any, Callable, List, Optional, Sequence

from ._dispatcher import Dispatcher
from ._drops import Drop, Dropped, DropTarget, describe_files, drop_strings
from ._errors import IpcError
from ._listeners import Listeners
from ._menus import Menu, MenuItem, menu_items_from_page, popup
from ._shortcuts import Shortcuts

__all__ = ["NativeUi"]

MENU_PREFIX = "menu:"
CONTEXT_MENU_EVENT = "craft:context-menu"  # tells craft.js whether a right click opens the panel's menu


class NativeUi:
    """Menus, shortcuts and drops of the panel ``frame`` whose IPC is ``dispatcher``."""

    def __init__(self, frame: tk.Misc, dispatcher: Dispatcher) -> None:
        self._frame = frame
        self._dispatcher = dispatcher
        self.shortcuts = Shortcuts.of(frame)
        dispatcher.keyboard = self.shortcuts
        self.menubar: Optional[Menu] = None
        self.context_menu: Optional[Menu] = None
        self._drops = Listeners(self._drop_listener_failed, lambda: dispatcher.driver.loop)
        dispatcher.handle_builtin("context-menu", self._page_menu)
        dispatcher.handle_builtin("panel-menu", self._panel_menu)

    def watch_shortcuts(self, transport: Any) -> None:
        """Tell ``transport`` (``shortcuts_changed``) when the toplevel's chords change."""
        self.shortcuts.watch(transport)

    # -- menus and shortcuts ----------------------------------------------------------------

    def set_menubar(self, items: Sequence[Any]) -> Menu:
        """Make ``items`` the menubar of the panel's toplevel (replacing one set before)."""
        if self.menubar is not None:
            self.menubar.destroy()
        toplevel = self._frame.winfo_toplevel()
        self.menubar = Menu(toplevel, items, self.run, self._dispatcher.state, self.shortcuts, menubar=True)
        toplevel.configure(menu=self.menubar.widget)
        return self.menubar

    def set_context_menu(self, items: Optional[Sequence[Any]]) -> Optional[Menu]:
        """Open ``items`` on a right click in the page (None: no menu of the panel's)."""
        if self.context_menu is not None:
            self.context_menu.destroy()
        self.context_menu = Menu(self._frame, items, self.run, self._dispatcher.state) if items else None
        self._dispatcher.emit(CONTEXT_MENU_EVENT, self.context_menu is not None)  # waits for the page
        return self.context_menu

    def add_shortcut(self, accelerator: str, action: Any) -> Callable[[], None]:
        """Run ``action`` (a function, or an id run as a menu item's) on ``accelerator``."""
        if callable(action):
            return self.shortcuts.add(accelerator, action)
        if not isinstance(action, str):
            raise TypeError("a shortcut's action is a function or a menu id, not {!r}".format(action))
        return self.shortcuts.add(accelerator, lambda: self.run(MenuItem(action, action)))

    def run(self, item: MenuItem) -> None:
        """The action of ``item``: its command, the native ``menu:<id>`` handler, or the page's."""
        if item.command is not None:
            try:
                item.command()
            except Exception as error:
                self._failed("the command of menu item {!r}".format(item.label), error)
            return
        if item.id is None:
            return
        name = MENU_PREFIX + item.id
        if self._dispatcher.invocations.call_here(name) or isinstance(item.checked, str) or item.radio:
            return  # handled natively; or an item bound to the state, whose action is the state
        future = self._dispatcher.invoke(name)
        future.add_done_callback(lambda done: self._page_answered(name, done))

    def _page_answered(self, name: str, done: "asyncio.Future[Any]") -> None:
        error = None if done.cancelled() else done.exception()
        if error is not None:
            self._failed("menu action {!r} (no native handler, so the page's)".format(name), error)

    def _failed(self, what: str, error: BaseException) -> None:
        failure = IpcError("{} failed: {}".format(what, error))
        failure.__cause__ = error
        self._dispatcher.report(failure)

    def _page_menu(self, items: Any) -> Any:
        """craft.contextMenu(items): the id the user chose, or None."""
        return _id_of(popup(self._frame, menu_items_from_page(items), self._dispatcher.driver.loop))

    def _panel_menu(self) -> None:
        """A right click in the page: open the panel's context menu at the pointer."""
        if self.context_menu is not None:
            x, y = self._frame.winfo_pointerxy()
            self.context_menu.widget.tk_popup(x, y)

    # -- drops ------------------------------------------------------------------------------

    def on_drop(self, fn: Callable[[Drop], Any]) -> Callable[[], None]:
        """Call ``fn(drop)`` for what is dropped on the panel, once the page has had it."""
        return self._drops.add("drop", fn)

    def accept_drops(self) -> bool:
        """Make the panel a drop target (done at start); False when tkdnd is missing."""
        return DropTarget(self._frame, self.deliver_drag, self._dropped).active

    def deliver_drag(self, kind: str, x: int, y: int, dropped: Dropped, done: Callable[[Any], None]) -> None:
        """Pass drag step ``kind`` at panel point (x, y) to the page; ``done(outcome)`` after
        a drop, with ``[target id, handled]``. A drop waits for a page still loading."""
        dispatcher = self._dispatcher
        if not dispatcher.connected:
            if kind == "drop":
                dispatcher.when_connected(lambda: self.deliver_drag(kind, x, y, dropped, done))
            return
        with_paths = dispatcher.policy.own_content(dispatcher.page_url)
        files = describe_files(dropped.paths, with_paths) if dropped.paths else []
        future = dispatcher.invoke("craft:drag", kind, x, y, files, drop_strings(dropped))
        future.add_done_callback(lambda answered: done(
            answered.result() if not answered.cancelled() and answered.exception() is None else None))

    def _dropped(self, drop: Drop) -> None:
        self._drops.fire("drop", drop)

    def _drop_listener_failed(self, name: str, error: BaseException) -> None:
        self._failed("an on_drop listener", error)


async def _id_of(chosen: "asyncio.Future[Optional[MenuItem]]") -> Optional[str]:
    item = await chosen
    return item.id if item is not None else None
