"""Type stubs of the mosde package."""

import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

Table = Any  # a pandas DataFrame, or a dict of numpy arrays (as_frame=False or no pandas)
Progress = Union[bool, Callable[[int, int], None]]
PathLike = Union[str, os.PathLike]

class Model:
    """A validated model."""

    @staticmethod
    def preset(name: str) -> Model: ...
    @staticmethod
    def from_toml(path_or_text: str) -> Model: ...
    def to_toml(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def objectives(self) -> List[str]: ...
    @property
    def strategies(self) -> List[str]: ...
    def with_params(self, params: Dict[str, float]) -> Model: ...

class Simulation:
    """A finished simulation, held in memory."""

    @property
    def strategies(self) -> List[str]: ...
    @property
    def summary(self) -> Dict[str, Any]: ...
    @property
    def moments(self) -> Table: ...
    @property
    def terminal(self) -> npt.NDArray[np.float32]: ...
    @property
    def first_passage(self) -> npt.NDArray[np.uint64]: ...
    @property
    def paths(self) -> npt.NDArray[np.float32]: ...
    @property
    def manifest(self) -> Dict[str, Any]: ...
    def save(self, dir: PathLike, force: bool = False) -> str: ...

class Fit:
    """A fit of logged sessions."""

    @property
    def report(self) -> Dict[str, Any]: ...
    @property
    def model(self) -> Model: ...

def presets() -> List[str]: ...
def analyze(model: Model, *, as_frame: bool = True) -> Table: ...
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
    progress: Progress = False,
    as_frame: bool = True,
) -> Simulation: ...
def pareto(
    points: Any,
    maximize: Optional[Sequence[bool]] = None,
    bounds: Optional[Sequence[Tuple[float, float]]] = None,
    reference: Optional[Sequence[float]] = None,
) -> Tuple[npt.NDArray[np.intp], float]: ...
def generate(
    m: Model,
    sessions: int = 100,
    iterations: int = 10,
    seed: int = 0,
    *,
    observation_noise: float = 0.0,
    as_frame: bool = True,
) -> Table: ...
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
) -> Fit: ...
def sweep(
    spec: Union[Dict[str, Any], PathLike],
    shard: Optional[str] = None,
    *,
    out: Optional[PathLike] = None,
    force: bool = False,
    resume: bool = False,
    engine: str = "auto",
    threads: Optional[int] = None,
    progress: Progress = False,
    as_frame: bool = True,
) -> Table: ...
def sensitivity(
    spec: Union[Dict[str, Any], PathLike],
    *,
    out: Optional[PathLike] = None,
    force: bool = False,
    resume: bool = False,
    engine: str = "auto",
    threads: Optional[int] = None,
    progress: Progress = False,
    as_frame: bool = True,
) -> Table: ...
def devices() -> List[Dict[str, Any]]: ...
