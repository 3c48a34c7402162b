"""mosde from Python: simulate, sweep, fit and analyse multi-objective SDEs.

Every call runs the mosde library itself (the native module ``mosde._mosde``),
so a result equals the CLI's for the same model, seed and options, bit for
bit: ``Simulation.save(dir)`` writes the files ``mosde simulate --out dir``
writes. Tables come back as pandas DataFrames when pandas is installed, or as
dicts of numpy arrays (``as_frame=False``, or without pandas).

>>> import mosde
>>> m = mosde.Model.preset("code-generation")
>>> r = mosde.simulate(m, paths=4096, seed=1)
>>> sorted(r.summary)[:2]
['dt', 'model']
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from functools import cached_property
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np


def _quiet_vulkan_loader() -> None:
    """Gives the process a private, empty XDG_RUNTIME_DIR when it has none,
    as the mosde binary does: the Vulkan loader's window-system probe
    otherwise prints errors that are not errors (batch jobs, CI)."""
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    import atexit
    import shutil

    folder = tempfile.mkdtemp(prefix="mosde-xdg-")  # mode 0700
    os.environ["XDG_RUNTIME_DIR"] = folder
    atexit.register(shutil.rmtree, folder, True)


_quiet_vulkan_loader()

from . import _mosde  # noqa: E402  (after the environment is set)
from ._mosde import Model  # noqa: E402

__version__ = _mosde.__version__

__all__ = [
    "Model",
    "Simulation",
    "Fit",
    "presets",
    "analyze",
    "simulate",
    "pareto",
    "generate",
    "fit",
    "sweep",
    "sensitivity",
    "devices",
]

try:  # pandas is optional: tables fall back to dicts of numpy arrays.
    import pandas as _pd
except ImportError:  # pragma: no cover - exercised only without pandas
    _pd = None


def _frame(columns: Dict[str, Any], as_frame: bool):
    """A DataFrame of ``columns`` when asked and pandas is there, else the dict."""
    if as_frame and _pd is not None:
        return _pd.DataFrame(columns)
    return columns


def _column(values: List[str]) -> np.ndarray:
    """A CSV column as numbers when every cell is one, else as strings."""
    try:
        ints = [int(v) for v in values]
        return np.array(ints, dtype=np.int64)
    except ValueError:
        pass
    try:
        return np.array([float(v) if v != "" else np.nan for v in values], dtype=np.float64)
    except ValueError:
        return np.array(values, dtype=object)


def _csv_table(text: str, as_frame: bool):
    """CSV text as a table, columns in the file's order."""
    if as_frame and _pd is not None:
        return _pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    rows = list(csv.reader(io.StringIO(text)))
    head, body = rows[0], rows[1:]
    return {name: _column([r[i] for r in body]) for i, name in enumerate(head)}


def _progress_bar(label: str) -> Callable[[int, int], None]:
    """A one-line progress display on stderr, called with (done, total)."""

    def show(done: int, total: int) -> None:
        if total:
            width = 30
            filled = int(width * min(done, total) / total)
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r{label} [{bar}] {done}/{total}")
        else:
            sys.stderr.write(f"\r{label} {done}")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _progress_callback(progress: Any, label: str) -> Optional[Callable[[int, int], None]]:
    """``progress=True`` shows a bar on stderr; a callable is called with
    (done, total) after each chunk; False shows nothing (the run still
    answers Ctrl-C between chunks)."""
    if callable(progress):
        return progress
    return _progress_bar(label) if progress else None


def presets() -> List[str]:
    """Names of the built-in model presets."""
    return list(_mosde.presets())


def analyze(model: Model, *, as_frame: bool = True):
    """The spectral analysis of every strategy (``mosde analyze``).

    One row per strategy: ``strategy``, ``label``, ``rho`` (the convergence
    rate), ``mode``, ``radius`` (spectral radius of the discrete map),
    ``stable``, ``discrete_stable`` and ``equilibrium`` (x*, one array per row).
    """
    data = json.loads(_mosde.analyze(model))
    rows = data["strategies"]
    columns = {
        "strategy": np.array([s["name"] for s in rows], dtype=object),
        "label": np.array([s["label"] for s in rows], dtype=object),
        "rho": np.array([s["rho"] for s in rows], dtype=np.float64),
        "mode": np.array([s["mode"] for s in rows], dtype=object),
        "radius": np.array([s["discrete_spectral_radius"] for s in rows], dtype=np.float64),
        "stable": np.array([s["stable"] for s in rows], dtype=bool),
        "discrete_stable": np.array([s["discrete_stable"] for s in rows], dtype=bool),
    }
    if as_frame and _pd is not None:
        columns["equilibrium"] = [np.array(s["equilibrium"]) for s in rows]
    else:
        columns["equilibrium"] = np.array([s["equilibrium"] for s in rows], dtype=np.float64)
    return _frame(columns, as_frame)


