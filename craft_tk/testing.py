"""Unit tests of app code with no browser and no display, on any Python.

``HeadlessPanel`` has a panel's IPC (``on``, ``handle``, ``emit``, ``invoke``,
``create_channel``, ``on_channel``, ``state``, ``on_ipc_error``...) on a plain asyncio
loop, with the loopback page (``.page``: the page's ``craft`` API in Python names) as its
page. Write the app against a panel-like object, hand it a ``HeadlessPanel`` in tests,
and drive it from the page's side::

    panel = HeadlessPanel()
    my_app.setup(panel)
    assert panel.run_until(panel.page.invoke("get-note", 1)) == "groceries"
"""

import asyncio
from typing import Any, Awaitable, Callable, Optional, Sequence

from ._dispatcher import Dispatcher
from ._driver import LoopDriver
from ._state import SharedState
from .backends._loopback import LoopbackPage, LoopbackTransport

__all__ = ["HeadlessPanel"]


class HeadlessPanel:
    """A panel's IPC and a loopback page, on a loop of its own (``close()`` ends both)."""

    def __init__(self, state: Optional[SharedState] = None, invoke_timeout: Optional[float] = None,
                 allow: Optional[Sequence[str]] = None, debug: bool = False) -> None:
        self.driver = LoopDriver()
        self.core = Dispatcher(self.driver, debug, invoke_timeout, allow,
                               state if state is not None else SharedState())
        self.transport = LoopbackTransport.headless(self.core)

    @property
    def page(self) -> LoopbackPage:
        """The page now loaded (a new one after ``reload()``)."""
        return self.transport.page

    def __getattr__(self, name: str) -> Any:
        return getattr(self.core, name)  # the IPC methods and ``state``

    def reload(self) -> None:
        """Load the page again: what was pending fails with ``PageGone``, a new page connects."""
        self.transport.reload()

    def run(self) -> None:
        """Run what is ready (and what that makes ready) until the loop is idle."""
        self.driver.run_until_idle()

    def run_until(self, awaitable: Awaitable[Any], timeout: float = 5.0) -> Any:
        """Run the loop, timers included, until ``awaitable`` is done; its result."""
        return self.driver.loop.run_until_complete(asyncio.wait_for(awaitable, timeout))

    def wait_for(self, condition: Callable[[], Any], timeout: float = 5.0) -> None:
        """Run the loop until ``condition()`` is true."""
        async def poll() -> None:
            while not condition():
                await asyncio.sleep(0.001)

        self.run_until(poll(), timeout)

    def close(self) -> None:
        """Close the page and the IPC, cancel the app's tasks still running, close the loop."""
        self.transport.close()
        self.core.close()
        loop = self.driver.loop
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        self.driver.close()
