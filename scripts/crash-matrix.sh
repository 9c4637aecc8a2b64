#!/usr/bin/env bash
# Runs the whole crash matrix (tests/ArrayDictOrleans.Tests/Cluster/CrashMatrixTests.cs: Azurite, 3 silo processes,
# SW1 at N=300 R=1000, one silo SIGKILLed at a random moment, for PersistEvery 1/4/0 x SnapshotMode Journal/Full x
# syncing on/off) N times and prints one line per case and run. CI runs two of the twelve cases. Every case must end
# with the fault-free totals or a loud LostEpochsException; the script exits non-zero when any case failed.
#
#   scripts/crash-matrix.sh [--runs N] [--no-build]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=1
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --no-build) build=false; shift ;;
    -h|--help) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "crash-matrix: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] || { echo "crash-matrix: --runs must be a positive number" >&2; exit 2; }

cd "$root"
[ -f .ci/tools/node_modules/azurite/dist/src/azurite.js ] || bash scripts/install-azurite.sh >/dev/null
if [ "$build" = true ]; then
  dotnet build tests/ArrayDictOrleans.Tests -nologo -v quiet -clp:NoSummary >&2
fi

logs="$root/TestResults/crash-matrix"
mkdir -p "$logs"
status=0
for run in $(seq 1 "$runs"); do
  log="$logs/run-$run.log"
  if ARRAYDICT_CRASH_MATRIX=all dotnet test tests/ArrayDictOrleans.Tests --no-build \
      --filter "FullyQualifiedName~CrashMatrixTests" --logger "console;verbosity=detailed" >"$log" 2>&1; then
    :
  else
    status=1
  fi
  grep -E '^\s+(Passed|Failed) .*CrashMatrix|crash-p|^ run:|loud failure' "$log" | sed "s/^/run $run: /" || true
done
exit "$status"
