"""`simulate` and the in-memory `Simulation` it returns."""

from __future__ import annotations

import json
import os
from functools import cached_property
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np

from . import _mosde
from ._mosde import Model
from ._util import _csv_table, _progress_callback, _readonly


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
    goal: Optional[str] = None,
    constraint: Optional[str] = None,
    confidence: Optional[float] = None,
    progress: Any = False,
    as_frame: bool = True,
) -> Simulation:
    """Simulates ``m`` as ``mosde simulate`` does, with the same defaults.

    ``strategies``: names run under a fixed policy (default: every strategy,
    plus the model's own policy if it has one). ``engine``: ``"auto"``,
    ``"cpu"`` or ``"gpu"``. ``threads``: CPU threads (default: every core this
    process may use). The GIL is released while the engine runs; Ctrl-C
    stops it between chunks and raises ``KeyboardInterrupt``. ``goal``,
    ``constraint`` and ``confidence`` are ``--goal``, ``--constraint`` and
    ``--confidence`` (e.g. ``goal="security>=6,efficiency>=5"``): each
    strategy's entry in ``summary`` then has a ``goal`` object.
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
        "goal": goal,
        "constraint": constraint,
        "confidence": None if confidence is None else float(confidence),
    }
    bar = _progress_callback(progress, "paths")
    native = _mosde.simulate(m, options, engine, threads, bar)
    return Simulation(native, as_frame)
