"""A core with no engine: a Dispatcher on a plain asyncio loop, a transport that records
what it is given, and wire strings made by hand as craft.js makes them."""

from typing import Any, Dict, List, Optional

import orjson

from craft_tk._dispatcher import Dispatcher
from craft_tk._driver import LoopDriver
from craft_tk._state import SharedState


class RecordingTransport:
    """Keeps every wire string posted to the page, and every script run in it."""

    name = "recording"

    def __init__(self) -> None:
        self.posts: List[str] = []
        self.scripts: List[str] = []

    def post(self, wire: str) -> None:
        self.posts.append(wire)

    def execute(self, script: str) -> None:
        self.scripts.append(script)

    def messages(self) -> List[Dict[str, Any]]:
        """Every message posted so far, decoded (channel payloads left out)."""
        decoded: List[Dict[str, Any]] = []
        for wire in self.posts:
            envelope = wire[1:wire.index("\n")] if wire.startswith("~") else wire
            decoded.extend(orjson.loads(envelope))
        return decoded


class Core:
    """One panel's core, driven by hand: ``post`` what a page would, ``run`` the loop."""

    def __init__(self, state: Optional[SharedState] = None, **options: Any) -> None:
        self.driver = LoopDriver()
        self.dispatcher = Dispatcher(self.driver, state=state if state is not None else SharedState(), **options)
        self.transport = RecordingTransport()
        self.dispatcher.transport = self.transport  # type: ignore[assignment]
        self.errors: List[Exception] = []
        self.dispatcher.on_ipc_error(self.errors.append)
        self.secret = self.dispatcher.secrets.issue()

    def close(self) -> None:
        self.dispatcher.close()
        self.driver.close()

    def run(self) -> None:
        self.driver.run_until_idle()

    def connect(self) -> None:
        self.post({"kind": "hello", "page": "page-1"})
        self.run()

    def reload(self) -> None:
        """A new page load: the old one goes, the new one gets a fresh secret and says hello."""
        self.dispatcher.page_loading()
        self.secret = self.dispatcher.secrets.issue()
        self.connect()

    def wire(self, *messages: Any, secret: Optional[str] = None) -> str:
        """A wire string as craft.js makes it: the secret, then each message after a newline."""
        parts = [m if isinstance(m, str) else orjson.dumps(m).decode() for m in messages]
        return '["{}"'.format(self.secret if secret is None else secret) + "".join("\n," + p for p in parts) + "]"

    def post(self, *messages: Any, secret: Optional[str] = None) -> None:
        self.dispatcher.receive(self.wire(*messages, secret=secret))

    def sent(self, kind: Optional[str] = None) -> List[Dict[str, Any]]:
        self.run()
        return [m for m in self.transport.messages() if kind is None or m.get("kind") == kind]
