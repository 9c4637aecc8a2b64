#!/usr/bin/env bash
# Starts Azurite (installed by scripts/install-azurite.sh) in the background on the loopback address, writes its
# process id to a file and waits, bounded, until the blob endpoint accepts connections.
#
#   scripts/start-azurite.sh [--host H] [--blob-port N] [--queue-port N] [--table-port N]
#                            [--location DIR] [--pid-file FILE] [--log-file FILE] [--timeout SECONDS]
#
# Defaults (each also settable by the environment variable in brackets):
#   --host 127.0.0.1 [AZURITE_HOST]          --blob-port 10000 [AZURITE_BLOB_PORT]
#   --queue-port 10001 [AZURITE_QUEUE_PORT]  --table-port 10002 [AZURITE_TABLE_PORT]
#   --location: none, data kept in memory [AZURITE_LOCATION]; with a directory, data is kept there on disk
#   --pid-file .ci/tools/azurite.pid [AZURITE_PID_FILE]   (a relative path is taken from the current directory)
#   --log-file .ci/tools/azurite.log [AZURITE_LOG_FILE]
#   --timeout 30 [AZURITE_START_TIMEOUT]
#
# Stop it with: kill "$(cat .ci/tools/azurite.pid)"
# The connection string for the default ports is "UseDevelopmentStorage=true".
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.ci/tools"
entry="$tools/node_modules/azurite/dist/src/azurite.js"

host=${AZURITE_HOST:-127.0.0.1}
blob_port=${AZURITE_BLOB_PORT:-10000}
queue_port=${AZURITE_QUEUE_PORT:-10001}
table_port=${AZURITE_TABLE_PORT:-10002}
location=${AZURITE_LOCATION:-}
pid_file=${AZURITE_PID_FILE:-$tools/azurite.pid}
log_file=${AZURITE_LOG_FILE:-$tools/azurite.log}
timeout=${AZURITE_START_TIMEOUT:-30}

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
fail() { echo "start-azurite: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --host) host=${2:?--host needs a value}; shift 2 ;;
    --blob-port) blob_port=${2:?--blob-port needs a value}; shift 2 ;;
    --queue-port) queue_port=${2:?--queue-port needs a value}; shift 2 ;;
    --table-port) table_port=${2:?--table-port needs a value}; shift 2 ;;
    --location) location=${2:?--location needs a directory}; shift 2 ;;
    --pid-file) pid_file=${2:?--pid-file needs a file}; shift 2 ;;
    --log-file) log_file=${2:?--log-file needs a file}; shift 2 ;;
    --timeout) timeout=${2:?--timeout needs a number of seconds}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; fail "unknown argument '$1'" ;;
  esac
done

# Relative paths are the caller's: made absolute now, since Azurite is started from .ci/tools below.
absolute() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
pid_file=$(absolute "$pid_file")
log_file=$(absolute "$log_file")

for port in "$blob_port" "$queue_port" "$table_port"; do
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || fail "'$port' is not a TCP port (1-65535)."
done
[[ "$timeout" =~ ^[0-9]+$ ]] && [ "$timeout" -ge 1 ] || fail "--timeout must be a whole number of seconds (got '$timeout')."
command -v node >/dev/null 2>&1 || fail "'node' is not on PATH; install Node.js (18 or later)."
[ -f "$entry" ] || fail "Azurite is not installed ($entry is missing): run scripts/install-azurite.sh first."

# Whether something accepts TCP connections on host:port (bash's /dev/tcp, with a short bound).
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

if [ -f "$pid_file" ]; then
  old_pid=$(cat "$pid_file")
  if [[ "$old_pid" =~ ^[0-9]+$ ]] && kill -0 "$old_pid" 2>/dev/null && port_open "$host" "$blob_port"; then
    echo "start-azurite: Azurite is already running (pid $old_pid, blob endpoint http://$host:$blob_port)." >&2
    exit 0
  fi
  rm -f "$pid_file"
fi

for port in "$blob_port" "$queue_port" "$table_port"; do
  if port_open "$host" "$port"; then
    fail "$host:$port already accepts connections (another Azurite or another program, not started by this script): stop it, or choose other ports with --blob-port/--queue-port/--table-port."
  fi
done

args=(
  "$entry"
  --blobHost "$host" --blobPort "$blob_port"
  --queueHost "$host" --queuePort "$queue_port"
  --tableHost "$host" --tablePort "$table_port"
  --disableTelemetry --skipApiVersionCheck --silent
)
if [ -n "$location" ]; then
  mkdir -p "$location"
  args+=(--location "$(cd "$location" && pwd)")
else
  args+=(--inMemoryPersistence)
fi

mkdir -p "$(dirname "$pid_file")" "$(dirname "$log_file")"
# Run from .ci/tools so that nothing Azurite might drop in its working directory lands in the repository.
cd "$tools"
nohup node "${args[@]}" >"$log_file" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pid_file"

deadline=$((SECONDS + timeout))
until port_open "$host" "$blob_port"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$pid_file"
    echo "start-azurite: Azurite (pid $pid) exited before its blob endpoint $host:$blob_port accepted connections. Its log ($log_file):" >&2
    tail -n 20 "$log_file" >&2 || true
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    kill "$pid" 2>/dev/null || true
    rm -f "$pid_file"
    echo "start-azurite: Azurite (pid $pid) did not accept connections on $host:$blob_port within ${timeout}s; stopped it. Its log ($log_file):" >&2
    tail -n 20 "$log_file" >&2 || true
    exit 1
  fi
  sleep 0.2
done

storage=$([ -n "$location" ] && echo "on disk in $location" || echo "in memory")
echo "start-azurite: Azurite is running (pid $pid, written to $pid_file): blob http://$host:$blob_port, queue http://$host:$queue_port, table http://$host:$table_port, data $storage." >&2
