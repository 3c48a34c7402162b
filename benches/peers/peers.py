#!/usr/bin/env python3
"""Peer implementations of the workload that `mosde bench` measures.

Workload (all arithmetic in float32): N independent paths of a clamped
Euler-Maruyama SDE in n = 3 objectives, M steps each,

    e = x* - x;  dr_i = sum_j A[i][j] e_j;  nz_i = (sum_{j<=i} L[i][j] z_j) sqrt(dt)
    x_i <- clamp(x_i + dr_i dt + nz_i, lo_i, hi_i)

plus first passage: fp = the first t (0 = already at the start) after which
every |x_i - p_i| <= 0.05 (hi_i - lo_i), p = clamp(x*, lo, hi). Each run
returns the mean terminal state, the mean first-passage step over the paths
that arrived, and the fraction that arrived.

Models (`--model`): `probe-reference` (x in [0,1]^3, dt = 0.1, x0 = 0.5) and
`code-generation` (mosde preset, strategy EF: x in [0,10]^3, dt = 1,
correlated noise, x0 = (3.75, 3.70, 7.85) + 3 z clamped, one normal z each).

Fairness choices:
- `numpy`, `numba` and `cuda`/`cuda-fastmath` draw their normals exactly as
  mosde does (Philox4x32-10, key = seed, counter = (path, step, 0, 0),
  Box-Muller), so with the same seed they reproduce mosde's results to float
  tolerance.
- `torch`, `torch-compile`, `jax` and `jax-pmap` use their frameworks' own
  generators (torch.randn; jax.random.normal with fold_in(key, step)), as
  users of those tools would. Their results agree with mosde only
  statistically.
- Every implementation does all n*n drift and n(n+1)/2 noise multiply-adds per
  step, like mosde's general kernel; the CUDA kernel reads the model from
  device memory at run time instead of baking it in as constants.
- Matrix products run in full float32 (no TF32).
- Timing: one untimed warm-up call at the same size (JIT, compilation,
  allocation), then --repeat timed calls; the best is reported. A timed call
  starts from scratch (initial states) and ends when the reduced results are
  on the host, so every device queue has been drained.

`--cpu-suite` (cpu_suite.py) measures mosde's CPU engine beside the CPU peers
`numba` (numba_peer.py), `jax-pmap` and `numpy` in one run.
"""
import argparse
import math
import os
import struct
import sys
import time

# numba_peer imports this module by name: let it find this one, not a copy.
sys.modules.setdefault("peers", sys.modules[__name__])
# JAX would otherwise reserve 75% of GPU memory up front, starving the others.
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

IMPLS = ["numpy", "numba", "torch", "torch-compile", "jax", "jax-pmap", "cuda", "cuda-fastmath"]
XLA_HOST_DEVICES = "--xla_force_host_platform_device_count="
MASK32 = 0xFFFFFFFF
PHILOX_M = (0xD2511F53, 0xCD9E8D57)
PHILOX_W = (0x9E3779B9, 0xBB67AE85)
INIT_STEP = 0xFFFFFFFF          # Philox step index of the initial-state jitter
NUMPY_CHUNK = 1 << 16           # paths per numpy batch


class Skip(Exception):
    """An implementation that cannot run here."""


def f32(v):
    """The float32 nearest to v, as a Python float (exactly representable)."""
    return struct.unpack("f", struct.pack("f", v))[0]


