"""The IPC inspector: a Tk window listing, live, every message that crosses a panel (or
every panel of ``craft_tk.app``), with the shared state as a tree and the open channels.

It reads a ``Tap``: the app's hot path only appends raw records to a bounded ring; this
window decodes them a slice at a time (at most ``DECODE_BUDGET_S`` per redraw) and
redraws at most ``1000 / REDRAW_MS`` times a second, drawing only the rows in view, so a
burst of any size costs the Tk loop a few milliseconds per redraw.
"""

import itertools
import time
import tkinter as tk
import tkinter.font as tkfont
from tkinter import ttk
from typing import Any, Callable, Iterator, List, Optional, Union

from ._app import App, app
from ._ipc_log import CHANNEL_KINDS, ERROR_KINDS, HIDDEN, Item, Row, RowReader
from ._protocol import Kind
from ._state import app_state
from ._tap import DEFAULT_CAPACITY, DEFAULT_MAX_CHARS, Ring, Tap

__all__ = ["Inspector"]

REDRAW_MS = 250
DECODE_BUDGET_S = 0.010
STATE_NODES = 2000  # the tree shows at most this many values
KIND_FILTERS = {
    "all kinds": None,
    "events": {Kind.EVENT},
    "invokes": {Kind.INVOKE, Kind.RESULT, Kind.ERROR, Kind.CANCEL, Kind.PROGRESS},
    "channels": set(CHANNEL_KINDS),
    "state": {Kind.STATE},
    "errors": set(ERROR_KINDS),
    "console": {"console"},
}
# (title, width in characters, what a row shows there)
COLUMNS = (
    ("time s", 8, lambda row: "{:.3f}".format(row.time)),
    ("panel", 9, lambda row: row.label or ""),
    ("dir", 5, lambda row: {"in": "P\u2192N", "out": "N\u2192P"}.get(row.direction, "note")),
    ("kind", 10, lambda row: row.kind),
    ("name", 18, lambda row: row.name),
    ("size", 6, lambda row: str(row.size)),
    ("ms", 6, lambda row: "" if row.round_trip is None else "{:.2f}".format(row.round_trip * 1000)),
    ("outcome / data", 60, lambda row: row.outcome if row.outcome not in ("", "ok") else row.payload or row.outcome),
)


