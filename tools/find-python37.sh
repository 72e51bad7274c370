#!/usr/bin/env bash
# Prints the path of a Python 3.7 interpreter with tkinter (cefpython3 has wheels only up to 3.7).
# Looks at $CRAFT_PY37, then pyenv's versions, then python3.7 on PATH.
set -euo pipefail
candidates=()
[ -n "${CRAFT_PY37:-}" ] && candidates+=("$CRAFT_PY37")
for root in "${PYENV_ROOT:-}" "$HOME/.pyenv" /root/.pyenv /opt/pyenv; do
  [ -n "$root" ] || continue
  for python in "$root"/versions/3.7.*/bin/python; do [ -x "$python" ] && candidates+=("$python"); done
done
command -v python3.7 >/dev/null 2>&1 && candidates+=("$(command -v python3.7)")
for python in "${candidates[@]}"; do
  if "$python" -c 'import sys, tkinter; assert sys.version_info[:2] == (3, 7)' >/dev/null 2>&1; then
    echo "$python"; exit 0
  fi
done
echo "No Python 3.7 with tkinter found. Install one (e.g. 'pyenv install 3.7.16' with tk-dev present)" \
     "or point CRAFT_PY37 at it." >&2
exit 1
