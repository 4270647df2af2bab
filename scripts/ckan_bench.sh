#!/usr/bin/env bash
# The CKAN import benchmark (bench/ckan_bench.py) on a real CKAN 2.11.6 with its own PostgreSQL and Redis
# (ckan_env.sh). Arguments are passed to it, e.g. --counties 10 for a quick run.
set -euo pipefail
source "$(dirname "$0")/ckan_env.sh"
export GKCATALOG_I18N_CACHE="$work/i18n"
.venv-ckan/bin/python bench/ckan_bench.py "$@"
