"""The TOML dimension spec (DESIGN section 7): parsing, defaults, normalised weights, and errors that
name the spec file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from efficiency.errors import SpecError
from efficiency.spec import TEMPLATE, AnalysisSpec, load_spec

REPO = Path(__file__).resolve().parents[1]
PROVINCES = REPO / "sample_data" / "provinces.csv"
COLUMNS = list(pd.read_csv(PROVINCES, nrows=1).columns)

GOOD = """\
[data]
id = "province"
period = "year"
group = "zone"

[dimensions.technology]
inputs = ["rd_expenditure", "rd_personnel"]
outputs = ["invention_patents"]
model = "sbm"

[dimensions.industry]
inputs = [
  "industrial_investment",
  "energy_consumption",
]
outputs = ["high_tech_output"]
undesirable = ["co2_emissions"]
model = "ddf"
frontier = "sequential"

[composite]
weights = { technology = 3, industry = 1 }
threshold = 0.5
"""


def write(tmp_path: Path, text: str, name: str = "innovation.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def spec_error(tmp_path, text: str, columns=COLUMNS) -> str:
    p = write(tmp_path, text)
    with pytest.raises(SpecError) as exc:
        load_spec(p).check_columns(columns, "provinces.csv")
    return str(exc.value)


def test_good_spec_parses_with_defaults_and_normalised_weights(tmp_path):
    sp = load_spec(write(tmp_path, GOOD))
    assert isinstance(sp, AnalysisSpec)
    assert (sp.id, sp.period, sp.group, sp.frontier) == ("province", "year", "zone", "period")
    assert sp.names == ("technology", "industry")
    assert sp.weights == (0.75, 0.25)
    assert sp.threshold == 0.5
    tech, ind = sp.dimensions
    assert (tech.model, tech.rts, tech.orientation, tech.frontier) == ("sbm", "vrs", "none", None)
    assert ind.undesirable == ("co2_emissions",)
    assert sp.frontier_of(tech) == "period" and sp.frontier_of(ind) == "sequential"
    assert sp.columns == ("rd_expenditure", "rd_personnel", "invention_patents", "industrial_investment",
                          "energy_consumption", "high_tech_output", "co2_emissions")
    sp.check_columns(COLUMNS)
    # the same spec as text and as a dict
    assert load_spec(GOOD).weights == (0.75, 0.25)
    d = {"data": {"id": "province"}, "dimensions": {"a": {"inputs": ["rd_expenditure"], "outputs": ["pct_applications"]}}}
    sp = load_spec(d)
    assert sp.weights == (1.0,) and sp.threshold == 0.6 and sp.dimensions[0].model == "radial"


def test_default_weights_equal():
    text = GOOD.split("[composite]")[0]
    assert load_spec(text).weights == (0.5, 0.5)


def test_template_is_valid_for_the_sample_data():
    sp = load_spec(TEMPLATE)
    assert sp.names == ("technology", "factor", "industry")
    assert [d.malmquist for d in sp.dimensions] == ["auto", "auto", "global"]
    assert sp.weights == pytest.approx((1 / 3,) * 3)
    sp.check_columns(COLUMNS)


def test_sample_spec_is_valid():
    sp = load_spec(REPO / "sample_data" / "innovation.toml")
    sp.check_columns(COLUMNS)
    assert sp.group == "zone" and len(sp.dimensions) == 3
    # the industry dimension has a bad output: global Malmquist-Luenberger, which has no infeasible LP
    assert {d.name: d.malmquist for d in sp.dimensions} == {"technology": "auto", "factor": "auto",
                                                             "industry": "global"}


def test_malmquist_key_values(tmp_path):
    base = '[data]\nid = "province"\nperiod = "year"\n[dimensions.t]\ninputs = ["a"]\noutputs = ["b"]\n'
    for value, want in (('"Global"', "global"), ('"sequential"', "sequential"), ("false", None), ("true", "auto")):
        assert load_spec(base + f"malmquist = {value}\n").dimensions[0].malmquist == want
    with pytest.raises(SpecError) as exc:
        load_spec(write(tmp_path, base + 'malmquist = "chained"\n'))
    assert str(exc.value) == (f"{tmp_path / 'innovation.toml'}, line 7: dimensions.t.malmquist: 'chained' is not "
                              "one of 'adjacent', 'base', 'sequential', 'global', 'auto'")


def test_unknown_column_names_file_line_key_and_suggestion(tmp_path):
    msg = spec_error(tmp_path, GOOD.replace('"rd_expenditure"', '"rd_expenditur"'))
    assert msg.startswith(f"{tmp_path / 'innovation.toml'}, line 7: dimensions.technology.inputs: "
                          "unknown column 'rd_expenditur' (did you mean 'rd_expenditure'?)")


def test_unknown_column_in_a_multiline_array_names_its_line(tmp_path):
    msg = spec_error(tmp_path, GOOD.replace('"energy_consumption"', '"energy_use"'))
    assert ", line 14: dimensions.industry.inputs: unknown column 'energy_use'" in msg


def test_unknown_data_column(tmp_path):
    msg = spec_error(tmp_path, GOOD.replace('group = "zone"', 'group = "region_zone"'))
    assert ", line 4: data.group: unknown column 'region_zone'" in msg


def test_column_as_input_and_output_of_the_same_dimension(tmp_path):
    msg = spec_error(tmp_path, GOOD.replace('outputs = ["invention_patents"]', 'outputs = ["rd_personnel"]'))
    assert ", line 8: dimensions.technology.outputs: column 'rd_personnel' is used in inputs and in outputs" in msg


def test_a_column_in_two_dimensions_is_allowed(tmp_path):
    text = GOOD.replace('outputs = ["high_tech_output"]', 'outputs = ["invention_patents"]')
    load_spec(write(tmp_path, text)).check_columns(COLUMNS)


@pytest.mark.parametrize("model", ["radial", "fdh", "sfa"])
def test_model_that_cannot_take_bad_outputs(tmp_path, model):
    msg = spec_error(tmp_path, GOOD.replace('model = "ddf"', f'model = "{model}"'))
    assert (f", line 17: dimensions.industry.undesirable: the {model} model cannot take undesirable "
            "outputs") in msg


@pytest.mark.parametrize("weights, problem", [
    ("{ technology = 0, industry = 0 }", "composite.weights: the weights sum to 0; they must sum to a positive"),
    ("{ technology = -1, industry = 1 }", "composite.weights.technology: negative weight -1"),
    ("{ technology = 1, industri = 1 }", "composite.weights.industri: no dimension 'industri'"),
    ("{ technology = 1 }", "composite.weights: no weight for dimension 'industry'"),
    ('{ technology = "a", industry = 1 }', "composite.weights.technology: expected a number"),
    ("[1, 2, 3]", "composite.weights: 3 weights for 2 dimensions"),
])
def test_bad_weights(tmp_path, weights, problem):
    msg = spec_error(tmp_path, GOOD.replace("{ technology = 3, industry = 1 }", weights))
    assert f", line 22: {problem}" in msg


def test_sfa_takes_one_output(tmp_path):
    text = GOOD.replace('outputs = ["invention_patents"]\nmodel = "sbm"',
                        'outputs = ["invention_patents", "pct_applications"]\nmodel = "sfa"')
    msg = spec_error(tmp_path, text)
    assert ", line 8: dimensions.technology.outputs: an sfa dimension takes exactly one output, got 2" in msg


@pytest.mark.parametrize("old, new, where", [
    ('model = "sbm"', 'model = "dea"', "line 9: dimensions.technology.model: 'dea' is not one of"),
    ('model = "sbm"', 'modle = "sbm"', "line 9: dimensions.technology.modle: unknown key (did you mean 'model'?)"),
    ('model = "sbm"', 'model = "sbm"\nrts = "xrs"', "line 10: dimensions.technology.rts: 'xrs' is not one of"),
    ('model = "sbm"', 'model = "sbm"\norientation = "graph"', "line 10: dimensions.technology.orientation:"),
    ('frontier = "sequential"', 'frontier = "rolling"', "line 19: dimensions.industry.frontier: 'rolling'"),
    ("threshold = 0.5", "threshold = 1.5", "line 23: composite.threshold: expected a number in (0, 1]"),
    ('id = "province"', 'id = ""', "line 2: data.id: expected a text value"),
    ('outputs = ["invention_patents"]', 'outputs = []', "line 8: dimensions.technology.outputs: no outputs"),
    ('[composite]', '[composit]', "line 21: composit: unknown key (did you mean 'composite'?)"),
])
def test_key_errors_name_line_and_key(tmp_path, old, new, where):
    msg = spec_error(tmp_path, GOOD.replace(old, new, 1))
    assert msg.startswith(str(tmp_path / "innovation.toml") + ", " + where), msg


def test_invalid_toml_and_missing_file(tmp_path):
    with pytest.raises(SpecError, match=r"innovation.toml: not valid TOML: .*line 2"):
        load_spec(write(tmp_path, "[data]\nid = province\n"))
    with pytest.raises(SpecError, match="nope.toml: no such spec file"):
        load_spec(tmp_path / "nope.toml")


def test_missing_data_table_and_dimensions(tmp_path):
    with pytest.raises(SpecError, match=r"data: missing table \[data\]"):
        load_spec('[dimensions.a]\ninputs = ["x"]\noutputs = ["y"]\n')
    with pytest.raises(SpecError, match="dimensions: no dimensions"):
        load_spec('[data]\nid = "province"\n')


def test_dimension_column_cannot_be_the_id(tmp_path):
    msg = spec_error(tmp_path, GOOD.replace('["rd_expenditure", "rd_personnel"]', '["rd_expenditure", "year"]'))
    assert ", line 7: dimensions.technology.inputs: column 'year' is the period column" in msg


def test_frontier_needs_a_period():
    text = GOOD.replace('period = "year"\n', "")
    with pytest.raises(SpecError, match="dimensions.industry.frontier: frontier = 'sequential' needs a period"):
        load_spec(text)


def test_dict_spec_errors_name_the_key_without_a_line():
    d = {"data": {"id": "province"}, "dimensions": {"a": {"inputs": ["x"], "outputs": ["x"]}}}
    with pytest.raises(SpecError, match=r"^<spec>: dimensions.a.outputs: column 'x' is used in inputs"):
        load_spec(d)
