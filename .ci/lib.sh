# shellcheck shell=bash
# Sourced by the scripts that start help-lms (the CI checks and deploy/two-instances.sh):
# a free local port, and waiting for a started server to answer /readyz.

# free_port: a local TCP port nobody listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready URL PID LOG WHO [SECONDS]: waits up to SECONDS (30) for URL/readyz to answer.
# If the process PID exits first, or the time runs out, says so as WHO with the end of LOG
# and fails the script.
wait_ready() {
  local url=$1 pid=$2 log=$3 who=$4 seconds=${5:-30}
  for _ in $(seq 1 $((seconds * 5))); do
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
        "$url/readyz" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$who: the server exited:" >&2
      tail -50 "$log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "$who: the server did not answer $url/readyz within $seconds s:" >&2
  tail -50 "$log" >&2
  exit 1
}
