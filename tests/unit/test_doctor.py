"""``python -m craft_tk doctor`` run for real, with this Python: an engine made unavailable
(a package hidden, CRAFT_CEF_PYTHON wrong) is named with the command that fixes it, and
the exit status says whether any engine loads. No display needed (nor used)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Dict, NamedTuple, Optional, Sequence

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ON_37 = sys.version_info[:2] == (3, 7)
TIMEOUT_S = 120


class Line(NamedTuple):
    status: str
    detail: str
    fix: str


class Report(NamedTuple):
    code: int
    text: str
    lines: Dict[str, Line]


def doctor(hidden: Sequence[str] = (), **variables: Optional[str]) -> Report:
    """Run the doctor with the modules ``hidden`` unimportable, no display, and the
    environment ``variables`` (None: unset); its report, parsed by check name."""
    folder = tempfile.mkdtemp(prefix="craft-doctor-")
    try:
        for name in hidden:
            with open(os.path.join(folder, name + ".py"), "w") as module:
                module.write("raise ImportError('hidden by the test')\n")
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "CRAFT_CEF_PYTHON", "CRAFT_TK_BACKEND")}
        env["PYTHONPATH"] = os.pathsep.join([folder, TOP])
        env.update({key: value for key, value in variables.items() if value is not None})
        run = subprocess.run([sys.executable, "-m", "craft_tk", "doctor"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, universal_newlines=True, timeout=TIMEOUT_S, cwd=folder)
    finally:
        shutil.rmtree(folder, True)
    lines: Dict[str, Line] = {}
    last = ""
    for text in run.stdout.splitlines():
        check = re.match(r"  (ok|no|--)\s+(\S+)\s+(.*)$", text)
        fix = re.match(r"\s+fix: (.*)$", text)
        if check:
            last = check.group(2)
            lines[last] = Line(check.group(1), check.group(3), "")
        elif fix and last:
            lines[last] = lines[last]._replace(fix=fix.group(1))
    return Report(run.returncode, run.stdout, lines)


class DoctorReport(unittest.TestCase):
    def test_doctor_names_every_check_and_a_missing_display(self) -> None:
        report = doctor()
        self.assertEqual(set(report.lines), {"cef", "cef-host", "tkhtml", "display", "tkdnd"}, report.text)
        self.assertEqual(report.lines["display"].status, "no")
        self.assertIn("DISPLAY is not set", report.lines["display"].detail)
        self.assertIn("xvfb-run", report.lines["display"].fix)
        self.assertEqual(report.lines["tkdnd"].status, "--", "tkdnd needs a display to be checked")
        working = "cef" if ON_37 else "tkhtml"
        self.assertEqual(report.lines[working].status, "ok", report.text)
        self.assertEqual(report.code, 0, report.text)
        self.assertIn('backend="auto" chooses ' + working, report.text)

    def test_doctor_names_the_package_an_engine_lacks_and_the_install_that_fixes_it(self) -> None:
        engine, package = ("cef", "cefpython3") if ON_37 else ("tkhtml", "pythonmonkey")
        line = doctor(hidden=[package]).lines[engine]
        self.assertEqual(line.status, "no")
        self.assertIn(package, line.detail)
        self.assertRegex(line.fix, r"-m pip install .*\[{}\]".format(engine))

    def test_doctor_names_a_wrong_cef_python_and_says_to_run_setup_cef(self) -> None:
        if ON_37:
            self.skipTest("CEF runs in process on Python 3.7: no helper")
        line = doctor(CRAFT_CEF_PYTHON="/no/such/python3.7").lines["cef-host"]
        self.assertEqual(line.status, "no")
        self.assertIn("CRAFT_CEF_PYTHON is set to '/no/such/python3.7'", line.detail)
        self.assertIn("unset CRAFT_CEF_PYTHON", line.fix)
        self.assertIn("-m craft_tk setup-cef", line.fix + " " + line.detail)

    def test_doctor_fails_when_no_engine_loads(self) -> None:
        if ON_37:
            report = doctor(hidden=["cefpython3"])
        else:
            report = doctor(hidden=["pythonmonkey"], CRAFT_CEF_PYTHON="/no/such/python3.7")
        self.assertEqual(report.code, 1, report.text)
        self.assertIn("no engine loads here", report.text)
        self.assertNotIn("ok", [line.status for name, line in report.lines.items() if name in ("cef", "cef-host",
                                                                                              "tkhtml")])


if __name__ == "__main__":
    unittest.main()
