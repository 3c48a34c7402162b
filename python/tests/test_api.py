"""The API's names, shapes and types, and its errors."""

import os

import numpy as np
import pandas as pd
import pytest

import mosde


@pytest.fixture(scope="module")
def model():
    return mosde.Model.preset("code-generation")


@pytest.fixture(scope="module")
def run(model):
    return mosde.simulate(model, paths=2048, steps=40, seed=3, engine="cpu", record_paths=5)


def test_presets_and_models(model):
    assert "code-generation" in mosde.presets()
    assert model.objectives == ["security", "efficiency", "functionality"]
    assert model.strategies == ["EF", "SF", "FF", "AI"]
    again = mosde.Model.from_toml(model.to_toml())
    assert again.to_toml() == model.to_toml()


def test_from_toml_reads_a_path(tmp_path, model):
    p = tmp_path / "m.toml"
    p.write_text(model.to_toml())
    assert mosde.Model.from_toml(str(p)).to_toml() == model.to_toml()


def test_with_params_sets_and_validates(model):
    m2 = model.with_params({"strategies.AI.interference[0][2]": -0.3, "x0[1]": 4.0})
    assert "interference" in m2.to_toml()
    assert m2.to_toml() != model.to_toml()
    with pytest.raises(ValueError, match="nope"):
        model.with_params({"strategies.nope.rates[0]": 1.0})


def test_analyze_has_a_row_per_strategy(model):
    df = mosde.analyze(model)
    assert list(df["strategy"]) == model.strategies
    for col in ["rho", "mode", "radius", "stable", "equilibrium"]:
        assert col in df.columns
    raw = mosde.analyze(model, as_frame=False)
    assert raw["equilibrium"].shape == (len(model.strategies), 3)


def test_simulation_shapes(run, model):
    k, n = len(run.strategies), len(model.objectives)
    steps = run.summary["steps"]
    assert steps == 40
    assert run.terminal.dtype == np.float32 and run.terminal.shape[0] == k
    assert run.terminal.shape[2] == n
    assert run.first_passage.dtype == np.uint64
    assert run.first_passage.shape == (k, steps + 2)
    assert run.paths.shape == (k, 5, steps + 1, n)
    assert isinstance(run.moments, pd.DataFrame)
    assert list(run.moments.columns[:3]) == ["strategy", "step", "t"]
    assert run.manifest["seed"] == 3
    assert [s["name"] for s in run.summary["strategies"]] == run.strategies


def test_tables_without_pandas(model):
    r = mosde.simulate(model, paths=512, steps=10, engine="cpu", as_frame=False)
    assert isinstance(r.moments, dict)
    assert r.moments["step"].dtype == np.int64


def test_single_strategy_arrays_are_views(model):
    r = mosde.simulate(model, paths=4096, steps=10, strategies=["AI"], engine="cpu")
    t = r.terminal
    assert not t.flags.owndata and t.base is not None
    assert not t.flags.writeable
    assert t.shape == (1, 4096, 3)


def test_pareto_front_and_hypervolume():
    pts = np.array([[1.0, 0.0], [0.0, 1.0], [0.4, 0.4], [0.6, 0.6]])
    front, hv = mosde.pareto(pts, bounds=[(0, 1), (0, 1)])
    assert list(front) == [0, 1, 3]
    # Boxes from the reference (0, 0): only (0.6, 0.6) has area.
    assert hv == pytest.approx(0.36, abs=1e-12)
    df = pd.DataFrame(pts, columns=["a", "b"])
    f2, hv2 = mosde.pareto(df, maximize=[True, False], bounds=[(0, 1), (0, 1)])
    assert hv2 > 0 and len(f2) >= 1


def test_generate_and_fit(model):
    df = mosde.generate(model, sessions=20, iterations=8, seed=1)
    assert {"session", "strategy", "iteration"} <= set(df.columns)
    f = mosde.fit(df, bounds=[(0, 10)] * 3, bootstrap=20, seed=0)
    assert isinstance(f.report, dict) and f.report["strategies"]
    assert f.model.objectives == model.objectives


def test_devices_is_a_list():
    assert isinstance(mosde.devices(), list)


def test_bad_options_raise_value_error(model):
    with pytest.raises(ValueError, match="engine 'tpu'"):
        mosde.simulate(model, paths=10, engine="tpu")
    with pytest.raises(ValueError, match="paths"):
        mosde.simulate(model, paths=0, engine="cpu")
    with pytest.raises(ValueError, match="unknown strategy|nope"):
        mosde.simulate(model, paths=10, strategies=["nope"], engine="cpu")
    with pytest.raises(ValueError, match="goal item 'speed>=3'"):
        mosde.simulate(model, paths=10, engine="cpu", goal="speed>=3")
    with pytest.raises(ValueError, match="confidence applies to a constraint"):
        mosde.simulate(model, paths=10, engine="cpu", goal="security>=3", confidence=0.9)


def test_input_errors_carry_the_cli_message(tmp_path, cli):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nobjectives = ["a"]\n')
    with pytest.raises(ValueError) as err:
        mosde.Model.from_toml(str(bad))
    proc = cli("analyze", "--model", bad, check=False)
    assert proc.returncode == 2
    assert proc.stderr.rstrip() == f"error: {err.value}".rstrip()


def test_progress_callback_and_interrupt(model):
    import signal

    calls = []

    def interrupt(done, total):
        calls.append((done, total))
        # Delivered to this thread before the call returns (os.kill would
        # leave the choice of thread to the kernel).
        signal.raise_signal(signal.SIGINT)

    # Python's own SIGINT handler, even where this process was started
    # with SIGINT ignored (a background job of a script), which Python keeps.
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            mosde.simulate(model, paths=1 << 16, steps=20, engine="cpu", threads=1, progress=interrupt)
    finally:
        signal.signal(signal.SIGINT, old)
    assert len(calls) == 1


def test_progress_reaches_the_total(model):
    seen = []
    r = mosde.simulate(model, paths=1024, steps=5, engine="cpu", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] == 1024 * len(r.strategies)


def test_the_package_docstring_example_runs():
    import doctest

    assert doctest.testmod(mosde).failed == 0


def test_no_gpu_is_a_runtime_error():
    import subprocess
    import sys

    # On Linux, WGPU_BACKEND=metal leaves wgpu no backend, hence no adapter.
    code = (
        "import mosde\n"
        "try:\n"
        "    mosde.simulate(mosde.Model.preset('code-generation'), paths=100, engine='gpu')\n"
        "except RuntimeError as e:\n"
        "    print('RuntimeError:', e)\n"
    )
    env = {**os.environ, "WGPU_BACKEND": "metal"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.startswith("RuntimeError: no GPU adapter found"), out.stdout + out.stderr


def test_tables_are_dicts_without_pandas(monkeypatch, model):
    import mosde._data
    import mosde._util

    monkeypatch.setattr(mosde._util, "_pd", None)
    monkeypatch.setattr(mosde._data, "_pd", None)
    r = mosde.simulate(model, paths=256, steps=5, engine="cpu")
    assert isinstance(r.moments, dict) and r.moments["strategy"].dtype == object
    assert isinstance(mosde.analyze(model), dict)
    assert isinstance(mosde.generate(model, sessions=2, iterations=3), dict)
