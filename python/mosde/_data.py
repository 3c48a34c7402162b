"""Calls on models and data: the spectral analysis, Pareto fronts, generated
sessions and fits."""

from __future__ import annotations

import csv
import io
import json
import os
from functools import cached_property
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np

from . import _mosde
from ._mosde import Model
from ._util import _csv_table, _frame, _pd


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
