"""Typed IPC: a window's contract, and checks built from handlers' own annotations.

A ``Contract`` holds the seed's ``IpcEvents`` and ``IpcHandlers``, given as ``TypedDict``s
(functional syntax, since the names hold dashes): event name -> payload type, handler name
-> ``Callable[[arg types], result type]``. Names outside it raise ``ContractError`` at once;
payloads and arguments from the page are checked against it.

Independently of any contract, ``argument_binder`` checks a handler's arguments against the
handler's own annotations (``def save(data: SaveData)``) or an explicit ``schema=``, and
``checked_listener`` does the same for a listener's payload.
"""

import collections.abc
import difflib
import inspect
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from typing_extensions import get_args, get_origin, is_typeddict

from ._errors import ContractError, ValidationError
from ._validate import ANY, Checker, Mismatch, checker, schema_checker, type_hints

__all__ = [
    "ArgumentBinder", "Contract", "HandlerType", "argument_binder", "checked_listener", "result_check",
    "validation_error",
]


ArgumentBinder = Callable[[List[Any]], List[Any]]


class HandlerType(NamedTuple):
    """A handler's declared arguments (None: any) and result."""

    args: Optional[Tuple[Any, ...]]
    result: Any


def validation_error(name: str, what: str, mismatch: Mismatch) -> ValidationError:
    """The error for a value of event or handler ``name`` that failed its check."""
    return ValidationError("{} {!r}: {}".format(what, name, mismatch), name, mismatch.path)


class Contract:
    """The names and types a typed window accepts; ``None`` for a side left untyped."""

    def __init__(self, events: Any = None, handlers: Any = None) -> None:
        self.events_type = events
        self.handlers_type = handlers
        self.events: Optional[Dict[str, Any]] = _members(events, "events") if events is not None else None
        self.handlers: Optional[Dict[str, HandlerType]] = None
        if handlers is not None:
            self.handlers = {name: handler_type(hint) for name, hint in _members(handlers, "handlers").items()}
        self._event_checks: Dict[str, Checker] = {}

    def require_event(self, name: str) -> None:
        """Raise ``ContractError`` if ``name`` is not one of the contract's events."""
        if self.events is not None and name not in self.events:
            raise ContractError(_unknown(name, "event", self.events_type, self.events))

    def require_handler(self, name: str) -> HandlerType:
        """The declared type of handler ``name``; ``ContractError`` if there is none."""
        if self.handlers is None:
            return HandlerType(None, Any)
        if name not in self.handlers:
            raise ContractError(_unknown(name, "handler", self.handlers_type, self.handlers))
        return self.handlers[name]

    def check_event(self, name: str, data: Any, sender: str = "page") -> Any:
        """``data`` of event ``name`` checked (and converted); raises ``ValidationError``."""
        if self.events is None:
            return data
        if name not in self.events:
            raise ValidationError("the {} sent event {!r}, which the contract {} lacks"
                                  .format(sender, name, _type_name(self.events_type)), name)
        check = self._event_checks.get(name)
        if check is None:
            check = self._event_checks[name] = checker(self.events[name])
        try:
            return check(data, "data")
        except Mismatch as mismatch:
            raise validation_error(name, "event", mismatch) from None


def handler_type(hint: Any) -> HandlerType:
    """``Callable[[A, B], R]`` (or ``Callable[..., Awaitable[R]]``) as a ``HandlerType``."""
    if get_origin(hint) is not collections.abc.Callable:
        raise TypeError("a handler's type must be Callable[[...], result], got {!r}".format(hint))
    args, result = get_args(hint)
    result_origin = get_origin(result)
    if result_origin in (collections.abc.Awaitable, collections.abc.Coroutine):
        result = get_args(result)[-1]
    return HandlerType(None if args is Ellipsis else tuple(args), result)


