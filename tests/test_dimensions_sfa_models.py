"""An sfa dimension of the spec takes issue 16's SFA models: heteroskedastic (uhet, vhet), the gamma
and generalized exponential distributions, the panel models k90, tfe, tre, and latent classes; its
score is ef.sfa's efficiency on the dimension's columns, and bad keys are refused naming the key."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from efficiency.spec import load_spec

DATA = "sample_data/provinces.csv"
SPEC = """
[data]
id = "province"
period = "year"
frontier = "pooled"
[dimensions.factor]
model = "sfa"
inputs = ["capital_stock", "employment"]
outputs = ["value_added"]
{extra}
[dimensions.tech]
inputs = ["rd_expenditure"]
outputs = ["invention_patents"]
"""


@pytest.mark.parametrize("extra, kw", [
    ('uhet = ["high_end_talent"]', dict(uhet=["high_end_talent"])),
    ('dist = "genexponential"', dict(dist="genexponential")),
    ('panel = "k90"', dict(panel="k90", id="province", period="year")),
    ('panel = "tfe"', dict(panel="tfe", id="province", period="year")),
    ('panel = "wang-ho"\nz = ["high_end_talent"]', dict(panel="wang-ho", z=["high_end_talent"], id="province",
                                                        period="year")),
    ('panel = "four-component"', dict(panel="four-component", id="province", period="year")),
])
def test_sfa_dimension_scores_as_ef_sfa(extra, kw):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = ef.analyze(DATA, SPEC.format(extra=extra))
        df = pd.read_csv(DATA)
        want = ef.sfa(df, output="value_added", inputs=["capital_stock", "employment"], **kw).efficiency
    np.testing.assert_allclose(a.scores["score_factor"].to_numpy(), np.asarray(want, dtype=float), rtol=1e-9)


@pytest.mark.parametrize("extra, key, match", [
    ('latent_classes = 7', "dimensions.factor.latent_classes", "2 to 5"),
    ('panel = "wang-ho"', "dimensions.factor.z", "scaling function"),
    ('panel = "tre"\nz = ["employment"]', "dimensions.factor.z", "wang-ho"),
    ('panel = "bc95"', "dimensions.factor.panel", "four-component"),
    ('dist = "weibull"', "dimensions.factor.dist", "genexponential"),
])
def test_bad_sfa_keys(extra, key, match):
    with pytest.raises(ef.SpecError, match=match) as exc:
        load_spec(SPEC.format(extra=extra))
    assert key in str(exc.value)


def test_uhet_on_a_dea_dimension_and_unknown_column():
    spec = SPEC.format(extra="").replace('[dimensions.tech]', '[dimensions.tech]\nuhet = ["employment"]')
    with pytest.raises(ef.SpecError, match="an option of the sfa model") as exc:
        load_spec(spec)
    assert "dimensions.tech.uhet" in str(exc.value)
    with pytest.raises(ef.SpecError, match="unknown column 'talent'") as exc:
        ef.analyze(DATA, SPEC.format(extra='vhet = ["talent"]'))
    assert "dimensions.factor.vhet" in str(exc.value)


@pytest.mark.parametrize("extra, kw", [
    ('model = "stoned"', dict()),
    ('model = "stoned"\nobjective = "ratio"\nmethod = "PSL"\nrts = "crs"', dict(objective="ratio", method="PSL",
                                                                                rts="crs")),
    ('model = "stoned"\nobjective = "additive"', dict(multiplicative=False)),
])
def test_stoned_dimension_scores_as_ef_stoned(extra, kw):
    """A stoned dimension's score is ef.stoned's efficiency on the dimension's columns (pooled frontier)."""
    import warnings

    spec = SPEC.format(extra="").replace('model = "sfa"\n', extra + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = ef.analyze(DATA, spec)
        df = pd.read_csv(DATA)
        want = ef.stoned(df, output="value_added", inputs=["capital_stock", "employment"], **kw).to_frame()
    np.testing.assert_allclose(a.scores["score_factor"].to_numpy(), want["efficiency"].to_numpy(), rtol=1e-9)
    assert a.malmquist is None or "factor" not in set(a.malmquist["dimension"])


@pytest.mark.parametrize("extra, key, match", [
    ('model = "stoned"\ndist = "gamma"', "dimensions.factor.dist", "option of the sfa model"),
    ('model = "stoned"\nobjective = "quadratic"', "dimensions.factor.objective", "ratio"),
    ('model = "stoned"\nrts = "nirs"', "dimensions.factor.rts", "vrs"),
    ('method = "PSL"', "dimensions.factor.method", "option of the stoned model"),
])
def test_bad_stoned_keys(extra, key, match):
    spec = SPEC.format(extra="").replace('model = "sfa"\n', "") .replace(
        '[dimensions.factor]\n', '[dimensions.factor]\n' + extra + "\n", 1)
    if 'model = "stoned"' not in extra:
        spec = spec.replace('[dimensions.factor]\n', '[dimensions.factor]\nmodel = "sfa"\n', 1)
    with pytest.raises(ef.SpecError, match=match) as exc:
        load_spec(spec)
    assert key in str(exc.value)
