#!/usr/bin/env bash
# A real ArrayDict cluster on this machine: Azurite (Azure Table membership, Azure Blob snapshots, data on disk) and
# N silo processes, each on its own loopback ports. State (pids, logs, Azurite's data) lives in ./.cluster (git-ignored).
#
#   scripts/cluster.sh up [--silos N] [--fast-failover] [--cluster-id ID] [--method-assembly DLL]... [--no-tls] [--no-build]
#   scripts/cluster.sh status
#   scripts/cluster.sh add                   # one more silo (scale out)
#   scripts/cluster.sh stop I [--kill]       # stop silo I: SIGTERM (graceful), or SIGKILL with --kill (a crash)
#   scripts/cluster.sh down [--purge]        # stop every silo (SIGTERM) and Azurite; --purge also deletes ./.cluster
#
# Options of `up` (each also settable by the environment variable in brackets):
#   --silos N            silos to start (default 3) [CLUSTER_SILOS]
#   --fast-failover      the fast-failover profile (docs/cluster.md): a dead silo is noticed within seconds, calls
#                        time out after 5 s [CLUSTER_FAST_FAILOVER=true]
#   --cluster-id ID      cluster and service id (default arraydict-local) [CLUSTER_ID]
#   --method-assembly DLL  an assembly of your own IArrayDictMethod<T> types that every silo loads (repeatable;
#                        docs/your-own-method.md) [CLUSTER_METHOD_ASSEMBLIES: paths separated by ':']
#   --no-tls             plain TCP between silos and clients; by default a local CA and certificates are made with
#                        openssl in ./.cluster/tls and every connection is mutual TLS [CLUSTER_TLS=false]
#   --no-build           use the silo as last built instead of running `dotnet build src/Silo` first
# Ports: Azurite blob/queue/table 10100/10101/10102 [CLUSTER_AZURITE_PORT: the blob port, the next two follow];
# silo i listens on 11111+i (silo-to-silo) and 30000+i (gateway) [CLUSTER_SILO_PORT, CLUSTER_GATEWAY_PORT].
# Needs dotnet, node and (for TLS) openssl; Azurite is installed into .ci/tools by scripts/install-azurite.sh when missing.
# The storage connection string is kept in ./.cluster/connection-string and reaches the silos through the environment
# (ArrayDict__AzureStorageConnectionString), never on a command line where ps would show it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state="$root/.cluster"
configuration=${CLUSTER_CONFIGURATION:-Debug}
start_timeout=${CLUSTER_START_TIMEOUT:-90}
stop_timeout=${CLUSTER_STOP_TIMEOUT:-60}

usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
fail() { echo "cluster: $*" >&2; exit 1; }
say() { echo "cluster: $*" >&2; }

# Whether something accepts TCP connections on 127.0.0.1:port.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pid_of() { [ -f "$1" ] && cat "$1" || true; }

load_settings() {
  [ -f "$state/cluster.env" ] || fail "no cluster here ($state/cluster.env is missing): run scripts/cluster.sh up first."
  METHOD_ASSEMBLIES=()
  # shellcheck source=/dev/null
  . "$state/cluster.env"
}

silo_dll() {
  local dll
  dll=$(ls "$root"/src/Silo/bin/"$configuration"/net*/ArrayDictOrleans.Silo.dll 2>/dev/null | head -n 1 || true)
  [ -n "$dll" ] || fail "the silo is not built (no src/Silo/bin/$configuration/net*/ArrayDictOrleans.Silo.dll): run without --no-build, or dotnet build src/Silo."
  echo "$dll"
}

