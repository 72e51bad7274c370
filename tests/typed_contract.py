"""The contract the typed-IPC tests and the TypeScript check use: the seed's, and more."""

from typing import Any, Awaitable, Callable, Dict, List, Optional

from typing_extensions import Annotated, Literal, NotRequired, TypedDict

from craft_tk import Check

User = TypedDict("User", {"id": int, "name": str, "tags": NotRequired[List[str]]})
Notification = TypedDict("Notification", {"title": str, "message": str})
SaveData = TypedDict("SaveData", {
    "content": Annotated[str, Check(max_length=1_000_000)],
    "path": Annotated[str, Check(pattern=r"[a-zA-Z0-9\-_./]+")],
})
Settled = TypedDict("Settled", {"label": str, "ok": bool, "value": Any, "name": str, "message": str},
                    total=False)
UserAction = TypedDict("UserAction", {"type": Literal["click", "key"], "target": str, "at": Optional[float]})

IpcEvents = TypedDict("IpcEvents", {
    # native -> web
    "update-user": User,
    "notification": Notification,
    # web -> native
    "save-data": SaveData,
    "user-action": UserAction,
    "settled": Settled,  # how the tests' pages report an invoke's outcome
})

IpcHandlers = TypedDict("IpcHandlers", {
    "get-user": Callable[[int], Awaitable[User]],
    "save-file": Callable[[str, str], bool],
    "count-words": Callable[[List[str]], Dict[str, int]],
})
