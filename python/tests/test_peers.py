"""Cross-checks with the libraries users know: SALib's Sobol' indices and
moocore's hypervolume."""

import numpy as np
import pytest

import mosde

moocore = pytest.importorskip("moocore")
salib_sobol = pytest.importorskip("SALib.analyze.sobol")


def test_hypervolume_matches_moocore():
    rng = np.random.default_rng(5)
    for d in range(2, 6):
        for _ in range(4):
            pts = rng.random((40, d))
            front, hv = mosde.pareto(pts, bounds=[(0.0, 1.0)] * d)
            # mosde maximises above the lower corner; moocore minimises below
            # a reference point: mirror the points, reference at the corner.
            ref = moocore.hypervolume(1.0 - pts, ref=np.ones(d))
            assert hv == pytest.approx(ref, rel=1e-9)
            nd = moocore.is_nondominated(1.0 - pts)
            assert sorted(front) == sorted(np.flatnonzero(nd))


def test_sobol_indices_match_salib():
    spec = {
        "model": "code-generation",
        "strategies": ["AI"],
        "paths": 1000,
        "steps": 20,
        "seed": 3,
        "design": "sobol",
        "samples": 64,
        "metrics": ["AI.terminal_mean.security"],
        "mc_replicates": 2,
        "bootstrap": 200,
        "parameters": [
            {"path": "strategies.AI.interference[0][2]", "range": [-0.5, 0.0]},
            {"path": "strategies.AI.rates[2]", "range": [0.1, 0.5]},
            {"path": "x0[2]", "range": [2.0, 6.0]},
        ],
    }
    rows = mosde.sweep(spec, engine="cpu")
    indices = mosde.sensitivity(spec, engine="cpu")
    problem = {
        "num_vars": 3,
        "names": [p["path"] for p in spec["parameters"]],
        "bounds": [p["range"] for p in spec["parameters"]],
    }
    # mosde's Saltelli design emits, per base row, A, AB_1..AB_D, B: the
    # order SALib expects without second-order terms.
    y = rows["AI.terminal_mean.security"].to_numpy()
    si = salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=200, seed=1)
    mine = indices[indices["metric"] == "AI.terminal_mean.security"].set_index("parameter")
    for i, name in enumerate(problem["names"]):
        row = mine.loc[name]
        # Agreement within the larger of the two 95% bootstrap half-widths.
        for key, conf in (("S1", "S1_conf"), ("ST", "ST_conf")):
            half = max((row[f"{key}_hi"] - row[f"{key}_lo"]) / 2, si[conf][i])
            assert abs(si[key][i] - row[key]) <= half + 1e-12, (name, key, si[key][i], row[key], half)