# Starts silo number $1 in the background and waits until it has joined the cluster.
start_silo() {
  local index=$1 dll silo_port gateway_port log pid deadline
  dll=$(silo_dll)
  silo_port=$((SILO_PORT + index))
  gateway_port=$((GATEWAY_PORT + index))
  for port in "$silo_port" "$gateway_port"; do
    port_open "$port" && fail "127.0.0.1:$port is taken (by another program or an old silo): stop it, or choose ports with CLUSTER_SILO_PORT/CLUSTER_GATEWAY_PORT."
  done
  log="$state/silo-$index.log"
  local args=(
    "$dll"
    --contentRoot "$(dirname "$dll")"
    --cluster-id "$CLUSTER_ID" --service-id "$CLUSTER_ID"
    --clustering AzureTable --storage AzureBlob
    --silo-port "$silo_port" --gateway-port "$gateway_port"
    --fast-failover "$FAST_FAILOVER"
  )
  local assembly
  for assembly in "${METHOD_ASSEMBLIES[@]}"; do
    args+=(--method-assembly "$assembly")
  done
  args+=(
    --Logging:LogLevel:Polly Warning
    --Logging:Console:FormatterName simple
    --Logging:Console:FormatterOptions:SingleLine true
    --Logging:Console:FormatterOptions:TimestampFormat "HH:mm:ss.fff "
  )
  if [ "$TLS" = true ]; then
    args+=(--tls true --tls-certificate "$state/tls/node.pem" --tls-key "$state/tls/node.key" --tls-ca "$state/tls/ca.pem")
  fi
  # `dotnet app.dll` runs the app in the dotnet process itself, so $! is the silo's pid.
  (cd "$state" && ArrayDict__AzureStorageConnectionString=$(cat "$state/connection-string") exec nohup dotnet "${args[@]}" >"$log" 2>&1 </dev/null) &
  pid=$!
  echo "$pid" >"$state/silo-$index.pid"
  echo "$silo_port $gateway_port" >"$state/silo-$index.ports"
  deadline=$((SECONDS + start_timeout))
  until grep -q "Application started" "$log" 2>/dev/null; do
    if ! alive "$pid"; then
      echo "cluster: silo $index (pid $pid) exited before joining. Its log ($log):" >&2
      tail -n 30 "$log" >&2 || true
      rm -f "$state/silo-$index.pid"
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -TERM "$pid" 2>/dev/null || true
      echo "cluster: silo $index (pid $pid) did not join within ${start_timeout}s; sent it SIGTERM. Its log ($log):" >&2
      tail -n 30 "$log" >&2 || true
      exit 1
    fi
    sleep 0.3
  done
  say "silo $index is up: pid $pid, silo port $silo_port, gateway 127.0.0.1:$gateway_port, log $log"
}

# Stops silo number $1: SIGTERM and a bounded wait (or SIGKILL with $2 = kill).
stop_silo() {
  local index=$1 how=${2:-term} pid deadline
  pid=$(pid_of "$state/silo-$index.pid")
  if ! alive "$pid"; then
    rm -f "$state/silo-$index.pid"
    return 0
  fi
  if [ "$how" = kill ]; then
    kill -KILL "$pid"
    say "killed silo $index (pid $pid, SIGKILL): the cluster declares it dead after its probes fail."
  else
    kill -TERM "$pid"
    deadline=$((SECONDS + stop_timeout))
    while alive "$pid"; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        kill -KILL "$pid" 2>/dev/null || true
        say "silo $index (pid $pid) had not stopped ${stop_timeout}s after SIGTERM; killed it."
        break
      fi
      sleep 0.3
    done
    say "stopped silo $index (pid $pid)."
  fi
  rm -f "$state/silo-$index.pid"
}

# A local CA and, signed by it, one certificate for the silos and one for clients (PEM, keys readable by this user only),
# kept across restarts of the cluster. Peers are trusted when they chain to the CA (docs/security.md).
make_certificates() {
  local dir="$state/tls" name
  [ -f "$dir/ca.pem" ] && [ -f "$dir/node.pem" ] && [ -f "$dir/client.pem" ] && return 0
  mkdir -p "$dir"
  (
    umask 077
    cd "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 30 \
      -subj "/CN=ArrayDict local cluster CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >leaf.ext
    for name in node client; do
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=arraydict-$name" 2>/dev/null
      openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" -days 30 -extfile leaf.ext 2>/dev/null
      rm -f "$name.csr"
    done
  ) || fail "openssl could not make the cluster's certificates in $dir."
  say "made a local CA and certificates in $dir (mutual TLS; --no-tls turns it off)."
}

