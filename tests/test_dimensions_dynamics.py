"""The three-dimension spec picks a dimension's index of change over time (``dynamics``): the Malmquist
index, or a TFP index of O'Donnell (2012) through ef.productivity (Hicks-Moorsteen, Faere-Primont,
Lowe with price columns): the productivity table, the dynamics columns, the report figure, and the
errors of a spec that cannot work."""

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

[dimensions.technology]
inputs = ["rd_expenditure", "rd_personnel"]
outputs = ["invention_patents", "new_product_projects"]
model = "radial"
rts = "vrs"
dynamics = "hicks-moorsteen"

[dimensions.factor]
inputs = ["capital_stock", "employment"]
outputs = ["value_added"]
model = "radial"
rts = "crs"
orientation = "input"
dynamics = "fare-primont"

[dimensions.industry]
inputs = ["industrial_investment", "energy_consumption"]
outputs = ["high_tech_output"]
undesirable = ["co2_emissions"]
model = "sbm"
malmquist = "global"
"""


@pytest.fixture(scope="module")
def analysis():
    return ef.analyze(DATA, SPEC)


@pytest.mark.parametrize("name, index, rts, orientation, inputs, outputs", [
    ("technology", "hicks-moorsteen", "vrs", "input", ["rd_expenditure", "rd_personnel"],
     ["invention_patents", "new_product_projects"]),
    ("factor", "fare-primont", "crs", "input", ["capital_stock", "employment"], ["value_added"]),
])
def test_productivity_table_is_ef_productivity_on_the_dimension(analysis, name, index, rts, orientation, inputs,
                                                                outputs):
    """Each row is the change from the unit's previous year: Hicks-Moorsteen's own (adjacent) changes,
    and for the transitive Faere-Primont index the ratio of consecutive levels (R productivity reports
    its changes over the unit's first period)."""
    df = pd.read_csv(DATA)
    r = ef.productivity(df[["province", "year"] + inputs + outputs], id="province", period="year", inputs=inputs,
                        outputs=outputs, index=index, rts=rts, orientation=orientation)
    changes, levels = r.to_frame().set_index(["province", "year"]), r.levels().set_index(["province", "year"])
    got = analysis.productivity[analysis.productivity.dimension == name]
    assert set(got["index"]) == {index}
    for _, row in got.sample(20, random_state=1).iterrows():
        prev = df[(df.province == row.province) & (df.year < row.period_to)].year.max()
        assert row.period_from == prev
        for col in ("tfp", "mp", "tfpe"):
            if index == "hicks-moorsteen":
                want = changes.loc[(row.province, row.period_to), f"{col}_change"]
            else:
                want = levels.loc[(row.province, row.period_to), col] / levels.loc[(row.province, prev), col]
            assert row[f"{col}_change"] == pytest.approx(want, rel=1e-12), col
    np.testing.assert_allclose(got.tfp_change, got.mp_change * got.tfpe_change, rtol=1e-12)
    n_units, n_years = df.province.nunique(), df.year.nunique()
    assert len(got) == n_units * (n_years - 1)        # every unit's change from its previous year


def test_dynamics_table_has_a_column_per_index(analysis):
    dyn = analysis.dynamics
    assert {"tfp_change_technology", "tfp_change_factor", "malmquist_industry"} <= set(dyn.columns)
    assert "malmquist_technology" not in dyn.columns
    assert set(analysis.malmquist.dimension) == {"industry"}
    row = dyn.iloc[5]
    p = analysis.productivity
    hit = p[(p.dimension == "factor") & (p.province == row.province) & (p.period_to == row.period_to)]
    assert row.tfp_change_factor == pytest.approx(hit.tfp_change.iloc[0], rel=1e-12)
    assert np.isfinite(dyn.tfp_change_factor).all()


def test_report_plots_and_tabulates_the_index(analysis, tmp_path):
    index = analysis.report(tmp_path)
    assert (tmp_path / "productivity_components.png").stat().st_size > 1000
    text = index.read_text()
    assert "Productivity change (TFP index)" in text and "TFP index: hicks-moorsteen" in text
    sheets = pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None)
    assert len(sheets["productivity"]) == len(analysis.productivity)


def test_lowe_takes_price_columns():
    spec = """
[data]
id = "province"
period = "year"
[dimensions.factor]
inputs = ["capital_stock", "employment"]
outputs = ["value_added"]
dynamics = "lowe"
input_prices = ["rd_expenditure", "rd_personnel"]
output_prices = ["advanced_structure_share"]
"""
    a = ef.analyze(DATA, spec)
    df = pd.read_csv(DATA)
    r = ef.productivity(df, id="province", period="year", inputs=["capital_stock", "employment"],
                        outputs=["value_added"], index="lowe", rts="vrs", orientation="input",
                        input_prices=["rd_expenditure", "rd_personnel"], output_prices=["advanced_structure_share"])
    tfp = r.levels().set_index(["province", "year"]).tfp
    got = a.productivity
    want = (tfp.loc[list(zip(got.province, got.period_to))].to_numpy()
            / tfp.loc[list(zip(got.province, got.period_from))].to_numpy())
    np.testing.assert_allclose(got.tfp_change, want, rtol=1e-12)
    np.testing.assert_allclose(got.tfp_change, got.mp_change * got.tfpe_change, rtol=1e-12)


BASE = """
[data]
id = "province"
{period}
[dimensions.t]
inputs = ["rd_expenditure"]
outputs = ["invention_patents"]
{extra}
"""


@pytest.mark.parametrize("period, extra, key, match", [
    ("", 'dynamics = "fare-primont"', "dimensions.t.dynamics", "needs the period column"),
    ('period = "year"', 'dynamics = "fare-primont"\nundesirable = ["co2_emissions"]\nmodel = "sbm"',
     "dimensions.t.dynamics", "takes no undesirable outputs"),
    ('period = "year"', 'dynamics = "hicks-moorsteen"\nmalmquist = "global"', "dimensions.t.malmquist",
     "does not apply"),
    ('period = "year"', 'dynamics = "lowe"', "dimensions.t.dynamics", "needs input_prices"),
    ('period = "year"', 'dynamics = "lowe"\ninput_prices = ["employment"]\noutput_prices = ["a", "b"]',
     "dimensions.t.output_prices", "one price column per output"),
    ('period = "year"', 'input_prices = ["employment"]', "dimensions.t.input_prices", "lowe"),
    ('period = "year"', 'dynamics = "tornqvist"', "dimensions.t.dynamics", "hicks-moorsteen"),
    ('period = "year"', 'model = "sfa"\ndynamics = "fare-primont"', "dimensions.t.dynamics", "sfa"),
])
def test_bad_dynamics_is_a_spec_error(period, extra, key, match):
    with pytest.raises(ef.SpecError, match=match) as exc:
        load_spec(BASE.format(period=period, extra=extra))
    assert key in str(exc.value)


def test_unknown_price_column_names_the_key():
    spec = BASE.format(period='period = "year"', extra='dynamics = "lowe"\ninput_prices = ["employmnt"]\n'
                                                      'output_prices = ["value_added"]')
    with pytest.raises(ef.SpecError, match="unknown column 'employmnt'") as exc:
        ef.analyze(DATA, spec)
    assert "dimensions.t.input_prices" in str(exc.value)
