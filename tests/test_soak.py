"""The soak's one-minute variant (``make soak`` runs thirty minutes on each engine): mixed
traffic both ways between native and two pages, a reload every ten seconds, nothing lost
or reordered, the state converged, resources within the soak's bounds."""

import json
import os
import subprocess
import sys
import unittest

from .support import ENGINE, IN_CI, engine_problem

TOP_FOLDER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SECONDS = 60


class OneMinuteSoak(unittest.TestCase):
    def test_a_minute_of_mixed_traffic_loses_nothing_and_stays_within_bounds(self) -> None:
        problem = engine_problem()
        if problem:
            if IN_CI:
                raise RuntimeError("engine {!r} cannot run: {}".format(ENGINE, problem))
            self.skipTest(problem)
        run = subprocess.run([sys.executable, "-m", "bench.soak", "--engine", ENGINE, "--seconds", str(SECONDS),
                              "--every", "10"], cwd=TOP_FOLDER, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=SECONDS + 120)
        problems = [line for line in run.stderr.splitlines() if line.startswith("PROBLEM")]
        self.assertEqual(problems, [], run.stdout[-2000:])
        self.assertEqual(run.returncode, 0, run.stdout[-2000:] + run.stderr[-2000:])
        summary = json.loads(run.stdout.split("SUMMARY ", 1)[1])
        self.assertGreaterEqual(summary["checkpoints"], 5)
        for key in ("events_in", "events_out", "invokes_in", "invokes_out", "chunks"):
            self.assertGreater(summary[key], 1000 if key.startswith("events") else 200, key)


if __name__ == "__main__":
    unittest.main()