class Simulation:
    """A finished simulation, held in memory.

    ``summary`` is ``summary.json``, ``moments`` is ``moments.csv``; the
    arrays are the engine's own outputs; ``save(dir)`` writes the folder
    ``mosde simulate --out dir`` writes, byte for byte.
    """

    def __init__(self, native: Any, as_frame: bool = True) -> None:
        self._native = native
        self._as_frame = as_frame

    @property
    def strategies(self) -> List[str]:
        """Strategy names, in the order of the arrays' first axis."""
        return list(self._native.strategies)

    @cached_property
    def summary(self) -> Dict[str, Any]:
        """``summary.json`` as a dict."""
        return json.loads(self._native.summary_json())

    @cached_property
    def moments(self):
        """``moments.csv``: strategy, step, t, mean_<objective>…, sd_<objective>…"""
        return _csv_table(self._native.moments_csv(), self._as_frame)

    @cached_property
    def terminal(self) -> np.ndarray:
        """Kept terminal states, ``(strategies, kept paths, objectives)``, float32.

        With one strategy the array is a read-only view of the run's own
        buffer (no copy); with several, one copy stacks them.
        """
        return _readonly(self._native.terminal())

    @cached_property
    def first_passage(self) -> np.ndarray:
        """First-passage histograms, ``(strategies, steps + 2)``, uint64."""
        return _readonly(self._native.first_passage())

    @cached_property
    def paths(self) -> np.ndarray:
        """Recorded trajectories, ``(strategies, record_paths, steps + 1, objectives)``."""
        return _readonly(self._native.paths())

    @cached_property
    def manifest(self) -> Dict[str, Any]:
        """``manifest.json`` as a dict (the file hashes are added by ``save``)."""
        return json.loads(self._native.manifest_json())

    def save(self, dir: Union[str, os.PathLike], force: bool = False) -> str:
        """Writes the run's folder as ``mosde simulate --out dir`` does.

        The folder appears whole or not at all; an existing folder with files
        is refused unless ``force``. Returns the folder's path.
        """
        return str(self._native.save(os.fspath(dir), force))

    def __repr__(self) -> str:
        return f"<mosde.Simulation of {', '.join(self.strategies)}>"


def _readonly(array: np.ndarray) -> np.ndarray:
    """Marks an array read-only: it may be a view of the run's buffers."""
    array.flags.writeable = False
    return array


def simulate(
    m: Model,
    paths: int = 1_000_000,
    steps: Optional[int] = None,
    seed: int = 0,
    strategies: Optional[Sequence[str]] = None,
    engine: str = "auto",
    threads: Optional[int] = None,
    record_every: Optional[int] = None,
    record_paths: int = 0,
    tolerance: float = 0.05,
    *,
    dt: Optional[float] = None,
    pareto_sample: int = 200_000,
    pareto_reference: Optional[Sequence[float]] = None,
    progress: Any = False,
    as_frame: bool = True,
) -> Simulation:
    """Simulates ``m`` as ``mosde simulate`` does, with the same defaults.

    ``strategies``: names run under a fixed policy (default: every strategy,
    plus the model's own policy if it has one). ``engine``: ``"auto"``,
    ``"cpu"`` or ``"gpu"``. ``threads``: CPU threads (default: every core this
    process may use). The GIL is released while the engine runs; Ctrl-C
    stops it between chunks and raises ``KeyboardInterrupt``.
    """
    options = {
        "paths": int(paths),
        "steps": steps,
        "dt": dt,
        "seed": int(seed),
        "strategies": list(strategies or []),
        "record_every": record_every,
        "record_paths": int(record_paths),
        "pareto_sample": int(pareto_sample),
        "pareto_reference": None if pareto_reference is None else [float(v) for v in pareto_reference],
        "tolerance": float(tolerance),
    }
    bar = _progress_callback(progress, "paths")
    native = _mosde.simulate(m, options, engine, threads, bar)
    return Simulation(native, as_frame)


def pareto(
    points: Any,
    maximize: Optional[Sequence[bool]] = None,
    bounds: Optional[Sequence[Tuple[float, float]]] = None,
    reference: Optional[Sequence[float]] = None,
) -> Tuple[np.ndarray, float]:
    """The non-dominated rows of ``points`` and their hypervolume (``mosde pareto``).

    ``points``: a ``(rows, d)`` array or a DataFrame (its columns are the
    objectives). ``maximize``: d bools, default all True. ``bounds``: d
    ``(lo, hi)`` pairs that normalise each objective (default: the data's
    range). ``reference``: the hypervolume's reference point in objective
    units (default: the worst corner of the bounds). Returns the front's row
    indices (ascending) and the hypervolume of the normalised points.
    """
    if _pd is not None and isinstance(points, _pd.DataFrame):
        names = [str(c) for c in points.columns]
        values = points.to_numpy(dtype=np.float64)
    else:
        values = np.asarray(points, dtype=np.float64)
        if values.ndim != 2:
            raise ValueError(f"points must be a (rows, d) array, not of shape {values.shape}")
        names = [f"f{i}" for i in range(values.shape[1])]
    if maximize is None:
        maximize = [True] * len(names)
    if len(maximize) != len(names):
        raise ValueError(f"maximize has {len(maximize)} entries for {len(names)} objectives")
    minimize = [n for n, up in zip(names, maximize) if not up]
    b = None if bounds is None else [(float(lo), float(hi)) for lo, hi in bounds]
    r = None if reference is None else [float(v) for v in reference]
    front, hv = _mosde.pareto(np.ascontiguousarray(values), names, minimize, b, r)
    return front.astype(np.intp), float(hv)


