#!/usr/bin/env bash
# Creates .venv and installs the package into it (a real install, not an editable one), with the two Debian
# packages it needs at run time: libcairo2 (the circular's charts as images, through cairosvg) and
# fonts-noto-cjk (Chinese labels in those images).
# Usage: scripts/setup.sh [EXTRAS]     e.g. scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
packages=()
ldconfig -p 2>/dev/null | grep -q 'libcairo\.so\.2' || packages+=(libcairo2)
fc-list ':lang=zh' 2>/dev/null | grep -q . || packages+=(fonts-noto-cjk)
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${packages[*]} (the circular's charts need them; install them as root)." >&2
  fi
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
.venv/bin/pip install -q ".${extras:+[$extras]}"