# --------------------------------------------------------------------------
# Models: built in float64 as mosde does, then rounded to float32.
# --------------------------------------------------------------------------
MODELS = {
    "probe-reference": dict(
        lo=[0.0] * 3, hi=[1.0] * 3, dt=0.1, x0=[0.5] * 3, x0_sd=None,
        target=[0.7, 0.6, 0.8], rates=[0.8, 0.6, 1.0],
        # (I + M) diag(rates) = [[0.8,-0.1,0.2],[0.05,0.6,-0.15],[-0.3,0.1,1.0]]
        interference=[[0.0, -1 / 6, 0.2], [0.0625, 0.0, -0.15], [-0.375, 1 / 6, 0.0]],
        sigma=[0.05, 0.04, 0.06]),
    "code-generation": dict(
        lo=[0.0] * 3, hi=[10.0] * 3, dt=1.0, x0=[3.75, 3.70, 7.85], x0_sd=[3.0] * 3,
        target=[5.25, 4.65, 7.26], rates=[0.33, 0.5, 0.6],
        interference=[[0.0, 0.0, -0.10], [0.0, 0.0, -0.25], [0.0, 0.0, 0.0]],
        sigma=[0.417] * 3,
        correlation=[[1.0, 0.0, 0.4], [0.0, 1.0, 0.6], [0.4, 0.6, 1.0]]),
}


def cholesky(a):
    """Lower Cholesky factor of a small positive definite matrix (lists)."""
    n = len(a)
    low = [[0.0] * n for _ in range(n)]
    for j in range(n):
        low[j][j] = math.sqrt(a[j][j] - sum(low[j][k] ** 2 for k in range(j)))
        for i in range(j + 1, n):
            low[i][j] = (a[i][j] - sum(low[i][k] * low[j][k] for k in range(j))) / low[j][j]
    return low


class Params:
    """float32 constants of one model (Python floats, each exactly a float32)."""

    def __init__(self, name):
        m = MODELS[name]
        n = self.n = len(m["lo"])
        self.name = name
        self.lo = [f32(v) for v in m["lo"]]
        self.hi = [f32(v) for v in m["hi"]]
        self.dt, self.sqrt_dt = f32(m["dt"]), f32(math.sqrt(m["dt"]))
        self.x0 = [f32(v) for v in m["x0"]]
        self.x0_sd = None if m["x0_sd"] is None else [f32(v) for v in m["x0_sd"]]
        self.xs = [f32(v) for v in m["target"]]
        self.A = [[f32(((i == j) + m["interference"][i][j]) * m["rates"][j])
                   for j in range(n)] for i in range(n)]
        # L = diag(sigma) chol(correlation), in float64 as mosde builds it.
        chol = cholesky(m.get("correlation") or [[float(i == j) for j in range(n)]
                                                 for i in range(n)])
        self.L = [[f32(m["sigma"][i] * chol[i][j]) for j in range(n)] for i in range(n)]
        self.pt = [f32(min(max(t, lo), hi)) for t, lo, hi in zip(m["target"], m["lo"], m["hi"])]
        self.tol = [f32(0.05 * (hi - lo)) for lo, hi in zip(m["lo"], m["hi"])]


def em_step(x, z, P, clip):
    """One Euler-Maruyama step on per-objective arrays x[i] (any array library).

    Evaluation order matches mosde's: dr summed left to right, then
    (x + dr*dt) + nz, then clamp."""
    n = P.n
    e = [P.xs[j] - x[j] for j in range(n)]
    out = []
    for i in range(n):
        dr = P.A[i][0] * e[0]
        for j in range(1, n):
            dr = dr + P.A[i][j] * e[j]
        nz = P.L[i][0] * z[0]
        for j in range(1, i + 1):
            nz = nz + P.L[i][j] * z[j]
        out.append(clip(x[i] + dr * P.dt + nz * P.sqrt_dt, P.lo[i], P.hi[i]))
    return out


def inside(x, P):
    """Boolean array: every objective within tolerance of the projected target."""
    ok = abs(x[0] - P.pt[0]) <= P.tol[0]
    for i in range(1, P.n):
        ok = ok & (abs(x[i] - P.pt[i]) <= P.tol[i])
    return ok