silo_indexes() {
  local file
  for file in "$state"/silo-*.ports; do
    [ -f "$file" ] || continue
    file=${file##*/silo-}
    echo "${file%.ports}"
  done | sort -n
}

print_usage_hint() {
  local gateways=() index pid ports
  for index in $(silo_indexes); do
    pid=$(pid_of "$state/silo-$index.pid")
    alive "$pid" || continue
    read -r _ ports <"$state/silo-$index.ports"
    gateways+=("--gateway 127.0.0.1:$ports")
  done
  local env_prefix=""
  [ "$FAST_FAILOVER" = true ] && env_prefix="ArrayDict__FastFailover=true "
  if [ "$TLS" = true ]; then
    env_prefix+="ArrayDict__Tls__Enabled=true ArrayDict__Tls__CertificatePath=$state/tls/client.pem ArrayDict__Tls__CertificateKeyPath=$state/tls/client.key ArrayDict__Tls__CaCertificatePath=$state/tls/ca.pem "
  fi
  cat <<EOF

Gateways: ${gateways[*]//--gateway /}
Run SW1 against the cluster through its gateways:
  ${env_prefix}dotnet run -c Release --project src/Cli -- run --cluster-id $CLUSTER_ID ${gateways[*]}
or let the client find the gateways in the membership table (the connection string from a file, through the environment):
  ${env_prefix}ArrayDict__AzureStorageConnectionString="\$(cat $state/connection-string)" dotnet run -c Release --project src/Cli -- run --cluster-id $CLUSTER_ID --clustering AzureTable
Scale out: scripts/cluster.sh add    Crash a silo: scripts/cluster.sh stop 1 --kill    Stop all: scripts/cluster.sh down
EOF
}

cmd_up() {
  local silos=${CLUSTER_SILOS:-3} build=true
  local cluster_id=${CLUSTER_ID:-arraydict-local} fast=${CLUSTER_FAST_FAILOVER:-false} tls=${CLUSTER_TLS:-true}
  local assemblies=() assembly
  if [ -n "${CLUSTER_METHOD_ASSEMBLIES:-}" ]; then
    IFS=: read -r -a assemblies <<<"$CLUSTER_METHOD_ASSEMBLIES"
  fi
  while [ $# -gt 0 ]; do
    case "$1" in
      --silos) silos=${2:?--silos needs a number}; shift 2 ;;
      --fast-failover) fast=true; shift ;;
      --cluster-id) cluster_id=${2:?--cluster-id needs a value}; shift 2 ;;
      --method-assembly) assemblies+=("${2:?--method-assembly needs a path}"); shift 2 ;;
      --no-build) build=false; shift ;;
      --no-tls) tls=false; shift ;;
      *) usage >&2; fail "unknown argument to up: '$1'" ;;
    esac
  done
  [[ "$silos" =~ ^[0-9]+$ ]] && [ "$silos" -ge 1 ] && [ "$silos" -le 20 ] || fail "--silos must be a number in 1..20 (got '$silos')."
  [[ "$cluster_id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || fail "--cluster-id '$cluster_id' must be letters, digits, '.', '_' or '-'."
  [ "$fast" = true ] || [ "$fast" = false ] || fail "CLUSTER_FAST_FAILOVER must be true or false (got '$fast')."
  [ "$tls" = true ] || [ "$tls" = false ] || fail "CLUSTER_TLS must be true or false (got '$tls')."
  [ "$tls" = false ] || command -v openssl >/dev/null 2>&1 || fail "'openssl' is not on PATH: install it, or use --no-tls."
  command -v dotnet >/dev/null 2>&1 || fail "'dotnet' is not on PATH."
  local absolute=()
  for assembly in "${assemblies[@]}"; do
    [ -f "$assembly" ] || fail "--method-assembly '$assembly' is not a file."
    absolute+=("$(cd "$(dirname "$assembly")" && pwd)/$(basename "$assembly")")
  done
  if [ -f "$state/cluster.env" ]; then
    for index in $(silo_indexes); do
      alive "$(pid_of "$state/silo-$index.pid")" && fail "a cluster is already running here (silo $index is up): scripts/cluster.sh status, or scripts/cluster.sh down first."
    done
  fi

  local azurite_port=${CLUSTER_AZURITE_PORT:-10100}
  mkdir -p "$state"
  cat >"$state/cluster.env" <<EOF
CLUSTER_ID='$cluster_id'
FAST_FAILOVER='$fast'
TLS='$tls'
AZURITE_PORT='$azurite_port'
SILO_PORT='${CLUSTER_SILO_PORT:-11111}'
GATEWAY_PORT='${CLUSTER_GATEWAY_PORT:-30000}'
EOF
  # Azurite's well-known development account; a file readable by this user only, read into the silos' environment.
  (umask 077 && printf '%s' "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$azurite_port/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$((azurite_port + 1))/devstoreaccount1;TableEndpoint=http://127.0.0.1:$((azurite_port + 2))/devstoreaccount1;" >"$state/connection-string")
  # The silos that `add` starts later load the same assemblies.
  if [ ${#absolute[@]} -gt 0 ]; then
    printf 'METHOD_ASSEMBLIES=(%s)\n' "$(printf '%q ' "${absolute[@]}")" >>"$state/cluster.env"
  fi
  load_settings
  if [ "$TLS" = true ]; then make_certificates; fi
  rm -f "$state"/silo-*.pid "$state"/silo-*.ports

  if [ "$build" = true ]; then
    say "building the silo (dotnet build src/Silo -c $configuration)"
    dotnet build "$root/src/Silo" -c "$configuration" -nologo -v quiet -clp:NoSummary >&2 || fail "the silo did not build."
  fi
  silo_dll >/dev/null

  [ -f "$root/.ci/tools/node_modules/azurite/dist/src/azurite.js" ] || bash "$root/scripts/install-azurite.sh" >/dev/null
  bash "$root/scripts/start-azurite.sh" \
    --blob-port "$AZURITE_PORT" --queue-port "$((AZURITE_PORT + 1))" --table-port "$((AZURITE_PORT + 2))" \
    --location "$state/azurite" --pid-file "$state/azurite.pid" --log-file "$state/azurite.log"

  # The first silo creates the membership table; the others then join side by side.
  start_silo 0
  local pids=() index
  for ((index = 1; index < silos; index++)); do
    start_silo "$index" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || fail "a silo did not start (see above); the others keep running: scripts/cluster.sh down stops them."
  done
  say "cluster '$CLUSTER_ID' is up: $silos silos, fast failover $FAST_FAILOVER, method assemblies: ${METHOD_ASSEMBLIES[*]:-none}, state in $state"
  print_usage_hint
}

cmd_add() {
  load_settings
  local next=0 index
  for index in $(silo_indexes); do next=$((index + 1)); done
  start_silo "$next"
  print_usage_hint
}

cmd_stop() {
  load_settings
  local index=${1:?stop needs a silo number (see scripts/cluster.sh status)} how=term
  [ "${2:-}" = --kill ] && how=kill
  [ -f "$state/silo-$index.ports" ] || fail "there is no silo $index (see scripts/cluster.sh status)."
  alive "$(pid_of "$state/silo-$index.pid")" || fail "silo $index is not running."
  stop_silo "$index" "$how"
}

cmd_down() {
  local purge=false
  [ "${1:-}" = --purge ] && purge=true
  if [ -f "$state/cluster.env" ]; then
    load_settings
    local pids=() index
    for index in $(silo_indexes); do
      stop_silo "$index" &
      pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
  fi
  local azurite
  azurite=$(pid_of "$state/azurite.pid")
  if alive "$azurite"; then
    # SIGTERM lets Azurite save its data (it writes its metadata to disk every 5 s otherwise).
    kill -TERM "$azurite"
    for _ in $(seq 1 100); do alive "$azurite" || break; sleep 0.1; done
    alive "$azurite" && kill -KILL "$azurite"
    say "stopped Azurite (pid $azurite)."
  fi
  rm -f "$state/azurite.pid"
  if [ "$purge" = true ]; then
    rm -rf "$state"
    say "deleted $state (membership table and snapshots included)."
  elif [ -d "$state" ]; then
    say "the cluster is down; its data and logs stay in $state (scripts/cluster.sh down --purge deletes them)."
  fi
}

cmd_status() {
  load_settings
  local azurite running=0 index pid silo_port gateway_port what
  azurite=$(pid_of "$state/azurite.pid")
  if alive "$azurite"; then
    echo "azurite: pid $azurite, blob 127.0.0.1:$AZURITE_PORT, table 127.0.0.1:$((AZURITE_PORT + 2)), data $state/azurite"
  else
    echo "azurite: not running"
  fi
  echo "cluster: $CLUSTER_ID (fast failover $FAST_FAILOVER, method assemblies: ${METHOD_ASSEMBLIES[*]:-none})"
  for index in $(silo_indexes); do
    pid=$(pid_of "$state/silo-$index.pid")
    read -r silo_port gateway_port <"$state/silo-$index.ports"
    if alive "$pid"; then
      running=$((running + 1))
      port_open "$gateway_port" && what="up" || what="running, gateway not accepting connections"
      echo "silo $index: $what, pid $pid, silo port $silo_port, gateway 127.0.0.1:$gateway_port, log $state/silo-$index.log"
    else
      echo "silo $index: stopped (silo port $silo_port, gateway $gateway_port, log $state/silo-$index.log)"
    fi
  done
  [ "$running" -gt 0 ] && print_usage_hint
  return 0
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  up) cmd_up "$@" ;;
  add) cmd_add "$@" ;;
  stop) cmd_stop "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status "$@" ;;
  -h|--help|help) usage ;;
  *) usage >&2; fail "unknown command '${command}'; use up, status, add, stop or down." ;;
esac
