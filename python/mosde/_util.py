"""Helpers shared by the package's modules: tables from CSV text, progress
displays, read-only arrays."""

from __future__ import annotations

import csv
import io
import sys
from typing import Any, Callable, Dict, List, Optional

import numpy as np

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


def _readonly(array: np.ndarray) -> np.ndarray:
    """Marks an array read-only: it may be a view of the run's buffers."""
    array.flags.writeable = False
    return array
