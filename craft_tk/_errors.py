"""Exceptions raised by craft_tk.

The tree::

    CraftError                      every error craft_tk raises
    ├── BackendUnavailable          an engine cannot load here (says what to install)
    ├── PanelClosed                 the panel or window was destroyed
    ├── ChannelClosed               sending on (or iterating past) a closed channel
    ├── ChannelFull                 a channel's send buffer is full: await send()/drain()
    ├── ContractError               a name missing from a typed window's contract (typo guard)
    └── IpcError                    a failure in the IPC itself; all reach ``on_ipc_error``
        ├── ProtocolError           a malformed or unknown message from the page
        │   ├── MessageTooLarge     a message over the panel's ``max_message_size``
        │   └── Refused             a message from outside the connected page (frame,
        │                           origin, or without this load's secret)
        ├── ValidationError         a payload or argument that does not fit its declared
        │                           type (``where`` names the field; also a ``ValueError``)
        ├── ListenerError           a native listener raised (the original is ``__cause__``)
        ├── PageError               the page reported a failure of its own (a listener threw)
        ├── SerializationError      a value that JSON cannot carry (also a ``TypeError``)
        ├── StateError              a refused shared-state write (also a ``ValueError``)
        └── InvokeError             an invoke that did not produce a value
            ├── HandlerError        a native handler raised, as sent to the page
            ├── RemoteError         the page's handler threw (``name``, ``stack``, ``code``)
            ├── HandlerNotFound     no handler has that name
            ├── NotAllowed          the name is outside ``allow=`` or a hook refused it
            ├── InvokeTimeout       no answer in time (also a ``TimeoutError``)
            └── PageGone            the page reloaded or navigated away before answering

An invoke cancelled natively (``future.cancel()``) raises ``asyncio.CancelledError``; one
pending when its panel is destroyed raises ``PanelClosed``.
"""

from typing import Any, Optional, Union

__all__ = [
    "BackendUnavailable",
    "ChannelClosed",
    "ChannelFull",
    "ContractError",
    "CraftError",
    "HandlerError",
    "HandlerNotFound",
    "InvokeError",
    "InvokeTimeout",
    "IpcError",
    "ListenerError",
    "MessageTooLarge",
    "NotAllowed",
    "PageError",
    "PageGone",
    "PanelClosed",
    "ProtocolError",
    "Refused",
    "RemoteError",
    "SerializationError",
    "StateError",
    "ValidationError",
]


class CraftError(Exception):
    """Base class of every craft_tk error."""


class BackendUnavailable(CraftError):
    """A browser engine cannot be loaded in this Python; the message says what to install."""


class PanelClosed(CraftError):
    """The panel (or its window) has been destroyed."""


class ChannelClosed(CraftError):
    """The channel is closed; ``reason`` says why (``None`` for a plain close)."""

    def __init__(self, message: str, reason: Optional[str] = None) -> None:
        super().__init__(message)
        self.reason = reason


class ChannelFull(CraftError):
    """The peer is not consuming and the send buffer is full: ``await`` sends instead."""


class ContractError(CraftError, ValueError):
    """A typed window was asked to emit, listen to or handle a name its contract lacks."""


class IpcError(CraftError):
    """A failure in the IPC; every instance is passed to ``on_ipc_error`` and logged."""


class ProtocolError(IpcError):
    """A message from the page was malformed or of an unknown kind.

    For an invoke (or its answer) that could not be decoded, ``kind``, ``call_id`` and
    ``call_name`` name the call, which then settles with this error."""

    kind: Optional[str] = None
    call_id: Optional[int] = None
    call_name: Optional[str] = None


class MessageTooLarge(ProtocolError, ValueError):
    """A message from the page, or one to it, is over the panel's ``max_message_size``."""


class Refused(ProtocolError):
    """A message that did not come from the connected page: another frame or origin, or
    one without the secret of the current page load."""


class ValidationError(IpcError, ValueError):
    """A value from the page does not fit its declared type. ``name`` is the event or
    handler, ``where`` the field (``data.items[2].id``)."""

    def __init__(self, message: str, name: Optional[str] = None, where: Optional[str] = None) -> None:
        super().__init__(message)
        self.name = name
        self.where = where


class ListenerError(IpcError):
    """A native listener raised; the original exception is ``__cause__``."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


class PageError(IpcError):
    """The page reported an error of its own: an uncaught error or rejected promise, a
    listener that threw. ``source`` and ``line`` say where, when the engine tells."""

    def __init__(self, message: str, name: Optional[str] = None, stack: Optional[str] = None,
                 source: Optional[str] = None, line: Optional[int] = None) -> None:
        super().__init__(message)
        self.name = name
        self.stack = stack
        self.source = source
        self.line = line


class StateError(IpcError, ValueError):
    """A state write that cannot be accepted (bad key, bad path, not JSON)."""


class SerializationError(IpcError, TypeError):
    """A value to send (an argument, a result) cannot be carried as JSON."""


class InvokeError(IpcError):
    """An invoke that did not produce a value. ``name`` is the handler's name."""

    def __init__(self, message: str, handler: Optional[str] = None) -> None:
        super().__init__(message)
        self.handler = handler


class HandlerError(InvokeError):
    """A native handler raised; the page's promise rejected with its message."""


class RemoteError(InvokeError):
    """The page's handler threw; carries the JavaScript error's ``name``, ``stack``, ``code``."""

    def __init__(
        self,
        message: str,
        handler: Optional[str] = None,
        name: Optional[str] = None,
        stack: Optional[str] = None,
        code: Optional[Union[str, int]] = None,
    ) -> None:
        super().__init__(message, handler)
        self.name = name
        self.stack = stack
        self.code = code


class HandlerNotFound(InvokeError):
    """No handler is registered under that name."""


class NotAllowed(InvokeError):
    """The handler's name is outside the panel's ``allow=`` list, or a hook refused it."""


class InvokeTimeout(InvokeError, TimeoutError):
    """The invoke had no answer within its timeout."""


class PageGone(InvokeError):
    """The page reloaded, navigated away or closed before it answered."""


def error_from_reply(reply: Any, handler: Optional[str]) -> InvokeError:
    """Rebuild the exception a page-side ``error`` reply describes."""
    reply = reply if isinstance(reply, dict) else {}
    message = str(reply.get("message", "the page's handler failed"))
    name = reply.get("name")
    kinds = {"HandlerNotFound": HandlerNotFound, "NotAllowed": NotAllowed, "TimeoutError": InvokeTimeout}
    if name in kinds:
        return kinds[name](message, handler)
    code = reply.get("code")
    return RemoteError(message, handler, name=name, stack=reply.get("stack"),
                       code=code if isinstance(code, (str, int)) else None)
