"""craft_tk: a web panel inside a Tkinter app, with IPC between page and Python.

See README.md for a tour; ``WebPanel`` and ``create_window`` are the entry points.
"""

from ._errors import (
    BackendUnavailable,
    CraftError,
    IpcError,
    ListenerError,
    PageError,
    PanelClosed,
    ProtocolError,
)
from ._eventloop import TkAsyncio
from ._panel import WebPanel
from ._window import CraftWindow, create_window
from .backends import load_backend

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailable",
    "CraftError",
    "CraftWindow",
    "IpcError",
    "ListenerError",
    "PageError",
    "PanelClosed",
    "ProtocolError",
    "TkAsyncio",
    "WebPanel",
    "create_window",
    "load_backend",
]
