#!/usr/bin/env bash
# The main job: installs the package, then `gkcatalog demo`: a demo province of fictional counties is
# generated from the demo baselines, published over local HTTP, harvested, scored, and the dashboards are
# served at http://127.0.0.1:5000/ (Ctrl-C stops). Arguments go to `gkcatalog demo`, e.g. --no-serve.
# GKCATALOG_DB chooses the database (default: demo.db here).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export GKCATALOG_DB="${GKCATALOG_DB:-demo.db}"
exec .venv/bin/gkcatalog demo "$@"
