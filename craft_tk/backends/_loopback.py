"""The loopback transport: no browser, a Python stand-in for the page.

For fast unit tests of app code, as Tauri's ``mockIPC``: the core runs exactly as with a
real engine (same wire strings, same batching, same hello/welcome), and the page is a
``LoopbackPage`` that the test drives from Python::

    panel = craft_tk.WebPanel(root, html="", backend="loopback")
    page = panel.transport.page
    page.on("update-data", received.append)
    page.send("user-action", {"type": "click"})
    root.update()

Like craft.js, the stand-in queues what it sends until the native side welcomes it, and
sends everything queued in one tick as one batch. It never replaces the real-engine tests.
"""

import itertools
import tkinter as tk
from typing import Any, Callable, List

import orjson

from craft_tk import jsbridge

from .._eventloop import TkAsyncio
from .._listeners import Listeners
from .. import _protocol as protocol
from .._protocol import Kind, read_boot
from ._base import Page, PageHost

__all__ = ["LoopbackPage", "LoopbackTransport"]

_page_ids = itertools.count(1)


class LoopbackPage:
    """The page side, in Python: ``send``, ``on``, ``off``, ``once`` as in craft.js."""

    def __init__(self, host: PageHost, driver: TkAsyncio, secret: str = "") -> None:
        self._host = host
        self._secret = secret  # from the bridge's boot, as craft.js reads it
        self._driver = driver
        self._listeners = Listeners(self._listener_failed, lambda: driver.loop)
        self._outbox: List[bytes] = []  # encoded messages
        self._flush_scheduled = False
        self.connected = False
        self.batches_received = 0
        self.listener_errors: List[BaseException] = []

    def send(self, name: str, data: Any = None) -> None:
        """Queue event ``name`` for native (as ``craft.send``)."""
        self._queue(protocol.event(name, data))

    def on(self, name: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Listen to native event ``name``; returns an unsubscribe function."""
        return self._listeners.add(name, fn)

    def once(self, name: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        return self._listeners.add(name, fn, once=True)

    def off(self, name: str, fn: Any = None) -> None:
        self._listeners.remove(name, fn)

    def post_raw(self, wire: Any) -> None:
        """Hand ``wire`` to native untouched: for testing malformed input."""
        self._host.receive(wire)

    # -- driven by the transport ----------------------------------------------------------

    def start(self) -> None:
        hello = protocol.hello("loopback-{}".format(next(_page_ids)))
        self._host.receive(protocol.page_wire(self._secret, [hello]))

    def deliver(self, wire: str) -> None:
        self.batches_received += 1
        envelope = wire[1:wire.index("\n")] if wire.startswith("~") else wire  # channel payloads: ignored
        for message in orjson.loads(envelope):
            if message["kind"] == Kind.WELCOME:
                self.connected = True
                self._schedule_flush()
            elif message["kind"] == Kind.EVENT:
                self._listeners.fire(message["name"], message["data"])

    def _queue(self, message: bytes) -> None:
        self._outbox.append(message)
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if self.connected and self._outbox and not self._flush_scheduled:
            self._flush_scheduled = True
            self._driver.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        batch, self._outbox = self._outbox, []
        if batch:
            self._host.receive(protocol.page_wire(self._secret, batch))

    def _listener_failed(self, name: str, error: BaseException) -> None:
        self.listener_errors.append(error)
        self._queue(protocol.fault("listener for {!r}: {}".format(name, error), type(error).__name__, None))


class LoopbackTransport:
    """A transport whose page is a ``LoopbackPage``; a new one on every load."""

    name = "loopback"

    def __init__(self, frame: tk.Frame, host: PageHost, bridge: Callable[[], str]) -> None:
        self._host = host
        self._bridge = bridge
        self._driver = TkAsyncio.of(frame)
        self.page = LoopbackPage(host, self._driver)
        self.posts = 0

    def load(self, page: Page) -> None:
        self._host.page_loading()
        boot = read_boot(self._bridge(), jsbridge.bridge_source())
        self.page = LoopbackPage(self._host, self._driver, boot.get("secret", ""))
        self._driver.call_soon(self.page.start)  # a real page says hello a little later

    def reload(self) -> None:
        self.load(Page())

    def post(self, wire: str) -> None:
        self.posts += 1
        self.page.deliver(wire)

    def show_devtools(self) -> bool:
        return False

    def execute(self, script: str) -> None:
        raise NotImplementedError("the loopback backend runs no JavaScript; drive transport.page instead")

    def close(self) -> None:
        self.page.connected = False
