#!/usr/bin/env bash
# The learning record store under /xapi against ADL's LRS conformance suite for xAPI 2.0.0,
# all 1,442 tests. Installs what is missing (node and npm, from Debian), copies the suite
# (${HELP_LRS_SUITE:-../shared/lrs-conformance-test-suite}, MIT, commit 2ec25f2) to a
# temporary directory, installs its npm packages and checks that the copy is byte for byte
# the original, then starts the given help-lms binary on a free port with a fresh SQLite
# database (the suite writes statements and never voids them), makes an admin LRS
# credential and runs the suite with it. .ci/xapi/check.py reads the suite's log and fails
# on any failure not in .ci/xapi/expected-failures.txt, on any listed test that passes, and
# on a run of fewer or more than 1,442 tests. Everything goes to a temporary directory,
# removed on exit; nothing is written to the tree.
#
#   bash .ci/xapi/run.sh target/debug/help-lms
set -euo pipefail

binary=$(realpath "${1:?usage: bash .ci/xapi/run.sh PATH/TO/help-lms}")
[ -x "$binary" ] || { echo "not an executable: $binary" >&2; exit 2; }
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
source .ci/lib.sh

ADMIN_PASSWORD=xapi-check-admin-password
source_suite=${HELP_LRS_SUITE:-../shared/lrs-conformance-test-suite}
[ -f "$source_suite/bin/console_runner.js" ] || {
  echo "xapi: no LRS conformance suite at $source_suite (set HELP_LRS_SUITE)" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/help-lms-xapi.XXXXXX")
server_pid=
cleanup() {
  status=$?
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$status" != 0 ] && [ -s "$work/server.log" ]; then
    echo "--- server log (last 40 lines) ---" >&2
    tail -n 40 "$work/server.log" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

missing=()
for tool in node:nodejs npm:npm; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ "${#missing[@]}" != 0 ]; then
  echo "xapi: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "xapi: node $(node --version) is too old; the suite needs 18 or newer" >&2
  exit 1
fi

python3 .ci/xapi/check.py --self-test

suite="$work/suite"
echo "xapi: copying the suite from $source_suite"
cp -r "$source_suite" "$suite"
chmod -R u+w "$suite"
# A working copy of the suite may hold an earlier run's logs: the log read below is this run's.
rm -rf "$suite/logs"

echo "xapi: installing the suite's npm packages (node $(node --version), npm $(npm --version))"
npm_flags=(--no-audit --no-fund --loglevel=error --cache "$work/npm-cache")
# The suite's repository does not commit its lock file (its .gitignore lists it): the
# versions it runs with are pinned by .ci/xapi/package-lock.json, made by npm from the
# suite's package.json.
cp .ci/xapi/package-lock.json "$suite/package-lock.json"
(cd "$suite" && npm ci "${npm_flags[@]}")

# The suite runs as published: the copy, after npm, differs from it only by what npm adds.
excludes=(--exclude=node_modules --exclude=logs --exclude=package-lock.json)
if ! diff -r "${excludes[@]}" "$source_suite" "$suite"; then
  echo "xapi: the suite's copy differs from $source_suite; it must run unmodified" >&2
  exit 1
fi

port=$(free_port)
url="http://127.0.0.1:$port"
echo "xapi: starting $binary on $url"
env -u DATABASE_URL -u HELP_JWT_SECRET \
  HELP_ENV=development HELP_DATA_DIR="$work/data" HELP_BIND="127.0.0.1:$port" \
  HELP_PUBLIC_URL="$url" HELP_DEV_ADMIN_PASSWORD="$ADMIN_PASSWORD" HELP_LOG=info \
  "$binary" serve > "$work/server.log" 2>&1 &
server_pid=$!
wait_ready "$url" "$server_pid" "$work/server.log" xapi

echo "xapi: creating an admin LRS credential"
credential=$(python3 .ci/xapi/check.py credential "$url" admin@help-lms.local "$ADMIN_PASSWORD")
key=${credential%%$'\n'*}
secret=${credential#*$'\n'}

echo "xapi: running the conformance suite against $url/xapi (xAPI 2.0.0, every test)"
# It exits with its number of failures (modulo 256); check.py reads the log for the verdict.
runner_status=0
(cd "$suite" && node bin/console_runner.js -e "$url/xapi" -a -u "$key" -p "$secret" -x 2.0.0) \
  || runner_status=$?
echo "xapi: the runner exited with $runner_status"

log=$(find "$suite/logs" -maxdepth 1 -name '*.log' -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -n 1 | cut -d' ' -f2-)
[ -n "$log" ] || { echo "xapi: the runner wrote no log under $suite/logs" >&2; exit 1; }

echo "xapi: checking $(basename "$log") against .ci/xapi/expected-failures.txt"
python3 .ci/xapi/check.py "$log" .ci/xapi/expected-failures.txt
echo "xapi: done in ${SECONDS}s"
