# Sourced by .ci/run and bench/run: installs PostgreSQL from Debian's packages if it is
# missing, starts a throwaway cluster on a free port (removed on exit) and exports
# HELP_PG_URL=postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres.
# Needs root (apt-get, runuser). Settings favour speed: the cluster is thrown away.

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDIR=$(mktemp -d /tmp/help-lms-pg.XXXXXX)
chown postgres:postgres "$PGDIR"
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
PGPASS=pg-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
pg_cleanup() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap pg_cleanup EXIT
printf '%s\n' "$PGPASS" > "$PGDIR/pw"
chown postgres:postgres "$PGDIR/pw"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --pwfile="$PGDIR/pw" -A scram-sha-256 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 ${HELP_PG_OPTIONS:-}" >/dev/null
export HELP_PG_URL="postgres://postgres:$PGPASS@127.0.0.1:$PGPORT/postgres"
