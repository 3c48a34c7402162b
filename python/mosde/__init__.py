"""mosde from Python: simulate, sweep, fit and analyse multi-objective SDEs.

Every call runs the mosde library itself (the native module ``mosde._mosde``),
so a result equals the CLI's for the same model, seed and options, bit for
bit: ``Simulation.save(dir)`` writes the files ``mosde simulate --out dir``
writes. Tables come back as pandas DataFrames when pandas is installed, or as
dicts of numpy arrays (``as_frame=False``, or without pandas).

>>> import mosde
>>> m = mosde.Model.preset("code-generation")
>>> r = mosde.simulate(m, paths=4096, seed=1, engine="cpu")
>>> r.terminal.shape
(4, 4096, 3)
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, List


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

# The imports below load the native module, so they follow the environment.
from . import _mosde  # noqa: E402
from ._data import Fit, analyze, fit, generate, pareto  # noqa: E402
from ._mosde import Model  # noqa: E402
from ._simulation import Simulation, simulate  # noqa: E402
from ._sweeps import sensitivity, sweep  # noqa: E402

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


def presets() -> List[str]:
    """Names of the built-in model presets."""
    return list(_mosde.presets())


def devices() -> List[Dict[str, Any]]:
    """The GPU adapters wgpu finds (``mosde devices --json``)."""
    return json.loads(_mosde.devices())
