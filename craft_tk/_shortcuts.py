"""Keyboard shortcuts of one Tk toplevel, whichever widget has the keyboard.

A ``<KeyPress>`` binding on a tag of their own, which each widget of the toplevel gets
first in its bindtags when it takes the focus, sees the keys of every Tk widget in it
(Tkhtml pages included) before the widget's class does (a ``Text`` would otherwise insert
a newline for Ctrl+O before the shortcut runs). A CEF browser takes the keyboard into its own X window, so its
transport asks ``chords()`` on each key press and reports a match with ``press`` (see
``backends._base.PageHost.shortcuts``): the page and the browser never see that key.
"""

import logging
import tkinter as tk
import weakref
from typing import Any, Callable, Dict, FrozenSet, List, Optional

from ._keys import chord, chord_of

__all__ = ["Shortcuts"]


log = logging.getLogger("craft_tk")
_ATTRIBUTE = "_craft_shortcuts"


class Shortcuts:
    """The chords bound in one toplevel; ``Shortcuts.of(widget)`` finds or makes it."""

    def __init__(self, toplevel: tk.Misc) -> None:
        self._actions: Dict[str, List[Callable[[], Any]]] = {}
        self._watchers: "weakref.WeakSet[Any]" = weakref.WeakSet()
        self.chords: FrozenSet[str] = frozenset()
        tag = "craft_shortcuts" + str(toplevel).replace(".", "_")
        on_key = "+if {{[{} %K %s]}} break".format(toplevel.register(self._on_key))
        # Also on the toplevel's own tag: the toplevel itself, or a widget focused before now.
        for bound in (tag, str(toplevel)):
            toplevel.tk.call("bind", bound, "<KeyPress>", on_key)
        toplevel.tk.call("bind", str(toplevel), "<FocusIn>",  # ahead of the class bindings of what has the focus
                         "+if {{[lsearch -exact [bindtags %W] {0}] < 0}} {{bindtags %W [linsert [bindtags %W] 0 {0}]}}"
                         .format(tag))

    @classmethod
    def of(cls, widget: tk.Misc) -> "Shortcuts":
        """The shortcuts of ``widget``'s toplevel."""
        toplevel = widget.winfo_toplevel()
        found: Optional[Shortcuts] = getattr(toplevel, _ATTRIBUTE, None)
        if found is None:
            found = cls(toplevel)
            setattr(toplevel, _ATTRIBUTE, found)
        return found

    def add(self, accelerator: str, action: Callable[[], Any]) -> Callable[[], None]:
        """Run ``action()`` when ``accelerator`` (``"Ctrl+S"``) is pressed in this toplevel;
        the latest action of a chord wins. Returns a remover."""
        key = chord(accelerator)
        self._actions.setdefault(key, []).append(action)
        self._changed()

        def remove() -> None:
            actions = self._actions.get(key, [])
            if action in actions:
                actions.remove(action)
                if not actions:
                    del self._actions[key]
                self._changed()

        return remove

    def watch(self, watcher: Any) -> None:
        """Call ``watcher.shortcuts_changed()`` whenever the set of chords changes (a
        transport in another process keeps its own copy)."""
        self._watchers.add(watcher)

    def press(self, pressed: str) -> bool:
        """Run the action of chord ``pressed``; True when there was one."""
        actions = self._actions.get(pressed)
        if not actions:
            return False
        try:
            actions[-1]()
        except Exception:  # an app's action: Tk's loop survives, the log tells
            log.exception("the action of shortcut %s failed", pressed)
        return True

    def _on_key(self, keysym: str, state: str) -> int:
        """A key press in the toplevel: 1 (Tk's binding then breaks) when it ran a shortcut."""
        pressed = chord_of(keysym, int(state))
        return 1 if pressed is not None and self.press(pressed) else 0

    def _changed(self) -> None:
        self.chords = frozenset(self._actions)
        for watcher in list(self._watchers):
            changed = getattr(watcher, "shortcuts_changed", None)
            if changed is not None:
                changed()
