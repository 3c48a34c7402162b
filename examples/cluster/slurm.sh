#!/usr/bin/env bash
# A sweep, sensitivity analysis or simulation as a Slurm job array: task i of
# an array of n runs shard i/n into OUT/shard-i. Merge with merge.sh.
#
#   sbatch --array=0-15 examples/cluster/slurm.sh [SPEC [OUT [FLAGS...]]]
#   sbatch --dependency=afterany:<array job id> examples/cluster/merge.sh [OUT]
#
# SPEC (default examples/cluster/sweep.toml) and OUT (default runs) may be
# relative to the folder sbatch was called from. FLAGS go to mosde as they
# are (e.g. --engine cpu). Environment (sbatch passes the caller's on):
#   MOSDE          the mosde binary (default: mosde on PATH)
#   MOSDE_COMMAND  sensitivity (default), sweep, or simulate; for simulate,
#                  SPEC is a model file or a preset name
#   MOSDE_SHARDS   the shard count (default: the count OUT/shards recorded
#                  when the run started, else the array's size)
#
# Recovery: resubmit a failed task with the same command and its index, then
# the merge again (see README, "Beyond one machine"):
#   jid=$(sbatch --parsable --array=5 examples/cluster/slurm.sh SPEC OUT)
#   sbatch --dependency=afterany:$jid examples/cluster/merge.sh OUT
# The shard count comes from OUT/shards, since an array of one task has
# SLURM_ARRAY_TASK_COUNT=1. A sweep shard resumes from its last finished
# batch. `scontrol requeue <job>_<i>` works as well.
#
# Resources: no GPU is requested, so the script runs on CPU-only clusters
# (--engine auto uses a GPU when the node has one). To ask for one, add
#   #SBATCH --gpus=1
# or pass --gpus=1 to sbatch. The CPU default is modest; override it with
# `sbatch --cpus-per-task=16 ...`: mosde starts as many threads as the task
# was given (SLURM_CPUS_PER_TASK).
#SBATCH --job-name=mosde
#SBATCH --cpus-per-task=2
#SBATCH --time=01:00:00
# One log per task, in the folder sbatch was called from; a requeued task
# appends to it, so every attempt's log is kept.
#SBATCH --output=slurm-%A_%a.out
#SBATCH --open-mode=append
set -euo pipefail

MOSDE="${MOSDE:-mosde}"
COMMAND="${MOSDE_COMMAND:-sensitivity}"
cd "${SLURM_SUBMIT_DIR:-.}"
SPEC="${1:-examples/cluster/sweep.toml}"
OUT="${2:-runs}"
shift $(( $# < 2 ? $# : 2 ))
# Absolute paths, so that nothing depends on where the task starts.
abs() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }
OUT="$(abs "$OUT")"
if [ -e "$SPEC" ]; then SPEC="$(abs "$SPEC")"; fi

INDEX="${SLURM_ARRAY_TASK_ID:?submit as a job array: sbatch --array=0-<n-1> $0 SPEC OUT}"
mkdir -p "$OUT"
# The shard count is fixed when the run starts and recorded in OUT/shards,
# so that a task resubmitted alone (an array of one) still knows it.
RECORDED=""
if [ -s "$OUT/shards" ]; then RECORDED="$(cat "$OUT/shards")"; fi
if [ -n "${MOSDE_SHARDS:-}" ]; then
  SHARDS="$MOSDE_SHARDS"
elif [ -n "$RECORDED" ]; then
  SHARDS="$RECORDED"
  if [ "${SLURM_ARRAY_TASK_COUNT:-1}" -gt 1 ] && [ "$SLURM_ARRAY_TASK_COUNT" != "$RECORDED" ]; then
    echo "error: $OUT holds a run of $RECORDED shards, this array has $SLURM_ARRAY_TASK_COUNT tasks;" \
      "use another OUT, or set MOSDE_SHARDS=$RECORDED to rerun some of its shards" >&2
    exit 2
  fi
else
  SHARDS="${SLURM_ARRAY_TASK_COUNT:?no shard count: set MOSDE_SHARDS}"
fi
if [ -n "$RECORDED" ] && [ "$RECORDED" != "$SHARDS" ]; then
  echo "error: $OUT holds a run of $RECORDED shards, not $SHARDS; use another OUT" >&2
  exit 2
fi
if [ -z "$RECORDED" ]; then
  tmp="$(mktemp "$OUT/.shards.XXXXXX")"
  echo "$SHARDS" >"$tmp" && mv -f "$tmp" "$OUT/shards"
fi

DIR="$OUT/shard-$INDEX"
echo "mosde $COMMAND: shard $INDEX/$SHARDS -> $DIR (job ${SLURM_JOB_ID:-?}," \
  "restart ${SLURM_RESTART_COUNT:-0}, $(hostname), $(date -u +%FT%TZ))"
case "$COMMAND" in
  sweep | sensitivity)
    if [ ! -f "$SPEC" ]; then
      echo "error: no sweep spec $SPEC" >&2
      exit 2
    fi
    # A sweep shard that started before continues from its last batch: an
    # unfinished one waits in $DIR.partial, a finished one is $DIR itself.
    RESUME=()
    if [ -e "$DIR.partial" ] || [ -f "$DIR/sweep-state.json" ]; then RESUME=(--resume); fi
    exec "$MOSDE" "$COMMAND" --spec "$SPEC" --shard "$INDEX/$SHARDS" \
      --out "$DIR" --quiet "${RESUME[@]}" "$@"
    ;;
  simulate)
    MODEL=(--preset "$SPEC")
    if [ -f "$SPEC" ]; then MODEL=(--model "$SPEC"); fi
    if [ -f "$DIR/partials.json" ]; then
      echo "shard $INDEX/$SHARDS is already finished"
      exit 0
    fi
    # A simulate shard writes its output at the end: a folder without it
    # holds nothing worth keeping from an attempt that died.
    rm -rf -- "$DIR"
    exec "$MOSDE" simulate "${MODEL[@]}" --shard "$INDEX/$SHARDS" \
      --out "$DIR" --quiet "$@"
    ;;
  *)
    echo "error: MOSDE_COMMAND=$COMMAND: expected sensitivity, sweep or simulate" >&2
    exit 2
    ;;
esac
