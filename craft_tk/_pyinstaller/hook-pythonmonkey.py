"""PythonMonkey: what it reads from files at run time (the JavaScript of its built-in
modules and the Python files they load by path, its ``node_modules``, found through the
``pminit`` package) and its version (``importlib.metadata``). SpiderMonkey's library
PyInstaller finds by itself, as a dependency of the extension module."""

from PyInstaller.utils.hooks import collect_data_files, copy_metadata

datas = (collect_data_files("pythonmonkey", include_py_files=True, subdir="builtin_modules",
                            excludes=["**/__pycache__"])
         + collect_data_files("pythonmonkey", subdir="node_modules")
         + copy_metadata("pythonmonkey"))

# pminit: where node_modules is; aiohttp and yarl: imported by the built-in XMLHttpRequest,
# a Python file loaded by path when pythonmonkey is imported.
hiddenimports = ["pminit", "aiohttp", "yarl"]
