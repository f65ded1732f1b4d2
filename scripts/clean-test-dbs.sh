#!/usr/bin/env bash
# scripts/clean-test-dbs.sh [--templates] [--dry-run]
#
# Drops the per-test databases (lawos_test_*) that interrupted test runs leave
# behind (WITH (FORCE): do not run it while tests are running on that server).
# With --templates it also drops the migrated templates (lawos_tpl_*) the tests
# copy from; the next test run rebuilds them. --dry-run only lists them.
# Connects with LAWOS_TEST_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail

templates=0
dry_run=0
for arg in "$@"; do
  case "$arg" in
    --templates) templates=1 ;;
    --dry-run) dry_run=1 ;;
    -h | --help) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "clean-test-dbs: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

url="${LAWOS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! command -v psql >/dev/null 2>&1; then
  echo "clean-test-dbs: psql is not installed (Debian/Ubuntu: apt-get install postgresql-client)" >&2
  exit 1
fi
export PGCONNECT_TIMEOUT=5
psql_() { psql "$url" -X -q -v ON_ERROR_STOP=1 "$@"; }

pattern="datname LIKE 'lawos\_test\_%'"
((templates)) && pattern+=" OR datname LIKE 'lawos\_tpl\_%'"

mapfile -t dbs < <(psql_ -tAc "SELECT datname FROM pg_database WHERE $pattern ORDER BY datname")
dropped=0
for db in "${dbs[@]}"; do
  [[ -n "$db" ]] || continue
  if ((dry_run)); then echo "would drop $db"; dropped=$((dropped + 1)); continue; fi
  # a template flagged IS_TEMPLATE cannot be dropped
  psql_ -c "ALTER DATABASE \"$db\" IS_TEMPLATE false" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
  dropped=$((dropped + 1))
done
if ((dry_run)); then
  echo "clean-test-dbs: $dropped database(s) would be dropped"
else
  echo "clean-test-dbs: dropped $dropped database(s)"
fi
