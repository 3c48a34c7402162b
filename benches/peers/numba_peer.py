"""The numba peer, `--impl numba` of peers.py (which holds the model, the
Philox constants and the output line).

It is what a numba user writes for speed: `prange` over blocks of paths, one
path at a time through all its steps, the model's size baked in as a constant
so that the inner loops unroll. The noise is mosde's: Philox4x32-10 with
key = seed and counter = (path, step, 0, 0), 23-bit uniforms, Box-Muller with
`math.log`, `math.cos` and `math.sin` on float32, which numba lowers to the C
library's `logf`, `cosf` and `sinf`, the functions mosde's CPU engine calls.
Without fastmath nothing is fused or reassociated, so the results match
mosde's to float tolerance (on glibc, bit for bit).
"""
import math

from peers import INIT_STEP, MASK32, PHILOX_M, PHILOX_W, Skip

NUMBA_BLOCK = 1024      # paths per prange iteration
_NUMBA_KERNELS = {}     # compiled kernels by number of objectives


def numba_kernel(n):
    """The numba kernel for n objectives (compiled on first call, then kept)."""
    if n not in _NUMBA_KERNELS:
        _NUMBA_KERNELS[n] = _build_numba_kernel(n)
    return _NUMBA_KERNELS[n]


def _build_numba_kernel(n):
    try:
        import numba
        import numpy as np
    except ImportError as e:
        raise Skip(f"numba not importable ({e})")
    if n > 4:
        raise Skip("the kernel draws one Philox block per step (n <= 4)")
    u64, f32 = np.uint64, np.float32
    # numba freezes these closure constants into the kernel. They are typed
    # so that no step widens to float64 or mixes signed and unsigned integers.
    m0, m1, w0, w1 = u64(PHILOX_M[0]), u64(PHILOX_M[1]), u64(PHILOX_W[0]), u64(PHILOX_W[1])
    mask, s32, s9 = u64(MASK32), u64(32), u64(9)
    half, inv23, two_pi, m2, zero = f32(0.5), f32(2.0 ** -23), f32(6.2831855), f32(-2.0), f32(0.0)
    init_step = u64(INIT_STEP)

    @numba.njit(inline="always")
    def philox(c0, c1, c2, c3, k0, k1):
        for _ in range(10):
            p0, p1 = m0 * c0, m1 * c2
            c0, c1, c2, c3 = (p1 >> s32) ^ c1 ^ k0, p1 & mask, (p0 >> s32) ^ c3 ^ k1, p0 & mask
            k0, k1 = (k0 + w0) & mask, (k1 + w1) & mask
        return c0, c1, c2, c3

    @numba.njit(inline="always")
    def unit(w):
        return (f32(w >> s9) + half) * inv23

    @numba.njit(inline="always")
    def normals(path, step, k0, k1, z):
        w0_, w1_, w2_, w3_ = philox(path, step, u64(0), u64(0), k0, k1)
        r0, t0 = math.sqrt(m2 * math.log(unit(w0_))), two_pi * unit(w1_)
        r1, t1 = math.sqrt(m2 * math.log(unit(w2_))), two_pi * unit(w3_)
        z[0], z[1], z[2], z[3] = r0 * math.cos(t0), r0 * math.sin(t0), r1 * math.cos(t1), r1 * math.sin(t1)

    @numba.njit(inline="always")
    def reached(x, pt, tol):
        ok = True
        for i in range(n):
            ok = ok and abs(x[i] - pt[i]) <= tol[i]
        return ok

    @numba.njit(parallel=True)
    def kernel(paths, steps, k0, k1, jitter, x0, x0_sd, lo, hi, xs, pt, tol, a, l, dt, sqrt_dt):
        blocks = (paths + NUMBA_BLOCK - 1) // NUMBA_BLOCK
        sx = np.zeros((blocks, n))
        fp_sum = np.zeros(blocks, dtype=np.int64)
        hits = np.zeros(blocks, dtype=np.int64)
        for b in numba.prange(blocks):
            x, xn, e, z = np.empty(n, f32), np.empty(n, f32), np.empty(n, f32), np.empty(4, f32)
            for p in range(b * NUMBA_BLOCK, min(paths, (b + 1) * NUMBA_BLOCK)):
                path = u64(p)
                x[:] = x0
                if jitter:
                    normals(path, init_step, k0, k1, z)
                    for i in range(n):
                        x[i] = min(max(x[i] + x0_sd[i] * z[i], lo[i]), hi[i])
                fp = 0 if reached(x, pt, tol) else -1
                for s in range(steps):
                    normals(path, u64(s), k0, k1, z)
                    for j in range(n):
                        e[j] = xs[j] - x[j]
                    for i in range(n):
                        dr, nz = zero, zero
                        for j in range(n):
                            dr += a[i, j] * e[j]
                        for j in range(i + 1):
                            nz += l[i, j] * z[j]
                        xn[i] = min(max(x[i] + dr * dt + nz * sqrt_dt, lo[i]), hi[i])
                    x[:] = xn
                    if fp < 0 and reached(x, pt, tol):
                        fp = s + 1
                for i in range(n):
                    sx[b, i] += x[i]
                if fp >= 0:
                    fp_sum[b] += fp
                    hits[b] += 1
        return sx.sum(axis=0), fp_sum.sum(), hits.sum()

    return kernel


def prep_numba(P, N, M, seed, allow_cpu):
    kernel = numba_kernel(P.n)
    import numba
    import numpy as np
    if N > MASK32:
        raise Skip("path indices are 32-bit")

    def v(xs):
        return np.array(xs, dtype=np.float32)

    args = (N, M, np.uint64(seed & MASK32), np.uint64((seed >> 32) & MASK32),
            P.x0_sd is not None, v(P.x0), v(P.x0_sd or [0.0] * P.n), v(P.lo), v(P.hi),
            v(P.xs), v(P.pt), v(P.tol), v(P.A), v(P.L), np.float32(P.dt), np.float32(P.sqrt_dt))

    def run():
        sx, fp_sum, hits = kernel(*args)
        return [float(s) / N for s in sx], int(fp_sum), int(hits)

    return f"cpu, {numba.get_num_threads()} threads", run
