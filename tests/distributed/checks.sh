#!/usr/bin/env bash
# The distributed checks (ctest label distributed), each under mpirun with up to 4 ranks:
#   tests/distributed/checks.sh CHECK BIN WORKDIR [MPIEXEC]
# CHECK: ordered_bitwise   1, 2 and 4 ranks give bitwise the same θ, φ and step statistics
#        sum_bounded       Reduction::Sum: 1 rank equals the ordered run; 2 and 4 ranks agree with
#                          it to a relative 1e-2 after 8 steps (rounding order only)
#        resume_ranks      a checkpoint written by a 2-rank run, resumed with 4 ranks, ends where
#                          the uninterrupted 1-rank run does, bitwise
#        rank_throws       a rank that throws ends the job: non-zero exit, its one error line
#        rank_killed       a rank killed by SIGKILL ends the job with a non-zero exit, no hang
#        checksum          parameters that drift apart on one rank are detected at the next check
# As root, Open MPI needs --allow-run-as-root; the checks also oversubscribe the 2 cores.
set -euo pipefail
check=$1 bin=$2 work=$3 mpiexec=${4:-mpirun}
mkdir -p "$work"
cd "$work"
flags=(--oversubscribe)
[ "$(id -u)" = 0 ] && flags+=(--allow-run-as-root)
run() { local n=$1; shift; timeout 120 "$mpiexec" "${flags[@]}" -np "$n" "$bin" "$@"; }
same() { "$bin" --compare "$1" "$2" "${3:---tolerance}" "${4:-0}"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# runs a 2-rank job that must end with a non-zero exit (not the timeout's 124); stderr → err.txt
aborts() {
  set +e
  run 2 --steps 8 "$@" 2>err.txt
  rc=$?
  set -e
  cat err.txt >&2
  ((rc != 0 && rc != 124)) || fail "exit code $rc (expected non-zero, no timeout)"
}

case "$check" in
  ordered_bitwise)
    for n in 1 2 4; do run "$n" --steps 8 --out "o$n.bin"; done
    for n in 2 4; do same o1.bin "o$n.bin"; same o1.bin.steps "o$n.bin.steps"; done
    echo "ordered: 1, 2 and 4 ranks bitwise equal" ;;
  sum_bounded)
    run 1 --steps 8 --out o1.bin
    for n in 1 2 4; do run "$n" --steps 8 --reduction sum --out "s$n.bin"; done
    same o1.bin s1.bin
    for n in 2 4; do same o1.bin "s$n.bin" --tolerance 1e-2; same o1.bin.steps "s$n.bin.steps" --tolerance 1e-3; done
    echo "sum: within tolerance" ;;
  resume_ranks)
    run 1 --steps 8 --out full.bin
    rm -f r.ckpt
    run 2 --steps 4 --save-at 4 --checkpoint r.ckpt --out half.bin
    run 4 --steps 8 --resume r.ckpt --out resumed.bin
    same full.bin resumed.bin
    echo "resume: 2 ranks → checkpoint → 4 ranks equals 1 rank" ;;
  rank_throws)
    aborts --fail-rank 1 --fail-step 3
    [ "$(grep -c '^data_parallel_check: error on rank 1: data_parallel_check: a failure injected at step 3$' err.txt)" = 1 ] ||
      fail "no single error line from rank 1"
    echo "rank 1 threw: exit $rc" ;;
  rank_killed)
    aborts --kill-rank 1 --kill-step 3
    echo "rank 1 killed: exit $rc" ;;
  checksum)
    aborts --corrupt-rank 1 --corrupt-step 3
    grep -q 'θ and φ after step 5 differ across ranks' err.txt || fail "the drift was not reported at step 5"
    echo "checksum mismatch detected: exit $rc" ;;
  *) fail "unknown check '$check'" ;;
esac
