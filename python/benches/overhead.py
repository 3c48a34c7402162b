"""The Python call's overhead against the CLI, and the copy-free handover
of arrays. Writes nothing but stdout (a Markdown table for results/python.md).

Run from the repository root with the package installed and a release CLI:
    python python/benches/overhead.py target/release/mosde
"""

import json
import subprocess
import sys
import tempfile
import time

PATHS = 1_000_000
REPEATS = 3
THREADS = 2


def cli_seconds(exe: str) -> tuple:
    """Wall time of `mosde simulate` for the preset, writing its folder, and
    the engine's time from its manifest."""
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        subprocess.run(
            [exe, "simulate", "--preset", "code-generation", "--paths", str(PATHS),
             "--engine", "cpu", "--threads", str(THREADS), "--quiet", "--out", f"{d}/o"],
            check=True,
        )
        wall = time.perf_counter() - t0
        with open(f"{d}/o/manifest.json", encoding="utf-8") as f:
            return wall, json.load(f)["elapsed_s"]


def python_seconds() -> tuple:
    """Wall time of `mosde.simulate` alone, and with `save` (the CLI's work)."""
    import mosde

    m = mosde.Model.preset("code-generation")
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        r = mosde.simulate(m, paths=PATHS, engine="cpu", threads=THREADS)
        t1 = time.perf_counter()
        r.save(f"{d}/o")
        t2 = time.perf_counter()
    return t1 - t0, t2 - t0, r.manifest["elapsed_s"]


MEMORY_CHILD = """
import sys, tracemalloc
import numpy as np
import mosde

def rss_kib():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))

mode = sys.argv[1]
n = 4_000_000
m = mosde.Model.preset("code-generation")
strategies = None if mode == "stacked" else ["AI"]
r = mosde.simulate(m, paths=n, steps=10, strategies=strategies, engine="cpu", pareto_sample=n)
before = rss_kib()
tracemalloc.start()
t = r.terminal
if mode == "copy":
    t = np.array(t)
traced_peak = tracemalloc.get_traced_memory()[1]
after = rss_kib()
print(before, after, traced_peak, t.nbytes, int(t.flags.owndata), int(t.base is not None))
"""


def memory(mode: str) -> list:
    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, mode], check=True,
                         capture_output=True, text=True).stdout.split()
    return [int(v) for v in out]


def main() -> None:
    exe = sys.argv[1] if len(sys.argv) > 1 else "target/release/mosde"
    cli = [cli_seconds(exe) for _ in range(REPEATS)]
    py = [python_seconds() for _ in range(REPEATS)]
    print(f"| | min of {REPEATS} (s) | all runs (s) |")
    print("|---|---:|---:|")
    print(f"| CLI `mosde simulate` (process, run, files) | {min(c[0] for c in cli):.2f} | {', '.join(f'{c[0]:.2f}' for c in cli)} |")
    print(f"| engine time inside the CLI (manifest elapsed_s) | {min(c[1] for c in cli):.2f} | {', '.join(f'{c[1]:.2f}' for c in cli)} |")
    print(f"| `mosde.simulate` | {min(p[0] for p in py):.2f} | {', '.join(f'{p[0]:.2f}' for p in py)} |")
    print(f"| `mosde.simulate` + `save` | {min(p[1] for p in py):.2f} | {', '.join(f'{p[1]:.2f}' for p in py)} |")
    print(f"| engine time inside Python (manifest elapsed_s) | {min(p[2] for p in py):.2f} | {', '.join(f'{p[2]:.2f}' for p in py)} |")
    print()
    print("| handover of `terminal` (4·10⁶ paths) | RSS before (MiB) | RSS after (MiB) | growth (MiB) | numpy allocations, peak (MiB) | array (MiB) | OWNDATA | base |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for mode in ("view", "copy", "stacked"):
        before, after, traced, nbytes, own, has_base = memory(mode)
        print(f"| {mode} | {before / 1024:.1f} | {after / 1024:.1f} | {(after - before) / 1024:.1f} | "
              f"{traced / 2**20:.1f} | {nbytes / 2**20:.1f} | {own} | {has_base} |")

if __name__ == "__main__":
    main()
