"""The native half of a Tkhtml page's DOM (``jsbridge/tkhtml-dom.js``).

``DomNative`` answers what the page world's DOM cannot compute in JavaScript: Tcl calls
on Tkhtml nodes (tree, attributes, selectors) and geometry from Tkhtml's layout.
``TkEvents`` turns Tk's events into DOM events of the page shown: it finds the target
node and its ancestors and hands them to the world, which runs the capture, target and
bubble phases in JavaScript. Clicks and submissions are always watched (inline
``onclick`` handlers need them); motion, keys, focus and field changes are bound only
while the page listens for them, so a page that does not pays nothing per event.
"""

import logging
import time
import tkinter as tk
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

log = logging.getLogger("craft_tk.tkhtml")

__all__ = ["DomNative", "TkEvents", "FIELD_STYLE", "OWN_ATTRIBUTES"]

# The inline handlers (on... attributes) the page world runs; tkinterweb runs the others
# (onload, onmousemove...). tkhtml-dom.js has the same list.
OWN_ATTRIBUTES = frozenset("on" + name for name in (
    "click", "dblclick", "mousedown", "mouseup", "contextmenu", "keydown", "keyup", "keypress",
    "focus", "blur", "input", "change", "submit"))

# Browsers' user-agent style sheets give form fields a text colour of their own; without
# it, Tkhtml's <input> inherits the page's (white text on a white field on a dark page).
FIELD_STYLE = "\nINPUT, TEXTAREA, SELECT { color: #000000 }\n"

_NO_VALUE = "\x01craft-no-attribute\x01"
_WIDGET_ATTRIBUTE = "-tkinterweb-widget-container"

# Tcl helpers, defined once per interpreter: one Tcl call per question asked.
_TCL = r"""
namespace eval ::craft_dom {
  # A command's result as a plain string: tkinter turns list-shaped values into tuples.
  proc str {args} { string range [{*}$args] 0 end }
  proc path {node} {
    set p {}
    while {$node ne ""} { lappend p $node; set node [$node parent] }
    return $p
  }
  proc element {node} {
    if {$node ne "" && [$node tag] eq ""} { set node [$node parent] }
    return $node
  }
  proc at {html x y} { element [lindex [lindex [$html node $x $y] end] end] }
  proc px {value} { if {[scan $value %f n] == 1} { return $n }; return 0 }
  proc border {node side} {
    if {[$node property border-$side-style] in {none hidden}} { return 0 }
    px [$node property border-$side-width]
  }
  proc box {html node} {
    set b [$html bbox $node]
    if {[llength $b] != 4 || [$node tag] eq ""} { return {0 0 0 0 0 0 0 0} }
    concat $b [border $node left] [border $node top] [border $node right] [border $node bottom]
  }
  proc offset {html node} {
    set b [$html bbox $node]
    set tag [$node tag]
    if {[llength $b] != 4 || $tag in {"" body html} || [$node property position] eq "fixed"} {
      return [list {} 0 0]
    }
    for {set p [$node parent]} {$p ne ""} {set p [$p parent]} {
      if {[$p tag] in {body html}} { break }
      if {[$p property position] ne "static"} {
        set q [$html bbox $p]
        return [list $p [expr {[lindex $b 0] - [lindex $q 0] - [border $p left]}] \
                        [expr {[lindex $b 1] - [lindex $q 1] - [border $p top]}]]
      }
    }
    return [list $p [lindex $b 0] [lindex $b 1]]
  }
  proc sources {nodes name} {
    set out {}
    foreach node $nodes { lappend out [$node attribute -default {} $name] }
    return $out
  }
}
"""

