#!/usr/bin/env bash
# scripts/reproduce's resume guarantee: a table run killed (SIGKILL to the whole process group)
# while its runs train, then started again, gives every run the same final numbers (everything in
# train's final line except timings) as an uninterrupted run of the same table.
#   tests/reproduce/kill_resume.sh SOURCE_DIR BUILD_DIR WORK_DIR
set -euo pipefail
src=$1 build=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$src"
reproduce() { scripts/reproduce tiny --seeds 2 --jobs 2 --no-build --build-dir "$build" --out "$1"; }

reproduce "$work/straight" >"$work/straight.md" 2>"$work/straight.log"

# Interrupted: start in a new process group, kill it once some run has checkpointed an epoch.
# The checkpoint appears by an atomic rename after its epoch line went to the history, so its
# existence (not the history's) means a run can resume.
setsid scripts/reproduce tiny --seeds 2 --jobs 2 --no-build --build-dir "$build" \
  --out "$work/killed" >/dev/null 2>"$work/killed.log" &
group=$!
for _ in $(seq 1 2000); do
  if compgen -G "$work/killed/*/seed*/run.ckpt" >/dev/null; then break; fi
  sleep 0.01
done
kill -KILL -- "-$group" 2>/dev/null || true
wait "$group" 2>/dev/null || true
unfinished=0
for d in "$work"/killed/*/seed*; do [ -s "$d/result.json" ] || unfinished=$((unfinished + 1)); done
if ((unfinished == 0)); then
  echo "kill_resume: every run had finished before the kill; nothing to resume" >&2
  exit 1
fi

reproduce "$work/killed" >"$work/killed.md" 2>>"$work/killed.log"
grep -q "resumed from" "$work"/killed/*/seed*/stderr.log ||
  { echo "kill_resume: no run resumed from a checkpoint" >&2; exit 1; }

strip() { sed -E 's/"seconds[a-z_]*":[^,}]*,?//g' "$1"; }
status=0 compared=0
for d in "$work"/straight/*/seed*; do
  rel=${d#"$work"/straight/}
  compared=$((compared + 1))
  if ! diff <(strip "$d/result.json") <(strip "$work/killed/$rel/result.json") >&2; then
    echo "kill_resume: $rel differs after kill and resume" >&2
    status=1
  fi
done
((compared == 6)) || { echo "kill_resume: expected 6 runs, found $compared" >&2; exit 1; }
((status == 0)) && echo "kill_resume: $unfinished of 6 runs killed and resumed; all 6 final lines equal"
exit $status
