#!/usr/bin/env bash
# Runs `arraydict bench` with each variant in a process of its own, so that no variant pays for the heap another left
# (docs/performance.md, "Each variant in its own process"); the variants interleaved, REPS times, at the issue's sizes.
# usage: scripts/bench-isolated.sh ARRAYDICT OUTDIR REPS [VARIANT...]   (default variants: orleans-bare orleans orleans-journal)
# Each run writes OUTDIR/<size>-<variant>-<rep>.json; the summary prints the median loop seconds per size and variant.
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,5p' "$0" >&2
  exit 2
fi
cli=$(realpath "$1"); out=$2; reps=$3; shift 3
variants=("$@"); [ ${#variants[@]} -eq 0 ] && variants=(orleans-bare orleans orleans-journal)
sizes=("--objects 1000 --rows 1000" "--objects 100 --rows 100000" "--objects 10000 --rows 100")
names=(n1000 r100000 n10000)
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for r in $(seq 1 "$reps"); do
  for i in 0 1 2; do
    for v in "${variants[@]}"; do
      rm -rf "${work:?}"/* && (cd "$work" && "$cli" bench ${sizes[$i]} --variants "$v" --rounds 3 --warmup 1 --no-bytes --json) > "$out/${names[$i]}-$v-$r.json"
    done
  done
done
python3 - "$out" <<'PY'
import json, glob, statistics, sys, collections
loops = collections.defaultdict(list)
for path in glob.glob(sys.argv[1] + '/*.json'):
    for variant in json.load(open(path))['variants']:
        loops[(path.split('/')[-1].split('-')[0], variant['name'])].append(variant['loopSeconds'])
for size in ['n1000', 'r100000', 'n10000']:
    print(size, ' '.join(f'{name}={statistics.median(values):.3f}' for (s, name), values in sorted(loops.items()) if s == size))
PY