# Tk's keysyms that are not their own DOM key name.
_KEYS = {
    "Return": "Enter", "KP_Enter": "Enter", "BackSpace": "Backspace", "Escape": "Escape", "Tab": "Tab",
    "ISO_Left_Tab": "Tab", "Delete": "Delete", "Insert": "Insert", "Home": "Home", "End": "End",
    "Prior": "PageUp", "Next": "PageDown", "Left": "ArrowLeft", "Right": "ArrowRight", "Up": "ArrowUp",
    "Down": "ArrowDown", "Shift_L": "Shift", "Shift_R": "Shift", "Control_L": "Control",
    "Control_R": "Control", "Alt_L": "Alt", "Alt_R": "Alt", "Meta_L": "Meta", "Meta_R": "Meta",
    "Super_L": "Meta", "Super_R": "Meta", "Caps_Lock": "CapsLock", "Num_Lock": "NumLock",
    "space": " ", "Menu": "ContextMenu",
}
_KEY_CODES = {"Enter": 13, "Backspace": 8, "Tab": 9, "Escape": 27, "Delete": 46, "Insert": 45, "Home": 36,
              "End": 35, "PageUp": 33, "PageDown": 34, "ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39,
              "ArrowDown": 40, "Shift": 16, "Control": 17, "Alt": 18, "Meta": 91, "CapsLock": 20, " ": 32}
_BUTTONS = {1: 0, 2: 1, 3: 2}            # Tk's button number -> DOM's MouseEvent.button
_BUTTON_BITS = ((0x100, 1), (0x400, 2), (0x200, 4))  # Tk state bit -> DOM's MouseEvent.buttons bit
# Fields whose every change is also committed (browsers fire input then change at once).
_COMMITTING = frozenset(("checkbox", "radio", "range", "color", "file", "select"))


