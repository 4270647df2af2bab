#!/usr/bin/env bash
# The main job: installs the package, creates a demo database and loads the demo province's baselines.
# GKCATALOG_DB chooses the database (default: demo.db here).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export GKCATALOG_DB="${GKCATALOG_DB:-demo.db}"
.venv/bin/gkcatalog init
.venv/bin/gkcatalog baseline demo
.venv/bin/gkcatalog baseline list
