"""Deprecated spellings of the public API, kept working for one release with a ``FutureWarning``.

One name per concept across the API, the statsmodels/scipy one where it exists (``alpha``, ``llf``,
``nobs``, ``environment``, ``seed``, ``client``, ``solver``); ``solver`` and ``client`` are keyword-only
everywhere. ``DEPRECATED`` lists every old spelling still accepted (each warns, and each has a test
saying so); ``tests/test_api_names.py`` walks every public signature and result and fails on any
other second name for a known concept.
"""

from __future__ import annotations

import warnings

#: (function or class, old name) -> the name that replaces it.
DEPRECATED = {
    ("sfa", "level"): "alpha",                       # level = 1 - alpha
    ("SFAResult", "level"): "alpha",
    ("second_stage", "env"): "environment",
    ("SecondStageResult", "n_used"): "nobs",
    ("SecondStageResult", "loglik"): "llf",
}


def moved_to_keywords(fn: str, extra: tuple, **current):
    """The values of keyword-only parameters (``current``: name -> value given by keyword, in their old
    positional order) when an old caller still passes them positionally (``extra``, from ``*args``):
    a FutureWarning, and a TypeError on a value given twice or too many arguments. Returns the values
    in the order of ``current``."""
    names = list(current)
    if not extra:
        return tuple(current.values()) if len(names) > 1 else current[names[0]]
    if len(extra) > len(names):
        raise TypeError(f"{fn}() got {len(extra)} positional arguments too many")
    moved = names[:len(extra)]
    for name, value in zip(moved, extra):
        if current[name] is not None:
            raise TypeError(f"{fn}() got multiple values for argument {name!r}")
        current[name] = value
    warnings.warn(f"{fn}(): pass {' and '.join(moved)} by keyword ({moved[0]}=...); positional use is "
                  "deprecated and will be removed", FutureWarning, stacklevel=3)
    return tuple(current.values()) if len(names) > 1 else current[names[0]]
