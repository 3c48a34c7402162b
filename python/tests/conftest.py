"""Shared fixtures: the mosde CLI binary the Python package is compared with."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _cli() -> pathlib.Path:
    """The CLI binary: $MOSDE_BIN, else the workspace's release or debug build."""
    if os.environ.get("MOSDE_BIN"):
        return pathlib.Path(os.environ["MOSDE_BIN"])
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for profile in ("release", "debug"):
        exe = target / profile / "mosde"
        if exe.is_file():
            return exe
    raise RuntimeError(
        "no mosde binary: run `cargo build` (or set MOSDE_BIN) before pytest"
    )


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI with arguments; returns the completed process."""
    exe = _cli()

    def run(*args, check=True):
        proc = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise AssertionError(f"mosde {' '.join(map(str, args))} failed:\n{proc.stderr}")
        return proc

    return run


def tree(root: pathlib.Path) -> dict:
    """Every file under `root` (relative path -> bytes), manifests excepted:
    they hold timings and the command line."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name != "manifest.json":
            out[str(p.relative_to(root))] = p.read_bytes()
    return out
