#!/usr/bin/env bash
# Run a command with DATABASE_URL (and TRACTATUS_TEST_PG_URL) pointing at a throwaway local
# PostgreSQL cluster, then stop and delete the cluster. Used by `make test` to run the service and
# audit suites against PostgreSQL as well as SQLite.
# Where PostgreSQL cannot be started (no root to install it), says so and exits 0.
set -u
url=$(scripts/start-postgres.sh 2>/tmp/tractatus-pg-start.log) || {
  echo "note: PostgreSQL is unavailable here (see /tmp/tractatus-pg-start.log); skipping the PostgreSQL run"
  exit 0
}
dir=$(grep -o '/tmp/tractatus-pg\.[A-Za-z0-9]*' /tmp/tractatus-pg-start.log | head -n1)
trap 'scripts/start-postgres.sh --stop "$dir" >/dev/null 2>&1' EXIT
echo "PostgreSQL run against $url"
DATABASE_URL="$url" TRACTATUS_TEST_PG_URL="$url" "$@"
