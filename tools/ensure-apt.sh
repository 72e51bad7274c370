#!/usr/bin/env bash
# Installs with apt-get whichever of the given "command:package" pairs has its command
# missing, e.g. `tools/ensure-apt.sh npm:npm node:nodejs`. Quiet when all are there.
set -euo pipefail
need=()
for pair in "$@"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing ${need[*]} with apt-get" >&2
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
$sudo_cmd apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >&2
