"""Files dropped on a panel from other applications (XDND), as DOM drag events in the page.

tkdnd (from ``tkinterdnd2``) makes the panel's frame an XDND drop target. A drag source
addresses the toplevel under the pointer, and tkdnd hands the drop to the Tk window there
or its nearest registered ancestor: the panel, also over CEF's own X window (not a Tk
widget). Each step reaches the page as ``dragenter``/``dragover``/``dragleave``/``drop``
at the element under the pointer; the drop's ``dataTransfer.files`` are ``File``s with
an absolute ``path`` when the page is the app's own content. The panel accepts every drag
(XDND wants an answer at once, the page answers later); the drop event fires even where no
``dragover`` listener accepted it, so the seed's snippet runs as it is. A drop while the
page loads waits for it. Then ``on_drop`` listeners get a ``Drop``.
"""

import functools
import logging
import mimetypes
import os
import tkinter as tk
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

__all__ = ["Drop", "DropTarget", "describe_files"]

log = logging.getLogger("craft_tk")



class Drop(NamedTuple):
    """Files dropped on a panel: absolute ``paths``, the point (``x``, ``y``) in the
    panel, the ``id`` of the page element under it (None if it has none), and whether
    the page called ``preventDefault()`` (handled it)."""

    paths: List[str]
    x: int
    y: int
    target: Optional[str]
    handled: bool


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
    """Makes ``panel`` an XDND drop target; ``deliver(kind, x, y, files)`` passes each step
    to the page and answers with ``(target id, handled)`` for a drop, through ``done``."""

    def __init__(self, panel: tk.Misc, deliver: Callable[[str, int, int, List[str], Callable[[Any], None]], None],
                 dropped: Callable[[Drop], None]) -> None:
        self._panel = panel
        self._deliver = deliver
        self._dropped = dropped
        self.active = load_tkdnd(panel)
        if not self.active:
            return
        call = panel.tk.call
        call("tkdnd::drop_target", "register", str(panel), ("DND_Files",))
        handlers: List[Tuple[str, Callable[..., str]]] = [
            ("<<DropEnter>>", functools.partial(self._step, "dragenter")),
            ("<<DropPosition>>", functools.partial(self._step, "dragover")),
            ("<<DropLeave>>", functools.partial(self._step, "dragleave")),
            ("<<Drop>>", self._drop)]
        for sequence, handler in handlers:
            call("bind", str(panel), sequence, "{} %X %Y %D".format(panel.register(handler)))

    def _point(self, x: str, y: str) -> List[int]:
        return [int(float(x)) - self._panel.winfo_rootx(), int(float(y)) - self._panel.winfo_rooty()]

    def _step(self, kind: str, x: str, y: str, data: str) -> str:
        """A drag step over the panel (``data`` is empty until the drop); the answer to
        XDND is always "copy": the page answers later."""
        try:
            px, py = self._point(x, y)
            self._deliver(kind, px, py, [], lambda outcome: None)
        except Exception:
            log.exception("a drag step (%s) failed", kind)
        return "copy"

    def _drop(self, x: str, y: str, data: str) -> str:
        try:
            paths = [str(path) for path in self._panel.tk.splitlist(data)]
            px, py = self._point(x, y)

            def done(outcome: Any) -> None:
                target, handled = outcome if isinstance(outcome, (list, tuple)) and len(outcome) == 2 else (None, False)
                self._dropped(Drop(paths, px, py, target if isinstance(target, str) and target else None,
                                   bool(handled)))

            self._deliver("drop", px, py, paths, done)
        except Exception:
            log.exception("a drop failed")
        return "copy"
