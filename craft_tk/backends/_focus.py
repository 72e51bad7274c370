"""Keyboard focus between Tk widgets and a browser window Tk does not own.

A click in the browser gives it the X input focus; a later click on a Tk widget moves
Tk's focus to that widget, but not the X focus, which stays with the browser: typing
would still go to the page. So a click on any Tk widget takes the X focus back for the
window whose widget now has Tk's focus.
"""

import tkinter as tk
from typing import Any

__all__ = ["reclaim_focus_on_tk_clicks"]


def reclaim_focus_on_tk_clicks(widget: tk.Misc) -> None:
    """Install the reclaiming binding once per Tk interpreter."""
    root = widget._root()  # type: ignore[attr-defined]
    if getattr(root, "_craft_focus_bound", False):
        return
    root._craft_focus_bound = True

    def clicked(event: Any) -> None:
        try:
            target = root.focus_get() or event.widget
            target.focus_force()  # runs after the class bindings: Tk's focus is already right
        except (tk.TclError, KeyError, AttributeError):
            pass  # a widget being destroyed, or a Tk-internal path

    root.bind_all("<ButtonPress>", clicked, add="+")
