"""Shared state: one JSON tree, shared by every panel that is attached to it.

Rules (the page side in craft.js follows the same):
- Native is the authority. Every accepted change, native or from a page, is applied in
  the order native sees it and broadcast to every page, the writer included, so every
  side ends with the same value: the last write native accepted wins.
- Changes made in one Tk tick cross as one ``state`` message per panel (a *patch*),
  carrying a version; writes to the same path in that tick are coalesced.
- Only JSON values; the keys ``__proto__``, ``constructor`` and ``prototype`` are refused
  everywhere. A refused page write is reported precisely to ``on_ipc_error`` and
  reverted in that page alone (its watchers see the revert); the page's other writes
  stand.
- Each state message from a page is *settled*: native answers that page with the paths
  it wrote and, where native's value now differs, native's value. Until then the page
  keeps its own newer writes over native's patches of the same paths, so its own
  earlier writes never roll it back.
- Watchers (``watch(path, fn(new, old))``) fire once per change of the value at ``path``,
  for changes at, below or above it, with plain copies of the values.

Writes from another thread are handed to the Tk thread (once a panel uses the state) and
applied there in the order they were made; a read right after such a write may not see it
yet, and a read-modify-write (``append``) is not atomic with the Tk thread's writes.
``batch()`` is for the Tk thread.
"""

import collections
import contextlib
import logging
import re
import threading
from typing import (Any, Callable, Dict, Iterator, List, MutableMapping, MutableSequence, Optional, Tuple, TypeVar,
                    Union, overload)

import orjson

from . import _protocol as protocol
from ._driver import failure_of
from ._errors import IpcError, StateError

__all__ = ["FORBIDDEN_KEYS", "SharedState", "StateDict", "StateError", "StateList", "app_state", "create_shared_state"]

FORBIDDEN_KEYS = frozenset({"__proto__", "constructor", "prototype"})
Path = Tuple[Union[str, int], ...]
Watcher = Callable[[Any, Any], Any]
W = TypeVar("W", bound=Watcher)
Report = Callable[[IpcError], None]
_MISSING = object()
_INDEX = re.compile(r"(?:0|[1-9][0-9]*)\Z")  # how a page names a list index: "0", "12"
log = logging.getLogger("craft_tk")


def _copy(value: Any) -> Any:
    """A plain, JSON-only deep copy; raises StateError for anything JSON cannot carry."""
    try:
        return orjson.loads(orjson.dumps(value))
    except TypeError as error:
        raise StateError("shared state holds JSON values only: {}".format(error)) from None


