"""Native menus declared from Python: a menubar, a panel's context menu, and the menus a
page opens with ``craft.contextMenu(items)``.

Each item is bound to a name: choosing it (or pressing its accelerator, whichever widget
has the keyboard) runs the native handler ``menu:<id>`` when there is one, otherwise the
page's ``craft.handle('menu:<id>', ...)`` (the seed's "Menu Actions"). ``enabled`` and
``checked`` are a bool, or a dotted path into the shared state that the item follows (a
checked item bound to the state toggles it when chosen). A radio item (``radio=`` a state
path, ``value=``) is marked while that path holds its value, and sets it when chosen.
``Menu.item(id)`` changes an item at run time.
"""

import asyncio
import functools
import tkinter as tk
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import orjson

from ._keys import chord, menu_label
from ._shortcuts import Shortcuts
from ._state import SharedState

__all__ = ["Menu", "MenuItem", "SEPARATOR", "Separator", "Submenu", "menu_items_from_page", "popup"]

Flag = Union[bool, str]  # a value, or a dotted path into the shared state


@dataclass
class MenuItem:
    """One entry: ``label``, the ``id`` its action is named by (``menu:<id>``), an
    ``accelerator`` (``"Ctrl+S"``), ``enabled``/``checked`` (bool or state path), an
    optional ``command`` run instead of the ``menu:<id>`` handlers, and for a radio item
    ``radio`` (the state path its group sets; ``""`` for none: its mark then follows
    ``checked``) and ``value`` (its own; the id if None)."""

    label: str
    id: Optional[str] = None
    accelerator: Optional[str] = None
    enabled: Flag = True
    checked: Optional[Flag] = None
    command: Optional[Callable[[], Any]] = None
    radio: Optional[str] = None
    value: Any = None

    @property
    def radio_value(self) -> Any:
        """What choosing this radio item puts at its ``radio`` path."""
        return self.id if self.value is None else self.value


@dataclass
class Submenu:
    """A cascade: ``label`` and its ``items``."""

    label: str
    items: Sequence[Any] = field(default_factory=list)
    enabled: Flag = True


class Separator:
    """A line between items (use ``SEPARATOR``)."""


SEPARATOR = Separator()
Entry = Union[MenuItem, Submenu, Separator]


class MenuEntry:
    """A live item of a built menu: set ``enabled``, ``checked`` or ``label``. Setting
    ``checked`` of an item bound to the state writes the state, which its mark follows."""

    def __init__(self, menu: tk.Menu, index: int, item: MenuItem, variable: Optional[tk.Variable],
                 state: Optional[SharedState] = None) -> None:
        self._menu, self._index, self.item, self._variable, self._state = menu, index, item, variable, state
        self._key = str(index)  # a radio item's value in its group's variable

    @property
    def enabled(self) -> bool:
        return str(self._menu.entrycget(self._index, "state")) != "disabled"

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._menu.entryconfigure(self._index, state="normal" if value else "disabled")

    @property
    def checked(self) -> bool:
        if self._variable is None:
            return False
        if self.item.radio is not None:
            return bool(self._variable.get() == self._key)
        return bool(self._variable.get())

    @checked.setter
    def checked(self, value: bool) -> None:
        item = self.item
        if self._variable is None:
            raise ValueError("menu item {!r} is not a check or radio item (give checked= or radio= when "
                             "declaring it)".format(item.id))
        if self._state is not None and isinstance(item.checked, str):
            self._state.set(item.checked, bool(value))
        elif self._state is not None and item.radio:
            if not value:
                raise ValueError("radio item {!r} is unmarked by marking another of its group".format(item.id))
            self._state.set(item.radio, item.radio_value)
        else:
            self.mark(value)

    def mark(self, value: bool) -> None:
        """Show the item checked (a radio item: the one of its group) or not."""
        if self._variable is None:
            return
        if self.item.radio is None:
            self._variable.set(bool(value))
        elif value:
            self._variable.set(self._key)
        elif self.checked:
            self._variable.set("")

    @property
    def label(self) -> str:
        return str(self._menu.entrycget(self._index, "label"))

    @label.setter
    def label(self, value: str) -> None:
        self._menu.entryconfigure(self._index, label=value)


