#!/usr/bin/env bash
# Repeats the failover scenario (tests/ArrayDictOrleans.Tests/Cluster/SiloFailoverTests.cs: Azurite, 3 silo processes,
# SW1 at N=300 R=1000, one silo SIGKILLed mid-run, totals compared with the fault-free loop) and prints one line per
# run, for the record. Not part of CI: 10 runs take about 4 minutes on 2 cores.
#
#   scripts/failover-repeat.sh [--runs N] [--point AfterFill|DuringIteration1|DuringIteration4] [--no-build]
#
# Without --point, the runs cycle through the three kill points. Each run's full test output is kept in
# TestResults/failover-repeat/run-K.log. Exits non-zero when any run failed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=10
point=""
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --point) point=${2:?--point needs a kill point}; shift 2 ;;
    --no-build) build=false; shift ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "failover-repeat: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] || { echo "failover-repeat: --runs must be a positive number" >&2; exit 2; }
case "$point" in
  ""|AfterFill|DuringIteration1|DuringIteration4) ;;
  *) echo "failover-repeat: --point must be AfterFill, DuringIteration1 or DuringIteration4" >&2; exit 2 ;;
esac

cd "$root"
[ -f .ci/tools/node_modules/azurite/dist/src/azurite.js ] || bash scripts/install-azurite.sh >/dev/null
if [ "$build" = true ]; then
  dotnet build tests/ArrayDictOrleans.Tests -nologo -v quiet -clp:NoSummary >&2
fi

logs="$root/TestResults/failover-repeat"
mkdir -p "$logs"
record=$(mktemp)
trap 'rm -f "$record"' EXIT
points=(AfterFill DuringIteration1 DuringIteration4)
failed=0
for ((run = 1; run <= runs; run++)); do
  this_point=${point:-${points[$(((run - 1) % 3))]}}
  : >"$record"
  started=$SECONDS
  status=0
  ARRAYDICT_FAILOVER_RECORD="$record" dotnet test tests/ArrayDictOrleans.Tests --no-build \
    --filter "FullyQualifiedName~Cluster.SiloFailoverTests&DisplayName~$this_point" \
    --logger "console;verbosity=detailed" >"$logs/run-$run.log" 2>&1 || status=$?
  seconds=$((SECONDS - started))
  summary=$(tail -n 1 "$record" 2>/dev/null || true)
  if [ "$status" -eq 0 ] && grep -q "Passed:[[:space:]]*1" "$logs/run-$run.log"; then
    printf 'run %2d/%d: PASS %3ds %s\n' "$run" "$runs" "$seconds" "$summary"
  else
    failed=$((failed + 1))
    reason=$(grep -m 1 -A 2 "Error Message:" "$logs/run-$run.log" | tail -n +2 | tr -s ' \n' ' ' || true)
    printf 'run %2d/%d: FAIL %3ds point=%s %s %s (log: %s)\n' "$run" "$runs" "$seconds" "$this_point" "$summary" "${reason:-no test ran}" "$logs/run-$run.log"
  fi
done
echo "$((runs - failed)) of $runs runs passed"
[ "$failed" -eq 0 ]
