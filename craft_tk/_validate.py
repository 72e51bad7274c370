"""Run-time checks of JSON values against Python annotations.

``checker(annotation)`` compiles an annotation once into a function that takes a value
from the page and returns it checked and converted (a dataclass instance for a dataclass,
a float for ``float``), or raises ``Mismatch`` naming the field. Supported: ``Any``,
``None``, ``bool``, ``int`` (never a bool, never 1.5), ``float`` (an int is taken),
``str``, lists, tuples, dicts with string keys, ``Optional``/``Union``, ``Literal``,
``TypedDict`` (required keys, no unknown keys), dataclasses, ``Annotated[T, Check(...)]``,
pydantic models (anything with ``model_validate`` or ``parse_obj``), and any other class
by ``isinstance``.
"""

import collections.abc
import dataclasses
import functools
import re
import sys
import types
import typing
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Pattern, Tuple

import typing_extensions
from typing_extensions import Annotated, Literal, get_args, get_origin, get_type_hints, is_typeddict

__all__ = ["ANY", "UNION_TYPES", "WRAPPERS", "Check", "Checker", "Mismatch", "checker", "hashable", "record_fields",
           "schema_checker", "type_hints"]

Checker = Callable[[Any, str], Any]


class Mismatch(Exception):
    """A value does not fit its annotation; ``path`` names the field (``data.items[2]``)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__("{}: {}".format(path, problem))
        self.path = path
        self.problem = problem


class Check:
    """Limits for ``Annotated[T, Check(...)]``: lengths of strings and lists, a regular
    expression a string must match in full, bounds of numbers. Example (the seed's zod
    schema)::

        SaveData = TypedDict("SaveData", {
            "content": Annotated[str, Check(max_length=1_000_000)],
            "path": Annotated[str, Check(pattern=r"[a-zA-Z0-9\\-_./]+")],
        })
    """

    def __init__(self, min_length: Optional[int] = None, max_length: Optional[int] = None,
                 pattern: Optional[str] = None, ge: Optional[float] = None, le: Optional[float] = None) -> None:
        self.min_length = min_length
        self.max_length = max_length
        self.pattern: Optional[Pattern[str]] = re.compile(pattern) if pattern is not None else None
        self.ge = ge
        self.le = le

    def __call__(self, value: Any, path: str) -> Any:
        if self.min_length is not None and len(value) < self.min_length:
            raise Mismatch(path, "shorter than {}".format(self.min_length))
        if self.max_length is not None and len(value) > self.max_length:
            raise Mismatch(path, "longer than {}".format(self.max_length))
        if self.pattern is not None and not self.pattern.fullmatch(value):
            raise Mismatch(path, "does not match the pattern {}".format(self.pattern.pattern))
        if self.ge is not None and value < self.ge:
            raise Mismatch(path, "less than {}".format(self.ge))
        if self.le is not None and value > self.le:
            raise Mismatch(path, "greater than {}".format(self.le))
        return value


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _name(annotation: Any) -> str:
    if annotation is None or annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def type_hints(owner: Any) -> Dict[str, Any]:
    """``get_type_hints`` keeping ``Annotated``; forward references must resolve."""
    return get_type_hints(owner, include_extras=True)


def _exact(kind: type, label: str) -> Checker:
    def check(value: Any, path: str) -> Any:
        if type(value) is not kind:
            raise Mismatch(path, "expected {}, got {}".format(label, _describe(value)))
        return value
    return check


def _any(value: Any, path: str) -> Any:
    return value


ANY: Checker = _any  # the check that lets everything through (``Any``, ``object``)


def _none(value: Any, path: str) -> Any:
    if value is not None:
        raise Mismatch(path, "expected null, got {}".format(_describe(value)))
    return None


def _float(value: Any, path: str) -> Any:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    raise Mismatch(path, "expected a number, got {}".format(_describe(value)))


_SIMPLE: Dict[Any, Checker] = {
    Any: _any, object: _any, None: _none, type(None): _none, float: _float,
    bool: _exact(bool, "a boolean"), int: _exact(int, "an integer"), str: _exact(str, "a string"),
}
UNION_TYPES = (typing.Union,) + ((getattr(types, "UnionType"),) if sys.version_info >= (3, 10) else ())
WRAPPERS = tuple(getattr(module, name) for module in (typing, typing_extensions)
                  for name in ("Required", "NotRequired", "ReadOnly") if hasattr(module, name))


@functools.lru_cache(maxsize=None)
def checker(annotation: Any) -> Checker:
    """The check of ``annotation``: ``check(value, path)`` returns the value or raises ``Mismatch``."""
    simple = _SIMPLE.get(annotation) if hashable(annotation) else None
    if simple is not None:
        return simple
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return _annotated(checker(args[0]), [extra for extra in args[1:] if callable(extra)])
    if origin in WRAPPERS:
        return checker(args[0])
    if origin in UNION_TYPES:
        return _union([checker(arg) for arg in args], " or ".join(_name(arg) for arg in args))
    if origin is Literal:
        return _literal(args)
    if origin in (list, collections.abc.Sequence):
        return _list(checker(args[0]) if args else _any)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _as_tuple(_list(checker(args[0])))
        return _tuple([checker(arg) for arg in args])
    if origin in (dict, collections.abc.Mapping):
        return _dict(checker(args[1]) if len(args) == 2 else _any)
    if annotation in (list, tuple):
        return _list(_any) if annotation is list else _tuple([])
    if annotation is dict:
        return _dict(_any)
    if is_typeddict(annotation):
        return _typeddict(annotation)
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return _dataclass(annotation)
    if isinstance(annotation, type) and (hasattr(annotation, "model_validate") or hasattr(annotation, "parse_obj")):
        return schema_checker(annotation)
    if isinstance(annotation, type):
        return _instance(annotation)
    return _any  # TypeVars, Callables and the like: nothing JSON can be checked against


def schema_checker(schema: Any) -> Checker:
    """A check from an explicit schema: an annotation, a pydantic model (``model_validate``
    or ``parse_obj``), an object with ``parse`` (zod's shape), or a callable returning the
    value. Whatever it raises becomes a ``Mismatch`` with its message."""
    if is_typeddict(schema) or dataclasses.is_dataclass(schema) or get_origin(schema) is not None:
        return checker(schema)
    for method in ("model_validate", "parse_obj", "parse"):
        if hasattr(schema, method):
            validate = getattr(schema, method)
            break
    else:
        if not callable(schema):
            raise TypeError("schema= takes a type, a model, an object with parse(), or a callable; got {!r}"
                            .format(schema))
        validate = schema

    def check(value: Any, path: str) -> Any:
        try:
            return validate(value)
        except Mismatch:
            raise
        except Exception as error:
            raise Mismatch(path, " ".join(str(error).split())) from None
    return check


def hashable(annotation: Any) -> bool:
    """Whether ``annotation`` can be a dict key (``Literal[[1]]`` cannot)."""
    try:
        hash(annotation)
    except TypeError:
        return False
    return True


def _annotated(inner: Checker, extras: List[Callable[..., Any]]) -> Checker:
    def check(value: Any, path: str) -> Any:
        value = inner(value, path)
        for extra in extras:
            value = extra(value, path) if isinstance(extra, Check) else _run_validator(extra, value, path)
        return value
    return check


def _run_validator(validate: Callable[[Any], Any], value: Any, path: str) -> Any:
    try:
        result = validate(value)
    except Exception as error:
        raise Mismatch(path, str(error)) from None
    return value if result is None or result is True else result


def _union(options: List[Checker], label: str) -> Checker:
    def check(value: Any, path: str) -> Any:
        problems = []
        for option in options:
            try:
                return option(value, path)
            except Mismatch as mismatch:
                problems.append(mismatch)
        deeper = [problem for problem in problems if problem.path != path]
        if len(deeper) == 1:  # one option had the right shape: its complaint is the useful one
            raise deeper[0]
        raise Mismatch(path, "expected {}, got {}".format(label, _describe(value)))
    return check


def _literal(allowed: Tuple[Any, ...]) -> Checker:
    def check(value: Any, path: str) -> Any:
        for option in allowed:
            if type(option) is type(value) and option == value:
                return value
        raise Mismatch(path, "expected one of {}, got {!r}".format(", ".join(map(repr, allowed)), value))
    return check


def _expect(kind: type, label: str, value: Any, path: str) -> None:
    if type(value) is not kind:
        raise Mismatch(path, "expected {}, got {}".format(label, _describe(value)))


def _list(item: Checker) -> Checker:
    def check(value: Any, path: str) -> Any:
        _expect(list, "a list", value, path)
        return value if item is _any else [item(element, "{}[{}]".format(path, index))
                                           for index, element in enumerate(value)]
    return check


def _as_tuple(inner: Checker) -> Checker:
    return lambda value, path: tuple(inner(value, path))


def _tuple(items: List[Checker]) -> Checker:
    def check(value: Any, path: str) -> Any:
        _expect(list, "a list", value, path)
        if items and len(value) != len(items):
            raise Mismatch(path, "expected {} items, got {}".format(len(items), len(value)))
        if not items:
            return tuple(value)
        return tuple(item(element, "{}[{}]".format(path, index)) for index, (item, element)
                     in enumerate(zip(items, value)))
    return check


def _dict(item: Checker) -> Checker:
    def check(value: Any, path: str) -> Any:
        _expect(dict, "an object", value, path)
        return value if item is _any else {key: item(element, "{}.{}".format(path, key))
                                           for key, element in value.items()}
    return check


def _fields(fields: Dict[str, Checker], required: frozenset, label: str,
            build: Callable[[Dict[str, Any]], Any]) -> Checker:
    def check(value: Any, path: str) -> Any:
        _expect(dict, "a {} object".format(label), value, path)
        for key in required:
            if key not in value:
                raise Mismatch("{}.{}".format(path, key), "missing (required by {})".format(label))
        converted = {}
        for key, element in value.items():
            field = fields.get(key)
            if field is None:
                raise Mismatch("{}.{}".format(path, key), "not a field of {}".format(label))
            converted[key] = field(element, "{}.{}".format(path, key))
        return build(converted)
    return check


def record_fields(cls: Any) -> Tuple[Dict[str, Any], FrozenSet[str]]:
    """The field annotations of a ``TypedDict`` or dataclass, and the required ones."""
    hints = type_hints(cls)
    if is_typeddict(cls):
        required = getattr(cls, "__required_keys__", None)
        if required is None:
            required = hints if getattr(cls, "__total__", True) else ()
        return hints, frozenset(required)
    init_fields = [field for field in dataclasses.fields(cls) if field.init]
    return ({field.name: hints.get(field.name, Any) for field in init_fields},
            frozenset(field.name for field in init_fields if field.default is dataclasses.MISSING
                      and field.default_factory is dataclasses.MISSING))  # type: ignore[misc]


def _typeddict(cls: Any) -> Checker:
    hints, required = record_fields(cls)
    fields = {key: _lazy(hint) for key, hint in hints.items()}
    return _fields(fields, required, cls.__name__, lambda converted: converted)


def _dataclass(cls: type) -> Checker:
    hints, required = record_fields(cls)
    fields = {name: _lazy(hint) for name, hint in hints.items()}
    return _fields(fields, required, cls.__name__, lambda converted: cls(**converted))


def _lazy(annotation: Any) -> Checker:
    """Compile on first use: a recursive TypedDict refers to itself."""
    compiled: List[Checker] = []

    def check(value: Any, path: str) -> Any:
        if not compiled:
            compiled.append(checker(annotation))
        return compiled[0](value, path)
    return check


def _instance(cls: type) -> Checker:
    def check(value: Any, path: str) -> Any:
        if not isinstance(value, cls):
            raise Mismatch(path, "expected {}, got {}".format(cls.__name__, _describe(value)))
        return value
    return check