# --------------------------------------------------------------------------
# numpy: Philox4x32-10 on uint32 arrays, vectorised over paths.
# --------------------------------------------------------------------------
def np_philox(c, key):
    """philox4x32_10 of counters c = (c0, c1, c2, c3) (arrays or scalars)."""
    import numpy as np
    u32, u64 = np.uint32, np.uint64
    c0, c1, c2, c3 = (np.asarray(v, dtype=u32) for v in c)
    k0, k1 = key
    for _ in range(10):
        p0 = c0.astype(u64) * u64(PHILOX_M[0])
        p1 = c2.astype(u64) * u64(PHILOX_M[1])
        c0, c1, c2, c3 = ((p1 >> u64(32)).astype(u32) ^ c1 ^ u32(k0), p1.astype(u32),
                          (p0 >> u64(32)).astype(u32) ^ c3 ^ u32(k1), p0.astype(u32))
        k0, k1 = (k0 + PHILOX_W[0]) & MASK32, (k1 + PHILOX_W[1]) & MASK32
    return c0, c1, c2, c3


def np_unit(w):
    """((w >> 9) + 0.5) * 2^-23: a float32 strictly inside (0, 1)."""
    import numpy as np
    return ((w >> np.uint32(9)).astype(np.float32) + np.float32(0.5)) * np.float32(2.0 ** -23)


def np_normals(paths, step, key):
    """Box-Muller on one Philox block per path: four float32 normals."""
    import numpy as np
    w = np_philox((paths, step, 0, 0), key)
    two_pi, m2 = np.float32(6.2831855), np.float32(-2.0)
    r0, t0 = np.sqrt(m2 * np.log(np_unit(w[0]))), two_pi * np_unit(w[1])
    r1, t1 = np.sqrt(m2 * np.log(np_unit(w[2]))), two_pi * np_unit(w[3])
    return [r0 * np.cos(t0), r0 * np.sin(t0), r1 * np.cos(t1), r1 * np.sin(t1)]


def prep_numpy(P, N, M, seed, allow_cpu):
    import numpy as np
    key = (seed & MASK32, (seed >> 32) & MASK32)

    def run():
        sx, reached, fp_sum = [0.0] * P.n, 0, 0
        for first in range(0, N, NUMPY_CHUNK):
            paths = np.arange(first, min(N, first + NUMPY_CHUNK), dtype=np.uint32)
            x = [np.full(paths.size, v, dtype=np.float32) for v in P.x0]
            if P.x0_sd is not None:
                z = np_normals(paths, INIT_STEP, key)
                x = [np.clip(x[i] + P.x0_sd[i] * z[i], P.lo[i], P.hi[i]) for i in range(P.n)]
            fp = np.where(inside(x, P), 0, -1).astype(np.int32)
            for s in range(M):
                x = em_step(x, np_normals(paths, s, key), P, np.clip)
                fp[(fp < 0) & inside(x, P)] = s + 1
            sx = [sx[i] + float(x[i].sum(dtype=np.float64)) for i in range(P.n)]
            hit = fp >= 0
            reached += int(hit.sum())
            fp_sum += int(fp[hit].sum(dtype=np.int64))
        return [v / N for v in sx], fp_sum, reached

    return "cpu", run


