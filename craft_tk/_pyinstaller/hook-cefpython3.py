"""cefpython3 66 on Linux: CEF's library, its resources, locales and ``subprocess``
program, kept in the package's folder in the bundle, where cefpython3 looks for them (its
``__init__`` loads ``libcef.so`` from there and points ``CEFPYTHON3_PATH`` at it).

They are collected as data, not as binaries: PyInstaller would otherwise bundle the
system libraries ``libcef.so`` links against (NSS, GTK 2, ...), which CEF needs from the
system as it does when not frozen. The package holds a Cython module per Python version;
only this Python's is kept.
"""

import os
import sys

from PyInstaller.utils.hooks import get_package_paths

_PACKAGE = get_package_paths("cefpython3")[1]
_MODULE = "cefpython_py{}{}".format(*sys.version_info[:2])
_SKIPPED = {"examples", "__pycache__", "debug.log"}

# The Cython module imports these at run time, out of PyInstaller's sight.
hiddenimports = ["codecs", "copy", "datetime", "inspect", "json", "platform", "random", "re", "time",
                 "traceback", "types", "urllib", "urllib.parse", "weakref"]

excludedimports = sorted("cefpython3." + name[:-3] for name in os.listdir(_PACKAGE)
                         if name.startswith("cefpython_py") and name.endswith(".so") and name[:-3] != _MODULE)

datas = []
for _folder, _subfolders, _names in os.walk(_PACKAGE):
    _subfolders[:] = [name for name in _subfolders if name not in _SKIPPED]
    _target = os.path.relpath(_folder, os.path.dirname(_PACKAGE))
    datas += [(os.path.join(_folder, name), _target) for name in sorted(_names)
              if name not in _SKIPPED and not name.startswith("cefpython_py") and not name.endswith((".py", ".pyc"))]
