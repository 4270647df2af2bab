#!/usr/bin/env bash
# The test command: installs what the tests need on a fresh Debian machine, then runs them.
# PostgreSQL comes from Debian's packages; the tests start their own server from it (tests/conftest.py).
# Arguments are passed to pytest, e.g. scripts/test.sh -k baseline
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${GKCATALOG_TEST_PG_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL is missing: install Debian's postgresql package (or set GKCATALOG_TEST_PG_URL)." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
scripts/setup.sh test
exec .venv/bin/pytest "$@"
