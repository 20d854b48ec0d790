"""A dimension of the three-dimension spec may be a network of stages (ef.network): its score is the
overall efficiency, the scores table adds the stage scores (score_<dimension>:<stage>), the bottleneck
names the weakest stage ("technology:transform"), the report has a stage section, and a spec that
cannot work is refused naming the key."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from efficiency.spec import load_spec

DATA = "sample_data/provinces.csv"
SPEC = "sample_data/value_chain.toml"


@pytest.fixture(scope="module")
def analysis():
    return ef.analyze(DATA, SPEC)


def test_network_dimension_scores_as_ef_network(analysis):
    df = pd.read_csv(DATA)
    scores = analysis.scores
    for year in (2015, 2023):
        rows = df[df.year == year]
        want = ef.network(rows, id="province", model="relational", rts="crs",
                          inputs={"rd": ["rd_expenditure", "rd_personnel", "basic_research"]},
                          intermediates=[("rd", "transform", ["invention_patents", "new_product_projects"])],
                          outputs={"transform": ["tech_contract_turnover"]}).to_frame()
        got = scores[scores.year == year].set_index("province")
        np.testing.assert_allclose(got.loc[want.index, "score_technology"], want["efficiency"], rtol=1e-9)
        np.testing.assert_allclose(got.loc[want.index, "score_technology:rd"], want["rd_efficiency"], rtol=1e-9)
        np.testing.assert_allclose(got.loc[want.index, "score_technology:transform"], want["transform_efficiency"],
                                   rtol=1e-9)
    # relational: overall = product of the stages
    np.testing.assert_allclose(scores["score_technology"],
                               scores["score_technology:rd"] * scores["score_technology:transform"], rtol=1e-8)


def test_bottleneck_names_the_weakest_stage(analysis):
    s = analysis.scores
    threshold = analysis.spec.threshold
    low = s[s.score_technology < threshold - 1e-9]
    assert len(low) > 0
    for _, row in low.iterrows():
        weakest = "rd" if row["score_technology:rd"] < row["score_technology:transform"] else "transform"
        assert f"technology:{weakest}" in row.bottleneck.split(",")
    high = s[s.score_technology >= threshold]
    assert not any("technology" in b for b in high.bottleneck)
    # the generator's story: Jiangsu is efficient at R&D and poor at transformation
    jiangsu = s[s.province == "Jiangsu"]
    assert (jiangsu["score_technology:rd"] > 0.95).all()
    assert (jiangsu["score_technology:transform"] < 0.5).all()
    assert (jiangsu.bottleneck.str.contains("technology:transform")).all()


def test_report_and_tables(analysis, tmp_path):
    index = analysis.report(tmp_path)
    text = index.read_text()
    assert "Network stages" in text and "relational model (Kao and Hwang 2008" in text
    assert "link rd -&gt; transform (free): invention_patents, new_product_projects" in text
    sheets = pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None)
    assert "score_technology:transform" in sheets["scores"].columns
    assert analysis.malmquist is None or "technology" not in set(analysis.malmquist.dimension)


def test_cli_score_writes_the_stage_columns(tmp_path):
    from click.testing import CliRunner

    import cli

    out = tmp_path / "s.csv"
    res = CliRunner().invoke(cli.main, ["score", DATA, "--spec", SPEC, "-o", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert {"score_technology:rd", "score_technology:transform"} <= set(table.columns)


BASE = """
[data]
id = "province"
period = "year"
[dimensions.t]
{extra}
"""
STAGES = """
[dimensions.t.stages.rd]
inputs = ["rd_expenditure"]
[dimensions.t.stages.transform]
outputs = ["tech_contract_turnover"]
"""
LINK = 'links = [{ from = "rd", to = "transform", columns = ["invention_patents"] }]'


@pytest.mark.parametrize("extra, key, match", [
    ('model = "network"\ninputs = ["x"]\n' + LINK + STAGES, "dimensions.t.inputs", "per stage"),
    ('model = "network"\n' + LINK + '\n[dimensions.t.stages.rd]\ninputs = ["rd_expenditure"]',
     "dimensions.t.stages", "at least two stages"),
    ('model = "network"' + STAGES, "dimensions.t", "links"),
    ('model = "network"\nlinks = [{ from = "rd", to = "transfrom", columns = ["a"] }]' + STAGES,
     "dimensions.t.links", "did you mean 'transform'"),
    ('model = "network"\nlinks = [{ from = "rd", to = "transform" }]' + STAGES, "dimensions.t.links", "no columns"),
    ('model = "network"\nnetwork = "relational"\nrts = "vrs"\n' + LINK + STAGES, "dimensions.t.rts", "CRS"),
    ('model = "network"\nnetwork = "leader-follower"\nrts = "crs"\n' + LINK + STAGES, "dimensions.t.leader",
     "leader"),
    ('model = "network"\nnetwork = "tree"\n' + LINK + STAGES, "dimensions.t.network", "nsbm"),
    ('model = "network"\ndynamics = "fare-primont"\n' + LINK + STAGES, "dimensions.t.dynamics", "network"),
    ('inputs = ["a"]\noutputs = ["b"]\nnetwork = "nsbm"', "dimensions.t.network", "model = \"network\""),
    ('model = "network"\n' + LINK + STAGES.replace("outputs =", "products ="), "dimensions.t.stages.transform",
     "unknown key"),
])
def test_bad_network_spec_is_a_spec_error(extra, key, match):
    with pytest.raises(ef.SpecError, match=match) as exc:
        load_spec(BASE.format(extra=extra))
    assert key in str(exc.value)


def test_unknown_link_column_names_the_column():
    spec = BASE.format(extra='model = "network"\nlinks = [{ from = "rd", to = "transform", columns = ["patentz"] }]'
                       + STAGES)
    with pytest.raises(ef.SpecError, match="unknown column 'patentz'") as exc:
        ef.analyze(DATA, spec)
    assert "dimensions.t.links" in str(exc.value)
    spec = BASE.format(extra='model = "network"\n' + LINK + STAGES.replace("rd_expenditure", "rd_expenditur"))
    with pytest.raises(ef.SpecError, match="did you mean 'rd_expenditure'") as exc:
        ef.analyze(DATA, spec)
    assert "dimensions.t.stages.rd.inputs" in str(exc.value)
