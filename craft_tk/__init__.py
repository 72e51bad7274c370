"""craft_tk: a web panel inside a Tkinter app, with IPC between page and Python.

See README.md for a tour; ``WebPanel`` and ``create_window`` are the entry points.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and editors see; at run time, names load on first use
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
    from .backends import load_backend, preload

__version__ = "0.1.0"

_EXPORTS = {  # public name -> the module that defines it, imported on first use
    "App": "craft_tk._app",
    "app": "craft_tk._app",
    "BackendUnavailable": "craft_tk._errors",
    "Channel": "craft_tk._channels",
    "ChannelClosed": "craft_tk._errors",
    "ChannelFull": "craft_tk._errors",
    "Check": "craft_tk._validate",
    "ContractError": "craft_tk._errors",
    "CraftError": "craft_tk._errors",
    "CraftWindow": "craft_tk._window",
    "create_shared_state": "craft_tk._state",
    "create_typed_window": "craft_tk._window",
    "create_window": "craft_tk._window",
    "current_invocation": "craft_tk._invoke",
    "DEFAULT_CSP": "craft_tk._security",
    "Drop": "craft_tk._drops",
    "HandlerError": "craft_tk._errors",
    "HandlerNotFound": "craft_tk._errors",
    "Inspector": "craft_tk._inspector",
    "Invocation": "craft_tk._invoke",
    "InvokeError": "craft_tk._errors",
    "InvokeTimeout": "craft_tk._errors",
    "IpcError": "craft_tk._errors",
    "ListenerError": "craft_tk._errors",
    "load_backend": "craft_tk.backends",
    "Menu": "craft_tk._menus",
    "MenuItem": "craft_tk._menus",
    "MessageTooLarge": "craft_tk._errors",
    "NotAllowed": "craft_tk._errors",
    "PageError": "craft_tk._errors",
    "PageGone": "craft_tk._errors",
    "PanelClosed": "craft_tk._errors",
    "preload": "craft_tk.backends",
    "ProtocolError": "craft_tk._errors",
    "Refused": "craft_tk._errors",
    "RemoteError": "craft_tk._errors",
    "sender": "craft_tk._app",
    "SEPARATOR": "craft_tk._menus",
    "SerializationError": "craft_tk._errors",
    "SharedState": "craft_tk._state",
    "StateDict": "craft_tk._state",
    "StateError": "craft_tk._state",
    "StateList": "craft_tk._state",
    "Submenu": "craft_tk._menus",
    "TkAsyncio": "craft_tk._eventloop",
    "Trace": "craft_tk._trace",
    "ValidationError": "craft_tk._errors",
    "WebPanel": "craft_tk._panel",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use: ``import craft_tk`` stays cheap (the
    CEF helper process, which needs a few modules, starts about 200 ms sooner)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError("module 'craft_tk' has no attribute {!r}".format(name))
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_EXPORTS))


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
    "preload",
    "sender",
]
