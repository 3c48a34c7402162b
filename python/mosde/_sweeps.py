"""Sweeps and sensitivity indices, run into a folder as the CLI runs them."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from typing import Any, Mapping, Optional, Tuple, Union

from . import _mosde
from ._util import _csv_table, _progress_callback


def _spec_args(spec: Any) -> Tuple[Optional[str], Optional[str]]:
    """A sweep spec as (path, JSON text): a path, or a dict of the TOML keys."""
    if isinstance(spec, Mapping):
        return None, json.dumps(dict(spec))
    if isinstance(spec, (str, os.PathLike)):
        return os.fspath(spec), None
    raise TypeError("spec must be a dict (the TOML spec's keys) or a path to a spec file")


def _run_sweep(spec, sensitivity, shard, out, force, resume, engine, threads, progress, name, as_frame):
    """Runs a sweep into ``out`` (a temporary folder, removed afterwards,
    when None) and returns the table in its file ``name``."""
    path, text = _spec_args(spec)
    temporary = tempfile.mkdtemp(prefix="mosde-sweep-") if out is None else None
    target = os.path.join(temporary, "run") if temporary else os.fspath(out)
    try:
        found = _mosde.sweep(
            path, text, sensitivity, shard, target, force, resume, engine, threads,
            _progress_callback(progress, "points"),
        )
        for w in found:
            warnings.warn(w, stacklevel=3)
        with open(os.path.join(target, name), encoding="utf-8") as f:
            return _csv_table(f.read(), as_frame)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def sweep(
    spec: Any,
    shard: Optional[str] = None,
    *,
    out: Optional[Union[str, os.PathLike]] = None,
    force: bool = False,
    resume: bool = False,
    engine: str = "auto",
    threads: Optional[int] = None,
    progress: Any = False,
    as_frame: bool = True,
):
    """Runs a sweep (``mosde sweep``) and returns the rows of ``sweep.csv``.

    ``spec``: a dict with the TOML spec's keys, or a spec file's path.
    ``shard``: ``"i/n"`` runs part of the design. ``out``: the folder to
    write (as ``--out``; default: a temporary folder, removed afterwards).
    """
    return _run_sweep(
        spec, False, shard, out, force, resume, engine, threads, progress, "sweep.csv", as_frame
    )


def sensitivity(
    spec: Any,
    *,
    out: Optional[Union[str, os.PathLike]] = None,
    force: bool = False,
    resume: bool = False,
    engine: str = "auto",
    threads: Optional[int] = None,
    progress: Any = False,
    as_frame: bool = True,
):
    """Runs a sweep and its sensitivity indices (``mosde sensitivity``) and
    returns the rows of ``sensitivity.csv``."""
    return _run_sweep(
        spec, True, None, out, force, resume, engine, threads, progress, "sensitivity.csv", as_frame
    )
