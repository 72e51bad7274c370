"""Key chords: one spelling of a keyboard shortcut for menus, Tk and the browsers.

A chord is a string such as ``"Ctrl+S"``, ``"Ctrl+Shift+Z"``, ``"F5"`` or ``"Alt+Left"``:
modifiers in the order Ctrl, Alt, Shift, Super, then one key. ``chord()`` reads what an
app writes (``"ctrl+s"``, ``"Control+Shift+z"``, ``"CmdOrCtrl+O"``, ``"Ctrl+="``);
``chord_from_tk`` and ``chord_from_cef`` read a key press of Tk and of CEF's keyboard
handler, so a shortcut fires the same whichever widget has the keyboard.

Shift counts for letters, digits and named keys; punctuation names the character typed
(``"Ctrl+Plus"``, not ``"Ctrl+Shift+Equal"``), as keyboards differ in where they put it.
"""

from typing import Any, Dict, Mapping, Optional, Tuple

__all__ = ["chord", "chord_from_cef", "chord_from_tk", "chord_of", "menu_label"]

MODIFIERS = ("Ctrl", "Alt", "Shift", "Super")
_MODIFIER_NAMES = {"ctrl": "Ctrl", "control": "Ctrl", "cmdorctrl": "Ctrl", "commandorcontrol": "Ctrl",
                   "alt": "Alt", "option": "Alt", "shift": "Shift", "super": "Super", "meta": "Super",
                   "cmd": "Super", "command": "Super", "win": "Super"}
_PUNCTUATION = {"Plus": "+", "Minus": "-", "Equal": "=", "Comma": ",", "Period": ".", "Slash": "/",
                "Semicolon": ";", "Quote": "'", "BracketLeft": "[", "BracketRight": "]", "Backslash": "\\",
                "Backquote": "`"}
_NAMED = ("Enter", "Escape", "Tab", "Space", "Backspace", "Delete", "Insert", "Home", "End", "PageUp",
          "PageDown", "Up", "Down", "Left", "Right")
_KEY_ALIASES = dict({name.lower(): name for name in _NAMED + tuple(_PUNCTUATION)},
                    **{symbol: name for name, symbol in _PUNCTUATION.items()},
                    **{"return": "Enter", "esc": "Escape", "del": "Delete", "ins": "Insert", "pgup": "PageUp",
                       "pgdn": "PageDown", "pageup": "PageUp", "pagedown": "PageDown", "arrowup": "Up",
                       "arrowdown": "Down", "arrowleft": "Left", "arrowright": "Right", "equals": "Equal",
                       "dot": "Period", "back": "Backspace"})

def chord(text: str) -> str:
    """The canonical chord of an accelerator as an app writes it; ``ValueError`` if unclear."""
    parts = [part.strip() for part in str(text).replace("-", "+").split("+")]
    if str(text).rstrip().endswith(("++", "+-")) or str(text).strip() in ("+", "-"):
        parts = parts[:-2] + [str(text).rstrip()[-1]]  # "Ctrl++": the key is "+"
    if not parts or not parts[-1]:
        raise ValueError("no key in the accelerator {!r}".format(text))
    modifiers = set()
    for part in parts[:-1]:
        name = _MODIFIER_NAMES.get(part.lower())
        if name is None:
            raise ValueError("unknown modifier {!r} in the accelerator {!r} (use Ctrl, Alt, Shift, Super)"
                             .format(part, text))
        modifiers.add(name)
    key = _key_name(parts[-1])
    if key is None:
        raise ValueError("unknown key {!r} in the accelerator {!r}".format(parts[-1], text))
    return _join(modifiers, key)


def menu_label(canonical: str) -> str:
    """How a menu shows a chord: ``"Ctrl+S"``, ``"Ctrl++"``."""
    parts = canonical.split("+")
    return "+".join(parts[:-1] + [_PUNCTUATION.get(parts[-1], parts[-1])])


def _key_name(text: str) -> Optional[str]:
    if len(text) == 1 and text.isalnum() and text.isascii():
        return text.upper()
    lowered = text.lower()
    if lowered.startswith("f") and lowered[1:].isdigit() and 1 <= int(lowered[1:]) <= 24:
        return "F" + lowered[1:]
    return _KEY_ALIASES.get(lowered, _KEY_ALIASES.get(text))


def _join(modifiers: Any, key: str) -> str:
    if key in _PUNCTUATION:
        modifiers = set(modifiers) - {"Shift"}
    return "+".join([name for name in MODIFIERS if name in modifiers] + [key])


# -- Tk ------------------------------------------------------------------------------------

