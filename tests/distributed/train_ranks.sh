#!/usr/bin/env bash
# train --distributed end to end on a tiny Fashion-MNIST slice (ctest examples/train_distributed):
#   tests/distributed/train_ranks.sh TRAIN WORKDIR [MPIEXEC]
# 1 rank and 2 ranks for 2 epochs, and 2 ranks for 1 epoch resumed with 1 rank for the second,
# must print the same final line (test ELBO, −log p(x), gap; wall times and the rank count aside).
set -euo pipefail
train=$1 work=$2 mpiexec=${3:-mpirun}
rm -rf "$work" && mkdir -p "$work" && cd "$work"
flags=(--oversubscribe)
[ "$(id -u)" = 0 ] && flags+=(--allow-run-as-root)
tiny=(--distributed --data fashion-mnist --train-examples 256 --test-examples 64 --batch 32
      --latent 4 --hidden 16 --inference-hidden 16 --inference-layers 1 --samples 2 --iterations 2
      --validation 64 --eval-samples 10 --eval-examples 32 --gap-examples 8 --gap-steps 10
      --gap-max-steps 20 --threads 1)
run() { local n=$1 name=$2; shift 2; timeout 300 "$mpiexec" "${flags[@]}" -np "$n" "$train" "${tiny[@]}" --out "$name" "$@" >"$name.jsonl"; }
final() { grep '"type":"final"' "$1.jsonl" | sed -E 's/"(seconds[a-z_]*|ranks)":[0-9.e+-]+,?//g'; }
run 1 one --epochs 2
run 2 two --epochs 2
run 2 resumed --epochs 1 --checkpoint resumed.ckpt
run 1 resumed --epochs 2 --checkpoint resumed.ckpt --resume
grep -q '"ranks":2' two.jsonl || { echo "FAIL: the 2-rank run did not report 2 ranks" >&2; exit 1; }
a=$(final one) b=$(final two) c=$(final resumed)
[ -n "$a" ] || { echo "FAIL: no final line" >&2; exit 1; }
[ "$a" = "$b" ] || { echo "FAIL: 1 rank and 2 ranks differ:"; echo "$a"; echo "$b"; exit 1; } >&2
[ "$a" = "$c" ] || { echo "FAIL: the resumed run differs:"; echo "$a"; echo "$c"; exit 1; } >&2
echo "train --distributed: 1 rank, 2 ranks and 2→1 ranks resumed give the same final line"
echo "$a"
