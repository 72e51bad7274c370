#!/usr/bin/env bash
# Runs a command with an X display: the current one, else a private Xvfb (installed with
# apt-get when missing). Also makes sure the screenshot and input tools the tests use exist.
set -euo pipefail
"$(dirname "$0")/ensure-apt.sh" Xvfb:xvfb import:imagemagick xdotool:xdotool
if [ -n "${DISPLAY:-}" ]; then
  exec "$@"
fi
display=""
for n in $(seq 90 140); do
  if [ ! -e "/tmp/.X${n}-lock" ] && [ ! -e "/tmp/.X11-unix/X${n}" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || { echo "no free X display number" >&2; exit 1; }
Xvfb "$display" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
trap 'kill $xvfb_pid 2>/dev/null; wait $xvfb_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -e "/tmp/.X11-unix/X${display#:}" ] && break
  sleep 0.05
done
export DISPLAY="$display"
"$@"