_TK_STATE = (("Ctrl", 0x4), ("Alt", 0x8), ("Shift", 0x1), ("Super", 0x40))
_TK_KEYSYMS = {"Return": "Enter", "KP_Enter": "Enter", "Escape": "Escape", "Tab": "Tab", "ISO_Left_Tab": "Tab",
               "space": "Space", "BackSpace": "Backspace", "Delete": "Delete", "KP_Delete": "Delete",
               "Insert": "Insert", "Home": "Home", "End": "End", "Prior": "PageUp", "Next": "PageDown",
               "Up": "Up", "Down": "Down", "Left": "Left", "Right": "Right", "plus": "Plus", "KP_Add": "Plus",
               "minus": "Minus", "KP_Subtract": "Minus", "equal": "Equal", "comma": "Comma", "period": "Period",
               "slash": "Slash", "KP_Divide": "Slash", "semicolon": "Semicolon", "apostrophe": "Quote",
               "bracketleft": "BracketLeft", "bracketright": "BracketRight", "backslash": "Backslash",
               "grave": "Backquote"}


def chord_from_tk(event: Any) -> Optional[str]:
    """The chord of a Tk ``<KeyPress>`` event; None for a lone modifier or an unknown key."""
    return chord_of(str(getattr(event, "keysym", "")), int(getattr(event, "state", 0) or 0))


def chord_of(keysym: str, state: int) -> Optional[str]:
    """The chord of a Tk key press given as its keysym (``%K``) and state (``%s``)."""
    if len(keysym) == 1 and keysym.isalnum() and keysym.isascii():
        key: Optional[str] = keysym.upper()
    elif keysym.startswith("KP_") and keysym[3:].isdigit():
        key = keysym[3:]
    elif keysym in _TK_KEYSYMS:
        key = _TK_KEYSYMS[keysym]
    else:
        key = _key_name(keysym) if keysym[:1] == "F" else None  # F1-F24
    if key is None:
        return None
    return _join({name for name, bit in _TK_STATE if state & bit}, key)


# -- CEF -----------------------------------------------------------------------------------

_CEF_SHIFT, _CEF_CONTROL, _CEF_ALT, _CEF_COMMAND = 1 << 1, 1 << 2, 1 << 3, 1 << 7
_VK_NAMES: Dict[int, Tuple[str, str]] = {  # Windows virtual key -> (key, key with Shift)
    0x0D: ("Enter", "Enter"), 0x1B: ("Escape", "Escape"), 0x09: ("Tab", "Tab"), 0x20: ("Space", "Space"),
    0x08: ("Backspace", "Backspace"), 0x2E: ("Delete", "Delete"), 0x2D: ("Insert", "Insert"),
    0x24: ("Home", "Home"), 0x23: ("End", "End"), 0x21: ("PageUp", "PageUp"), 0x22: ("PageDown", "PageDown"),
    0x25: ("Left", "Left"), 0x26: ("Up", "Up"), 0x27: ("Right", "Right"), 0x28: ("Down", "Down"),
    0xBB: ("Equal", "Plus"), 0x6B: ("Plus", "Plus"), 0xBD: ("Minus", "Minus"), 0x6D: ("Minus", "Minus"),
    0xBC: ("Comma", "Comma"), 0xBE: ("Period", "Period"), 0xBF: ("Slash", "Slash"), 0x6F: ("Slash", "Slash"),
    0xBA: ("Semicolon", "Semicolon"), 0xDE: ("Quote", "Quote"), 0xDB: ("BracketLeft", "BracketLeft"),
    0xDD: ("BracketRight", "BracketRight"), 0xDC: ("Backslash", "Backslash"), 0xC0: ("Backquote", "Backquote"),
}
CEF_RAW_KEY_DOWN = 0  # cef.KEYEVENT_RAWKEYDOWN


def chord_from_cef(event: Mapping[str, Any]) -> Optional[str]:
    """The chord of a key-down event of cefpython's keyboard handler (``type`` RAWKEYDOWN);
    None for other event types, lone modifiers and unknown keys."""
    if event.get("type") != CEF_RAW_KEY_DOWN:
        return None
    code = int(event.get("windows_key_code", 0))
    flags = int(event.get("modifiers", 0))
    shifted = bool(flags & _CEF_SHIFT)
    if 0x41 <= code <= 0x5A or 0x30 <= code <= 0x39:
        key: Optional[str] = chr(code)
    elif 0x60 <= code <= 0x69:
        key = str(code - 0x60)  # the numeric keypad
    elif 0x70 <= code <= 0x87:
        key = "F{}".format(code - 0x6F)
    else:
        names = _VK_NAMES.get(code)
        key = names[1 if shifted else 0] if names else None
    if key is None:
        return None
    modifiers = {name for name, bit in (("Ctrl", _CEF_CONTROL), ("Alt", _CEF_ALT), ("Shift", _CEF_SHIFT),
                                        ("Super", _CEF_COMMAND)) if flags & bit}
    return _join(modifiers, key)
