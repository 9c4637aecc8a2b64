#!/usr/bin/env bash
# Times whole runs of `arraydict run --json` (start, fill, loop, stop, wall) at the issue's sizes, builds interleaved,
# each run in a fresh data directory under PARENT, and prints the medians per size and build.
# usage: scripts/run-phases.sh PARENT OUTDIR REPS LABEL=ARRAYDICT [LABEL=ARRAYDICT...]
# PARENT decides the file system measured. On ext4 without a journal (this project's test machines), a file created
# within minutes of many deletions is slow to create (docs/performance.md, "Measured and mostly left as it was"): give PARENT a
# file system of its own, or wait between runs.
set -euo pipefail
if [ $# -lt 4 ]; then
  sed -n '2,7p' "$0" >&2
  exit 2
fi
parent=$(realpath "$1"); out=$2; reps=$3; shift 3
sizes=("--objects 1000 --rows 1000" "--objects 100 --rows 100000" "--objects 10000 --rows 100")
names=(n1000 r100000 n10000)
mkdir -p "$out"
work=$(mktemp -d "$parent/run-phases.XXXXXX")
trap 'rm -rf "$work"' EXIT
for r in $(seq 1 "$reps"); do
  for i in 0 1 2; do
    for spec in "$@"; do
      label=${spec%%=*}; cli=$(realpath "${spec#*=}")
      rm -rf "${work:?}"/* && (cd "$work" && "$cli" run ${sizes[$i]} --json) > "$out/${names[$i]}-$label-$r.json"
    done
  done
done
python3 - "$out" <<'PY'
import json, glob, statistics, sys, collections
phases = ['startSeconds', 'fillSeconds', 'loopSeconds', 'stopSeconds', 'wallSeconds']
runs = collections.defaultdict(list)
for path in glob.glob(sys.argv[1] + '/*.json'):
    size, rest = path.split('/')[-1][:-5].split('-', 1)
    run = json.load(open(path))
    if run.get('reference') == 'different':
        sys.exit(f'{path}: the checksum differs from the reference')
    runs[(size, rest.rsplit('-', 1)[0])].append(run)
for (size, label), values in sorted(runs.items()):
    medians = {p: statistics.median(v[p] for v in values) for p in phases}
    outside = medians['startSeconds'] + medians['fillSeconds'] + medians['stopSeconds']
    print(size, label, ' '.join(f'{p[:-7]}={medians[p]:.2f}' for p in phases),
          f'(start+fill+stop)/loop={outside / medians["loopSeconds"]:.2f}', f'runs={len(values)}')
PY
