"""Browser windows that Tk does not own, inside Tk frames (both CEF transports).

- The browser needs a mapped X window as its parent: ``when_mapped`` waits for it.
- Keyboard focus: a click in the browser gives it the X input focus; a later click on a
  Tk widget moves Tk's focus to that widget, but not the X focus, which stays with the
  browser. ``reclaim_focus_on_tk_clicks`` makes a click on any Tk widget take the X
  focus back for the window whose widget now has Tk's focus.
"""

import tkinter as tk
from typing import Any, Callable

__all__ = ["reclaim_focus_on_tk_clicks", "when_mapped"]


def when_mapped(widget: tk.Misc, fn: Callable[[], None]) -> None:
    """Call ``fn()`` now if ``widget`` is mapped, else once, when it first is."""
    if widget.winfo_ismapped():
        fn()
        return

    def mapped(event: tk.Event) -> None:
        if event.widget is widget:
            widget.unbind("<Map>", binding)
            fn()

    binding = widget.bind("<Map>", mapped, add="+")


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