def _check_keys(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in FORBIDDEN_KEYS:
                raise StateError("the key {!r} is not allowed in shared state ({})".format(key, where))
            _check_keys(item, where)
    elif isinstance(value, list):
        for item in value:
            _check_keys(item, where)


def _dotted(path: Path) -> str:
    return ".".join(str(part) for part in path) or "(root)"


class _Patch:
    """The changes of one tick, encoded once and shared by every panel's outbox."""

    def __init__(self, state: "SharedState", version: int) -> None:
        self.state = state
        self.version = version
        self.ops: "collections.OrderedDict[Path, list]" = collections.OrderedDict()
        self._encoded: Optional[bytes] = None

    def add(self, path: Path, op: list) -> None:
        self.ops.pop(path, None)  # coalesce: the last write to a path wins, in its place
        self.ops[path] = op

    def encode(self) -> bytes:
        if self._encoded is None:
            self.state._close(self)
            self._encoded = protocol.state_patch(self.version, list(self.ops.values()))
        return self._encoded


class SharedState:
    """The app's shared state; read and write it through ``state.root`` views or directly.

    ``state.theme = "light"``, ``state["theme"]``, ``state.settings.notifications = False``,
    ``state.items.append(x)``, ``del state.user`` all work and sync to every attached page.
    """

    def __init__(self, initial: Optional[Dict[str, Any]] = None) -> None:
        data = _copy(initial or {})
        if not isinstance(data, dict):
            raise StateError("shared state must start from a dict")
        _check_keys(data, "initial state")
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_version", 0)
        object.__setattr__(self, "_patch", None)
        object.__setattr__(self, "_watchers", [])
        object.__setattr__(self, "_outboxes", [])
        object.__setattr__(self, "_reporters", [])
        object.__setattr__(self, "_drivers", [])  # of attached panels: writes from threads go there
        object.__setattr__(self, "_batch_depth", 0)
        object.__setattr__(self, "_batch_old", None)
        object.__setattr__(self, "_thread", threading.get_ident())

    # -- the dict-like surface of the root ----------------------------------------------------

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return StateDict(self, ()).__getattr__(key)

    def __setattr__(self, key: str, value: Any) -> None:
        self.set((key,), value)

    def __delattr__(self, key: str) -> None:
        self.delete((key,))

    def __getitem__(self, key: str) -> Any:
        return StateDict(self, ())[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.set((key,), value)

    def __delitem__(self, key: str) -> None:
        self.delete((key,))

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return "SharedState({!r})".format(self._data)

    # -- reading and writing by path ------------------------------------------------------------

    @property
    def version(self) -> int:
        """Counts ticks with changes; pages use it to drop patches they already have."""
        return self._version

    def snapshot(self) -> Dict[str, Any]:
        """A plain deep copy of the whole state."""
        return _copy(self._data)

    def get(self, path: Union[str, Path], default: Any = None) -> Any:
        """The plain value at a dotted path or key tuple, or ``default``."""
        value = self._lookup(self._path(path))
        return default if value is _MISSING else _copy(value)

    def set(self, path: Union[str, Path], value: Any) -> None:
        """Set the value at ``path`` (its parent must exist)."""
        self._change(self._path(path), _copy(value))

    def delete(self, path: Union[str, Path]) -> None:
        """Remove the key at ``path``; ``KeyError`` if it is not there."""
        path = self._path(path)
        if self._lookup(path) is _MISSING:
            raise KeyError(_dotted(path))
        self._change(path, _MISSING)

    def update(self, values: Dict[str, Any]) -> None:
        """Set several top-level keys as one change for watchers."""
        if self._hand_over(self.update, values):
            return
        with self.batch():
            for key, value in values.items():
                self.set((key,), value)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group changes: watchers fire once, at the end, for what changed overall."""
        if threading.get_ident() != self._thread:
            raise RuntimeError("state.batch() is for the Tk thread; from another thread use state.update()")
        if self._batch_depth == 0:
            object.__setattr__(self, "_batch_old", {})
        object.__setattr__(self, "_batch_depth", self._batch_depth + 1)
        try:
            yield
        finally:
            object.__setattr__(self, "_batch_depth", self._batch_depth - 1)
            if self._batch_depth == 0:
                pending = self._batch_old
                object.__setattr__(self, "_batch_old", None)
                self._fire(pending or {})

    @overload
    def watch(self, path: Union[str, Path]) -> Callable[[W], W]: ...
    @overload
    def watch(self, path: Union[str, Path], fn: Watcher) -> Callable[[], None]: ...

    def watch(self, path: Union[str, Path], fn: Optional[Watcher] = None) -> Any:
        """Call ``fn(new, old)`` when the value at ``path`` changes; returns an unsubscribe
        function, or, without ``fn``, a decorator (which returns the function)."""
        if fn is None:
            def decorate(fn: W) -> W:
                self.watch(path, fn)
                return fn

            return decorate
        entry = (self._path(path), fn)
        self._watchers.append(entry)
        return lambda: self._watchers.remove(entry) if entry in self._watchers else None

    # -- panels ----------------------------------------------------------------------------------

    def attach(self, enqueue: Callable[[Callable[[], bytes]], None], report: Optional[Report] = None,
               driver: Any = None) -> Callable[[], None]:
        """Send this state's patches through ``enqueue`` (a panel's outbox), watcher
        failures to ``report`` (its ``on_ipc_error``), and writes from other threads to
        ``driver`` (its ``Driver``); returns detach."""
        object.__setattr__(self, "_patch", None)  # later writes open a patch this outbox gets too
        attached = [(self._outboxes, enqueue), (self._reporters, report), (self._drivers, driver)]
        for where, item in attached:
            if item is not None:
                where.append(item)

        def detach() -> None:
            for where, item in attached:
                if item in where:
                    where.remove(item)

        return detach

    def welcome(self) -> Dict[str, Any]:
        """What a page that connects gets: the snapshot and its version. Later writes go
        in a patch of a newer version (the open one is in the snapshot, and the page
        drops it)."""
        object.__setattr__(self, "_patch", None)
        return {"state": self._data, "stateVersion": self._version}

    def apply_from_page(self, ops: Any) -> Tuple[List[Tuple[Path, list]], List[StateError]]:
        """Apply a page's ops in order, each on its own: a refused op leaves the others
        standing. Returns the ops with a path, as (path, op), and the refusals."""
        written: List[Tuple[Path, list]] = []
        refused: List[StateError] = []
        for op in ops if isinstance(ops, list) else [ops]:
            path: Path = ()
            try:
                if not isinstance(op, list) or not op or not isinstance(op[0], list) or len(op) > 2:
                    raise StateError("a state op is [path] or [path, value], got {!r}".format(op)[:200])
                path = tuple(op[0])
                written.append((path, op))
                if len(op) == 2:
                    self._change(self._resolve_indexes(path), _copy(op[1]))
                elif self._lookup(self._resolve_indexes(path)) is not _MISSING:
                    self.delete(self._resolve_indexes(path))
                # else: gone already (native removed it, or its parent, first): nothing to do
            except Exception as error:  # whatever a page writes, the other writes stand
                why = str(error) if isinstance(error, StateError) else "{}: {}".format(type(error).__name__, error)
                refused.append(StateError("page write to {} refused: {}".format(_dotted(path), why)))
        return written, refused

    def settle(self, written: List[Tuple[Path, list]]) -> List[Any]:
        """Ops that set a page's copy of the paths it wrote (``(path, op)`` as sent) to
        native's values now. Always sent, also where the page wrote the same value: its
        copy may have lost the write meanwhile (a welcome snapshot, a native write to an
        ancestor), and only this brings it back."""
        corrections = []
        for path, _ in written:
            native, where = self._nearest(path)
            corrections.append([list(where)] if native is _MISSING else [list(where), native])
        return corrections

    def _nearest(self, path: Path) -> Tuple[Any, Path]:
        """Native's value at ``path`` as a page names it, or at the closest ancestor that
        the page's path does not fit (a key inside what is a list or a number natively)."""
        node: Any = self._data
        for depth, part in enumerate(path):
            if not isinstance(part, str) or part in FORBIDDEN_KEYS:
                return (node, path[:depth]) if depth else (_MISSING, path[:1])
            if isinstance(node, dict):
                if part not in node:
                    return _MISSING, path[: depth + 1]
                node = node[part]
            elif isinstance(node, list) and _INDEX.match(part) and int(part) < len(node):
                node = node[int(part)]
            else:
                return node, path[:depth]
        return node, path

    # -- internals -------------------------------------------------------------------------------

    @staticmethod
    def _path(path: Union[str, Path]) -> Path:
        return tuple(path.split(".")) if isinstance(path, str) else tuple(path)

    def _lookup(self, path: Path) -> Any:
        node: Any = self._data
        for part in path:
            if isinstance(node, dict) and isinstance(part, str):
                node = node.get(part, _MISSING)
            elif isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
                node = node[part]
            else:
                return _MISSING
            if node is _MISSING:
                return _MISSING
        return node

    def _resolve_indexes(self, path: Path) -> Path:
        """Page paths are strings; where a list sits, "3" means index 3."""
        resolved: List[Union[str, int]] = []
        node: Any = self._data
        for part in path:
            if isinstance(node, list) and isinstance(part, str) and _INDEX.match(part):
                part = int(part)
            resolved.append(part)
            node = self._lookup(tuple(resolved))
        return tuple(resolved)

    def _hand_over(self, fn: Callable[..., Any], *args: Any) -> bool:
        """Off the Tk thread, run ``fn(*args)`` there (a failure reaches ``on_ipc_error``)
        and return True; on the Tk thread return False."""
        if threading.get_ident() == self._thread:
            return False
        if not self._drivers:
            raise RuntimeError("shared state is written on the Tk thread until a panel uses it; "
                               "then writes from other threads are handed to the Tk thread")
        done = self._drivers[0].submit(fn, *args)
        done.add_done_callback(self._report_thread_failure)
        return True

    def _report_thread_failure(self, done: Any) -> None:
        failure = failure_of(done, StateError, "a state write")
        if failure is not None:
            for report in list(self._reporters):
                report(failure)

    def _change(self, path: Path, value: Any) -> None:
        """Apply one change (``_MISSING`` deletes), record it, tell watchers."""
        if self._hand_over(self._change, path, value):
            return
        if not path:
            raise StateError("a state write needs a path")
        for part in path:
            if part in FORBIDDEN_KEYS:
                raise StateError("the key {!r} is not allowed in shared state".format(part))
            if not isinstance(part, (str, int)) or isinstance(part, bool):
                raise StateError("state path parts are str keys or int indexes, got {!r}".format(part))
        if value is not _MISSING:
            _check_keys(value, _dotted(path))
        # A change inside a list crosses as the whole list: pages have no list paths.
        for depth in range(len(path) - 1):
            if isinstance(self._lookup(path[: depth + 1]), list):
                list_path = path[: depth + 1]
                updated = _copy(self._lookup(list_path))
                self._apply(updated, path[depth + 1:], value, list_path)
                path, value = list_path, updated
                break
        old = self._watched_values(path)
        parent = self._lookup(path[:-1])
        if parent is _MISSING or not isinstance(parent, (dict, list)):
            raise StateError("cannot write {}: its parent does not exist".format(_dotted(path)))
        self._apply(parent, path[-1:], value, path[:-1])
        self._open_patch().add(path, [list(path)] if value is _MISSING else [list(path), value])
        if self._batch_depth:
            for key, before in old.items():
                self._batch_old.setdefault(key, before)  # type: ignore[union-attr]
        else:
            self._fire(old)

    @staticmethod
    def _apply(container: Any, rest: Path, value: Any, where: Path) -> None:
        for part in rest[:-1]:
            container = container[part]
        key = rest[-1]
        if isinstance(container, dict):
            if not isinstance(key, str):
                raise StateError("keys of {} are strings, got {!r}".format(_dotted(where), key))
            if value is _MISSING:
                container.pop(key, None)
            else:
                container[key] = value
        elif isinstance(container, list) and isinstance(key, int):
            if value is _MISSING:
                del container[key]
            elif key == len(container):
                container.append(value)
            else:
                container[key] = value
        else:
            raise StateError("cannot write {!r} inside {} (a {})".format(key, _dotted(where), type(container).__name__))

    def _watched_values(self, path: Path) -> Dict[Path, Any]:
        """Copies of the values at every watched path this change may touch."""
        touched = {}
        for watched, _ in self._watchers:
            shorter = min(len(watched), len(path))
            if watched[:shorter] == path[:shorter] and watched not in touched:
                value = self._lookup(watched)
                touched[watched] = None if value is _MISSING else _copy(value)
        return touched

    def _fire(self, old_values: Dict[Path, Any]) -> None:
        for watched, fn in list(self._watchers):
            if watched not in old_values:
                continue
            new = self._lookup(watched)
            new = None if new is _MISSING else new
            if new != old_values[watched]:
                try:
                    fn(_copy(new), old_values[watched])
                except Exception as error:  # a watcher's bug must not undo or stop the change
                    self._watcher_failed(watched, error)

    def _watcher_failed(self, watched: Path, error: Exception) -> None:
        failure = StateError("state watcher for {} raised {}: {}".format(
            _dotted(watched), type(error).__name__, str(error)[:300]))
        failure.__cause__ = error
        if not self._reporters:
            log.error("%s", failure, exc_info=error)
        for report in list(self._reporters):
            report(failure)

    def _open_patch(self) -> _Patch:
        if self._patch is None:
            object.__setattr__(self, "_version", self._version + 1)
            patch = _Patch(self, self._version)
            if not self._outboxes:
                return patch  # no page to tell: the next one starts from the snapshot
            object.__setattr__(self, "_patch", patch)
            for enqueue in list(self._outboxes):
                enqueue(patch.encode)
        return self._patch  # type: ignore[return-value]

    def _close(self, patch: _Patch) -> None:
        if self._patch is patch:
            object.__setattr__(self, "_patch", None)


class _View:
    """What the dict and list views share: where they look, and what they compare as."""

    __slots__ = ("_state", "_at")
    _state: SharedState
    _at: Path
    _kind: type = dict

    def __init__(self, state: SharedState, path: Path) -> None:
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_at", path)

    def _node(self) -> Any:
        node = self._state._lookup(self._at)
        if not isinstance(node, self._kind):
            raise KeyError("{} is no longer a {}".format(_dotted(self._at), self._kind.__name__))
        return node

    def __len__(self) -> int:
        return len(self._node())

    def __eq__(self, other: object) -> bool:
        return self._node() == (other._node() if isinstance(other, _View) else other)

    def __repr__(self) -> str:
        return "{}({!r})".format(type(self).__name__, self._node())


class StateDict(_View, MutableMapping):  # type: ignore[type-arg]
    """A live view of a dict inside the shared state."""

    __slots__ = ()

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            raise AttributeError("shared state has no {!r}".format(_dotted(self._at + (key,)))) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self._state.set(self._at + (key,), value)

    def __delattr__(self, key: str) -> None:
        self._state.delete(self._at + (key,))

    def __getitem__(self, key: str) -> Any:
        node = self._node()
        if key not in node:
            raise KeyError(key)
        return _view(self._state, self._at + (key,), node[key])

    def __setitem__(self, key: str, value: Any) -> None:
        self._state.set(self._at + (key,), value)

    def __delitem__(self, key: str) -> None:
        self._state.delete(self._at + (key,))

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._node()))


