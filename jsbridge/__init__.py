"""The page side of craft_tk: craft.js (served from the modules in ``craft/``), its
TypeScript declarations, and the Tkhtml page world."""

import functools
import os

__all__ = ["BRIDGE_PARTS", "PAGE_WINDOW_NAMES", "bridge_source", "read"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def read(name: str) -> str:
    """The text of a file shipped in this folder, such as ``craft.js``."""
    with open(os.path.join(_HERE, name), encoding="utf-8") as handle:
        return handle.read()


BRIDGE_PARTS = ("begin.js", "wire.js", "listeners.js", "invoke.js", "state.js", "channels.js", "native.js", "services.js", "api.js",
                "end.js")

# The only names of a page's window craft.js uses, apart from the ECMAScript built-ins
# (tests/test_es2017.py checks): Tkhtml binds them to the page world's own.
PAGE_WINDOW_NAMES = ("window", "setTimeout", "clearTimeout", "console")


@functools.lru_cache(maxsize=None)
def bridge_source() -> str:
    """craft.js as a page runs it: the modules in ``craft/`` joined in order, one closure."""
    return "".join(read(os.path.join("craft", part)) for part in BRIDGE_PARTS)
