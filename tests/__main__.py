"""Run the suite on one engine: ``python -m tests --engine cef|tkhtml [-k PATTERN]``.

Prints ``ENGINE: N passed, N failed, N skipped`` and writes the counts to
``.test-results/ENGINE.json`` for ``python -m tests.summary``. Exits non-zero on failure.
"""

import argparse
import faulthandler
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def _engine_label(engine: str) -> str:
    """The engine as results name it: CEF on a Python without cefpython3 is "cef-host"."""
    try:
        from craft_tk import load_backend

        return load_backend(engine).name
    except Exception:  # the suite itself reports why the engine cannot run
        return engine


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests")
    parser.add_argument("--engine", required=True, choices=["cef", "tkhtml"])
    parser.add_argument("-k", dest="patterns", action="append", help="only tests matching this substring")
    parser.add_argument("-q", dest="quiet", action="store_true")
    args = parser.parse_args()
    os.environ["CRAFT_TEST_ENGINE"] = args.engine
    label = _engine_label(args.engine)
    # A hung engine must not hang CI: dump every thread's stack and exit after 20 minutes.
    faulthandler.dump_traceback_later(1200, exit=True)
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = ["*{}*".format(p) for p in args.patterns]
    suite = loader.discover(HERE, top_level_dir=TOP)
    result = unittest.TextTestRunner(verbosity=1 if args.quiet else 2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped - len(result.expectedFailures)
    counts = {"engine": label, "passed": passed, "failed": failed, "skipped": skipped}
    os.makedirs(os.path.join(TOP, ".test-results"), exist_ok=True)
    with open(os.path.join(TOP, ".test-results", label + ".json"), "w") as out:
        json.dump(counts, out)
    print("{}: {} passed, {} failed, {} skipped".format(label, passed, failed, skipped))
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