class StateList(_View, MutableSequence):  # type: ignore[type-arg]
    """A live view of a list inside the shared state; changes sync the whole list."""

    __slots__ = ()
    _kind = list

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return _copy(self._node()[index])
        node = self._node()
        return _view(self._state, self._at + (index % len(node) if node else index,), node[index])

    def __setitem__(self, index: Any, value: Any) -> None:
        self._rewrite(lambda items: items.__setitem__(index, value))

    def __delitem__(self, index: Any) -> None:
        self._rewrite(lambda items: items.__delitem__(index))

    def insert(self, index: int, value: Any) -> None:
        self._rewrite(lambda items: items.insert(index, value))

    def _rewrite(self, change: Callable[[List[Any]], None]) -> None:
        """Change a copy of the list, then write it whole (pages have no list paths)."""
        updated = _copy(self._node())
        change(updated)
        self._state.set(self._at, updated)


def _view(state: SharedState, path: Path, value: Any) -> Any:
    if isinstance(value, dict):
        return StateDict(state, path)
    if isinstance(value, list):
        return StateList(state, path)
    return value


_app_state: Optional[SharedState] = None
_app_state_explicit = False


def create_shared_state(initial: Optional[Dict[str, Any]] = None) -> SharedState:
    """The seed's ``createSharedState``: the app's state, shared by every panel.

    The first call fills the app state (panels made earlier already share it); later calls
    make independent states, for panels given ``state=``.
    """
    global _app_state, _app_state_explicit
    if _app_state_explicit:
        return SharedState(initial)
    state = app_state()
    with state.batch():
        for key, value in (initial or {}).items():
            state.set((key,), value)
    _app_state_explicit = True
    return state


def app_state() -> SharedState:
    """The state panels share when not given ``state=`` (empty until filled)."""
    global _app_state
    if _app_state is None:
        _app_state = SharedState()
    return _app_state
