"""Shared fixtures: the external oracle (``../shared/oracle``), found through ``EFFICIENCY_ORACLE``.

When ``EFFICIENCY_ORACLE`` is set (``.ci/run`` sets it) and the folder is missing, every oracle test
fails. When it is not set, ``../shared/oracle`` beside the repository is used if present; otherwise
the oracle tests are skipped (a developer checkout without the shared folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Under pytest-xdist every worker process runs its own numba thread pool; on a 2-core machine two
# workers x two threads oversubscribe the cores and the parallel kernels slow down many times over.
# One numba thread per worker: the results are the same (DMUs are independent), the suite is faster.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")


def _oracle_dir() -> Path | None:
    env = os.environ.get("EFFICIENCY_ORACLE")
    if env:
        return Path(env)
    default = REPO.parent / "shared" / "oracle"
    return default if default.is_dir() else None


@pytest.fixture(scope="session")
def oracle() -> Path:
    """Root of the oracle folder (with ``data/``, ``ref/``, ``published/``)."""
    path = _oracle_dir()
    if path is None:
        pytest.skip("EFFICIENCY_ORACLE is not set and ../shared/oracle does not exist")
    if not (path / "ref").is_dir() or not (path / "data").is_dir():
        pytest.fail(f"EFFICIENCY_ORACLE={path} does not hold the oracle (no data/ and ref/ folders)")
    return path
