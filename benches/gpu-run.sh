#!/usr/bin/env bash
# The GPU benchmark and check run behind results/gpu/: mosde's GPU engine and
# its peers on one card, in one go. Expects a release binary in $MOSDE (built
# elsewhere for the same x86-64), a Vulkan driver, and writes under $OUT.
#   MOSDE=path/to/mosde OUT=dir bash benches/gpu-run.sh [engine|sweep]
# `engine` (the default): whole-run throughput, CPU/GPU agreement, peers.
# `sweep`: the 4096-point sweep benchmark on both engines, and the engine
# bench with moments recorded only at the end.
set -u
MODE=${1:-engine}
B=${MOSDE:-target/release/mosde}
OUT=${OUT:-/tmp/mosde-gpu-run}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
run() { echo "### $*"; timeout 120 "$@" 2>&1; echo "### rc=$?"; }
date -u
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv,noheader 2>&1
run "$B" devices
if [ "$MODE" = sweep ]; then
  for e in gpu cpu; do
    run "$B" sweep --spec benches/sweep-4096.toml --engine $e --out "/tmp/sweep-$e" -q
    cp "/tmp/sweep-$e/manifest.json" "$OUT/sweep-$e-manifest.json"
    grep -h -A1 '"timings"' "/tmp/sweep-$e/manifest.json"
  done
  run "$B" bench --engine gpu --paths 2^24 --steps 1000 --repeat 3 --record-every 1000
  run "$B" bench --engine gpu --paths 2^24 --steps 1000 --repeat 3
  date -u
  exit 0
fi
run "$B" bench --engine gpu --paths 2^24 --steps 1000 --repeat 3 --out "$OUT/bench-2e24"
run "$B" bench --engine gpu --paths 2^20 --steps 1000 --repeat 3 --out "$OUT/bench-2e20"
run "$B" bench --engine gpu --paths 2^24 --steps 1000 --repeat 3 --record-every 1000 --preset probe-reference
MOSDE_GPU_CHECKED=1 run "$B" bench --engine gpu --paths 2^24 --steps 1000 --repeat 2 --preset probe-reference
run "$B" bench --engine cpu --paths 2^20 --steps 1000 --repeat 1 --preset probe-reference
# Correctness on this card: the GPU and CPU engines on the preset, 10^6 paths.
run "$B" simulate --engine gpu --paths 1e6 -q --out "$OUT/sim-gpu"
run "$B" simulate --engine cpu --paths 1e6 -q --out "$OUT/sim-cpu"
python3 - "$OUT" <<'PY'
import json, math, sys
g = json.load(open(f"{sys.argv[1]}/sim-gpu/summary.json"))
c = json.load(open(f"{sys.argv[1]}/sim-cpu/summary.json"))
worst = 0.0
for a, b in zip(g["strategies"], c["strategies"]):
    for m1, m2, sd in zip(a["terminal_mean"], b["terminal_mean"], a["terminal_sd"]):
        z = abs(m1 - m2) / (sd / math.sqrt(g["paths"]) + 1e-300)
        worst = max(worst, z)
    print(a["name"], "gpu", [round(v, 5) for v in a["terminal_mean"]], "cpu", [round(v, 5) for v in b["terminal_mean"]],
          "fp hist equal:", a["first_passage"]["histogram"] == b["first_passage"]["histogram"])
print(f"largest |gpu - cpu| / se = {worst:.3f} (must be < 5)")
PY
run python3 benches/peers/peers.py --self-test
timeout 240 python3 benches/peers/peers.py --impl cuda,cuda-fastmath,jax,torch-compile,torch --model probe-reference,code-generation --paths 2^24 --steps 1000 --repeat 2 2>&1 | grep -v Warning
date -u