class DomNative:
    """What a page world's DOM asks of Tkhtml; every method is called from JavaScript."""

    def __init__(self, view: Any, events: "TkEvents") -> None:
        self._view = view
        self._html = view.html
        self._tk = view.html.tk
        self._events = events
        self._removed: Dict[str, Set[str]] = {}  # Tkhtml cannot remove attributes: hidden here
        self._scrolled: Optional[Tuple[float, float]] = None  # asked for, until Tkhtml scrolls (at idle)
        if not self._tk.call("info", "procs", "::craft_dom::box"):
            self._tk.eval(_TCL)

    def reset(self) -> None:
        """A new page."""
        self._removed.clear()

    def location(self) -> str:
        """The address of the page shown (an HTML string's is its base URL)."""
        return str(self._view.current_url or self._view.base_url or "about:blank")

    # -- tree and attributes ----------------------------------------------------------------

    def element(self, node: str) -> Any:
        from tkinterweb import dom

        return dom.HTMLElement(self._view.document, _handle(node))

    def tag(self, node: str) -> str:
        return self._call(_handle(node), "tag")

    def parent(self, node: str) -> str:
        return self._call(_handle(node), "parent")

    def children(self, node: str) -> List[str]:
        return self._list(_handle(node), "children")

    def path(self, node: str) -> List[str]:
        return self._list("::craft_dom::path", _handle(node))

    def root(self) -> str:
        return self._call(self._html._w, "node")

    def body(self) -> str:
        return self._first("body", "")

    def attribute(self, node: str, name: str) -> Optional[str]:
        if name in self._removed.get(node, ()):
            return None
        value = self._call(_handle(node), "attribute", "-default", _NO_VALUE, name)
        return None if value == _NO_VALUE else value

    def setAttribute(self, node: str, name: str, value: str) -> None:  # noqa: N802 - the DOM's name
        self._removed.get(node, set()).discard(name)
        self._tk.call(_handle(node), "attribute", name, value)

    def removeAttribute(self, node: str, name: str) -> None:  # noqa: N802
        """Tkhtml keeps every attribute once set: it becomes empty, and the DOM forgets it."""
        if self.attribute(node, name) is not None:
            self._tk.call(_handle(node), "attribute", name, "")
            self._removed.setdefault(node, set()).add(name)

    def attributeNames(self, node: str) -> List[str]:  # noqa: N802
        pairs = self._list(_handle(node), "attribute")
        removed = self._removed.get(node, set()) | {_WIDGET_ATTRIBUTE}
        return [name for name in pairs[::2] if name not in removed]

    def handlerSources(self, nodes: Iterable[Any], name: str) -> List[str]:  # noqa: N802
        """The source of attribute ``name`` (an inline handler) on each node, or ""."""
        return self._list("::craft_dom::sources", [_handle(n) for n in nodes], name)

    def create(self, tag: str) -> str:
        return str(self._view.document.createElement(tag).node)

    def createText(self, text: str) -> str:  # noqa: N802
        self._parse_here()
        return str(self._view.document.createTextNode(text).node)

    def setContent(self, node: str, kind: str, value: str) -> None:  # noqa: N802
        """Set an element's ``textContent``, ``innerHTML`` or ``innerText`` (``kind``)."""
        self._parse_here()
        setattr(self.element(node), kind, value)

    def _parse_here(self) -> None:
        """tkinterweb parses text and markup with one Tcl command, ``parse_fragment``, bound
        to whichever view last made an element object: bind it to this view before parsing,
        or another panel's Tkhtml parses it (and crashes the process)."""
        self._tk.createcommand("parse_fragment", self._html.parse_fragment)

    # -- selectors ------------------------------------------------------------------------------

    def search(self, selector: str, root: str, first: bool) -> List[str]:
        """The nodes matching ``selector`` in the document, or below ``root`` (not itself)."""
        options = ("-root", _handle(root)) if root else ()
        try:
            found = self._list(self._html._w, "search", selector, *options)
        except tk.TclError as error:
            raise ValueError("not a valid selector: {!r}".format(selector)) from error
        found = [node for node in found if node != root]
        return found[:1] if first else found

    def _first(self, selector: str, root: str) -> str:
        found = self.search(selector, root, True)
        return found[0] if found else ""

    def byId(self, name: str) -> str:  # noqa: N802
        if name and "'" not in name and "\\" not in name:
            return self._first("[id='{}']".format(name), "")
        return next((node for node in self.search("[id]", "", False) if self.attribute(node, "id") == name), "")

    def matches(self, node: str, selector: str) -> bool:
        return node in self.search(selector, "", False)

    def closest(self, node: str, selector: str) -> str:
        found = set(self.search(selector, "", False))
        return next((n for n in self.path(node) if n in found), "")

    # -- geometry -------------------------------------------------------------------------------

    def box(self, node: str) -> List[float]:
        """[x1, y1, x2, y2] of the node's border box in document coordinates, then its
        left, top, right and bottom border widths. A read lays out first, as in a browser."""
        return [float(v) for v in self._list("::craft_dom::box", self._html._w, _handle(node))]

    def offset(self, node: str) -> List[Any]:
        """[offsetParent, offsetLeft, offsetTop]: from the nearest positioned ancestor's
        padding edge, else from the page (the body is the offsetParent)."""
        parent, left, top = self._list("::craft_dom::offset", self._html._w, _handle(node))
        return [parent, float(left), float(top)]

    def viewport(self) -> List[float]:
        """[innerWidth, innerHeight, clientWidth, clientHeight, scrollX, scrollY, document
        width, document height]: the panel, the page area without scroll bars, the scroll
        position and the size of what scrolls."""
        html, view = self._html, self._view
        client_w, client_h = html.winfo_width(), html.winfo_height()
        box = self._list(html._w, "bbox")
        doc_w = max(float(box[2]) if len(box) == 4 else 0.0, client_w)
        doc_h = max(float(box[3]) if len(box) == 4 else 0.0, client_h)
        if self._scrolled is not None:
            x, y = self._scrolled
        else:
            x = float(self._list(html._w, "xview")[0]) * doc_w
            y = float(self._list(html._w, "yview")[0]) * doc_h
        return [view.winfo_width(), view.winfo_height(), client_w, client_h, round(x), round(y), doc_w, doc_h]

    def scrollTo(self, x: float, y: float) -> None:  # noqa: N802
        """Scroll the page (clamped, as in a browser). Tkhtml scrolls when Tk is next idle:
        until then the page reads the position it asked for."""
        _, _, client_w, client_h, _, _, doc_w, doc_h = self.viewport()
        x = max(0.0, min(float(x), doc_w - client_w))
        y = max(0.0, min(float(y), doc_h - client_h))
        self._html.xview_moveto(x / doc_w)
        self._html.yview_moveto(y / doc_h)
        if self._scrolled is None:
            self._html.after_idle(self._scroll_done)
        self._scrolled = (x, y)

    def _scroll_done(self) -> None:
        self._scrolled = None

    def pathAt(self, x: float, y: float) -> List[str]:  # noqa: N802
        """The element at viewport point (x, y) and its ancestors; the root element where
        the page has no content; nothing outside the page area."""
        html = self._html
        if not (0 <= x < html.winfo_width() and 0 <= y < html.winfo_height()):
            return []
        node = self._call("::craft_dom::at", html._w, int(x), int(y)) or self.root()
        return self.path(node) if node else []

    def computed(self, node: str, name: str) -> str:
        """A computed style value; colours as browsers give them (``rgb(r, g, b)``)."""
        try:
            value = self._call(_handle(node), "property", name)
        except tk.TclError:
            return ""
        if name.endswith("color") and value:
            if value == "transparent":
                return "rgba(0, 0, 0, 0)"
            try:
                red, green, blue = self._html.winfo_rgb(value)
            except tk.TclError:
                return value
            return "rgb({}, {}, {})".format(red >> 8, green >> 8, blue >> 8)
        return value

    # -- focus, fields, time ----------------------------------------------------------------

    def focused(self) -> str:
        """The element whose form field has Tk's focus, or "" (the body then)."""
        try:
            widget = self._html.focus_get()
        except (KeyError, tk.TclError):  # a focused Tk window tkinter does not know
            return ""
        return self._events.node_of(widget) if widget is not None else ""

    def focus(self, node: str, on: bool) -> None:
        widget = self._events.widget_of(_handle(node))
        if widget is not None and on:
            widget.focus_set()
        elif widget is not None and self.focused() == node:
            self._html.focus_set()  # blur: the focus goes back to the page

    def setValue(self, node: str, value: str) -> None:  # noqa: N802
        self._events.set_value(_handle(node), value)

    def now(self) -> float:
        return time.perf_counter() * 1000.0

    def readyState(self) -> str:  # noqa: N802
        if self._html.parsing:
            return "loading"
        return "interactive" if self._html.active_threads else "complete"

    # -- the world's requests -------------------------------------------------------------------

    def listen(self, event_type: str, on: bool) -> None:
        self._events.listen(str(event_type), bool(on))

    def report(self, text: str) -> None:
        """A listener's error; the page's window also gets an ``error`` event, which craft.js
        reports to on_ipc_error (as on CEF)."""
        log.debug("page listener raised: %s", text)

    def _call(self, *args: Any) -> str:
        """A Tcl command's result as a string."""
        return self._tk.call("::craft_dom::str", *args)

    def _list(self, *args: Any) -> List[str]:
        """A Tcl command's result as a list of strings."""
        return list(self._tk.splitlist(self._call(*args)))


