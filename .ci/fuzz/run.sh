#!/usr/bin/env bash
# Fuzzes the live server against openapi/openapi.json with schemathesis (every phase, every
# check, a fixed seed and example count; schemathesis.toml says what is adjusted and why), in
# turn as an admin, an NTI manager, its API client, a tutor and a learner, each over data that
# seed.py creates through the API. Any failure fails the run.
#
# Usage: .ci/fuzz/run.sh PATH/TO/help-lms
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=.ci/lib.sh
source "$root/.ci/lib.sh"
bin="$(realpath "${1:?usage: run.sh PATH/TO/help-lms}")"
SCHEMATHESIS_VERSION=4.32.5
# A cap per role, in seconds, against a hang; the example counts and the seed in
# schemathesis.toml decide what runs. (schemathesis's own --max-time is a budget that fuzzing
# and stateful testing spend in full, so it would make runs differ with the machine's speed.)
CAP=${HELP_FUZZ_CAP:-300}

work="$(mktemp -d)"
venv="${HELP_FUZZ_VENV:-$work/venv}"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

port=$(free_port)
base="http://127.0.0.1:$port"
admin_password="fuzz-admin-password-$RANDOM$RANDOM"
HELP_DATA_DIR="$work/data" HELP_BIND="127.0.0.1:$port" HELP_ENV=development \
  HELP_DEV_ADMIN_PASSWORD="$admin_password" HELP_LOG=warn HELP_STATS_MIN_CELL=0 \
  HELP_ACCESS_TOKEN_MINUTES=120 "$bin" serve >"$work/server.log" 2>&1 &
server=$!
wait_ready "$base" "$server" "$work/server.log" fuzz 20

# shellcheck disable=SC1090
source <(python3 "$here/seed.py" "$base" admin@help-lms.local "$admin_password")

failed=0
# schemathesis keeps a cache in its working directory: not in the tree.
cd "$work"
# The admin last: what it closes, revokes and archives would otherwise change what the
# others see halfway through.
for role in LEARNER TUTOR CLIENT MANAGER ADMIN; do
  token_var="FUZZ_${role}_TOKEN"
  echo "--- schemathesis as ${role,,}"
  if ! timeout "$CAP" "$venv/bin/schemathesis" --no-color --config-file "$here/schemathesis.toml" run \
      "$root/openapi/openapi.json" --url "$base" \
      --header "Authorization: Bearer ${!token_var}" \
      --workers 2 >"$work/$role.txt" 2>&1; then
    failed=1
    cat "$work/$role.txt"
  else
    # The closing line: how many cases, no failure, how long.
    grep -E '^=+ .* in [0-9.]+s =+$' "$work/$role.txt" | tail -1 || true
  fi
done
if ! kill -0 "$server" 2>/dev/null; then
  echo "the server died during the fuzz run:" >&2
  tail -50 "$work/server.log" >&2
  exit 1
fi
exit "$failed"
