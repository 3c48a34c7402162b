"""`peers.py --cpu-suite`: mosde's CPU engine beside the CPU peers (numba,
JAX with pmap, NumPy), measured in one run on the same machine.

Each round runs `mosde bench --engine cpu` once per binary (each binary does
its own warm-up and best of --repeat) and then each peer (best of --repeat,
after one warm-up before the first round). With several rounds the best of
all rounds is kept, so a burst of load from other processes costs one round
and not one implementation. NumPy runs on --numpy-paths paths: it works
through them 2^16 at a time, so its path-steps/s do not depend on N above
that, and 2^20 paths would take many minutes per call.
"""
import json
import os
import platform
import resource
import subprocess
import tempfile
import time
from datetime import datetime, timezone

from peers import MODELS, PREPARE, Params, attempt, best_of, prepare, result_line

SUITE_PEERS = ["numba", "jax-pmap", "numpy"]
MODEL = "probe-reference"
# `mosde simulate` flags that run each peer model.
SIMULATE = {"probe-reference": ["--preset", "probe-reference"],
            "code-generation": ["--preset", "code-generation", "--strategy", "EF"]}


def binaries(specs):
    """[(label, path)] from `--mosde [LABEL=]PATH` values."""
    out = []
    for spec in specs or ["target/release/mosde"]:
        label, _, path = spec.rpartition("=")
        out.append((label or "mosde", path))
    return out


def mosde_bench(label, path, N, M, args):
    """One `mosde bench --engine cpu` run: (adapter, path-steps/s, path-steps
    per CPU-second). The CPU time is the whole process's, warm-up included
    (4096 paths, under 0.5% of 2^20)."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [path, "bench", "--engine", "cpu", "--preset", MODEL, "--paths", str(N),
               "--steps", str(M), "--record-every", str(args.record_every),
               "--repeat", str(args.repeat), "--out", out]
        cpu = children_cpu()
        check(cmd)
        cpu = children_cpu() - cpu
        with open(os.path.join(out, "bench.json")) as f:
            row = json.load(f)[0]
    per_cpu = N * M * args.repeat / cpu
    print(f'impl={label} model={MODEL} device="{row["adapter"]}" N={N} M={M} '
          f'seconds={row["seconds"]:.4f} path_steps_per_s={row["path_steps_per_s"]:.4e} '
          f'path_steps_per_cpu_s={per_cpu:.4e} record_every={row["record_every"]}', flush=True)
    return row["adapter"], row["path_steps_per_s"], per_cpu


def children_cpu():
    """User + system CPU seconds of the finished child processes."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def numba_matches_mosde(specs, N=2048, M=100, seed=7):
    """numba against `mosde simulate` on the CPU engine, same seed, each model.

    Both call the C library's logf/cosf/sinf on the same float32 values in
    the same order, so the terminal states are the same floats; their f64
    sums then differ at most by summation order (1e-12 relative), and the
    first-passage counts must be equal."""
    ok = True
    for label, path in binaries(specs):
        for model in MODELS:
            got = attempt("numba", lambda: PREPARE["numba"](Params(model), N, M, seed, True)[1]())
            if got is None:
                print(f"numba against {label}, {model}: skipped", flush=True)
                continue
            want = simulate_summary(path, model, N, M, seed)
            mean, fp = want["terminal_mean"], want["first_passage"]
            good = (all(abs(a - b) <= 1e-12 * abs(b) for a, b in zip(got[0], mean))
                    and got[2] == round(fp["reached_fraction"] * N)
                    and abs(got[1] / max(got[2], 1) - fp["mean"]) <= 1e-9)
            ok &= good
            verdict = "ok" if good else f"FAIL numba={got} mosde=({mean}, {fp['mean']})"
            print(f"numba against {label} simulate, {model}, N={N} M={M} seed={seed}: {verdict}",
                  flush=True)
    return ok


def simulate_summary(path, model, N, M, seed):
    """The first strategy of `mosde simulate --engine cpu`'s summary.json."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [path, "simulate", *SIMULATE[model], "--engine", "cpu", "--paths", str(N),
               "--steps", str(M), "--seed", str(seed), "--out", out, "--quiet"]
        check(cmd)
        with open(os.path.join(out, "summary.json")) as f:
            return json.load(f)["strategies"][0]


def check(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")


def versions(bins):
    """Versions of the tools measured, for the record."""
    out = {"python": platform.python_version()}
    for mod in ("numpy", "numba", "jax", "jaxlib"):
        try:
            out[mod] = __import__(mod).__version__
        except ImportError:
            out[mod] = "not installed"
    for label, path in bins:
        run = subprocess.run([path, "--version"], capture_output=True, text=True)
        out[label] = (run.stdout.strip() or run.stderr.strip()) + f" ({path})"
    return out


def header(bins):
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"# cpu suite {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
          f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), "
          f"load average {load}", flush=True)
    for name, version in versions(bins).items():
        print(f"# {name}: {version}", flush=True)


def run_suite(args, sizes):
    """Measures every binary and peer for --rounds rounds; prints a table."""
    N, M = sizes[0], args.steps
    bins = binaries(args.mosde)
    for label, path in bins:
        if not os.access(path, os.X_OK):
            raise SystemExit(f"--mosde {label}={path}: not an executable file "
                             "(build it with cargo build --release)")
    header(bins)
    ready = {}
    for impl in SUITE_PEERS:
        n = args.numpy_paths if impl == "numpy" else N
        got = attempt(impl, lambda: prepare(impl, MODEL, n, M, args))
        if got is not None:
            ready[impl] = (n, *got)
    rows = {}
    for r in range(args.rounds):
        print(f"# round {r + 1} of {args.rounds}, load average "
              f"{os.getloadavg()[0]:.2f}", flush=True)
        for label, path in bins:
            keep(rows, label, N, *mosde_bench(label, path, N, M, args))
        for impl, (n, dev, run) in ready.items():
            cpu = time.process_time()
            secs, res = best_of(run, args.repeat)
            per_cpu = n * M * args.repeat / (time.process_time() - cpu)
            rate = result_line(impl, MODEL, dev, n, M, secs, res)
            print(f"  path_steps_per_cpu_s={per_cpu:.4e}", flush=True)
            keep(rows, impl, n, dev, rate, per_cpu)
    print_table(rows, [label for label, _ in bins], M)


def keep(rows, impl, paths, device, rate, per_cpu):
    """Keeps the best wall-clock and the best per-CPU-second figure."""
    old = rows.get(impl, {"rate": 0.0, "per_cpu": 0.0})
    rows[impl] = {"paths": paths, "device": device, "rate": max(old["rate"], rate),
                  "per_cpu": max(old["per_cpu"], per_cpu)}


def print_table(rows, labels, M):
    ratio = " | ".join(f"{label} ÷ this" for label in labels)
    print(f"\n| implementation | device | paths × steps | path-steps/s | {ratio} "
          f"| path-steps per CPU-s | {ratio} |")
    print("|---|---|---|---|" + "---|" * len(labels) + "---|" + "---|" * len(labels))
    for impl, r in rows.items():
        wall = " | ".join(f"{rows[label]['rate'] / r['rate']:.2f}" for label in labels)
        cpu = " | ".join(f"{rows[label]['per_cpu'] / r['per_cpu']:.2f}" for label in labels)
        print(f"| {impl} | {r['device']} | {r['paths']} × {M} | {r['rate']:.3e} | {wall} "
              f"| {r['per_cpu']:.3e} | {cpu} |")
    print(f"\nfinished {datetime.now(timezone.utc):%H:%M} UTC, load average "
          f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
