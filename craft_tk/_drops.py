"""Files, links and text dropped on a panel from other applications (XDND), as DOM drag
events in the page.

tkdnd (from ``tkinterdnd2``) makes the panel's frame an XDND drop target. A drag source
addresses the toplevel under the pointer, and tkdnd hands the drop to the Tk window there
or its nearest registered ancestor: the panel, also over CEF's own X window (not a Tk
widget). Each step reaches the page as ``dragenter``/``dragover``/``dragleave``/``drop``
at the element under the pointer; the drop's ``dataTransfer.files`` are ``File``s with
an absolute ``path`` when the page is the app's own content. Links (a browser's
``http(s)``/``ftp`` URIs) are ``text/uri-list`` and ``text/plain``, text is ``text/plain``,
as a browser's page reads them. The panel accepts every drag
(XDND wants an answer at once, the page answers later); the drop event fires even where no
``dragover`` listener accepted it, so the seed's snippet runs as it is. A drop while the
page loads waits for it. Then ``on_drop`` listeners get a ``Drop``.
"""

import functools
import logging
import mimetypes
import os
import re
import tkinter as tk
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

__all__ = ["Drop", "DropTarget", "Dropped", "describe_files", "read_drop"]

log = logging.getLogger("craft_tk")


class Drop(NamedTuple):
    """What was dropped on a panel: absolute ``paths`` of files, the point (``x``, ``y``)
    in the panel, the ``id`` of the page element under it (None if it has none), whether
    the page called ``preventDefault()`` (handled it), and the ``urls`` of links or the
    ``text`` dropped (None when no text was)."""

    paths: List[str]
    x: int
    y: int
    target: Optional[str]
    handled: bool
    urls: Sequence[str] = ()
    text: Optional[str] = None


class Dropped(NamedTuple):
    """A drop's data as tkdnd hands it over, sorted: file paths, link URLs, text."""

    paths: List[str]
    urls: List[str]
    text: Optional[str]


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # a URL's start: https:, mailto:, sftp:...


def read_drop(widget: tk.Misc, data: str, data_type: str) -> Dropped:
    """Sort ``data`` of tkdnd type ``data_type``. A ``text/uri-list`` is a Tcl list of
    local files (tkdnd drops their ``file://``) and other URLs; what is neither (a
    comment's words, a file of another host) is left out. Anything else is text, and so
    is a list of nothing usable (tkdnd hands another type's data when a conversion fails)."""
    if not data_type.startswith("text/uri-list"):
        return Dropped([], [], data)
    try:
        items = [str(item) for item in widget.tk.splitlist(data)]
    except tk.TclError:  # not a Tcl list: text
        return Dropped([], [], data)
    paths, urls = [], []
    for item in items:
        if item.startswith("localhost/"):  # file://localhost/path, as tkdnd leaves it
            item = item[len("localhost"):]
        if os.path.isabs(item):
            paths.append(item)
        elif _SCHEME.match(item):
            urls.append(item)
    return Dropped(paths, urls, None) if paths or urls else Dropped([], [], data)


def describe_files(paths: List[str], with_paths: bool) -> List[Dict[str, Any]]:
    """What the page's ``File``s say: name, size, MIME type, mtime (ms), and the path."""
    files = []
    for path in paths:
        try:
            info = os.stat(path)
            size, modified = info.st_size, int(info.st_mtime * 1000)
        except OSError:
            size, modified = 0, 0
        described = {"name": os.path.basename(path.rstrip("/")) or path, "size": size,
                     "type": mimetypes.guess_type(path)[0] or "", "lastModified": modified}
        if with_paths:
            described["path"] = path
        files.append(described)
    return files


def drop_strings(dropped: Dropped) -> Dict[str, str]:
    """The strings a page's ``dataTransfer.getData`` gives for ``dropped``'s links and text
    (those of its files craft.js makes, as it alone knows whether they have paths)."""
    if dropped.urls:
        return {"text/uri-list": "\r\n".join(dropped.urls), "text/plain": dropped.urls[0]}
    return {"text/plain": dropped.text} if dropped.text is not None else {}


def load_tkdnd(widget: tk.Misc) -> bool:
    """Load tkdnd into ``widget``'s interpreter (once); False when it is not installed."""
    try:
        widget.tk.call("package", "present", "tkdnd")
        return True
    except tk.TclError:
        pass
    try:
        from tkinterdnd2 import TkinterDnD  # the Tk binding of tkdnd, with its libraries
        TkinterDnD._require(widget)
        return True
    except (ImportError, RuntimeError, tk.TclError) as error:
        log.info("files dropped on panels are off: tkdnd did not load (%s); pip install tkinterdnd2", error)
        return False


class DropTarget:
    """Makes ``panel`` an XDND drop target; ``deliver(kind, x, y, dropped, done)`` passes
    each step to the page and answers with ``(target id, handled)`` for a drop, through
    ``done``."""

    def __init__(self, panel: tk.Misc, deliver: Callable[[str, int, int, Dropped, Callable[[Any], None]], None],
                 dropped: Callable[[Drop], None]) -> None:
        self._panel = panel
        self._deliver = deliver
        self._dropped = dropped
        self.active = load_tkdnd(panel)
        if not self.active:
            return
        call = panel.tk.call
        call("tkdnd::drop_target", "register", str(panel), ("DND_Files", "DND_Text"))
        handlers: List[Tuple[str, Callable[..., str], str]] = [  # no %D in a step: tkdnd would fetch the data
            ("<<DropEnter>>", functools.partial(self._step, "dragenter"), "%X %Y"),
            ("<<DropPosition>>", functools.partial(self._step, "dragover"), "%X %Y"),
            ("<<DropLeave>>", functools.partial(self._step, "dragleave"), "%X %Y"),
            ("<<Drop>>", self._drop, "%X %Y %D %T")]
        for sequence, handler, fields in handlers:
            call("bind", str(panel), sequence, "{} {}".format(panel.register(handler), fields))

    def _point(self, x: str, y: str) -> List[int]:
        return [int(float(x)) - self._panel.winfo_rootx(), int(float(y)) - self._panel.winfo_rooty()]

    def _step(self, kind: str, x: str, y: str) -> str:
        """A drag step over the panel (its data comes with the drop); the answer to XDND
        is always "copy": the page answers later."""
        try:
            px, py = self._point(x, y)
            self._deliver(kind, px, py, Dropped([], [], None), lambda outcome: None)
        except Exception:
            log.exception("a drag step (%s) failed", kind)
        return "copy"

    def _drop(self, x: str, y: str, data: str, data_type: str) -> str:
        try:
            dropped = read_drop(self._panel, data, data_type)
            px, py = self._point(x, y)

            def done(outcome: Any) -> None:
                target, handled = outcome if isinstance(outcome, (list, tuple)) and len(outcome) == 2 else (None, False)
                self._dropped(Drop(dropped.paths, px, py, target if isinstance(target, str) and target else None,
                                   bool(handled), tuple(dropped.urls), dropped.text))

            self._deliver("drop", px, py, dropped, done)
        except Exception:
            log.exception("a drop failed")
        return "copy"
