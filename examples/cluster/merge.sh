#!/usr/bin/env bash
# Merge the shards of a run of examples/cluster/slurm.sh into OUT/merged.
# Submit it to start once every task of the array has ended, whether or not
# each succeeded:
#
#   sbatch --dependency=afterany:<array job id> examples/cluster/merge.sh [OUT]
#
# It checks that every shard is there and finished. If some are not, it fails
# naming them; resubmit those tasks and this merge (see slurm.sh). A merge
# that finds OUT/merged already there has nothing to do. Runs outside Slurm
# too: `examples/cluster/merge.sh OUT`.
#SBATCH --job-name=mosde-merge
#SBATCH --cpus-per-task=1
#SBATCH --time=00:30:00
#SBATCH --output=slurm-%j-merge.out
#SBATCH --open-mode=append
set -euo pipefail

MOSDE="${MOSDE:-mosde}"
cd "${SLURM_SUBMIT_DIR:-.}"
OUT="${1:-runs}"
if [ -e "$OUT/merged" ]; then
  echo "$OUT/merged exists already; nothing to merge"
  exit 0
fi
shopt -s nullglob
shards=("$OUT"/shard-*)
if [ "${#shards[@]}" -eq 0 ]; then
  echo "error: no shard folders in $OUT" >&2
  exit 2
fi
exec "$MOSDE" merge "${shards[@]}" --out "$OUT/merged"
