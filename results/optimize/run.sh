#!/bin/sh
# Reproduces results/optimize/: every family on the code-generation preset,
# minimising the time to a goal region that no fixed strategy reaches
# reliably, under a security floor. Run from the repository root with a
# release build: `sh results/optimize/run.sh target/release/mosde`.
set -eu
MOSDE=${1:-target/release/mosde}
GOAL='security>=5.5,efficiency>=4.5,functionality>=8'
for family in schedule guard greedy adaptive; do
    "$MOSDE" optimize --preset code-generation --family "$family" --objective time \
        --goal "$GOAL" --constraint 'security>=1' --confidence 0.8 \
        --budget 512 --paths 4096 --holdout-paths 100000 --seed 0 \
        --engine cpu --threads 2 --out "results/optimize/$family" --force --plot --quiet
done
# The two state-feedback families again with four times the search budget
# (32 generations), to see how much of the gap between them is the search's.
for family in greedy adaptive; do
    "$MOSDE" optimize --preset code-generation --family "$family" --objective time \
        --goal "$GOAL" --constraint 'security>=1' --confidence 0.8 \
        --budget 2048 --paths 4096 --holdout-paths 100000 --seed 0 \
        --engine cpu --threads 2 --out "results/optimize/budget-2048/$family" --force --quiet
done