class Menu:
    """A Tk menu built from declarations; ``choose(id)`` runs an item's action.

    ``run(item)`` is called for the item chosen; ``state`` resolves the items bound to it.
    """

    def __init__(self, master: tk.Misc, items: Sequence[Any], run: Callable[[MenuItem], Any],
                 state: Optional[SharedState] = None, shortcuts: Optional[Shortcuts] = None,
                 menubar: bool = False) -> None:
        self._run = run
        self._state = state
        self._shortcuts = shortcuts
        self._entries: Dict[str, MenuEntry] = {}
        self._groups: Dict[Tuple[tk.Menu, str], tk.StringVar] = {}  # a radio group's variable, by menu and path
        self._radios: Dict[str, List[MenuEntry]] = {}  # the radio items bound to each state path
        self._undo: List[Callable[[], Any]] = []
        self.widget = tk.Menu(master, tearoff=False, type="menubar" if menubar else "normal")
        self._fill(self.widget, items)

    def item(self, item_id: str) -> MenuEntry:
        """The live entry of item ``item_id``; ``KeyError`` naming the known ids if none."""
        try:
            return self._entries[item_id]
        except KeyError:
            raise KeyError("no menu item {!r}; the items are {}".format(item_id, sorted(self._entries))) from None

    def choose(self, item_id: str) -> None:
        """Act as if item ``item_id`` were chosen (if it is enabled)."""
        entry = self.item(item_id)
        if entry.enabled:
            self._chosen(entry)

    def destroy(self) -> None:
        """Remove the menu, its accelerators and its state watchers."""
        for undo in self._undo:
            undo()
        self._undo.clear()
        try:
            self.widget.destroy()
        except tk.TclError:
            pass

    # -- building ---------------------------------------------------------------------------

    def _fill(self, menu: tk.Menu, items: Sequence[Any]) -> None:
        for item in items:
            if isinstance(item, Separator):
                menu.add_separator()
            elif isinstance(item, Submenu):
                cascade = tk.Menu(menu, tearoff=False)
                self._fill(cascade, item.items)
                menu.add_cascade(label=item.label, menu=cascade)
                self._follow(item.enabled, functools.partial(_set_enabled, menu, menu.index("end")))
            elif isinstance(item, MenuItem):
                self._add_item(menu, item)
            else:
                raise TypeError("a menu holds MenuItem, Submenu and SEPARATOR, not {!r}".format(item))

    def _add_item(self, menu: tk.Menu, item: MenuItem) -> None:
        _check_item(item)
        if item.id is not None and item.id in self._entries:
            raise ValueError("two menu items have the id {!r}".format(item.id))
        accelerator = chord(item.accelerator) if item.accelerator else None
        options: Dict[str, Any] = {"label": item.label}
        if accelerator:
            options["accelerator"] = menu_label(accelerator)
        variable: Optional[tk.Variable] = None
        last = menu.index("end")
        index = 0 if last is None else int(last) + 1
        if item.radio is not None:
            if item.radio:
                self._require_state(item.radio)
            if (menu, item.radio) not in self._groups:
                self._groups[menu, item.radio] = tk.StringVar(menu, value="")
            variable = self._groups[menu, item.radio]
            menu.add_radiobutton(variable=variable, value=str(index), **options)
        elif item.checked is not None:
            variable = tk.BooleanVar(menu, value=False)
            menu.add_checkbutton(variable=variable, **options)
        else:
            menu.add_command(**options)
        entry = MenuEntry(menu, index, item, variable, self._state)
        menu.entryconfigure(index, command=lambda: self._chosen(entry, from_menu=True))
        if item.id is not None:
            self._entries[item.id] = entry
        self._follow(item.enabled, lambda on: setattr(entry, "enabled", on))
        if item.checked is not None:
            self._follow(item.checked, entry.mark)
        if item.radio:
            self._follow_radio(item.radio, entry)
        if accelerator and self._shortcuts is not None:
            self._undo.append(self._shortcuts.add(accelerator, lambda: self._chosen(entry) if entry.enabled else None))

    def _follow(self, flag: Flag, apply: Callable[[bool], Any]) -> None:
        """Apply ``flag`` now, and follow the state path it names, if it is one."""
        if not isinstance(flag, str):
            apply(bool(flag))
            return
        state = self._require_state(flag)
        apply(bool(state.get(flag)))
        self._undo.append(state.watch(flag, lambda new, old: apply(bool(new))))

    def _follow_radio(self, path: str, entry: MenuEntry) -> None:
        """Mark ``entry`` while state ``path`` holds its value, now and from now on."""
        state = self._require_state(path)
        if path not in self._radios:
            self._radios[path] = []
            self._undo.append(state.watch(path, lambda new, old: self._mark_radios(path)))
        self._radios[path].append(entry)
        self._mark_radios(path)

    def _mark_radios(self, path: str) -> None:
        """Mark the radio items of ``path`` as the state has it."""
        value = self._require_state(path).get(path)
        for entry in self._radios.get(path, ()):
            entry.mark(_same_json(entry.item.radio_value, value))

    def _require_state(self, path: str) -> SharedState:
        if self._state is None:
            raise ValueError("menu flag {!r} names a state path, but this menu has no shared state".format(path))
        return self._state

    # -- choosing ---------------------------------------------------------------------------

    def _chosen(self, entry: MenuEntry, from_menu: bool = False) -> None:
        item = entry.item
        if isinstance(item.checked, str):  # bound to the state: the state is the action
            state = self._require_state(item.checked)
            value = entry.checked if from_menu else not bool(state.get(item.checked))
            try:
                state.set(item.checked, value)
            finally:  # a refused write leaves the mark as the state is, not as Tk moved it
                entry.mark(bool(state.get(item.checked)))
        if item.radio:  # the state is the action here too
            try:
                self._require_state(item.radio).set(item.radio, item.radio_value)
            finally:  # a refused write leaves the marks as the state is, not as Tk moved them
                self._mark_radios(item.radio)
        self._run(item)


