"""Shared fixtures: the external oracle (``../shared/oracle``), found through ``EFFICIENCY_ORACLE``.

* ``EFFICIENCY_ORACLE=DIR`` (``.ci/run`` sets it): the oracle is DIR; if DIR does not hold it, every
  oracle test fails.
* unset: ``../shared/oracle`` beside the repository; if it does not exist, every oracle test fails
  with a message saying how to point ``EFFICIENCY_ORACLE`` at the oracle. A checkout without the
  oracle never passes green with the comparisons silently left out.
* ``EFFICIENCY_ORACLE=skip``: the explicit opt-out; the oracle tests are skipped and a red line at the
  end of the run says how many did not run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ORACLE = REPO.parent / "shared" / "oracle"
#: Start of the skip reason of every oracle test under EFFICIENCY_ORACLE=skip (counted at the end).
SKIP_REASON = "EFFICIENCY_ORACLE=skip: oracle comparison not run"
#: Start of the failure of every oracle test when the oracle is not found.
MISSING = "the external oracle was not found"

# Under pytest-xdist every worker process runs its own numba thread pool; on a 2-core machine two
# workers x two threads oversubscribe the cores and the parallel kernels slow down many times over.
# One numba thread per worker: the results are the same (DMUs are independent), the suite is faster.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")


def _oracle_setting() -> Path | str | None:
    """The oracle folder, "skip" (the explicit opt-out), or None (not set and no ../shared/oracle)."""
    env = os.environ.get("EFFICIENCY_ORACLE", "").strip()
    if env.lower() == "skip":
        return "skip"
    if env:
        return Path(env)
    return DEFAULT_ORACLE if DEFAULT_ORACLE.is_dir() else None


@pytest.fixture(scope="session")
def oracle() -> Path:
    """Root of the oracle folder (with ``data/``, ``ref/``, ``published/``)."""
    path = _oracle_setting()
    if path == "skip":
        pytest.skip(SKIP_REASON)
    if path is None:
        pytest.fail(f"{MISSING}: EFFICIENCY_ORACLE is not set and {DEFAULT_ORACLE} does not exist. Point "
                    "EFFICIENCY_ORACLE at the oracle folder (the one with data/ and ref/), e.g. "
                    "EFFICIENCY_ORACLE=/path/to/shared/oracle make test; or set EFFICIENCY_ORACLE=skip to run "
                    "the other tests without it", pytrace=False)
    if not (path / "ref").is_dir() or not (path / "data").is_dir():
        pytest.fail(f"EFFICIENCY_ORACLE={path} does not hold the oracle (no data/ and ref/ folders)", pytrace=False)
    return path


def _reason(report) -> str:
    longrepr = report.longrepr
    return str(longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else longrepr)


def _tests(n: int) -> str:
    return f"{n} oracle test{'s' if n != 1 else ''}"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """A red line when oracle tests did not run: skipped on request, or failed for want of the oracle."""
    stats = terminalreporter.stats
    skipped = sum(SKIP_REASON in _reason(r) for r in stats.get("skipped", []))
    missing = sum(MISSING in _reason(r) for key in ("error", "failed") for r in stats.get(key, []))
    if skipped:
        terminalreporter.write_sep("=", f"{_tests(skipped)} SKIPPED (EFFICIENCY_ORACLE=skip): the comparisons "
                                        "with R Benchmarking, deaR, productivity and frontier did not run",
                                   red=True, bold=True)
    if missing:
        terminalreporter.write_sep("=", f"{_tests(missing)} FAILED: {MISSING}; set EFFICIENCY_ORACLE to the "
                                        "oracle folder (or EFFICIENCY_ORACLE=skip to leave them out)",
                                   red=True, bold=True)
