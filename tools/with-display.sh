#!/usr/bin/env bash
# Runs a command with an X display: the current one, else a private Xvfb (installed with
# apt-get when missing). Also makes sure the screenshot and input tools the tests use exist.
set -euo pipefail
"$(dirname "$0")/ensure-apt.sh" Xvfb:xvfb import:imagemagick xdotool:xdotool
if [ -n "${DISPLAY:-}" ]; then
  exec "$@"
fi
# Xvfb picks a free display number itself (-displayfd: race-free when several runs start
# at once) and writes it to the file once it accepts clients.
number_file="$(mktemp "${TMPDIR:-/tmp}/craft-xvfb-XXXXXX")"
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$number_file" >/dev/null 2>&1 &
xvfb_pid=$!
trap 'kill $xvfb_pid 2>/dev/null; wait $xvfb_pid 2>/dev/null || true; rm -f "$number_file"' EXIT
for _ in $(seq 1 200); do
  [ -s "$number_file" ] && break
  kill -0 $xvfb_pid 2>/dev/null || { echo "Xvfb did not start" >&2; exit 1; }
  sleep 0.05
done
[ -s "$number_file" ] || { echo "Xvfb did not start within 10 s" >&2; exit 1; }
display=":$(head -n1 "$number_file")"
rm -f "$number_file"
export DISPLAY="$display"
"$@"