def _check_item(item: MenuItem) -> None:
    """Refuse, naming it, an item that could do nothing or could not follow the state."""
    if item.id is None and item.command is None and not item.radio:
        raise ValueError("menu item {!r} needs an id (its action is 'menu:<id>') or a command".format(item.label))
    if item.radio is None:
        return
    if isinstance(item.checked, str):
        raise ValueError("radio item {!r} follows its radio= path, not checked=".format(item.label))
    if item.radio and item.radio_value is None:
        raise ValueError("radio item {!r} needs an id or a value (what it sets {} to)".format(item.label, item.radio))
    try:
        orjson.dumps(item.radio_value)
    except TypeError:
        raise ValueError("radio item {!r}: its value {!r} is not JSON, which the state holds"
                         .format(item.label, item.radio_value)) from None


def _same_json(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are the same JSON (a tuple as a list; 1 is not True)."""
    try:
        return bool(orjson.dumps(a, option=orjson.OPT_SORT_KEYS) == orjson.dumps(b, option=orjson.OPT_SORT_KEYS))
    except TypeError:  # not JSON: unlike anything the state holds
        return False


def _set_enabled(menu: tk.Menu, index: Any, on: bool) -> None:
    menu.entryconfigure(index, state="normal" if on else "disabled")


def menu_items_from_page(items: Any) -> List[Entry]:
    """The declarations of a menu the page asked for: ``[{id, label, accelerator?,
    enabled?, checked?, radio?, items?}, '-', ...]`` (``radio: true`` draws a radio mark,
    set when ``checked``); ``ValueError`` names what does not fit."""
    if not isinstance(items, list) or not items:
        raise ValueError("a context menu needs a non-empty list of items")
    made: List[Entry] = []
    for position, item in enumerate(items):
        if item == "-" or (isinstance(item, dict) and item.get("separator")):
            made.append(SEPARATOR)
            continue
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            raise ValueError("context menu item {} must be '-' or an object with a string label".format(position))
        if isinstance(item.get("items"), list):
            made.append(Submenu(item["label"], menu_items_from_page(item["items"]),
                                enabled=bool(item.get("enabled", True))))
            continue
        if not isinstance(item.get("id"), str):
            raise ValueError("context menu item {!r} needs a string id".format(item["label"]))
        checked = item.get("checked")
        radio = item.get("radio") is True
        made.append(MenuItem(item["label"], item["id"], enabled=bool(item.get("enabled", True)),
                             checked=bool(checked) if radio or checked is not None else None,
                             radio="" if radio else None))
    return made


def popup(master: tk.Misc, items: Sequence[Any], loop: asyncio.AbstractEventLoop,
          where: Optional[Tuple[int, int]] = None) -> "asyncio.Future[Optional[MenuItem]]":
    """Post a menu of ``items`` at the pointer (or at root point ``where``); the future
    gives the item chosen, or None when the menu is dismissed."""
    chosen: "asyncio.Future[Optional[MenuItem]]" = loop.create_future()

    def settle(item: Optional[MenuItem]) -> None:
        if not chosen.done():
            chosen.set_result(item)
            master.after_idle(menu.destroy)

    menu = Menu(master, items, settle)
    x, y = where if where is not None else master.winfo_pointerxy()
    # Tk runs the chosen command before it handles the menu's unmapping: a dismissal is an
    # unmap with no choice made shortly after.
    menu.widget.bind("<Unmap>", lambda event: master.after(100, settle, None), add="+")
    menu.widget.tk_popup(x, y)
    return chosen