class Inspector:
    """``Inspector(panel_or_app)``: open the window. ``payloads=False`` hides message data;
    ``capacity`` bounds the wire strings kept, ``max_chars`` their characters (the oldest
    go first). ``close()`` (or the window's close button)
    stops recording."""

    def __init__(self, target: Union[Any, App, None] = None, payloads: bool = True,
                 capacity: int = DEFAULT_CAPACITY, master: Optional[tk.Misc] = None,
                 max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.target = app if target is None else target
        self.tap = Tap(capacity, max_chars)
        self.capacity = capacity
        self._reader = RowReader(self.tap.started, payloads)
        self._seen = 0
        self._undecoded = Ring(capacity, max_chars)  # the oldest go if the window lags
        self._items: Iterator[Item] = iter(())  # the messages of the record being read
        self.rows: List[Row] = []
        self.shown: List[Row] = []
        self._top = 0  # index in ``shown`` of the first row in view
        self._follow = True
        self._state_version = -1
        self.longest_redraw_s = 0.0  # what the window has cost the Tk loop at most, in one go
        self.paused = tk.BooleanVar(value=False)
        self._window = tk.Toplevel(master if master is not None else self._master_of(self.target))
        self._window.title("craft_tk inspector: " + self._title_of(self.target))
        self._window.geometry("1000x520")
        self._window.protocol("WM_DELETE_WINDOW", self.close)
        self._window.bind("<Destroy>", lambda event: self.close() if event.widget is self._window else None, add="+")
        self._build()
        self._detach: Callable[[], None] = self.target.add_tap(self.tap)
        self._job: Optional[str] = self._window.after(REDRAW_MS, self._redraw)

    # -- public -------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop recording and close the window."""
        self._detach()
        if self._job is not None:
            try:
                self._window.after_cancel(self._job)
            except tk.TclError:
                pass  # the interpreter is going
            self._job = None
        try:
            if self._window.winfo_exists():
                self._window.destroy()
        except tk.TclError:
            pass

    def clear(self) -> None:
        """Forget the messages listed so far."""
        self.tap.clear()
        self._undecoded.clear()
        self._items = iter(())
        self.rows, self.shown, self._top = [], [], 0
        self._draw_rows()

    def refresh(self) -> None:
        """Take in what crossed and redraw now (the window also does it by itself)."""
        self._take_new(budget=None)
        self._draw_rows()
        self._draw_state()
        self._draw_channels()

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        window = self._window
        bar = tk.Frame(window, padx=6, pady=4)
        bar.pack(side="top", fill="x")
        tk.Label(bar, text="Name contains").pack(side="left")
        self.filter_text = tk.StringVar()
        tk.Entry(bar, textvariable=self.filter_text, width=20).pack(side="left", padx=4)
        self.kind = tk.StringVar(value="all kinds")
        ttk.Combobox(bar, textvariable=self.kind, values=list(KIND_FILTERS), state="readonly",
                     width=10).pack(side="left", padx=4)
        tk.Checkbutton(bar, text="Pause", variable=self.paused).pack(side="left", padx=4)
        tk.Button(bar, text="Clear", command=self.clear).pack(side="left", padx=4)
        self.count = tk.Label(bar, text="")
        self.count.pack(side="right")
        for variable in (self.filter_text, self.kind):
            variable.trace_add("write", lambda *_: self._refilter())

        panes = tk.PanedWindow(window, orient="horizontal", sashwidth=4)
        panes.pack(fill="both", expand=True)
        left = tk.Frame(panes)
        self.font = tkfont.nametofont("TkFixedFont")
        self.row_height = self.font.metrics("linespace") + 2
        char = self.font.measure("0")
        self._x = []
        x = 4
        for _, width, _ in COLUMNS:
            self._x.append(x)
            x += width * char
        header = tk.Canvas(left, height=self.row_height + 4, background="#e8e8e8", highlightthickness=0)
        header.pack(side="top", fill="x")
        for (title, _, _), x in zip(COLUMNS, self._x):
            header.create_text(x, 3, text=title, anchor="nw", font=self.font)
        self.scrollbar = tk.Scrollbar(left, command=self._scroll)
        self.scrollbar.pack(side="right", fill="y")
        self.canvas = tk.Canvas(left, background="white", highlightthickness=0)
        self.canvas.pack(side="left", fill="both", expand=True)
        self.canvas.bind("<Configure>", lambda _: self._draw_rows())
        self.canvas.bind("<Button-4>", lambda _: self._scroll("scroll", -3, "units"))
        self.canvas.bind("<Button-5>", lambda _: self._scroll("scroll", 3, "units"))
        panes.add(left, stretch="always", width=720)

        right = tk.Frame(panes)
        tk.Label(right, text="Shared state", anchor="w").pack(fill="x")
        self.state_tree = ttk.Treeview(right, columns=("value",), height=14)
        self.state_tree.heading("#0", text="key")
        self.state_tree.heading("value", text="value")
        self.state_tree.pack(fill="both", expand=True)
        tk.Label(right, text="Channels", anchor="w").pack(fill="x")
        self.channels = tk.Text(right, height=7, width=40, font=self.font, state="disabled")
        self.channels.pack(fill="x")
        panes.add(right, stretch="always")

    # -- redraw ------------------------------------------------------------------------------

    def _redraw(self) -> None:
        self._job = None
        if not self._window.winfo_exists():
            return
        if not self.paused.get():
            started = time.perf_counter()
            self._take_new(budget=DECODE_BUDGET_S)
            self._draw_rows()
            self._draw_state()
            self._draw_channels()
            self.longest_redraw_s = max(self.longest_redraw_s, time.perf_counter() - started)
        self._job = self._window.after(REDRAW_MS, self._redraw)

    def _take_new(self, budget: Optional[float]) -> None:
        """Decode waiting records into rows, for at most ``budget`` seconds."""
        records, self._seen = self.tap.since(self._seen)
        self._undecoded.extend(records)
        deadline = None if budget is None else time.perf_counter() + budget
        wanted = self._wanted()
        while deadline is None or time.perf_counter() < deadline:
            # One wire string may hold thousands of messages: they are read 200 at a time.
            new = [self._reader.row(item) for item in itertools.islice(self._items, 200)]
            if not new:
                if not self._undecoded:
                    break
                self._items = self._reader.items([self._undecoded.popleft()])
                continue
            self.rows.extend(new)
            self.shown.extend(row for row in new if wanted(row))
        if len(self.rows) > self.capacity:  # drop the oldest, keeping the view where it is
            dropped = len(self.rows) - self.capacity
            old = {id(row) for row in self.rows[:dropped]}
            del self.rows[:dropped]
            gone = 0
            while gone < len(self.shown) and id(self.shown[gone]) in old:
                gone += 1
            del self.shown[:gone]
            self._top = max(0, self._top - gone)

    def _wanted(self) -> Callable[[Row], bool]:
        kinds = KIND_FILTERS.get(self.kind.get())
        text = self.filter_text.get().lower()
        return lambda row: (kinds is None or row.kind in kinds) and (not text or text in row.name.lower())

    def _refilter(self) -> None:
        wanted = self._wanted()
        self.shown = [row for row in self.rows if wanted(row)]
        self._follow = True
        self._draw_rows()

    def _visible_count(self) -> int:
        return max(1, self.canvas.winfo_height() // self.row_height)

    def _scroll(self, *args: Any) -> None:
        visible = self._visible_count()
        last_top = max(0, len(self.shown) - visible)
        if args[0] == "moveto":
            top = int(float(args[1]) * len(self.shown))
        else:
            top = self._top + int(args[1]) * (visible if args[2] == "pages" else 1)
        self._top = min(max(0, top), last_top)
        self._follow = self._top >= last_top
        self._draw_rows()

    def _draw_rows(self) -> None:
        visible = self._visible_count()
        total = len(self.shown)
        if self._follow:
            self._top = max(0, total - visible)
        canvas = self.canvas
        canvas.delete("row")
        for line, row in enumerate(self.shown[self._top:self._top + visible]):
            colour = "#c00000" if row.kind in ERROR_KINDS or (row.outcome not in ("", "ok", "cancelled")) else "black"
            y = line * self.row_height + 1
            for (_, width, text_of), x in zip(COLUMNS, self._x):
                text = text_of(row)
                if len(text) > width - 1:
                    text = text[:max(width - 2, 1)] + "\u2026"
                canvas.create_text(x, y, text=text, anchor="nw", font=self.font, fill=colour, tags="row")
        if total:
            self.scrollbar.set(self._top / total, min(1.0, (self._top + visible) / total))
        else:
            self.scrollbar.set(0, 1)
        self.count.configure(text="{:,} messages, {:,} shown{}".format(
            len(self.rows), total, " (reading; {:,} wire strings waiting)".format(len(self._undecoded))
            if self._undecoded else ""))

    def _draw_state(self) -> None:
        state = self.target.state if hasattr(self.target, "state") else app_state()
        if state.version == self._state_version:
            return
        self._state_version = state.version
        tree = self.state_tree
        tree.delete(*tree.get_children())
        budget = [STATE_NODES]
        panels = self.target.panels() if isinstance(self.target, App) else [self.target]
        hidden = not self._reader.payloads or not all(panel.trace_payloads for panel in panels)

        def add(parent: str, key: str, value: Any) -> None:
            if budget[0] <= 0:
                return
            budget[0] -= 1
            if isinstance(value, dict):
                node = tree.insert(parent, "end", text=key, values=("{{{} keys}}".format(len(value)),), open=True)
                for child_key, child in value.items():
                    add(node, str(child_key), child)
            elif isinstance(value, list):
                node = tree.insert(parent, "end", text=key, values=("[{} items]".format(len(value)),), open=True)
                for index, child in enumerate(value):
                    add(node, str(index), child)
            else:
                tree.insert(parent, "end", text=key, values=(HIDDEN if hidden else repr(value),))

        for key, value in state.snapshot().items():
            add("", key, value)

    def _draw_channels(self) -> None:
        panels = self.target.panels() if isinstance(self.target, App) else [self.target]
        lines = []
        for panel in panels:
            for channel in panel.describe_channels():
                lines.append("{}{name}: window {window}/{peer_window}, unacked {unacked}, waiting {waiting} "
                             "({waiting_bytes} B), inbox {inbox}".format(
                                 panel.label + " " if len(panels) > 1 else "", **channel))
        text = "\n".join(lines) or "(no open channel)"
        if self.channels.get("1.0", "end-1c") != text:
            self.channels.configure(state="normal")
            self.channels.delete("1.0", "end")
            self.channels.insert("1.0", text)
            self.channels.configure(state="disabled")

    @staticmethod
    def _master_of(target: Any) -> tk.Misc:
        if isinstance(target, App):
            panels = target.panels()
            if not panels:
                raise ValueError("the app has no panel yet: open the inspector once one exists")
            return panels[0].winfo_toplevel()
        return target.winfo_toplevel()

    @staticmethod
    def _title_of(target: Any) -> str:
        return "every panel" if isinstance(target, App) else "panel " + str(target.label)
