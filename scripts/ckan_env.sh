# Sourced by ckan_test.sh and ckan_bench.sh: a real CKAN 2.11.6 with ckanext-scheming and ckanext-harvest in
# its own virtualenv (.venv-ckan: CKAN's exact pins must not decide the standalone's), and a PostgreSQL
# server and a Redis server started on free ports, stopped when the calling script exits. Exports
# CKAN_SQLALCHEMY_URL (database ckan_test), CKAN_REDIS_URL and GKCATALOG_PG_ADMIN_URL (to create others).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
packages=()
command -v gcc >/dev/null 2>&1 || packages+=(gcc)
[ -e /usr/include/postgresql/libpq-fe.h ] || packages+=(libpq-dev)  # psycopg2 builds from source
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql)
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
if [ ${#packages[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi
if [ ! -x .venv-ckan/bin/ckan ]; then
  python3 -m venv .venv-ckan
  .venv-ckan/bin/pip install -q --upgrade pip
  .venv-ckan/bin/pip install -q 'ckan[requirements,dev]==2.11.6' 'ckanext-scheming==3.1.0' 'ckanext-harvest==1.6.3'
fi
.venv-ckan/bin/pip install -q -e . 2>&1 | grep -v "is ignored" || true

work=$(mktemp -d)
chown postgres "$work" 2>/dev/null || true
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_port=$(free_port); redis_port=$(free_port)
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
cleanup() {
  as_pg "$bindir/pg_ctl -D $work/pg -m immediate -w stop" >/dev/null 2>&1 || true
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
as_pg "$bindir/initdb -D $work/pg -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "$bindir/pg_ctl -D $work/pg -o '-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off' -l $work/pg.log -w start" >/dev/null
as_pg "$bindir/createdb -h 127.0.0.1 -p $pg_port -U postgres ckan_test"
redis-server --bind 127.0.0.1 --port "$redis_port" --daemonize yes --save '' --pidfile "$work/redis.pid" >/dev/null

export CKAN_SQLALCHEMY_URL="postgresql://postgres@127.0.0.1:$pg_port/ckan_test"
export CKAN_REDIS_URL="redis://127.0.0.1:$redis_port/1"
export GKCATALOG_PG_ADMIN_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
