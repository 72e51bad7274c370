"""Exceptions raised by craft_tk.

The tree::

    CraftError                      every error craft_tk raises
    ├── BackendUnavailable          an engine cannot load here (says what to install)
    ├── PanelClosed                 the panel or window was destroyed
    └── IpcError                    a failure in the IPC itself; all reach ``on_ipc_error``
        ├── ProtocolError           a malformed or unknown message from the page
        ├── ListenerError           a native listener raised (the original is ``__cause__``)
        └── PageError               the page reported a failure of its own (a listener threw)
"""

from typing import Optional

__all__ = [
    "BackendUnavailable",
    "CraftError",
    "IpcError",
    "ListenerError",
    "PageError",
    "PanelClosed",
    "ProtocolError",
]


class CraftError(Exception):
    """Base class of every craft_tk error."""


class BackendUnavailable(CraftError):
    """A browser engine cannot be loaded in this Python; the message says what to install."""


class PanelClosed(CraftError):
    """The panel (or its window) has been destroyed."""


class IpcError(CraftError):
    """A failure in the IPC; every instance is passed to ``on_ipc_error`` and logged."""


class ProtocolError(IpcError):
    """A message from the page was malformed or of an unknown kind."""


class ListenerError(IpcError):
    """A native listener raised; the original exception is ``__cause__``."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


class PageError(IpcError):
    """The page reported an error of its own, such as a listener that threw."""

    def __init__(self, message: str, name: Optional[str] = None, stack: Optional[str] = None) -> None:
        super().__init__(message)
        self.name = name
        self.stack = stack
