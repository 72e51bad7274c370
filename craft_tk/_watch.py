"""Hot reload: a panel showing a local page reloads when that page's files change.

``watchdog`` reports changes in the page's folder (and below) from its own thread; they
are handed to the Tk thread and gathered for ``DEBOUNCE_S`` (an editor's save is several
events), then the panel reloads: the shared state stays in Python, so the new page
starts from it.
"""

import os
import urllib.parse
from typing import Any, Callable, Optional

from ._errors import CraftError

__all__ = ["PageWatcher", "PAGE_SUFFIXES", "watched_folder"]

DEBOUNCE_S = 0.15
SKIPPED_FOLDERS = ("node_modules", "__pycache__")  # and folders whose name starts with a dot
PAGE_SUFFIXES = (".html", ".htm", ".js", ".mjs", ".css", ".json", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp",
                 ".woff", ".woff2", ".ttf")


def is_page_file(path: str, root: str) -> bool:
    """Whether a change to ``path`` (below ``root``) is one a page would show."""
    if not path.lower().endswith(PAGE_SUFFIXES):
        return False
    parts = os.path.relpath(path, root).split(os.sep)[:-1]
    return not any(part.startswith(".") or part in SKIPPED_FOLDERS for part in parts)


def watched_folder(url: str) -> Optional[str]:
    """The folder a page at ``url`` is read from, if it is a local file."""
    if not url.startswith("file://"):
        return None
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    return os.path.dirname(path)


class PageWatcher:
    """Calls ``reload()`` on the Tk thread of ``widget`` once the page files in ``folder``
    stop changing; ``stop()`` ends it. ``hand_over(fn)`` runs ``fn`` on the Tk thread."""

    def __init__(self, widget: Any, hand_over: Callable[[Callable[[], None]], None],
                 reload: Callable[[], None]) -> None:
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            raise CraftError("watch=True needs watchdog: pip install watchdog (or 'craft_tk[watch]')") from None
        self._widget = widget
        self._hand_over = hand_over
        self._reload = reload
        self._job: Optional[str] = None
        self._folder: Optional[str] = None
        self._stopped = False
        self._observer = Observer()
        self._observer.daemon = True
        watcher = self

        class Handler(FileSystemEventHandler):  # type: ignore[misc]
            def on_any_event(self, event: Any) -> None:
                if event.event_type in ("opened", "closed", "closed_no_write"):
                    return
                folder = watcher._folder
                paths = [str(getattr(event, "src_path", "")), str(getattr(event, "dest_path", ""))]
                if folder and any(path and is_page_file(path, folder) for path in paths):
                    watcher._hand_over(watcher._changed)

        self._handler = Handler()
        self._observer.start()

    def follow(self, folder: Optional[str]) -> None:
        """Watch ``folder`` (None: nothing) instead of the folder watched so far."""
        if folder == self._folder:
            return
        self._observer.unschedule_all()
        self._folder = folder
        if folder and os.path.isdir(folder):
            self._observer.schedule(self._handler, folder, recursive=True)

    def stop(self) -> None:
        self._stopped = True
        if self._job is not None:
            try:
                self._widget.after_cancel(self._job)
            except Exception:  # the widget is gone already
                pass
            self._job = None
        self._observer.unschedule_all()
        self._observer.stop()

    def _changed(self) -> None:
        if self._stopped:
            return  # handed over before the panel closed
        if self._job is not None:
            self._widget.after_cancel(self._job)
        self._job = self._widget.after(int(DEBOUNCE_S * 1000), self._fire)

    def _fire(self) -> None:
        self._job = None
        if not self._stopped:
            self._reload()