def argument_binder(fn: Callable[..., Any], name: str, declared: Optional[Sequence[Any]] = None,
                    schema: Any = None) -> Optional[ArgumentBinder]:
    """A function that checks and converts the page's arguments for handler ``fn``, or
    ``None`` when there is nothing to check. It raises ``ValidationError``.

    Checks come from ``declared`` (the contract's argument types: count and types),
    ``schema`` (for the first argument), and ``fn``'s own parameter annotations.
    """
    names, annotated, bounds = _parameters(fn)
    checks: Dict[int, List[Checker]] = {}
    if declared is not None:
        for index, annotation in enumerate(declared):
            checks.setdefault(index, []).append(checker(annotation))
        bounds = (len(declared), len(declared))
    if schema is not None:
        checks.setdefault(0, []).append(schema_checker(schema))
    elif annotated:
        for index, check in annotated.items():
            checks.setdefault(index, []).append(check)
    if not checks and declared is None:
        return None
    low, high = bounds

    def bind(args: List[Any]) -> List[Any]:
        if len(args) < low or (high is not None and len(args) > high):
            expected = str(low) if low == high else "{} to {}".format(low, "any" if high is None else high)
            raise ValidationError("handler {!r} takes {} argument{}, got {}".format(
                name, expected, "" if expected == "1" else "s", len(args)), name)
        converted = list(args)
        for index, index_checks in checks.items():
            if index < len(converted):
                where = names[index] if index < len(names) else "args[{}]".format(index)
                try:
                    for check in index_checks:
                        converted[index] = check(converted[index], where)
                except Mismatch as mismatch:
                    raise validation_error(name, "argument of handler", mismatch) from None
        return converted

    return bind


def checked_listener(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, or when its payload parameter is annotated, a wrapper that checks the
    payload first and raises ``ValidationError`` instead of calling ``fn`` with bad data."""
    names, annotated, _ = _parameters(fn)
    check = annotated.get(0)
    if check is None or check is ANY:
        return fn
    where = names[0]

    def listener(data: Any = None) -> Any:
        try:
            data = check(data, where)
        except Mismatch as mismatch:
            raise validation_error(name, "event", mismatch) from None
        return fn(data)

    listener.__wrapped__ = fn  # type: ignore[attr-defined]
    return listener


def result_check(result: Any) -> Optional[Checker]:
    """The check of a declared handler result; ``None`` when anything goes."""
    return None if result is Any else checker(result)


def _parameters(fn: Callable[..., Any]) -> Tuple[List[str], Dict[int, Checker], Tuple[int, Optional[int]]]:
    """Positional parameter names, checks of the annotated ones, and (min, max) arguments."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return [], {}, (0, None)
    try:
        hints = type_hints(fn)
    except Exception as error:  # a forward reference that does not resolve: fail now, not silently
        raise TypeError("cannot resolve the annotations of {} ({}: {}): its arguments could not be checked; "
                        "import the names it uses where it is defined".format(
                            getattr(fn, "__qualname__", fn), type(error).__name__, error)) from None
    names: List[str] = []
    annotated: Dict[int, Checker] = {}
    low: int = 0
    high: Optional[int] = 0
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            check = checker(hints[parameter.name]) if parameter.name in hints else ANY
            if check is not ANY:
                annotated[len(names)] = check
            names.append(parameter.name)
            high = len(names)
            if parameter.default is parameter.empty:
                low = len(names)
        elif parameter.kind == parameter.VAR_POSITIONAL:
            high = None
    return names, annotated, (low, high)


def _members(contract: Any, side: str) -> Dict[str, Any]:
    if not is_typeddict(contract):
        raise TypeError("{}= takes a TypedDict (functional syntax: TypedDict('IpcEvents', {{'user-action': ...}})),"
                        " got {!r}".format(side, contract))
    return type_hints(contract)


def _type_name(contract: Any) -> str:
    return getattr(contract, "__name__", repr(contract))


def _unknown(name: str, what: str, contract: Any, known: Dict[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = "; did you mean {!r}?".format(close[0]) if close else "; it has: {}".format(", ".join(sorted(known)))
    return "{!r} is not a{} {} of the contract {}{}".format(
        name, "n" if what[0] in "aeiou" else "", what, _type_name(contract), hint)

