#!/usr/bin/env bash
# Certificates v2 checked with outside tools. Installs what is missing (poppler-utils,
# zbar-tools, node and npm, from Debian), installs the verifier's pinned npm packages
# (`npm ci` of .ci/certificates/verifier in a temporary copy) and runs its self-test, then
# starts the given help-lms binary on a free port with a fresh SQLite database and runs
# .ci/certificates/check.py against it: learners with names in eight scripts finish a
# course, and each certificate's PDF (text, fonts, QR code), its verification page and its
# Open Badges 3.0 credential (eddsa-rdfc-2022, Bitstring Status List; before and after
# revocation) are checked. Everything goes to a temporary directory, removed on exit;
# nothing is written to the tree.
#
#   bash .ci/certificates/run.sh target/debug/help-lms
set -euo pipefail

binary=$(realpath "${1:?usage: bash .ci/certificates/run.sh PATH/TO/help-lms}")
[ -x "$binary" ] || { echo "not an executable: $binary" >&2; exit 2; }
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
source .ci/lib.sh

ADMIN_PASSWORD=certificates-check-admin-password

work=$(mktemp -d "${TMPDIR:-/tmp}/help-lms-certificates.XXXXXX")
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
for tool in pdftotext:poppler-utils pdffonts:poppler-utils pdftoppm:poppler-utils \
  zbarimg:zbar-tools node:nodejs npm:npm; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ "${#missing[@]}" != 0 ]; then
  # shellcheck disable=SC2207
  packages=($(printf '%s\n' "${missing[@]}" | sort -u))
  echo "certificates: installing ${packages[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "certificates: node $(node --version) is too old; the verifier needs 18 or newer" >&2
  exit 1
fi

echo "certificates: npm ci of the verifier (node $(node --version), npm $(npm --version))"
verifier="$work/verifier"
mkdir -p "$verifier"
cp .ci/certificates/verifier/package.json .ci/certificates/verifier/package-lock.json \
  .ci/certificates/verifier/*.mjs "$verifier/"
(cd "$verifier" && npm ci --no-audit --no-fund --loglevel=error --cache "$work/npm-cache")

echo "certificates: the verifier's self-test"
(cd "$verifier" && node selftest.mjs)

port=$(free_port)
url="http://127.0.0.1:$port"
echo "certificates: starting $binary on $url"
env -u DATABASE_URL -u HELP_JWT_SECRET \
  HELP_ENV=development HELP_DATA_DIR="$work/data" HELP_BIND="127.0.0.1:$port" \
  HELP_PUBLIC_URL="$url" HELP_DEV_ADMIN_PASSWORD="$ADMIN_PASSWORD" HELP_LOG=info \
  "$binary" serve > "$work/server.log" 2>&1 &
server_pid=$!
wait_ready "$url" "$server_pid" "$work/server.log" certificates

echo "certificates: running .ci/certificates/check.py"
mkdir -p "$work/tmp"
TMPDIR="$work/tmp" python3 .ci/certificates/check.py "$url" admin@help-lms.local "$ADMIN_PASSWORD" "$verifier"
echo "certificates: done in ${SECONDS}s"
