"""Exceptions and warnings of the toolkit (DESIGN section 3).

``EfficiencyError`` is the root; ``DataError`` and ``SpecError`` are ``ValueError``s (bad data or a bad
model specification, exit code 1 on the command line) and ``SolverError`` is a ``RuntimeError`` (an LP
backend that is missing or failed as a whole). Messages name the file, column and row.
"""

from __future__ import annotations


class EfficiencyError(Exception):
    """Root of every error raised on purpose by the toolkit."""


class DataError(EfficiencyError, ValueError):
    """Input data that a model cannot use: names the file, column and row."""


class SpecError(EfficiencyError, ValueError):
    """A model option or specification that is invalid or inconsistent."""


class SolverError(EfficiencyError, RuntimeError):
    """An LP backend that is unknown, not installed, or failed as a whole."""


class EfficiencyWarning(UserWarning):
    """Something the user should know about a result (e.g. LPs that were not solved)."""


class SolveWarning(EfficiencyWarning):
    """Some DMUs' LPs ended without an optimum; their scores are NaN and ``status`` says why."""


class ConvergenceWarning(EfficiencyWarning):
    """A maximum-likelihood fit (SFA, the second-stage truncated regression) did not converge, fell back
    to another optimiser than the one it calls for, or stopped at a bound of a parameter (e.g. SFA's
    gamma at 0 or 1); the result records which."""


class SkewnessWarning(EfficiencyWarning):
    """OLS residuals of an SFA are skewed the wrong way: the data show no inefficiency (gamma -> 0)."""
