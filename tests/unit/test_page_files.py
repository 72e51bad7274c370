"""CEF's page files: in a folder of the process's own, and folders of processes that
ended without exiting are removed by the next one (headless: no CEF needed)."""

import os
import subprocess
import sys
import tempfile
import unittest

from craft_tk.backends import _page_files


class PageFiles(unittest.TestCase):
    def test_a_killed_processs_pages_are_removed_by_the_next_process(self) -> None:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], stdout=subprocess.PIPE,
                              universal_newlines=True).stdout.strip()  # a pid that is gone
        left = tempfile.mkdtemp(prefix="{}{}-".format(_page_files.PREFIX, dead))
        with open(os.path.join(left, "craft-page.html"), "w") as out:
            out.write("<p>left behind</p>")
        self.addCleanup(lambda: os.path.isdir(left) and os.rmdir(left))
        killed = subprocess.Popen([sys.executable, "-c", "from craft_tk.backends._page_files import write_page; "
                                   "print(write_page('<p>mine</p>'), flush=True); import time; time.sleep(60)"],
                                  stdout=subprocess.PIPE, universal_newlines=True)
        page = killed.stdout.readline().strip()  # type: ignore[union-attr]
        self.assertTrue(os.path.isfile(page))
        self.assertFalse(os.path.isdir(left), "the folder of a process that is gone went")
        killed.kill()
        killed.wait()
        killed.stdout.close()  # type: ignore[union-attr]
        subprocess.run([sys.executable, "-c", "from craft_tk.backends._page_files import write_page; "
                        "write_page('<p>next</p>')"], check=True)
        self.assertFalse(os.path.exists(os.path.dirname(page)), "the killed process's folder went too")
        leftovers = [name for name in os.listdir(tempfile.gettempdir()) if name.startswith(_page_files.PREFIX)
                     and not _page_files._alive(int(name[len(_page_files.PREFIX):].split("-")[0]))]
        self.assertEqual(leftovers, [], "a process that exits removes its own folder")
