"""Shared pieces of the benchmark modules: timing and the environment line of their Markdown tables."""

from __future__ import annotations

import platform
import time
from pathlib import Path

import numpy as np

#: Folder of the committed result tables.
OUT = Path(__file__).resolve().parent / "results"
#: A first run longer than this is not repeated.
LONG_RUN_S = 30.0


def median_time(fn, repeats: int) -> tuple[float, int, object]:
    """(median wall time of ``repeats`` calls of ``fn``, calls made, the last result); one call only
    when the first takes over LONG_RUN_S."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        if times[-1] > LONG_RUN_S:
            break
    return float(np.median(times)), len(times), out


def machine_line() -> str:
    """'- machine: ...; python ...; numpy ...; scipy ...; numba ...; highspy ...' for a table's header."""
    from importlib.metadata import PackageNotFoundError, version

    def v(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:  # pragma: no cover
            return "not installed"

    return (f"- machine: {platform.platform()}; python {platform.python_version()}; numpy {np.__version__}; "
            f"scipy {v('scipy')}; numba {v('numba')}; highspy {v('highspy')}")
