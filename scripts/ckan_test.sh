#!/usr/bin/env bash
# The tests on a real CKAN 2.11.6 (services and virtualenv: ckan_env.sh), then pytest with CKAN's plugin.
# Arguments are passed to pytest.
set -euo pipefail
source "$(dirname "$0")/ckan_env.sh"
export CKAN_INI="$root/tests/ckan/test.ini" GKCATALOG_I18N_CACHE="$work/i18n"
.venv-ckan/bin/ckan -c "$CKAN_INI" db init >/dev/null
.venv-ckan/bin/ckan -c "$CKAN_INI" gkcatalog init
cd tests/ckan
"$root/.venv-ckan/bin/pytest" --ckan-ini="$CKAN_INI" -p no:cacheprovider --disable-warnings "$@" .
