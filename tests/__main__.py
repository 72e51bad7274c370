"""Run the suite: ``python -m tests --engine cef|tkhtml [-k PATTERN]`` (the end-to-end
tier, on a real engine) or ``python -m tests --unit`` (the headless tier: the core on a
plain asyncio loop, no display, no engine; ``tests/unit``) or ``python -m tests --package``
(the wheel, CEF set-up and frozen apps, outside the checkout; ``tests/package``).

Prints ``LABEL: N passed, N failed, N skipped`` and writes the counts to
``.test-results/LABEL.json`` for ``python -m tests.summary``. Exits non-zero on failure.
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
    tier = parser.add_mutually_exclusive_group(required=True)
    tier.add_argument("--engine", choices=["cef", "tkhtml"])
    tier.add_argument("--unit", action="store_true", help="the headless tier only")
    tier.add_argument("--package", action="store_true", help="the packaging tier only")
    parser.add_argument("-k", dest="patterns", action="append", help="only tests matching this substring")
    parser.add_argument("-q", dest="quiet", action="store_true")
    args = parser.parse_args()
    if args.unit:
        label = "unit-{}.{}".format(*sys.version_info[:2])
    elif args.package:
        label = "package"
    else:
        os.environ["CRAFT_TEST_ENGINE"] = args.engine
        label = _engine_label(args.engine)
    # A hung engine must not hang CI: dump every thread's stack and exit after 20 minutes.
    faulthandler.dump_traceback_later(1200, exit=True)
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = ["*{}*".format(p) for p in args.patterns]
    tier_dir = os.path.join(HERE, "unit" if args.unit else "package" if args.package else "")
    suite = loader.discover(tier_dir, top_level_dir=TOP)
    if args.engine:
        suite = _without(_without(suite, "tests.unit."), "tests.package.")
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


def _without(suite: unittest.TestSuite, prefix: str) -> unittest.TestSuite:
    """``suite`` less the tests whose module name starts with ``prefix``."""
    kept = unittest.TestSuite()
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            kept.addTest(_without(test, prefix))
        elif not type(test).__module__.startswith(prefix):
            kept.addTest(test)
    return kept


if __name__ == "__main__":
    sys.exit(main())
