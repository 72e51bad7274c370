"""``create_window``: a toplevel filled by a ``WebPanel``, the seed's ``createWindow``."""

import tkinter as tk
from typing import Any, Optional

from ._panel import BackendName, IpcMethods, WebPanel
from .backends import preload

__all__ = ["CraftWindow", "create_typed_window", "create_window"]


class CraftWindow(IpcMethods, tk.Toplevel):  # the IPC methods first, also in help()
    """A Tk toplevel whose only child is a ``WebPanel`` (``window.panel``).

    The IPC methods act on that panel. When no Tk root exists yet, the window makes a
    hidden one and closing the window ends the app's mainloop.
    """

    def __init__(
        self,
        html: Optional[str] = None,
        url: Optional[str] = None,
        title: str = "craft_tk",
        width: int = 800,
        height: int = 600,
        backend: BackendName = "auto",
        master: Optional[tk.Misc] = None,
        **panel_options: Any
    ) -> None:
        self._own_root: Optional[tk.Tk] = None
        if master is None and getattr(tk, "_default_root", None) is None:
            preload(backend, panel_options.get("devtools_port"))  # CEF's helper starts while Tk does
            self._own_root = tk.Tk()
            self._own_root.withdraw()
        super().__init__(master)
        self.title(title)
        self.geometry("{}x{}".format(width, height))
        self.panel = WebPanel(self, html=html, url=url, backend=backend, width=width, height=height, **panel_options)
        self.panel.pack(fill="both", expand=True)
        self._dispatcher = self.panel._dispatcher
        self._ui = self.panel._ui
        self.protocol("WM_DELETE_WINDOW", self.destroy)

    def destroy(self) -> None:
        """Close the window (and the hidden root it made, if any)."""
        super().destroy()
        if self._own_root is not None:
            root, self._own_root = self._own_root, None
            root.destroy()


def create_window(html: Optional[str] = None, **options: Any) -> CraftWindow:
    """Open a window showing ``html`` (or ``url=``); see ``CraftWindow`` for options.

    Example::

        window = craft_tk.create_window(html, title="Demo", width=640, height=480)
        window.on("user-action", lambda data: print(data))
        window.mainloop()
    """
    return CraftWindow(html=html, **options)


def create_typed_window(html: Optional[str] = None, events: Any = None, handlers: Any = None,
                        **options: Any) -> CraftWindow:
    """The seed's ``createTypedWindow<IpcEvents, IpcHandlers>``: a window bound to a contract.

    ``events`` maps event names to payload types and ``handlers`` handler names to
    ``Callable[[argument types], result type]``, both as ``TypedDict``s in functional
    syntax. Emitting, listening to or handling a name outside them raises
    ``ContractError`` at once; events and arguments from the page that do not fit are
    refused with a ``ValidationError`` naming the field. Example::

        IpcEvents = TypedDict("IpcEvents", {"save-data": SaveData, "notification": Note})
        IpcHandlers = TypedDict("IpcHandlers", {"get-user": Callable[[int], User]})
        window = craft_tk.create_typed_window(html, events=IpcEvents, handlers=IpcHandlers)
    """
    if events is None and handlers is None:
        raise TypeError("create_typed_window needs events= and/or handlers=")
    return CraftWindow(html=html, events=events, handlers=handlers, **options)
