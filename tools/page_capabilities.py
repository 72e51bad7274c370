#!/usr/bin/env python3
"""Print the Markdown table "what a page can use on each engine".

Reads ``.test-results/page-capabilities-<engine>.json``, which ``tests/test_page_engine.py``
writes on each engine (``python -m tests --engine cef|tkhtml -k test_page_engine``). A cell
is ``yes``, ``partial: note`` (the checks pass, with a known limit; or some checks fail),
``no`` (the feature's checks fail), ``not tested: note`` or ``-`` (never run there).

Usage: ``python tools/page_capabilities.py [RESULTS_DIR]``
"""

import glob
import json
import os
import sys
from typing import Any, Dict, List, Optional, Tuple

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLUMNS = (("CEF", ("cef", "cef-host")), ("Tkhtml", ("tkhtml",)))


def load(folder: str) -> Dict[str, Dict[str, Any]]:
    """Each engine's results, by engine label."""
    tables = {}
    for path in sorted(glob.glob(os.path.join(folder, "page-capabilities-*.json"))):
        with open(path) as handle:
            table = json.load(handle)
        tables[table["engine"]] = table
    return tables


def cell(result: Optional[Dict[str, Any]]) -> str:
    if result is None:
        return "-"
    note, detail = result.get("note") or "", result.get("detail") or ""
    if result.get("ok") is None:
        return "not tested: " + note if note else "not tested"
    if result["ok"]:
        return "partial: " + note if note else "yes"
    return "no: " + detail if detail else "no"


def column(tables: Dict[str, Dict[str, Any]], labels: Tuple[str, ...], feature: str) -> str:
    """The first engine of ``labels`` that ran ``feature``; others that disagree are named."""
    cells = [(label, cell(tables[label]["features"].get(feature))) for label in labels if label in tables]
    cells = [(label, text) for label, text in cells if text != "-"]
    if not cells:
        return "-"
    first = cells[0][1]
    others = ["{} says {}".format(label, text) for label, text in cells[1:] if text != first]
    return first + (" ({})".format("; ".join(others)) if others else "")


def rows(tables: Dict[str, Dict[str, Any]]) -> List[Tuple[str, str]]:
    """The features in the test file's order (its ``order``), then any others."""
    order: List[Tuple[str, str]] = []
    for table in tables.values():
        for name, text in table.get("order", []):
            if name not in [known for known, _ in order]:
                order.append((name, text))
    for table in tables.values():
        for name in table.get("features", {}):
            if name not in [known for known, _ in order]:
                order.append((name, name))
    return order


def markdown(tables: Dict[str, Dict[str, Any]]) -> str:
    lines = ["| what a page uses | " + " | ".join(title for title, _ in COLUMNS) + " |",
             "|---" * (len(COLUMNS) + 1) + "|"]
    for name, text in rows(tables):
        cells = [column(tables, labels, name).replace("|", "\\|") for _, labels in COLUMNS]
        lines.append("| {} | {} |".format(text.replace("|", "\\|"), " | ".join(cells)))
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    folder = argv[1] if len(argv) > 1 else os.path.join(TOP, ".test-results")
    tables = load(folder)
    if not tables:
        print("no page-capabilities-*.json in {}: run tests/test_page_engine.py on each engine first"
              .format(folder), file=sys.stderr)
        return 1
    print(markdown(tables))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
