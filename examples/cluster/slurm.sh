#!/usr/bin/env bash
# Run a sensitivity analysis as a Slurm job array of 16 shards, then merge.
#
#   sbatch --array=0-15 examples/cluster/slurm.sh          # the shards
#   sbatch --dependency=afterok:<array job id> --wrap \
#     "mosde merge runs/shard-* --out runs/merged"          # the merge
#
# Each array task reads its index from SLURM_ARRAY_TASK_ID (mosde subtracts
# SLURM_ARRAY_TASK_MIN), so `--shard 16` is all it needs. A task that dies can
# be resubmitted with the same index: `--resume` continues from its last
# finished batch. The merged sweep.csv and sensitivity.csv are byte-identical
# to what one machine would have written (with the same engine).
#SBATCH --job-name=mosde-sensitivity
#SBATCH --gpus=1
#SBATCH --cpus-per-task=4
#SBATCH --time=01:00:00
#SBATCH --output=runs/slurm-%A_%a.out
set -euo pipefail
SHARDS=16
OUT="runs/shard-${SLURM_ARRAY_TASK_ID}"
RESUME=""
# An unfinished run waits in $OUT.partial; a finished one is $OUT itself.
if [ -e "$OUT.partial" ] || [ -e "$OUT" ]; then RESUME="--resume"; fi
mosde sensitivity --spec examples/cluster/sweep.toml --engine auto \
  --shard "$SHARDS" --out "$OUT" --quiet $RESUME
