"""The example launcher: a Tk window listing the examples, each runnable on each engine.

``make demo`` opens it. An example runs in its own process: on Tkhtml with this Python,
on CEF with the Python 3.7 environment that ``make`` builds (``.venv/cef``).
"""

import ast
import os
import subprocess
import sys
import tkinter as tk
from typing import List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def examples() -> List[Tuple[str, str]]:
    """(file name, first docstring line) of every example, sorted."""
    found = []
    for name in sorted(os.listdir(HERE)):
        if name.endswith(".py") and not name.startswith("_"):
            with open(os.path.join(HERE, name), encoding="utf-8") as handle:
                doc = ast.get_docstring(ast.parse(handle.read())) or ""
            found.append((name, doc.splitlines()[0] if doc else name))
    return found


def engine_python(engine: str) -> Optional[str]:
    """The interpreter that runs ``engine``, or None when it is not set up."""
    if engine == "tkhtml":
        return sys.executable
    candidate = os.environ.get("CRAFT_CEF_PYTHON") or os.path.join(TOP, ".venv", "cef", "bin", "python")
    return candidate if os.path.exists(candidate) else None


def launch(name: str, engine: str, status: tk.StringVar) -> None:
    python = engine_python(engine)
    if python is None:
        status.set("CEF is not set up: run `make demo` (it builds .venv/cef with Python 3.7)")
        return
    env = dict(os.environ, PYTHONPATH=TOP + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.Popen([python, os.path.join(HERE, name), engine], cwd=TOP, env=env)
    status.set("started {} on {}".format(name, engine))


def main() -> None:
    root = tk.Tk()
    root.title("craft_tk examples")
    status = tk.StringVar(value="Pick an example and an engine.")
    tk.Label(root, text="craft_tk examples", font=("TkDefaultFont", 14, "bold")).grid(
        row=0, column=0, columnspan=4, sticky="w", padx=10, pady=(10, 6))
    for row, (name, summary) in enumerate(examples(), start=1):
        tk.Label(root, text=name, font=("TkFixedFont", 10)).grid(row=row, column=0, sticky="w", padx=10)
        tk.Label(root, text=summary, anchor="w", justify="left", wraplength=380).grid(
            row=row, column=1, sticky="w", padx=6)
        for column, engine in ((2, "tkhtml"), (3, "cef")):
            tk.Button(root, text="Run on " + engine,
                      command=lambda n=name, e=engine: launch(n, e, status)).grid(row=row, column=column, padx=4, pady=2)
    tk.Label(root, textvariable=status, fg="#555").grid(row=999, column=0, columnspan=4, sticky="w", padx=10, pady=10)
    root.mainloop()


if __name__ == "__main__":
    main()
