"""The three-dimension spec with issue 13's models: Russell, RDM, RAM, BAM and GRS dimensions score as
ef.dea does, and a radial dimension may ask for cross-efficiency ranks (table and report)."""

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
cross_efficiency = "benevolent"

[dimensions.factor]
inputs = ["capital_stock", "employment"]
outputs = ["value_added"]
model = "russell"
orientation = "output"

[dimensions.industry]
inputs = ["industrial_investment", "energy_consumption"]
outputs = ["high_tech_output"]
model = "ram"

[dimensions.green]
inputs = ["industrial_investment"]
outputs = ["high_tech_output", "advanced_structure_share"]
model = "rdm"

[dimensions.scale]
inputs = ["rd_expenditure"]
outputs = ["invention_patents"]
model = "bam"
rts = "grs"
rts_bounds = [0.8, 1.2]
"""


@pytest.fixture(scope="module")
def analysis():
    return ef.analyze(DATA, SPEC)


def test_new_model_dimensions_score_as_dea(analysis):
    df = pd.read_csv(DATA)
    scores = analysis.to_frame()
    year = 2019
    rows = df[df.year == year]
    cases = {"factor": dict(model="russell", orientation="output", inputs=["capital_stock", "employment"],
                            outputs=["value_added"]),
             "industry": dict(model="ram", orientation="none", inputs=["industrial_investment", "energy_consumption"],
                              outputs=["high_tech_output"]),
             "green": dict(model="rdm", orientation="none", inputs=["industrial_investment"],
                           outputs=["high_tech_output", "advanced_structure_share"]),
             "scale": dict(model="bam", orientation="none", inputs=["rd_expenditure"], outputs=["invention_patents"],
                           rts="grs", rts_bounds=(0.8, 1.2))}
    for name, kw in cases.items():
        direct = ef.dea(rows, id=["province", "year"], **{"rts": "vrs", **kw})
        got = scores.xs(year, level="year")[f"score_{name}"]
        np.testing.assert_allclose(got.to_numpy(), direct.scores.to_numpy(), rtol=1e-12, err_msg=name)
        assert (got <= 1).all() and (got >= 0).all()


def test_cross_efficiency_ranks_per_period(analysis):
    ce = analysis.tables()["cross_efficiency"]
    assert list(ce.columns[:4]) == ["dimension", "method", "province", "year"]
    assert set(ce.dimension) == {"technology"} and set(ce.method) == {"benevolent"}
    df = pd.read_csv(DATA)
    rows = df[df.year == 2017]
    direct = ef.cross_efficiency(rows, id=["province", "year"], inputs=["rd_expenditure", "rd_personnel"],
                                 outputs=["invention_patents", "new_product_projects"], rts="vrs",
                                 method="benevolent").to_frame()
    got = ce[ce.year == 2017].set_index(["province", "year"])
    np.testing.assert_allclose(got["cross_efficiency"], direct["cross_efficiency"], rtol=1e-12)
    assert got["rank"].tolist() == direct["rank"].tolist()
    assert got["rank"].min() == 1 and got["rank"].max() <= len(got)


def test_report_shows_the_cross_efficiency_ranks(analysis, tmp_path):
    index = analysis.report(tmp_path / "report")
    text = index.read_text(encoding="utf-8")
    assert "<h3>Cross-efficiency ranks</h3>" in text
    assert "cross-efficiency ranks (benevolent; Sexton, Silkman and Hogan 1986)" in text
    assert "Russell measure (VRS, output-oriented; Faere and Lovell 1978)" in text
    assert "bounded adjusted measure (GRS 0.8-1.2;" in text


@pytest.mark.parametrize("extra, key, match", [
    ('model = "radial"\nrts = "grs"', "rts", "rts_bounds = \\[L, U\\]"),
    ('model = "radial"\nrts_bounds = [0.5, 2]', "rts_bounds", "go together"),
    ('model = "radial"\nrts = "grs"\nrts_bounds = [1]', "rts_bounds", "expected \\[L, U\\]"),
    ('model = "sbm"\ncross_efficiency = true', "cross_efficiency", "radial dimension"),
    ('model = "radial"\nrts = "grs"\nrts_bounds = [0.5, 2]\ncross_efficiency = true', "cross_efficiency",
     "crs, vrs, nirs or ndrs"),
    ('model = "ram"\norientation = "input"', "orientation", "non-oriented"),
    ('model = "russell"\norientation = "none"', "orientation", "'input' or 'output'"),
    ('model = "radial"\ncross_efficiency = "kind"', "cross_efficiency", "arbitrary"),
])
def test_spec_errors(extra, key, match):
    text = f"""[data]
id = "province"
[dimensions.d]
inputs = ["rd_expenditure"]
outputs = ["invention_patents"]
{extra}
"""
    with pytest.raises(ef.SpecError, match=match) as err:
        load_spec(text)
    assert f"dimensions.d.{key}" in str(err.value)
