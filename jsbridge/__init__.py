"""The page side of craft_tk: ``craft.js`` and its TypeScript declarations."""

import os

__all__ = ["read"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def read(name: str) -> str:
    """The text of a file shipped in this folder, such as ``craft.js``."""
    with open(os.path.join(_HERE, name), encoding="utf-8") as handle:
        return handle.read()