# --------------------------------------------------------------------------
# torch (eager or torch.compile): native RNG, per-objective rows of (n, N).
# --------------------------------------------------------------------------
def prep_torch(P, N, M, seed, allow_cpu, compiled=False):
    try:
        import torch
    except ImportError as e:
        raise Skip(f"torch not importable ({e})")
    if torch.cuda.is_available():
        dev, name = torch.device("cuda"), torch.cuda.get_device_name()
    elif allow_cpu:
        dev, name = torch.device("cpu"), "cpu"
    else:
        raise Skip("no CUDA device for torch (use --allow-cpu)")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False

    def step(x, fp, t):
        z = torch.randn(P.n, N, device=dev, dtype=torch.float32)
        x = torch.stack(em_step(x, z, P, torch.clamp))
        fp = torch.where((fp < 0) & inside(x, P), t, fp)
        return x, fp, t + 1

    if compiled:
        step = torch.compile(step, fullgraph=True, dynamic=False)

    def run():
        torch.manual_seed(seed)
        x = torch.tensor(P.x0, dtype=torch.float32, device=dev)[:, None].expand(P.n, N)
        if P.x0_sd is not None:
            z = torch.randn(P.n, N, device=dev, dtype=torch.float32)
            x = torch.stack([torch.clamp(x[i] + P.x0_sd[i] * z[i], P.lo[i], P.hi[i])
                             for i in range(P.n)])
        x = x.contiguous()
        fp = torch.where(inside(x, P), 0, -1).to(torch.int32)
        t = torch.ones((), dtype=torch.int32, device=dev)
        for _ in range(M):
            x, fp, t = step(x, fp, t)
        hit = fp >= 0
        red = torch.cat([x.sum(dim=1, dtype=torch.float64),
                         torch.where(hit, fp, 0).sum(dtype=torch.float64)[None],
                         hit.sum(dtype=torch.float64)[None]]).cpu().tolist()
        return [v / N for v in red[:P.n]], red[P.n], int(red[P.n + 1])

    return name, run


