"""Typed IPC and validation: the spec's IpcEvents/IpcHandlers, checked at run time.

The page sends good and bad data; the typed window lets the good through and refuses the
bad with an error naming the field (shown in the page, and in the native log below it).
Run: python examples/typed.py [cef|tkhtml]
"""

import sys
import tkinter as tk
from typing import Awaitable, Callable

from typing_extensions import Annotated, TypedDict

import craft_tk
from craft_tk import Check

User = TypedDict("User", {"id": int, "name": str})
UpdateUser = TypedDict("UpdateUser", {"id": int, "name": str})
Notification = TypedDict("Notification", {"title": str, "message": str})
SaveData = TypedDict("SaveData", {
    "content": Annotated[str, Check(max_length=1_000_000)],
    "path": Annotated[str, Check(pattern=r"[a-zA-Z0-9\-_./]+")],
})
UserAction = TypedDict("UserAction", {"type": str, "target": str})

IpcEvents = TypedDict("IpcEvents", {
    "update-user": UpdateUser,      # native -> web
    "notification": Notification,   # native -> web
    "save-data": SaveData,          # web -> native
    "user-action": UserAction,      # web -> native
})
IpcHandlers = TypedDict("IpcHandlers", {
    "get-user": Callable[[int], Awaitable[User]],
    "save-file": Callable[[str, str], Awaitable[bool]],
})

PAGE = """<!doctype html>
<html><body style="font-family: sans-serif; margin: 14px">
  <h3>Typed IPC</h3>
  <button onclick="craft.send('save-data', {content: 'notes', path: 'notes/today.txt'})">Send good save-data</button>
  <button onclick="craft.send('save-data', {content: 'notes', path: '../../etc/passwd; rm'})">Send bad path</button><br>
  <button onclick="call('get-user', 42)">get-user(42)</button>
  <button onclick="call('get-user', 'forty-two')">get-user('forty-two')</button>
  <button onclick="call('save-file', 'text')">save-file with one argument</button>
  <p id="out">-</p>
  <p id="note"></p>
  <script>
    function show(text) { document.getElementById('out').textContent = text; }
    function call(name) {
      var args = Array.prototype.slice.call(arguments);
      craft.invoke.apply(craft, args).then(function (value) { show(name + ' -> ' + JSON.stringify(value)); },
        function (error) { show(name + ' refused: ' + error.name + ': ' + error.message); });
    }
    craft.on('notification', function (note) {
      document.getElementById('note').textContent = note.title + ': ' + note.message;
    });
  </script>
</body></html>"""


def main(backend: str = "auto") -> None:
    window = craft_tk.create_typed_window(PAGE, events=IpcEvents, handlers=IpcHandlers, title="craft_tk: typed IPC",
                                          width=640, height=480, backend=backend)
    log = tk.Listbox(window, height=6)
    log.pack(side="bottom", fill="x", before=window.panel)  # the panel fills what is left
    window.on_ipc_error(lambda error: log.insert("end", "{}: {}".format(type(error).__name__, error)))

    @window.on("save-data")
    def save_data(data: SaveData) -> None:
        log.insert("end", "saved {} characters to {}".format(len(data["content"]), data["path"]))
        window.emit("notification", {"title": "Saved", "message": data["path"]})

    @window.handle("get-user")
    async def get_user(user_id: int) -> User:
        return {"id": user_id, "name": "John"}

    @window.handle("save-file")
    async def save_file(content: str, path: str) -> bool:
        return True

    window.mainloop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auto")