def generate(
    m: Model,
    sessions: int = 100,
    iterations: int = 10,
    seed: int = 0,
    *,
    observation_noise: float = 0.0,
    as_frame: bool = True,
):
    """Synthetic logged sessions from ``m`` (``mosde generate``), with the
    session CSV's columns."""
    text = _mosde.generate(m, int(sessions), int(iterations), int(seed), float(observation_noise))
    return _csv_table(text, as_frame)


class Fit:
    """A fit of logged sessions: ``report`` (``report.json``) and ``model``."""

    def __init__(self, native: Any) -> None:
        self._native = native

    @cached_property
    def report(self) -> Dict[str, Any]:
        """``report.json`` as a dict."""
        return json.loads(self._native.report_json)

    @property
    def model(self) -> Model:
        """The fitted model (``mosde fit --out``'s TOML, validated)."""
        return self._native.model

    def __repr__(self) -> str:
        return f"<mosde.Fit: {self.model!r}>"


def _sessions_csv(sessions: Any) -> str:
    """Session data as the session CSV's text: a DataFrame, a dict of
    columns, a CSV path or CSV text."""
    if _pd is not None and isinstance(sessions, _pd.DataFrame):
        return sessions.to_csv(index=False)
    if isinstance(sessions, Mapping):
        names = list(sessions)
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(names)
        w.writerows(zip(*(list(sessions[n]) for n in names)))
        return out.getvalue()
    if isinstance(sessions, (str, os.PathLike)) and os.path.isfile(sessions):
        with open(sessions, encoding="utf-8") as f:
            return f.read()
    if isinstance(sessions, str):
        return sessions
    raise TypeError("sessions must be a DataFrame, a dict of columns, a CSV path or CSV text")


def fit(
    sessions_df: Any,
    bounds: Optional[Sequence[Tuple[float, float]]] = None,
    bootstrap: int = 200,
    seed: int = 0,
    *,
    dt: float = 1.0,
    holdout: float = 0.0,
    allow_missing: bool = False,
    name: str = "fitted",
) -> Fit:
    """Fits the SDE to logged sessions (``mosde fit``).

    ``sessions_df``: a DataFrame with the session CSV's columns (or a dict of
    columns, a CSV path, CSV text). ``bounds``: one ``(lo, hi)`` pair per
    objective, which censors increments at the bounds (default: none).
    """
    b = None if bounds is None else [(float(lo), float(hi)) for lo, hi in bounds]
    native = _mosde.fit(
        _sessions_csv(sessions_df), float(dt), b, float(holdout), int(bootstrap), int(seed),
        bool(allow_missing), name,
    )
    return Fit(native)


def _spec_args(spec: Any) -> Tuple[Optional[str], Optional[str]]:
    """A sweep spec as (path, JSON text): a path, or a dict of the TOML keys."""
    if isinstance(spec, Mapping):
        return None, json.dumps(dict(spec))
    if isinstance(spec, (str, os.PathLike)):
        return os.fspath(spec), None
    raise TypeError("spec must be a dict (the TOML spec's keys) or a path to a spec file")


def _run_sweep(spec, sensitivity, shard, out, force, resume, engine, threads, progress):
    """Runs a sweep into ``out`` (a temporary folder when None); returns the
    folder and whether it is temporary."""
    path, text = _spec_args(spec)
    temporary = out is None
    folder = tempfile.mkdtemp(prefix="mosde-sweep-") if temporary else os.fspath(out)
    target = os.path.join(folder, "run") if temporary else folder
    bar = _progress_callback(progress, "points")
    warnings_ = _mosde.sweep(
        path, text, sensitivity, shard, target, force, resume, engine, threads, bar
    )
    import warnings

    for w in warnings_:
        warnings.warn(w, stacklevel=3)
    return target, folder if temporary else None


def _read_and_clean(target: str, temporary: Optional[str], name: str, as_frame: bool):
    import shutil

    try:
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
    target, temporary = _run_sweep(spec, False, shard, out, force, resume, engine, threads, progress)
    return _read_and_clean(target, temporary, "sweep.csv", as_frame)


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
    target, temporary = _run_sweep(spec, True, None, out, force, resume, engine, threads, progress)
    return _read_and_clean(target, temporary, "sensitivity.csv", as_frame)


def devices() -> List[Dict[str, Any]]:
    """The GPU adapters wgpu finds (``mosde devices --json``)."""
    return json.loads(_mosde.devices())
