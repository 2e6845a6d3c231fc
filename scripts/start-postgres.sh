#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 and print its SQLAlchemy URL on stdout.
#
#   export DATABASE_URL=$(scripts/start-postgres.sh)      # then: pytest tests/service
#   scripts/start-postgres.sh --stop DATADIR              # stop and delete a cluster
#
# Installs Debian's postgresql when it is missing (as root). The cluster lives in a fresh
# directory under /tmp, listens only on 127.0.0.1 on a free port, and trusts local connections
# (it is for tests only). Progress goes to stderr; stdout carries only the URL.
set -euo pipefail

if [ "${1:-}" = "--stop" ]; then
  dir="${2:?usage: start-postgres.sh --stop DATADIR}"
  bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n1)")
  runas=(); [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
  "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
  rm -rf "$dir"
  exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing postgresql from Debian's packages" >&2
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; }) >&2
  else
    echo "error: PostgreSQL is not installed and cannot be installed here (need root and apt-get)" >&2
    exit 1
  fi
fi
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n1)")

runas=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  runas=(runuser -u postgres --)  # postgres refuses to run as root
fi

dir=$(mktemp -d /tmp/tractatus-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

"${runas[@]}" "$bin/initdb" -D "$dir/data" -U tractatus --auth=trust -E UTF8 --locale=C.UTF-8 >&2 \
  || "${runas[@]}" "$bin/initdb" -D "$dir/data" -U tractatus --auth=trust -E UTF8 >&2
"${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >&2
"${runas[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U tractatus tractatus >&2

echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') running in $dir (stop: $0 --stop $dir)" >&2
echo "postgresql+psycopg://tractatus@127.0.0.1:$port/tractatus"
