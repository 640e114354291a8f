#!/usr/bin/env bash
# The PostgreSQL backup the README gives, run for real: a database that help-lms migrated
# and wrote to is dumped with pg_dump while a help-lms server serves it, restored with
# pg_restore into another database, and every table must hold the same rows in both.
# Needs the server of .ci/postgres.sh (HELP_PG_URL, PGBIN) and a built binary.
#
#   source .ci/postgres.sh; bash .ci/pg-backup.sh target/debug/help-lms
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "$0")/lib.sh"

binary=$(realpath "${1:?usage: bash .ci/pg-backup.sh PATH/TO/help-lms}")
: "${HELP_PG_URL:?source .ci/postgres.sh first}"
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
base=${HELP_PG_URL%/*}
src="$base/help_backup_src"
dst="$base/help_backup_dst"
work=$(mktemp -d "${TMPDIR:-/tmp}/help-lms-pg-backup.XXXXXX")
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

PGOPTIONS=--client-min-messages=warning "$PGBIN/psql" -q -v ON_ERROR_STOP=1 "$HELP_PG_URL" -c 'DROP DATABASE IF EXISTS help_backup_src' -c 'DROP DATABASE IF EXISTS help_backup_dst' \
  -c 'CREATE DATABASE help_backup_src' -c 'CREATE DATABASE help_backup_dst'

# A served database with something in it: the bundled catalogue and an admin.
port=$(free_port)
DATABASE_URL="$src" HELP_ENV=development HELP_DATA_DIR="$work/data" HELP_BIND="127.0.0.1:$port" \
  HELP_DEV_ADMIN_PASSWORD=backup-check-password HELP_LOG=warn "$binary" serve > "$work/server.log" 2>&1 &
server_pid=$!
wait_ready "http://127.0.0.1:$port" "$server_pid" "$work/server.log" pg-backup

# The README's commands: dump while serving, restore into another database.
"$PGBIN/pg_dump" --format=custom --file="$work/help-lms.dump" "$src"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
"$PGBIN/pg_restore" --clean --if-exists --no-owner --dbname="$dst" "$work/help-lms.dump"

# Every table, with its row count and a digest of its rows, must match.
digest() {
  local tables t
  tables=$("$PGBIN/psql" -qAt "$1" -c "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")
  for t in $tables; do
    printf '%s:%s\n' "$t" "$("$PGBIN/psql" -qAt "$1" -c "SELECT count(*) || ' ' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"$t\" AS x")"
  done
}
before=$(digest "$src")
after=$(digest "$dst")
courses=$("$PGBIN/psql" -qAt "$dst" -c 'SELECT count(*) FROM courses')
if [ "$before" != "$after" ] || [ "$courses" -lt 3 ]; then
  echo "pg-backup: the restored database differs (courses: $courses)" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
echo "pg-backup: pg_dump while serving and pg_restore give the same rows in every table ($(echo "$after" | wc -l) tables, $courses courses)"