def _handle(node: Any) -> str:
    """A node handle from the page world, checked: it becomes a Tcl command name."""
    node = str(node)
    if not node.startswith("::tkhtml::node"):
        raise ValueError("not a node: {!r}".format(node))
    return node


class _Clicks:
    """Chromium's click count: a press within 500 ms and 4 px of the last one, with the same
    button, counts on (2 makes a dblclick); after 3 it starts again at 1."""

    INTERVAL_MS, DISTANCE, MOST = 500, 4, 3

    def __init__(self) -> None:
        self.count, self._last = 0, (-1, 0.0, 0.0, -10.0 ** 9)

    def press(self, button: int, x: float, y: float, time_ms: float) -> int:
        last_button, last_x, last_y, last_time = self._last
        repeated = (button == last_button and time_ms - last_time < self.INTERVAL_MS
                    and abs(x - last_x) <= self.DISTANCE and abs(y - last_y) <= self.DISTANCE)
        self.count = self.count % self.MOST + 1 if repeated else 1
        self._last = (button, x, y, time_ms)
        return self.count


class TkEvents:
    """Tk's events on a Tkhtml view, as DOM events of the page world shown.

    ``fire(type, handles, init)`` hands an event to the world (None when there is none);
    it returns True when the page called preventDefault(), and the Tk binding then stops
    (``break``): no link followed, no form sent. The page's listeners tell ``listen`` what
    to bind; inline handlers found at DOMContentLoaded count as listeners too.
    """

    # Bound while the page listens for one of their DOM types (or has such inline handlers).
    GROUPS: Dict[str, Tuple[Tuple[str, ...], Set[str]]] = {
        "motion": (("<Motion>",), {"mousemove", "mouseover", "mouseout", "mouseenter", "mouseleave"}),
        "key": (("<KeyPress>", "<KeyRelease>"), {"keydown", "keyup", "keypress"}),
        "focus": (("<FocusIn>", "<FocusOut>"), {"focus", "blur", "focusin", "focusout", "change"}),
        "field": (("<<Modified>>",), {"input", "change"}),
        "view": (("<Configure>",), {"resize"}),
    }
    INLINE = {"key": "[onkeydown],[onkeyup],[onkeypress]", "focus": "[onfocus],[onblur],[onchange]",
              "field": "[oninput],[onchange]"}

    def __init__(self, view: Any, fire: Callable[[str, List[str], Dict[str, Any]], Optional[bool]],
                 app_key: Callable[[Any], bool] = lambda event: False) -> None:
        self._view = view
        self._app_key = app_key  # a key event of a shortcut the app binds: not the page's
        self._html = view.html
        self._fire_world = fire
        self._tag = view.html.node_tag
        self._listened: Set[str] = set()
        self._inline: Set[str] = set()        # groups some inline handler needs
        self._bound: Dict[str, List[Tuple[str, str]]] = {}  # group -> [(sequence, command)]
        self._clicks = _Clicks()
        self._pressed: Optional[Tuple[int, List[str]]] = None
        self._values: Dict[str, str] = {}      # field node -> value last seen (for input)
        self._focus_values: Dict[str, str] = {}  # field node -> value when focused (for change)
        self._focused = ""
        self._writing = 0                      # >0 while the page sets a value itself
        self._size = (0, 0)                    # the page area's, for resize events
        self._widget_nodes: Dict[str, str] = {}  # form field widget -> its node
        self.parsed = False                    # the document shown is parsed
        self._scripts: Dict[str, List[int]] = {}  # document root -> [external scripts asked for, run]
        self.native = DomNative(view, self)
        self._bind("<ButtonPress>", self._on_press)
        self._bind("<ButtonRelease>", self._on_release)
        self._hook_submission()
        self._hook_scripts()

    # -- what to bind ---------------------------------------------------------------------------

    def listen(self, event_type: str, on: bool) -> None:
        (self._listened.add if on else self._listened.discard)(event_type)
        self._rebind()

    def page_parsed(self) -> None:
        """At DOMContentLoaded: bind for the inline handlers of the page's markup."""
        self.parsed = True
        root = self.native.root()
        self._scripts = {root: self._scripts.get(root, [0, 0])}  # earlier documents' are done with
        for group, selector in self.INLINE.items():
            try:
                if self._html.search(selector):
                    self._inline.add(group)
            except tk.TclError:
                pass
        self._rebind()

    def script_ran(self, attributes: Dict[str, str]) -> bool:
        """Count an external script tkinterweb ran; True if it was one."""
        if "src" not in attributes:
            return False
        self._scripts.setdefault(self.native.root(), [0, 0])[1] += 1
        return True

    def scripts_due(self) -> int:
        """How many external scripts of the document shown are still downloading."""
        asked, ran = self._scripts.get(self.native.root(), [0, 0])
        return max(0, asked - ran)

    def _hook_scripts(self) -> None:
        """Count the external scripts of each document as tkinterweb meets them (Tkhtml keeps
        no <script> in the tree to count later): DOMContentLoaded waits for them, as in a
        browser. tkinterweb has no hook of its own for this: its one method is wrapped."""
        manager = self._html.script_manager
        original = getattr(manager, "_on_script", None)
        if not hasattr(manager, "pending_scripts") or original is None:
            return  # scripts disabled

        def on_script(attributes: Any, contents: Any) -> Any:
            if isinstance(attributes, str) and "src" in attributes.split()[::2]:
                self._scripts.setdefault(self.native.root(), [0, 0])[0] += 1
            return original(attributes, contents)

        manager._on_script = on_script

    def reset(self) -> None:
        """A new page: nothing listened for, nothing remembered."""
        self.parsed = False
        self._listened.clear()
        self._inline.clear()
        self._values.clear()
        self._focus_values.clear()
        self._widget_nodes.clear()
        self.native.reset()
        self._focused, self._pressed = "", None
        self._rebind()

    def _rebind(self) -> None:
        for group, (sequences, types) in self.GROUPS.items():
            wanted = group in self._inline or bool(types & self._listened)
            if wanted and group not in self._bound:
                handler = getattr(self, "_on_" + group)
                self._bound[group] = [(s, self._bind(s, self._each(handler, s))) for s in sequences]
            elif not wanted and group in self._bound:
                for sequence, command in self._bound.pop(group):
                    self._unbind(sequence, command)

    @staticmethod
    def _each(handler: Callable[..., Any], sequence: str) -> Callable[[Any], Any]:
        return lambda event: handler(event, sequence)

    def _bind(self, sequence: str, callback: Callable[[Any], Any]) -> str:
        """Add ``callback`` to the tag every element of the page has (the page itself and
        its form fields). Its command dies with the view."""
        html = self._html
        command = html.register(callback, html._substitute)
        script = '+if {{"[{} {}]" == "break"}} break\n'.format(command, html._subst_format_str)
        html.tk.call("bind", self._tag, sequence, script)
        return command

    def _unbind(self, sequence: str, command: str) -> None:
        html = self._html
        try:
            script = str(html.tk.call("bind", self._tag, sequence))
            kept = "\n".join(line for line in script.split("\n") if command not in line)
            html.tk.call("bind", self._tag, sequence, kept)
            html.deletecommand(command)
        except tk.TclError:
            pass  # the view is gone, and its commands with it

    # -- targets ------------------------------------------------------------------------------

    def node_of(self, widget: Any) -> str:
        """The element a form field's Tk widget stands for, or "" (the page itself)."""
        html = self._html
        name = str(widget)
        if name == html._w or not name.startswith(html._w + "."):
            return ""
        child = html._w + "." + name[len(html._w) + 1:].split(".")[0]  # the view's own child
        known = self._widget_nodes.get(child)
        if known and self._holds(known, child):
            return known
        for node in self.native.search("[{}]".format(_WIDGET_ATTRIBUTE), "", False):
            if self._holds(node, child):
                self._widget_nodes[child] = node
                return node
        return ""

    def _holds(self, node: str, widget: str) -> bool:
        try:
            return self.native.attribute(node, _WIDGET_ATTRIBUTE) == widget
        except tk.TclError:  # a node since deleted
            return False

    def widget_of(self, node: str) -> Any:
        try:
            return self._html.widget_manager.get_node_widget(node)
        except (tk.TclError, KeyError):
            return None

    def _client(self, event: Any) -> Tuple[int, int]:
        html = self._html
        return event.x_root - html.winfo_rootx(), event.y_root - html.winfo_rooty()

    def _path_at(self, event: Any, x: int, y: int) -> List[str]:
        node = self.node_of(event.widget)
        return self.native.path(node) if node else self.native.pathAt(x, y)

    def _focus_path(self, widget: Any) -> List[str]:
        node = self.node_of(widget) or self.native.body()
        return self.native.path(node) if node else []

    def _wants(self, event_type: str, handles: List[str]) -> bool:
        if event_type in self._listened:
            return True
        if "on" + event_type not in OWN_ATTRIBUTES or not handles:
            return False
        return any(self.native.handlerSources(handles, "on" + event_type))

    def _fire(self, event_type: str, handles: List[str], init: Any) -> bool:
        """Fire if the page listens (``init``: the event's fields, or a function making them)."""
        if not handles or not self._wants(event_type, handles):
            return False
        return bool(self._fire_world(event_type, handles, init() if callable(init) else init))

    # -- mouse ------------------------------------------------------------------------------------

    def _mouse(self, event: Any, x: int, y: int, button: int, detail: int,
               buttons: int) -> Callable[[], Dict[str, Any]]:
        """The MouseEvent fields, made once and only if a listener wants them."""
        made: List[Dict[str, Any]] = []

        def init() -> Dict[str, Any]:
            if not made:
                scroll = self.native.viewport()
                made.append(dict(_modifiers(event.state), clientX=x, clientY=y, screenX=event.x_root,
                                 screenY=event.y_root, button=button, buttons=buttons, detail=detail,
                                 scrollX=scroll[4], scrollY=scroll[5]))
            return made[0]

        return init

    def _on_press(self, event: Any) -> Optional[str]:
        button = _BUTTONS.get(getattr(event, "num", 0))
        if button is None:
            return None  # the wheel (buttons 4 and 5) scrolls
        x, y = self._client(event)
        detail = self._clicks.press(button, x, y, _event_ms(event))
        handles = self._path_at(event, x, y)
        self._pressed = (button, handles)
        init = self._mouse(event, x, y, button, detail, _buttons(event.state) | (1, 4, 2)[button])
        prevented = self._fire("mousedown", handles, init)
        if button == 2:
            prevented = self._fire("contextmenu", handles, init) or prevented
        return "break" if prevented else None

    def _on_release(self, event: Any) -> Optional[str]:
        button = _BUTTONS.get(getattr(event, "num", 0))
        if button is None:
            return None
        x, y = self._client(event)
        handles = self._path_at(event, x, y)
        detail = self._clicks.count
        init = self._mouse(event, x, y, button, detail, _buttons(event.state) & ~(1, 4, 2)[button])
        self._fire("mouseup", handles, init)
        pressed, self._pressed = self._pressed, None
        if button != 0 or pressed is None or pressed[0] != 0:
            return None
        target = _common(pressed[1], handles)
        prevented = self._fire("click", target, init)
        if detail == 2:
            prevented = self._fire("dblclick", target, init) or prevented
        if prevented:
            self._clear_active()
            return "break"  # no link followed, no form submitted: tkinterweb's release is skipped
        return None

    def _clear_active(self) -> None:
        html = self._html
        node = getattr(html, "current_active_node", None)
        if node:
            try:
                html.remove_node_flags(node, "active")
            except tk.TclError:
                pass
            html.current_active_node = None

    def _on_motion(self, event: Any, sequence: str) -> None:
        x, y = self._client(event)
        handles = self._path_at(event, x, y)
        init = self._mouse(event, x, y, 0, 0, _buttons(event.state))()
        self._fire_world("mousemove", handles, init)  # also mouseover/out/enter/leave, in the world

    def _on_view(self, event: Any, sequence: str) -> None:
        """The page area changed size: ``resize`` at window (Tk lays a panel out only once it
        is shown, so a page's first scripts may see a 1 x 1 viewport: this tells it)."""
        if str(event.widget) != self._html._w or (event.width, event.height) == self._size:
            return
        self._size = (event.width, event.height)
        self._fire_world("resize", [], {})

    # -- keys, focus, fields ------------------------------------------------------------------------

    def _on_key(self, event: Any, sequence: str) -> Optional[str]:
        if self._app_key(event):
            return None  # the toplevel's binding runs the app's shortcut
        handles = self._focus_path(event.widget)
        key = _key(event)
        code = _KEY_CODES.get(key, ord(key.upper()) if len(key) == 1 else 0)
        init = {"key": key, "code": _code(event, key), "keyCode": code, "which": code,
                "location": 1 if event.keysym.endswith("_L") else 2 if event.keysym.endswith("_R") else 0}
        init.update(_modifiers(event.state))
        down = sequence == "<KeyPress>"
        prevented = self._fire("keydown" if down else "keyup", handles, init)
        if down and not prevented and (len(key) == 1 or key == "Enter"):
            char = 13 if key == "Enter" else ord(key)
            pressed = dict(init, keyCode=char, charCode=char, which=char)
            prevented = self._fire("keypress", handles, pressed)
        return "break" if prevented else None

    def _on_focus(self, event: Any, sequence: str) -> None:
        node = self.node_of(event.widget)
        if not node:
            return
        handles = self.native.path(node)
        if sequence == "<FocusIn>":
            if node == self._focused:
                return  # the same field again (Tk tells each window of it)
            self._focused = node
            self._focus_values[node] = self._value(node)
            self._fire("focus", handles, {})
            self._fire("focusin", handles, {})
        elif node == self._focused:
            self._focused = ""
            before = self._focus_values.pop(node, None)
            if before is not None and self._kind(node) not in _COMMITTING and self._value(node) != before:
                self._fire("change", handles, {})
            self._fire("blur", handles, {})
            self._fire("focusout", handles, {})

    def _on_field(self, event: Any, sequence: str) -> None:
        node = self.node_of(event.widget)
        if not node or self._writing:
            return
        handles = self.native.path(node)
        value = self._value(node)
        if self._kind(node) in _COMMITTING:
            self._fire("input", handles, {"inputType": "insertReplacementText"})
            self._fire("change", handles, {})
        elif value != self._values.get(node, self._initial(node)):
            self._values[node] = value
            self._fire("input", handles, {"inputType": "insertText"})

    def set_value(self, node: str, value: str) -> None:
        """The page sets a field's value: no input event, as in a browser."""
        self._writing += 1
        try:
            self.native.element(node).value = value
        finally:
            self._writing -= 1
        self._values[node] = value
        if node in self._focus_values:
            self._focus_values[node] = value

    def _value(self, node: str) -> str:
        try:
            value = self.native.element(node).value
        except tk.TclError:
            return ""
        return "" if value is None else str(value)

    def _initial(self, node: str) -> str:
        if self.native.tag(node) == "textarea":
            return self.native.element(node).textContent
        return self.native.attribute(node, "value") or ""

    def _kind(self, node: str) -> str:
        tag = self.native.tag(node)
        return tag if tag != "input" else (self.native.attribute(node, "type") or "text").lower()

    # -- submission ---------------------------------------------------------------------------------

    def _hook_submission(self) -> None:
        """A ``submit`` event at the form before tkinterweb sends it; preventDefault() keeps
        it here. tkinterweb has no hook of its own for this: its one method is wrapped."""
        manager = self._html.form_manager
        original = getattr(manager, "_handle_form_submission", None)
        if not hasattr(manager, "form_nodes") or original is None:
            return  # forms disabled

        def submit(node: Any, event: Any = None) -> Any:
            form = manager.form_nodes.get(node)
            if form and self._fire("submit", self.native.path(str(form)), {"submitter": str(node)}):
                return None
            return original(node, event)

        manager._handle_form_submission = submit


