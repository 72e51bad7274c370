"""The transport interface: what a browser backend must do, and nothing more.

A transport loads a page with the bridge (``jsbridge/craft.js``) in it, moves wire
strings both ways and closes. It knows nothing of events, invokes, channels or state:
all of that lives in the core, once.
"""

import tkinter as tk
from typing import Callable, FrozenSet, List, NamedTuple, Optional

from typing_extensions import Protocol

__all__ = ["Page", "PageHost", "Transport"]


class Page(NamedTuple):
    """What to show: an HTML string (with an optional base URL) or a URL."""

    html: Optional[str] = None
    url: Optional[str] = None
    base_url: Optional[str] = None


class PageHost(Protocol):
    """The core's side of a transport (the dispatcher implements it)."""

    devtools_port: Optional[int]  # where an engine with DevTools lets CDP clients attach

    def receive(self, wire: str) -> bool:
        """A wire string arrived from the page. Called on the Tk thread. True when it was
        a ``hello`` the panel accepted: only then may a transport take the receive
        function that came with it."""

    def page_loading(self, failure: Optional[str] = None) -> None:
        """The page is going away (load, reload, navigation): hold messages until hello.

        ``failure`` says why when the page went by accident (a crashed browser process).
        """

    def allows(self, url: str, main_frame: bool = True) -> bool:
        """Whether the page at ``url`` may have the bridge: ask before following a
        navigation the page started, and before trusting a caller whose frame is known.
        False means: block it (the refusal is already reported)."""

    def allowed_origins(self) -> List[str]:
        """The same policy as data, for a transport that decides in another process."""

    def page_log(self, level: str, message: str, source: Optional[str] = None, line: Optional[int] = None) -> None:
        """The page wrote to its console (``level``: debug, info, warning or error)."""

    def page_error(self, message: str, source: Optional[str] = None, line: Optional[int] = None) -> None:
        """A page script failed with nothing in the page to catch it (for an engine
        whose transport sees that itself; elsewhere craft.js reports it)."""

    def shortcuts(self) -> FrozenSet[str]:
        """The key chords the app binds (``_keys`` spelling, ``"Ctrl+S"``): a browser that
        has the keyboard must not act on them nor give them to the page, but report them
        with ``shortcut``. A transport in another process is told of changes by its
        optional ``shortcuts_changed()`` method."""

    def shortcut(self, chord: str) -> None:
        """A chord of ``shortcuts()`` was pressed while the page had the keyboard."""


class Transport(Protocol):
    """Moves wire strings between the core and one page shown in a Tk frame.

    Every method is called on the Tk thread. ``post`` delivers strings in call order.
    After ``close`` the transport sends and receives nothing. A transport may have a
    ``post_size`` attribute: the size of the wire strings channel data is cut into for it
    (``_outbox.DEFAULT_POST_SIZE``, 128 KB, when it has none: CEF copies a string to the
    page in superlinear time, 0.08 ms for 64 KB but 1.5 ms for 256 KB). Its class may
    have a static ``preload(devtools_port)``, which ``craft_tk.preload`` calls before any
    panel (and perhaps any Tk root) exists, to start what can start early.
    """

    def __init__(self, frame: tk.Frame, host: PageHost, bridge: Callable[[], str]) -> None:
        """Prepare to show pages in ``frame``; ``bridge()`` gives the bridge script to run
        first in each page (craft.js and the state snapshot of that moment)."""

    def load(self, page: Page) -> None:
        """Show ``page``, with the bridge running before the page's first script."""

    def reload(self) -> None:
        """Load the current page again."""

    def post(self, wire: str) -> None:
        """Deliver one wire string to the page's bridge."""

    def execute(self, script: str) -> None:
        """Run JavaScript in the page (fire and forget)."""

    def close(self) -> None:
        """Close the browser; idempotent."""

    def show_devtools(self) -> bool:
        """Open the engine's developer tools for the page; False when it has none."""

    def close_devtools(self) -> None:
        """Close the developer tools ``show_devtools`` opened, if they are open."""
