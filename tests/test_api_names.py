"""One name per concept across the public API (the statsmodels/scipy name where there is one).

Walks every public function's signature, every public result class's fields and properties and every
CLI option, and fails on a second name for a known concept - unless it is a deprecated alias listed
in ``efficiency._compat.DEPRECATED`` (each of which must warn). ``solver`` and ``client`` must be
keyword-only everywhere."""

from __future__ import annotations

import dataclasses
import inspect
import warnings

import click
import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from cli import main
from efficiency._compat import DEPRECATED

#: canonical name -> other names for the same concept
CONCEPTS = {
    "alpha": {"level", "conf_level", "confidence", "confidence_level", "significance"},
    "llf": {"loglik", "log_likelihood", "loglike", "logl", "loglikelihood"},
    "nobs": {"n_used", "n_obs", "nobs_used", "n_observations", "num_obs"},
    "environment": {"env", "environmental", "z_env", "exogenous", "contextual"},
    "seed": {"random_state", "rng_seed", "random_seed"},
    "client": {"dask_client", "scheduler_client"},
    "solver": {"backend", "lp_solver", "lp_backend"},
}
SYNONYM = {old: new for new, olds in CONCEPTS.items() for old in olds}

FUNCTIONS = [name for name in ef.__all__ if inspect.isfunction(getattr(ef, name))]
CLASSES = [name for name in ef.__all__ if inspect.isclass(getattr(ef, name)) and name.endswith(("Result", "Analysis"))]


def _members(cls) -> set[str]:
    names = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    return names | {n for n, v in vars(cls).items() if isinstance(v, (property, type(ef.DEAResult.lambdas)))
                    or (inspect.isfunction(v) and not n.startswith("_"))}


def test_the_walk_sees_the_whole_api():
    assert {"dea", "malmquist", "sfa", "three_stage", "bootstrap", "second_stage", "analyze"} <= set(FUNCTIONS)
    assert {"DEAResult", "MalmquistResult", "SFAResult", "ThreeStageResult", "BootstrapResult",
            "SecondStageResult", "Analysis"} <= set(CLASSES)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_parameters_use_one_name_per_concept(name):
    params = inspect.signature(getattr(ef, name)).parameters
    for p in params.values():
        if p.name in SYNONYM:
            assert DEPRECATED.get((name, p.name)) == SYNONYM[p.name], \
                f"{name}({p.name}=): use {SYNONYM[p.name]!r}, the API's name for this concept"
    for key in ("solver", "client"):
        if key in params:
            assert params[key].kind == inspect.Parameter.KEYWORD_ONLY, f"{name}: {key} must be keyword-only"


@pytest.mark.parametrize("name", CLASSES)
def test_result_attributes_use_one_name_per_concept(name):
    for member in _members(getattr(ef, name)):
        if member in SYNONYM:
            assert DEPRECATED.get((name, member)) == SYNONYM[member], \
                f"{name}.{member}: use {SYNONYM[member]!r}, the API's name for this concept"


def test_cli_options_use_one_name_per_concept():
    for cmd_name, cmd in main.commands.items():
        for param in cmd.params:
            if not isinstance(param, click.Option) or param.hidden:
                continue
            for opt in param.opts:
                word = opt.lstrip("-").replace("-", "_")
                assert word not in SYNONYM, f"efficiency {cmd_name} {opt}: use --{SYNONYM[word]}"


def test_every_deprecated_alias_is_still_there():
    """The registry lists only aliases that exist (an alias removed must leave the registry too)."""
    for (owner, old), new in DEPRECATED.items():
        obj = getattr(ef, owner)
        names = set(inspect.signature(obj).parameters) if inspect.isfunction(obj) else _members(obj)
        assert old in names and (new in names or inspect.isfunction(obj)), (owner, old)


def _data(n=12):
    rng = np.random.default_rng(1)
    X = rng.uniform(1, 5, (n, 2))
    return pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "y": X.sum(axis=1) * rng.uniform(0.5, 1, n),
                         "z": rng.normal(size=n)})


def test_deprecated_aliases_warn_and_work():
    df = _data(40)
    s_new = ef.sfa(df, output="y", inputs=["x1", "x2"], alpha=0.1)
    with pytest.warns(FutureWarning, match="level"):
        s_old = ef.sfa(df, output="y", inputs=["x1", "x2"], level=0.9)
    np.testing.assert_allclose(s_old.lower, s_new.lower)
    with pytest.warns(FutureWarning, match="alpha"):
        assert s_new.level == pytest.approx(0.9)
    kw = dict(inputs=["x1", "x2"], outputs=["y"], method="ols", B=5, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ef.EfficiencyWarning)
        new = ef.second_stage(df, environment=["z"], **kw)
        with pytest.warns(FutureWarning, match="env"):
            old = ef.second_stage(df, env=["z"], **kw)
    assert new.to_frame().equals(old.to_frame())
    with pytest.warns(FutureWarning, match="nobs"):
        assert old.n_used == new.nobs
    with pytest.warns(FutureWarning, match="llf"):
        assert old.loglik == new.llf


@pytest.mark.parametrize("fn, args", [
    ("dea", (None, None, [[1.0], [2.0]], [[1.0], [1.0]], None, "radial", "crs", "input", False, None, None, "highs")),
    ("bootstrap", None),
    ("malmquist", None),
])
def test_solver_and_client_passed_positionally_still_work_with_a_warning(fn, args):
    if fn == "dea":
        with pytest.warns(FutureWarning, match=r"dea\(\): pass solver by keyword"):
            r = ef.dea(*args)
        assert r.solver == "highs"
        return
    if fn == "bootstrap":
        df = _data(20)
        with pytest.warns(FutureWarning, match=r"bootstrap\(\): pass client by keyword"):
            b = ef.bootstrap(df, None, ["x1", "x2"], ["y"], "vrs", "input", 10, 0.05, 3, None)
        assert b.seed == 3
        return
    df = _data(10)
    panel = pd.concat([df.assign(unit=range(10), year=2001), df.assign(unit=range(10), year=2002)])
    with pytest.warns(FutureWarning, match=r"malmquist\(\): pass solver by keyword"):
        m = ef.malmquist(panel, "unit", "year", ["x1", "x2"], ["y"], None, "adjacent", "crs", "input", "highs")
    assert m.solver == "highs"
