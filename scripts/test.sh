#!/usr/bin/env bash
# The test command: installs what the tests need on a fresh Debian machine, then runs them.
# From Debian: PostgreSQL and Redis (the tests start their own servers from them, tests/conftest.py) and
# Chromium (the browser test drives it with Playwright). Arguments are passed to the standalone suite's
# pytest, e.g. scripts/test.sh -k baseline. Then the suite on a real CKAN 2.11 runs (scripts/ckan_test.sh) unless
# GKCATALOG_SKIP_CKAN=1.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=()
if [ -z "${GKCATALOG_TEST_PG_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  packages+=(postgresql)
fi
if ! command -v chromium >/dev/null 2>&1; then
  packages+=(chromium)
fi
if ! command -v redis-server >/dev/null 2>&1; then
  packages+=(redis-server)  # the queue's tests start their own
fi
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing Debian packages: ${packages[*]} (install them, or set GKCATALOG_TEST_PG_URL for PostgreSQL)." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi
export GKCATALOG_REQUIRE_BROWSER=1  # the browser test fails, never skips, when Chromium cannot run
scripts/setup.sh test
.venv/bin/pytest "$@"
if [ -z "${GKCATALOG_SKIP_CKAN:-}" ]; then
  bash scripts/ckan_test.sh -q
fi
