"""The package writes the CLI's bytes: simulate, sweep and sensitivity, for
the same model, seed and options, every file but the manifest (timings)."""

import json

import mosde

from conftest import tree

SPEC = {
    "model": "code-generation",
    "strategies": ["AI"],
    "paths": 512,
    "steps": 20,
    "seed": 7,
    "design": "sobol",
    "samples": 8,
    "metrics": ["AI.terminal_mean.security", "AI.hypervolume"],
    "mc_replicates": 2,
    "bootstrap": 50,
    "parameters": [
        {"path": "strategies.AI.interference[0][2]", "range": [-0.5, 0.0]},
        {"path": "strategies.AI.rates[1]", "range": [0.1, 0.4]},
    ],
}


def spec_toml(spec):
    """The dict as a TOML spec file (the subset of TOML these specs use)."""
    lines, tables = [], []
    for key, value in spec.items():
        if key == "parameters":
            tables = value
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    for p in tables:
        lines.append("[[parameters]]")
        lines.extend(f"{k} = {json.dumps(v)}" for k, v in p.items())
    return "\n".join(lines) + "\n"


def test_simulate_saves_the_cli_bytes(tmp_path, cli):
    model = mosde.Model.preset("code-generation")
    r = mosde.simulate(model, paths=3000, steps=30, seed=11, engine="cpu", threads=2,
                       record_every=5, record_paths=3, tolerance=0.1)
    r.save(tmp_path / "py")
    cli("simulate", "--preset", "code-generation", "--paths", 3000, "--steps", 30, "--seed", 11,
        "--engine", "cpu", "--threads", 1, "--record-every", 5, "--record-paths", 3,
        "--tolerance", 0.1, "--quiet", "--out", tmp_path / "cli")
    py, ref = tree(tmp_path / "py"), tree(tmp_path / "cli")
    assert sorted(py) == sorted(ref)
    for name in ref:
        assert py[name] == ref[name], name
    summary = json.loads(ref["summary.json"])
    assert r.summary == summary


def test_simulate_of_a_model_file_and_strategies(tmp_path, cli):
    model = mosde.Model.preset("code-generation").with_params({"x0[1]": 4.0})
    (tmp_path / "m.toml").write_text(model.to_toml())
    r = mosde.simulate(model, paths=1000, steps=15, seed=2, strategies=["AI", "EF"], engine="cpu")
    r.save(tmp_path / "py")
    cli("simulate", "--model", tmp_path / "m.toml", "--paths", 1000, "--steps", 15, "--seed", 2,
        "--strategy", "AI", "--strategy", "EF", "--engine", "cpu", "--quiet",
        "--out", tmp_path / "cli")
    assert tree(tmp_path / "py") == tree(tmp_path / "cli")


def test_simulate_with_goals_saves_the_cli_bytes(tmp_path, cli):
    goal, floor = "security>=5,efficiency>=4", "security>=1"
    r = mosde.simulate(mosde.Model.preset("code-generation"), paths=2000, steps=20, seed=5,
                       engine="cpu", goal=goal, constraint=floor, confidence=0.8)
    r.save(tmp_path / "py")
    cli("simulate", "--preset", "code-generation", "--paths", 2000, "--steps", 20, "--seed", 5,
        "--engine", "cpu", "--goal", goal, "--constraint", floor, "--confidence", 0.8,
        "--quiet", "--out", tmp_path / "cli")
    assert tree(tmp_path / "py") == tree(tmp_path / "cli")
    assert all("goal" in s for s in r.summary["strategies"])


def test_sweep_and_sensitivity_write_the_cli_bytes(tmp_path, cli):
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(spec_toml(SPEC))
    for command, call in (("sweep", mosde.sweep), ("sensitivity", mosde.sensitivity)):
        rows = call(SPEC, out=tmp_path / f"py-{command}", engine="cpu")
        call(str(spec_file), out=tmp_path / f"py-file-{command}", engine="cpu")
        cli(command, "--spec", spec_file, "--engine", "cpu", "--quiet",
            "--out", tmp_path / f"cli-{command}")
        ref = tree(tmp_path / f"cli-{command}")
        assert tree(tmp_path / f"py-{command}") == ref
        assert tree(tmp_path / f"py-file-{command}") == ref
        assert len(rows) > 0


def test_sweep_returns_the_rows(tmp_path):
    df = mosde.sweep(SPEC, engine="cpu")
    assert len(df) == 8 * (2 + 2)
    assert "AI.hypervolume" in df.columns


def test_a_shard_and_an_interrupted_sweep(tmp_path):
    part = mosde.sweep(SPEC, "0/2", engine="cpu")
    assert 0 < len(part) < 32

    def interrupt(done, total):
        raise KeyboardInterrupt

    import pytest

    with pytest.raises(KeyboardInterrupt):
        mosde.sweep(SPEC, out=tmp_path / "o", engine="cpu", progress=interrupt)
    # The rows done so far wait for a resume, as after a Ctrl-C of the CLI.
    assert (tmp_path / "o.partial").is_dir() and not (tmp_path / "o").exists()
    rows = mosde.sweep(SPEC, out=tmp_path / "o", engine="cpu", resume=True)
    assert len(rows) == 32
