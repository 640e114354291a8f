#!/usr/bin/env bash
# Two help-lms instances on one PostgreSQL behind HAProxy (deploy/haproxy.cfg), driven
# through the balancer by deploy/lb_check.py: a cohort's journey while one instance is
# killed (`kill -9`) in the middle; then what must hold for the two to be one system
# (no acknowledged write lost, a publication on one served by the other at once, one
# throttle, one idempotency store, each message mailed once). Installs PostgreSQL and
# HAProxy from Debian's packages when they are missing (needs root).
#
# Usage: deploy/two-instances.sh PATH/TO/help-lms
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
bin="$(realpath "${1:?usage: two-instances.sh PATH/TO/help-lms}")"

if ! command -v haproxy >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq haproxy >/dev/null
fi
# shellcheck source=.ci/lib.sh
source "$root/.ci/lib.sh"
# shellcheck source=.ci/postgres.sh
source "$root/.ci/postgres.sh"

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  pg_cleanup
}
trap cleanup EXIT

lb_port=$(free_port)
a_port=$(free_port)
b_port=$(free_port)
admin_password="lb-admin-password-$RANDOM$RANDOM"

# What the instances share: the database, the secrets, the public address, the balancer.
export DATABASE_URL="$HELP_PG_URL"
export HELP_ENV=development
export HELP_PUBLIC_URL="http://127.0.0.1:$lb_port"
HELP_JWT_SECRET="lb-check-signing-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export HELP_JWT_SECRET
HELP_ISSUER_KEY="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
export HELP_ISSUER_KEY
export HELP_TRUSTED_PROXIES=127.0.0.1
export HELP_DEV_ADMIN_PASSWORD="$admin_password"
export HELP_MAIL_POLL_SECONDS=1
export HELP_LOG=warn

start() { # NAME PORT
  mkdir -p "$work/$1"
  HELP_BIND="127.0.0.1:$2" HELP_DATA_DIR="$work/$1" "$bin" serve >"$work/$1.log" 2>&1 &
  pids+=($!)
  echo $! >"$work/$1.pid"
  wait_ready "http://127.0.0.1:$2" "$!" "$work/$1.log" "instance $1"
}
# The first migrates the empty database and imports the catalogue; the second finds both done.
start a "$a_port"
start b "$b_port"

sed -e "s/@LB_PORT@/$lb_port/" -e "s/@A_PORT@/$a_port/" -e "s/@B_PORT@/$b_port/" \
  "$here/haproxy.cfg" >"$work/haproxy.cfg"
haproxy -c -q -f "$work/haproxy.cfg"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)

if ! python3 "$here/lb_check.py" \
    --lb "http://127.0.0.1:$lb_port" --a "http://127.0.0.1:$a_port" --b "http://127.0.0.1:$b_port" \
    --kill-a "$(cat "$work/a.pid")" --admin-password "$admin_password" \
    --mail-dirs "$work/a/mail" "$work/b/mail"; then
  for f in a b haproxy; do
    echo "--- $f.log (last 40 lines)" >&2
    tail -40 "$work/$f.log" >&2
  done
  exit 1
fi
