"""Add up the per-engine results: ``python -m tests.summary .test-results``.

The last line printed is ``N passed, N failed, N skipped`` over every engine and the
headless tier (``unit-3.7``, ``unit-3.11``...). An engine whose results are missing (it
crashed or never ran) counts as one failure.
"""

import json
import os
import sys

ENGINES = ("cef", "cef-host", "tkhtml", "package")  # "package": the packaging tier


def main(folder: str) -> int:
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    units = sorted(name[:-5] for name in os.listdir(folder) if name.startswith("unit-") and name.endswith(".json")) \
        if os.path.isdir(folder) else []
    for engine in tuple(units) + ENGINES:
        path = os.path.join(folder, engine + ".json")
        try:
            with open(path) as handle:
                counts = json.load(handle)
        except (OSError, ValueError):
            print("{}: no results (the run crashed or did not start): counted as 1 failure".format(engine))
            totals["failed"] += 1
            continue
        print("{}: {passed} passed, {failed} failed, {skipped} skipped".format(engine, **counts))
        for key in totals:
            totals[key] += counts[key]
    print("{passed} passed, {failed} failed, {skipped} skipped".format(**totals))
    return 1 if totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".test-results"))
