#!/usr/bin/env bash
# The shared-directory attack of docs/reliability.md ("Security"), run against `train`:
# another user plants symbolic links to a victim file at the checkpoint's and the figures'
# predictable names (path.tmp, path.tmp.<pid> for the next pids, the target itself), then the
# user trains with --checkpoint in that directory. The victim must stay untouched, the
# checkpoint and figures must be regular files, and the checkpoint must load (--resume).
#   symlink_attack.sh TRAIN OUT_DIR TRAIN_ARGS...
set -euo pipefail
train=$1 dir=$2
shift 2
rm -rf "$dir"
mkdir -p "$dir"
victim="$dir/victim"
echo "precious contents" >"$victim"
fail() { echo "symlink_attack: FAIL: $*" >&2; exit 1; }

ln -s "$victim" "$dir/ckpt.tmp"
for ((n = $$; n <= $$ + 2000; ++n)); do ln -s "$victim" "$dir/ckpt.tmp.$n"; done
ln -s "$victim" "$dir/ckpt"                        # the target itself
ln -s "$victim" "$dir/elbo_iterative.svg"          # a figure's target
ln -s "$victim" "$dir/elbo_iterative.svg.tmp"

"$train" "$@" --checkpoint "$dir/ckpt" --out "$dir" --epochs 1 >"$dir/run1.jsonl" 2>"$dir/run1.log" ||
  fail "train failed: $(tail -1 "$dir/run1.log")"
[ "$(cat "$victim")" = "precious contents" ] || fail "the victim file was overwritten"
[ -f "$dir/ckpt" ] && [ ! -L "$dir/ckpt" ] || fail "the checkpoint is not a regular file"
[ -f "$dir/elbo_iterative.svg" ] && [ ! -L "$dir/elbo_iterative.svg" ] || fail "the figure is not a regular file"
"$train" "$@" --checkpoint "$dir/ckpt" --out "$dir" --epochs 2 --resume >"$dir/run2.jsonl" 2>"$dir/run2.log" ||
  fail "resume failed: $(tail -1 "$dir/run2.log")"
grep -q "resumed from" "$dir/run2.log" || fail "the second run did not resume from the checkpoint"
[ "$(cat "$victim")" = "precious contents" ] || fail "the victim file was overwritten on resume"
echo "symlink_attack: victim untouched; checkpoint and figure are regular files; resume works"
