"""craft_tk: a web panel inside a Tkinter app, with IPC between page and Python.

See README.md for a tour; ``WebPanel`` and ``create_window`` are the entry points.
"""

from ._app import App, app, sender
from ._channels import Channel
from ._errors import (
    BackendUnavailable,
    ChannelClosed,
    ChannelFull,
    ContractError,
    CraftError,
    HandlerError,
    HandlerNotFound,
    InvokeError,
    InvokeTimeout,
    IpcError,
    ListenerError,
    MessageTooLarge,
    NotAllowed,
    PageError,
    PageGone,
    PanelClosed,
    ProtocolError,
    Refused,
    RemoteError,
    SerializationError,
    ValidationError,
)
from ._drops import Drop
from ._eventloop import TkAsyncio
from ._inspector import Inspector
from ._invoke import Invocation, current_invocation
from ._trace import Trace
from ._menus import SEPARATOR, Menu, MenuItem, Submenu
from ._panel import WebPanel
from ._security import DEFAULT_CSP
from ._state import SharedState, StateDict, StateError, StateList, create_shared_state
from ._validate import Check
from ._window import CraftWindow, create_typed_window, create_window
from .backends import load_backend

__version__ = "0.1.0"

__all__ = [
    "App",
    "BackendUnavailable",
    "Channel",
    "ChannelClosed",
    "ChannelFull",
    "Check",
    "ContractError",
    "CraftError",
    "CraftWindow",
    "DEFAULT_CSP",
    "Drop",
    "HandlerError",
    "HandlerNotFound",
    "Inspector",
    "Invocation",
    "InvokeError",
    "InvokeTimeout",
    "IpcError",
    "ListenerError",
    "Menu",
    "MenuItem",
    "MessageTooLarge",
    "NotAllowed",
    "PageError",
    "PageGone",
    "PanelClosed",
    "ProtocolError",
    "Refused",
    "RemoteError",
    "SEPARATOR",
    "SerializationError",
    "SharedState",
    "StateDict",
    "StateError",
    "StateList",
    "Submenu",
    "TkAsyncio",
    "Trace",
    "ValidationError",
    "WebPanel",
    "app",
    "create_shared_state",
    "create_typed_window",
    "create_window",
    "current_invocation",
    "load_backend",
    "sender",
]