# --------------------------------------------------------------------------
# jax: the whole run is one jit-compiled program (lax.fori_loop over steps).
# --------------------------------------------------------------------------
def jax_program(P, N, M):
    """The whole run of N paths as one function of a PRNG key, not yet
    compiled: `jax` jits it for one device, `jax-pmap` maps it over several."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    def simulate(key):
        k_init, k_step = jax.random.split(key)
        x = jnp.broadcast_to(jnp.asarray(P.x0, jnp.float32)[:, None], (P.n, N))
        if P.x0_sd is not None:
            z = jax.random.normal(k_init, (P.n, N), jnp.float32)
            x = jnp.stack([jnp.clip(x[i] + P.x0_sd[i] * z[i], P.lo[i], P.hi[i])
                           for i in range(P.n)])
        fp = jnp.where(inside(x, P), 0, -1).astype(jnp.int32)

        def body(s, carry):
            x, fp = carry
            z = jax.random.normal(jax.random.fold_in(k_step, s), (P.n, N), jnp.float32)
            x = jnp.stack(em_step(x, z, P, jnp.clip))
            fp = jnp.where((fp < 0) & inside(x, P), s + 1, fp)
            return x, fp

        x, fp = lax.fori_loop(0, M, body, (x, fp))
        hit = fp >= 0
        return (x.sum(axis=1), jnp.where(hit, fp, 0).astype(jnp.float32).sum(), hit.sum())

    return simulate


def import_jax():
    try:
        import jax
    except ImportError as e:
        raise Skip(f"jax not importable ({e})")
    return jax


def prep_jax(P, N, M, seed, allow_cpu):
    jax = import_jax()
    dev = jax.devices()[0]
    on_gpu = dev.platform in ("gpu", "cuda", "rocm")
    if not on_gpu and not allow_cpu:
        raise Skip(f"jax has no GPU backend (platform {dev.platform}; use --allow-cpu)")
    name = dev.device_kind if on_gpu else "cpu"
    simulate = jax.jit(jax_program(P, N, M))
    key = jax.random.key(seed)

    def run():
        sx, fp_sum, reached = jax.device_get(simulate(key))
        return [float(v) / N for v in sx], float(fp_sum), int(reached)

    return name, run


def prep_jax_pmap(P, N, M, seed, allow_cpu):
    """`jax_program` under pmap over the CPU devices, N/devices paths each,
    each device with its own key (split of the seed's key)."""
    jax = import_jax()
    devs = jax.devices("cpu")
    if len(devs) < 2:
        raise Skip(f"one CPU device only (set XLA_FLAGS={XLA_HOST_DEVICES}<cores> "
                   "before jax is imported)")
    if N % len(devs):
        raise Skip(f"{N} paths do not split evenly over {len(devs)} devices")
    simulate = jax.pmap(jax_program(P, N // len(devs), M), devices=devs)
    keys = jax.random.split(jax.random.key(seed), len(devs))

    def run():
        sx, fp_sum, reached = jax.device_get(simulate(keys))
        return ([float(v) / N for v in sx.sum(axis=0, dtype="float64")],
                float(fp_sum.sum(dtype="float64")), int(reached.sum()))

    return f"cpu, {len(devs)} devices", run


# --------------------------------------------------------------------------
# cuda: hand-written kernel via cupy.RawKernel, one thread per path.
# --------------------------------------------------------------------------
CUDA_SRC = r"""
#define NOBJ __NOBJ__

__device__ __forceinline__ uint4 philox10(uint4 c, unsigned k0, unsigned k1) {
#pragma unroll
    for (int r = 0; r < 10; ++r) {
        unsigned hi0 = __umulhi(0xD2511F53u, c.x), lo0 = 0xD2511F53u * c.x;
        unsigned hi1 = __umulhi(0xCD9E8D57u, c.z), lo1 = 0xCD9E8D57u * c.z;
        c = make_uint4(hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0);
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c;
}

__device__ __forceinline__ float unit01(unsigned w) {
    return ((float)(w >> 9) + 0.5f) * 1.1920928955078125e-7f;   // 2^-23
}

// Box-Muller on one Philox block; unused outputs are removed by the compiler.
__device__ __forceinline__ void normals(uint4 w, float z[4]) {
    float r0 = sqrtf(-2.0f * logf(unit01(w.x))), t0 = 6.2831855f * unit01(w.y);
    float r1 = sqrtf(-2.0f * logf(unit01(w.z))), t1 = 6.2831855f * unit01(w.w);
    z[0] = r0 * cosf(t0); z[1] = r0 * sinf(t0);
    z[2] = r1 * cosf(t1); z[3] = r1 * sinf(t1);
}

extern "C" __global__ void em_paths(const float* __restrict__ prm, unsigned paths,
        unsigned steps, unsigned key0, unsigned key1, int jitter,
        float* __restrict__ x_out, int* __restrict__ fp_out) {
    unsigned p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= paths) return;
    // Model constants, float32, in this order: x0, x0_sd, lo, hi, x*, p, tol
    // (NOBJ each), A, L (NOBJ x NOBJ, row-major), dt, sqrt(dt).
    float x[NOBJ], sd[NOBJ], lo[NOBJ], hi[NOBJ], xs[NOBJ], pt[NOBJ], tol[NOBJ];
    float a[NOBJ][NOBJ], l[NOBJ][NOBJ], z[4];
    const float* q = prm;
#pragma unroll
    for (int i = 0; i < NOBJ; ++i) {
        x[i] = q[i]; sd[i] = q[NOBJ + i]; lo[i] = q[2 * NOBJ + i]; hi[i] = q[3 * NOBJ + i];
        xs[i] = q[4 * NOBJ + i]; pt[i] = q[5 * NOBJ + i]; tol[i] = q[6 * NOBJ + i];
    }
    q += 7 * NOBJ;
#pragma unroll
    for (int k = 0; k < NOBJ * NOBJ; ++k) {
        a[k / NOBJ][k % NOBJ] = q[k];
        l[k / NOBJ][k % NOBJ] = q[NOBJ * NOBJ + k];
    }
    const float dt = q[2 * NOBJ * NOBJ], sqrt_dt = q[2 * NOBJ * NOBJ + 1];
    if (jitter) {
        normals(philox10(make_uint4(p, 0xFFFFFFFFu, 0u, 0u), key0, key1), z);
#pragma unroll
        for (int i = 0; i < NOBJ; ++i)
            x[i] = fminf(fmaxf(x[i] + sd[i] * z[i], lo[i]), hi[i]);
    }
    bool in = true;
#pragma unroll
    for (int i = 0; i < NOBJ; ++i) in = in && fabsf(x[i] - pt[i]) <= tol[i];
    int fp = in ? 0 : -1;
    for (unsigned s = 0; s < steps; ++s) {
        normals(philox10(make_uint4(p, s, 0u, 0u), key0, key1), z);
        float e[NOBJ];
#pragma unroll
        for (int j = 0; j < NOBJ; ++j) e[j] = xs[j] - x[j];
        in = true;
#pragma unroll
        for (int i = 0; i < NOBJ; ++i) {
            float dr = 0.0f, nz = 0.0f;
#pragma unroll
            for (int j = 0; j < NOBJ; ++j) dr += a[i][j] * e[j];
#pragma unroll
            for (int j = 0; j <= i; ++j) nz += l[i][j] * z[j];
            x[i] = fminf(fmaxf(x[i] + dr * dt + nz * sqrt_dt, lo[i]), hi[i]);
            in = in && fabsf(x[i] - pt[i]) <= tol[i];
        }
        if (fp < 0 && in) fp = (int)s + 1;
    }
#pragma unroll
    for (int i = 0; i < NOBJ; ++i) x_out[(size_t)i * paths + p] = x[i];
    fp_out[p] = fp;
}
"""


def prep_cuda(P, N, M, seed, allow_cpu, fast_math=False):
    try:
        import cupy as cp
        import numpy as np
        cp.cuda.runtime.getDeviceCount()
    except Exception as e:
        raise Skip(f"cupy with a CUDA device not available ({type(e).__name__}: {e})")
    if P.n > 4:
        raise Skip("the kernel draws one Philox block per step (n <= 4)")
    if N > MASK32:
        raise Skip("path indices are 32-bit")
    opts = ("--std=c++14",) + (("--use_fast_math",) if fast_math else ())
    kernel = cp.RawKernel(CUDA_SRC.replace("__NOBJ__", str(P.n)), "em_paths", options=opts)
    flat = (P.x0 + (P.x0_sd or [0.0] * P.n) + P.lo + P.hi + P.xs + P.pt + P.tol
            + sum(P.A, []) + sum(P.L, []) + [P.dt, P.sqrt_dt])
    prm = cp.asarray(np.array(flat, dtype=np.float32))
    x_out = cp.empty(P.n * N, dtype=cp.float32)
    fp_out = cp.empty(N, dtype=cp.int32)
    block = 256
    args = (prm, np.uint32(N), np.uint32(M), np.uint32(seed & MASK32),
            np.uint32((seed >> 32) & MASK32), np.int32(P.x0_sd is not None), x_out, fp_out)
    name = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)["name"]
    name = name.decode() if isinstance(name, bytes) else str(name)

    def run():
        kernel(((N + block - 1) // block,), (block,), args)
        hit = fp_out >= 0
        red = cp.concatenate([x_out.reshape(P.n, N).sum(axis=1, dtype=cp.float64),
                              cp.where(hit, fp_out, 0).sum(dtype=cp.float64)[None],
                              hit.sum(dtype=cp.float64)[None]]).get()
        return [float(v) / N for v in red[:P.n]], float(red[P.n]), int(red[P.n + 1])

    return name, run


def host_devices(count):
    """Ask XLA for `count` CPU devices (unless XLA_FLAGS already says how
    many); only takes effect before jax is imported."""
    flags = os.environ.get("XLA_FLAGS", "")
    if XLA_HOST_DEVICES not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} {XLA_HOST_DEVICES}{count}".strip()


def prep_numba(*args):
    import numba_peer    # beside this file
    return numba_peer.prep_numba(*args)


PREPARE = {
    "numpy": prep_numpy,
    "torch": prep_torch,
    "torch-compile": lambda *a: prep_torch(*a, compiled=True),
    "jax": prep_jax,
    "jax-pmap": prep_jax_pmap,
    "numba": prep_numba,
    "cuda": prep_cuda,
    "cuda-fastmath": lambda *a: prep_cuda(*a, fast_math=True),
}


def release_gpu_memory():
    """Hand cached device memory back between implementations."""
    if "torch" in sys.modules:
        import torch
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    if "cupy" in sys.modules:
        import cupy
        cupy.get_default_memory_pool().free_all_blocks()


def attempt(impl, fn):
    """fn(), or None after printing why `impl` could not run (Skip, or any
    failure at run time)."""
    try:
        return fn()
    except Exception as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else ""
        if not isinstance(e, Skip):
            reason = f"{type(e).__name__}: {reason}"
        print(f"SKIP impl={impl} reason={reason}", flush=True)
        return None
    finally:
        release_gpu_memory()


def prepare(impl, model, N, M, args):
    """(device, run) of one implementation, after one untimed warm-up call at
    the same size (JIT, compilation, allocation)."""
    device, run = PREPARE[impl](Params(model), N, M, args.seed, args.allow_cpu)
    run()
    return device, run


def best_of(run, repeat):
    """(best seconds, result) of `repeat` timed calls."""
    best, res = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = run()
        best = min(best, time.perf_counter() - t0)
    return best, res


def result_line(impl, model, device, N, M, best, res):
    """Prints the output line of one measurement and returns its throughput."""
    mean_x, fp_sum, reached = res
    mean_fp = fp_sum / reached if reached else float("nan")
    print(f'impl={impl} model={model} device="{device}" N={N} M={M} seconds={best:.4f} '
          f'path_steps_per_s={N * M / best:.4e} '
          f'mean_x=({",".join(f"{v:.6f}" for v in mean_x)}) '
          f"mean_fp={mean_fp:.4f} reached={reached / N:.6f}", flush=True)
    return N * M / best


def bench(impl, model, N, M, args):
    def measure():
        device, run = prepare(impl, model, N, M, args)
        best, res = best_of(run, args.repeat)
        result_line(impl, model, device, N, M, best, res)

    attempt(impl, measure)


def self_test():
    """Philox known answers, uniform edges, the probe's drift matrix, and
    numba against numpy."""
    import numpy as np
    kat = [((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
           ((MASK32,) * 4, (MASK32, MASK32), (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
           ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
            (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1))]
    ok = True
    for c, k, want in kat:
        got = tuple(int(w) for w in np_philox(c, k))
        good = got == want
        ok &= good
        print(f"philox4x32_10 counter={[hex(v) for v in c]} key={[hex(v) for v in k]}: "
              f"{'ok' if good else 'FAIL ' + str([hex(v) for v in got])}", flush=True)
    edges = np_unit(np.array([0, MASK32], dtype=np.uint32))
    good = edges.tolist() == [2.0 ** -24, 1.0 - 2.0 ** -24]
    ok &= good
    print(f"uniform edges (2^-24, 1-2^-24): {'ok' if good else 'FAIL ' + str(edges)}")
    want_a = [[0.8, -0.1, 0.2], [0.05, 0.6, -0.15], [-0.3, 0.1, 1.0]]
    good = Params("probe-reference").A == [[f32(v) for v in r] for r in want_a]
    ok &= good
    print(f"probe-reference drift matrix: {'ok' if good else 'FAIL'}", flush=True)
    ok &= numba_matches_numpy()
    return 0 if ok else 1


def numba_matches_numpy(N=2048, M=100, seed=7):
    """numba against numpy, same seed, each model: both draw mosde's noise.

    Tolerance: numpy's float32 log/sin/cos may differ from the C library's
    (which numba calls) by an ulp. That moves a path by ~1e-8 of the range,
    and mean reversion and the clamp keep it from growing, so the means must
    agree to 1e-5 of the range; a wrong stream moves them by about
    sigma/sqrt(N) ~ 1e-3. A one-ulp difference can move a first passage by
    a step, so the mean first-passage step must agree to 0.01 step."""
    ok = True
    for model in MODELS:
        P = Params(model)
        got = {impl: attempt(impl, lambda: PREPARE[impl](P, N, M, seed, True)[1]())
               for impl in ("numpy", "numba")}
        if got["numba"] is None:
            print(f"numba against numpy, {model}: skipped", flush=True)
            continue
        (xa, fa, ra), (xb, fb, rb) = got["numpy"], got["numba"]
        good = (ra == rb and abs(fa / max(ra, 1) - fb / max(rb, 1)) <= 0.01
                and all(abs(a - b) <= 1e-5 * (hi - lo)
                        for a, b, lo, hi in zip(xa, xb, P.lo, P.hi)))
        ok &= good
        verdict = "ok" if good else f"FAIL numpy={got['numpy']} numba={got['numba']}"
        print(f"numba against numpy, {model}, N={N} M={M} seed={seed}: {verdict}", flush=True)
    return ok


def parse_count(text):
    text = text.strip()
    if "^" in text:
        base, exp = text.split("^")
        return int(base) ** int(exp)
    return int(float(text)) if "e" in text.lower() else int(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--impl", default="all", help=f"comma list of {','.join(IMPLS)}, or all")
    ap.add_argument("--model", default="probe-reference",
                    help=f"comma list of {','.join(MODELS)}, or all")
    ap.add_argument("--paths", default="2^20", help="paths, e.g. 2^24 or 65536; comma list allowed")
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--allow-cpu", action="store_true",
                    help="run torch/jax on the CPU when there is no GPU")
    ap.add_argument("--self-test", action="store_true",
                    help="check Philox, numba against numpy (and against each --mosde), "
                    "and exit")
    suite = ap.add_argument_group("CPU suite (--cpu-suite; probe-reference, first --paths)")
    suite.add_argument("--cpu-suite", action="store_true",
                       help="mosde's CPU engine beside numba, jax-pmap and numpy, in one run")
    suite.add_argument("--mosde", action="append", metavar="[LABEL=]PATH",
                       help="mosde binary to measure (repeatable; default target/release/mosde)")
    suite.add_argument("--record-every", type=int, default=10,
                       help="mosde's moment records every K steps (default 10)")
    suite.add_argument("--numpy-paths", default="2^16", help="paths for numpy (default 2^16)")
    suite.add_argument("--rounds", type=int, default=1,
                       help="measure everything this many times, keep each one's best")
    args = ap.parse_args()
    if args.self_test:
        ok = self_test() == 0
        if args.mosde:
            import cpu_suite    # beside this file
            ok &= cpu_suite.numba_matches_mosde(args.mosde)
        print("self-test", "passed" if ok else "FAILED", flush=True)
        return 0 if ok else 1
    impls = IMPLS if args.impl == "all" else args.impl.split(",")
    if "jax-pmap" in impls:
        host_devices(len(os.sched_getaffinity(0)))
    models = list(MODELS) if args.model == "all" else args.model.split(",")
    for name, known in (("impl", IMPLS), ("model", MODELS)):
        bad = [v for v in (impls if name == "impl" else models) if v not in known]
        if bad:
            ap.error(f"unknown --{name} {','.join(bad)}")
    if args.repeat < 1 or args.steps < 1 or not 0 <= args.seed < 2 ** 64:
        ap.error("--repeat and --steps must be at least 1, --seed a 64-bit unsigned")
    sizes = [parse_count(v) for v in args.paths.split(",")]
    if args.cpu_suite:
        if args.rounds < 1 or args.record_every < 1:
            ap.error("--rounds and --record-every must be at least 1")
        args.numpy_paths = parse_count(args.numpy_paths)
        host_devices(len(os.sched_getaffinity(0)))
        import cpu_suite    # beside this file
        cpu_suite.run_suite(args, sizes)
        return 0
    for model in models:
        for N in sizes:
            for impl in impls:
                bench(impl, model, N, args.steps, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