def _common(first: List[str], second: List[str]) -> List[str]:
    """The nearest common ancestor of two paths (each a node, then its ancestors), as a path."""
    shared = set(first)
    for index, node in enumerate(second):
        if node in shared:
            return second[index:]
    return []


def _modifiers(state: int) -> Dict[str, bool]:
    return {"shiftKey": bool(state & 0x1), "ctrlKey": bool(state & 0x4), "altKey": bool(state & 0x8),
            "metaKey": bool(state & 0x40)}


def _buttons(state: int) -> int:
    return sum(bit for mask, bit in _BUTTON_BITS if state & mask)


def _event_ms(event: Any) -> float:
    stamp = getattr(event, "time", 0)
    return float(stamp) if isinstance(stamp, int) and stamp > 0 else time.monotonic() * 1000.0


def _key(event: Any) -> str:
    keysym = event.keysym
    if keysym in _KEYS:
        return _KEYS[keysym]
    char = event.char
    if char and len(char) == 1 and char.isprintable():
        return char
    if keysym.startswith("F") and keysym[1:].isdigit():
        return keysym
    return "Unidentified" if not keysym or keysym == "??" else keysym


def _code(event: Any, key: str) -> str:
    """The DOM's physical key name, from the key (a US layout is assumed)."""
    if len(key) == 1 and key.isalpha() and key.isascii():
        return "Key" + key.upper()
    if len(key) == 1 and key.isdigit():
        return "Digit" + key
    if key == " ":
        return "Space"
    side = "Left" if event.keysym.endswith("_L") else "Right" if event.keysym.endswith("_R") else ""
    return key + side if side else key
