"""The regional study of `efficiency score` (efficiency.regional.study): with a period the analysis adds
disparity, densities, convergence and the Markov chain of the scores; [regional] chooses the scores,
adds Moran's I from a neighbours file and a Hansen threshold regression; each table equals the API
function on the scores table; bad [regional] keys are refused naming the key."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from efficiency.errors import DataError, SpecError
from efficiency.spec import load_spec
from efficiency.threshold import threshold as threshold_fit

DATA = "sample_data/provinces.csv"
SPEC = "sample_data/innovation.toml"


@pytest.fixture(scope="module")
def analysis():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ef.analyze(DATA, SPEC)


def test_tables_equal_the_api_on_the_scores(analysis):
    a, r = analysis, analysis.regional
    s = a.scores
    key = dict(id="province", period="year")
    assert r.values == ("composite", "coordination", "score_technology", "score_factor", "score_industry")
    assert r.notes == ()
    pd.testing.assert_frame_equal(r.dagum.to_frame(), ef.dagum_gini(s, value=list(r.values), group="zone",
                                                                     **key).to_frame())
    pd.testing.assert_frame_equal(r.theil.to_frame(), ef.theil(s, value=list(r.values), group="zone", **key).to_frame())
    conv = ef.convergence(s, value="score_factor", group="zone", **key)
    pd.testing.assert_frame_equal(r.convergence["score_factor"].to_frame(), conv.to_frame())
    nb = "sample_data/province_neighbours.csv"
    pd.testing.assert_frame_equal(r.markov.to_frame(), ef.markov(s, value="composite", neighbours=nb, **key).to_frame())
    assert r.markov.spatial
    m = ef.moran(s, value="coordination", neighbours=nb, permutations=999, **key)
    np.testing.assert_allclose(r.moran["coordination"].to_frame()["I"], m.to_frame()["I"], rtol=1e-14)
    t = threshold_fit(s, y="score_industry", regime_dependent=["score_technology"], threshold="score_factor",
                      grid=int(s["score_factor"].nunique()), B=300, seed=2026, **key)
    assert r.threshold.thresholds == t.thresholds
    np.testing.assert_allclose(r.threshold.F, t.F, rtol=1e-14)
    assert r.threshold.pvalues == t.pvalues
    tables = a.tables()
    for name in ("dagum", "dagum_groups", "dagum_pairs", "theil", "density", "convergence", "convergence_speed",
                 "sigma", "markov", "moran", "moran_local", "threshold", "threshold_tests", "threshold_estimates"):
        assert name in tables and len(tables[name]) > 0, name
    # the Dagum components add up to the Gini in every period of every score
    d = tables["dagum"]
    np.testing.assert_allclose(d["within"] + d["net_between"] + d["transvariation"], d["gini"], rtol=1e-12)


def test_report_has_the_regional_sections_and_figures(analysis, tmp_path):
    index = analysis.report(tmp_path)
    html = index.read_text(encoding="utf-8")
    for text in ("Regional study", "Dagum Gini decomposition", "Theil indices", "Convergence", "Markov chain",
                 "global Moran's I", "Threshold effects (Hansen 1999)"):
        assert text in html, text
    for png in ("dagum_gini.png", "score_density.png", "markov.png", "moran_scatter.png", "threshold_lr.png"):
        assert (tmp_path / png).stat().st_size > 10_000, png
    book = pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None)
    assert {"dagum", "moran_local", "threshold_tests"} <= set(book)


def test_without_regional_table_notes_what_was_not_computed():
    df = pd.read_csv(DATA)
    df = df[df["year"] >= 2022]            # two periods: one growth rate per unit
    spec = {"data": {"id": "province", "period": "year"},
            "dimensions": {"t": {"inputs": ["rd_expenditure"], "outputs": ["invention_patents"]}}}
    a = ef.analyze(df, spec)
    r = a.regional
    assert r.dagum is None and r.markov is not None and not r.convergence
    assert len(r.notes) == 1 and r.notes[0].startswith("convergence of composite, coordination, score_t: not computed")
    assert "regional study, convergence of" in a.summary()
    # asked for explicitly, the same study is an error
    with pytest.raises(DataError, match="fe regression cannot be estimated"):
        ef.analyze(df, {**spec, "regional": {"values": ["t"]}})
    # no period: no study
    assert ef.analyze(df[df["year"] == 2023], {"data": {"id": "province"}, "dimensions": spec["dimensions"]}).regional is None


BASE = """
[data]
id = "province"
period = "year"
[dimensions.t]
inputs = ["rd_expenditure"]
outputs = ["invention_patents"]
"""


@pytest.mark.parametrize("extra, key, match", [
    ('[regional]\nvalues = ["score_x"]', "regional.values", "not a score column"),
    ('[regional]\nneighbours = "no_such_file.csv"', "regional.neighbours", "no such file"),
    ('[regional]\nk = 3', "regional.k", "coordinates only"),
    ('[regional]\nmarkov_classes = 1', "regional.markov_classes", "2..10"),
    ('[regional]\ncolour = "red"', "regional.colour", "unknown key"),
    ('[regional.threshold]\ny = "t"\nvariable = "t"', "regional.threshold.regime_dependent", "missing"),
    ('[regional.threshold]\ny = "t"\nregime_dependent = ["composite"]\nvariable = "t"\nn_thresholds = 4',
     "regional.threshold.n_thresholds", "1..3"),
    ('[regional.threshold]\ny = "t"\nregime_dependent = ["composite"]\nvariable = "t"\ntrim = 0.6',
     "regional.threshold.trim", "(0, 0.5)"),
])
def test_bad_regional_keys(extra, key, match):
    with pytest.raises(SpecError, match=match) as exc:
        load_spec(BASE + extra)
    assert key in str(exc.value)


def test_regional_needs_a_period_and_known_threshold_columns():
    with pytest.raises(SpecError, match="needs a period column"):
        load_spec(BASE.replace('period = "year"\n', "") + "[regional]\n")
    spec = BASE + '[regional.threshold]\ny = "t"\nregime_dependent = ["rd_spend"]\nvariable = "t"\n'
    with pytest.raises(SpecError, match="unknown column 'rd_spend'") as exc:
        ef.analyze(DATA, spec)
    assert "regional.threshold.regime_dependent" in str(exc.value)
