"""``efficiency score`` and ``efficiency spec init|check`` (DESIGN section 9): exit codes 0 / 1 (data or
spec error, naming the key) / 2 (usage)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import cli
import efficiency as ef

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "sample_data" / "innovation.toml"

SMALL_SPEC = """\
[data]
id = "province"
period = "year"

[dimensions.technology]
inputs = ["rd_expenditure", "rd_personnel"]
outputs = ["invention_patents"]

[dimensions.industry]
inputs = ["industrial_investment", "energy_consumption"]
outputs = ["high_tech_output"]
undesirable = ["co2_emissions"]
model = "sbm"
malmquist = "global"

[composite]
weights = { technology = 1, industry = 1 }
"""


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory) -> Path:
    df = pd.read_csv(REPO / "sample_data" / "provinces.csv")
    p = tmp_path_factory.mktemp("data") / "small.csv"
    df[df["year"] >= 2022].to_csv(p, index=False)
    return p


def run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def ok(*args):
    r = run(*args)
    assert r.exit_code == 0, (r.exit_code, r.stderr, r.exception)
    return r


def write(tmp_path: Path, text: str, name="spec.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_score_csv_on_stdout_equals_api(small_csv, tmp_path):
    spec = write(tmp_path, SMALL_SPEC)
    r = ok("score", small_csv, "--spec", spec)
    table = pd.read_csv(io.StringIO(r.stdout))
    assert list(table.columns) == ["province", "year", "score_technology", "score_industry", "composite",
                                   "coupling", "coordination", "band", "bottleneck", "regime",
                                   "obstacle_technology", "obstacle_industry", "main_obstacle"]
    a = ef.analyze(small_csv, spec)
    np.testing.assert_allclose(table["coordination"], a.scores["coordination"], rtol=1e-12)
    assert table["province"].tolist() == a.scores["province"].tolist()


def test_score_json_and_xlsx(small_csv, tmp_path):
    spec = write(tmp_path, SMALL_SPEC)
    ok("score", small_csv, "--spec", spec, "-o", tmp_path / "s.json")
    rows = json.loads((tmp_path / "s.json").read_text())
    assert len(rows) == 62 and rows[0]["province"] == "Beijing" and rows[0]["year"] == 2022
    ok("score", small_csv, "--spec", spec, "-o", tmp_path / "s.xlsx")
    book = pd.read_excel(tmp_path / "s.xlsx", sheet_name=None)
    assert list(book) == ["scores", "summary", "dimensions", "malmquist", "dynamics", "density", "markov"]


def test_score_with_report(small_csv, tmp_path):
    # the sample spec without its [regional] tables: two periods are too few for what they ask
    text = SPEC.read_text(encoding="utf-8")
    spec = write(tmp_path, text[:text.index("[regional]")])
    r = ok("score", small_csv, "--spec", spec, "-o", tmp_path / "s.csv", "--report", tmp_path / "rep")
    assert f"report: {tmp_path / 'rep' / 'index.html'}" in r.stderr
    assert (tmp_path / "rep" / "index.html").is_file() and (tmp_path / "rep" / "tables.xlsx").is_file()
    assert sorted(p.name for p in (tmp_path / "rep").glob("*.png")) == [
        "coordination_heatmap.png", "dagum_gini.png", "group_gaps.png", "malmquist_components.png", "markov.png",
        "score_density.png", "score_distribution.png", "unit_dimensions.png"]
    html = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    for section in ("Regional study", "Dagum Gini decomposition", "Theil indices", "Markov chain"):
        assert section in html
    # two periods: one growth rate per unit, too few for fixed-effects beta convergence; the report says so
    assert "Not computed: convergence of composite, coordination, score_technology" in html
    assert pd.read_csv(tmp_path / "s.csv").shape[0] == 62


@pytest.mark.parametrize("old, new, key", [
    ('"rd_expenditure", "rd_personnel"', '"rd_expenditur", "rd_personnel"',
     "spec.toml, line 6: dimensions.technology.inputs: unknown column 'rd_expenditur' (did you mean "
     "'rd_expenditure'?)"),
    ('outputs = ["invention_patents"]', 'outputs = ["rd_personnel"]',
     "spec.toml, line 7: dimensions.technology.outputs: column 'rd_personnel' is used in inputs and in outputs"),
    ('model = "sbm"', 'model = "radial"', "spec.toml, line 12: dimensions.industry.undesirable: the radial model "
                                          "cannot take undesirable outputs"),
    ("technology = 1, industry = 1", "technology = 0, industry = 0",
     "spec.toml, line 17: composite.weights: the weights sum to 0"),
])
@pytest.mark.parametrize("command", ["score", "check"])
def test_spec_errors_exit_1_and_name_the_key(small_csv, tmp_path, old, new, key, command):
    assert old in SMALL_SPEC
    spec = write(tmp_path, SMALL_SPEC.replace(old, new, 1))
    args = ("score", small_csv, "--spec", spec) if command == "score" else ("spec", "check", spec, small_csv)
    r = run(*args)
    assert r.exit_code == 1, (r.exit_code, r.stderr)
    assert key in r.stderr
    assert r.stderr.startswith("error: ")


def test_data_error_exit_1_names_column_and_row(small_csv, tmp_path):
    text = small_csv.read_text().splitlines()
    cells = text[3].split(",")
    cells[3] = "n/a"                              # rd_expenditure of the third data row
    text[3] = ",".join(cells)
    bad = write(tmp_path, "\n".join(text) + "\n", "bad.csv")
    spec = write(tmp_path, SMALL_SPEC)
    for args in (("score", bad, "--spec", spec), ("spec", "check", spec, bad)):
        r = run(*args)
        assert r.exit_code == 1
        assert "column 'rd_expenditure', row 3 (line 4" in r.stderr and "missing value" in r.stderr


def test_usage_errors_exit_2(small_csv):
    assert run("score", small_csv).exit_code == 2                    # no --spec
    assert run("score", small_csv, "--spec", SPEC, "--format", "xlsx").exit_code == 2   # xlsx needs -o


def test_missing_spec_file_exit_1(small_csv, tmp_path):
    r = run("score", small_csv, "--spec", tmp_path / "none.toml")
    assert r.exit_code == 1 and "none.toml: no such spec file" in r.stderr


def test_spec_init_and_check(tmp_path):
    r = ok("spec", "init")
    assert r.stdout.startswith("# Innovation efficiency in three dimensions")
    target = tmp_path / "innovation.toml"
    ok("spec", "init", target)
    assert target.read_text() == r.stdout
    again = run("spec", "init", target)
    assert again.exit_code == 1 and "exists; give --force" in again.stderr
    ok("spec", "init", target, "--force")
    r = ok("spec", "check", target, REPO / "sample_data" / "provinces.csv")
    assert r.stdout.startswith("ok: ") and "279 rows, 9 periods, 3 groups" in r.stdout
    assert "technology: sbm, 3 inputs, 3 outputs, frontier period, weight 0.3333" in r.stdout


# --------------------------------------------------------------------------------------------------
# `make demo` and the writers' failure paths
# --------------------------------------------------------------------------------------------------

def _demo_args(out_dir: Path) -> list[str]:
    """The arguments of `make demo`'s `efficiency score` command, read from the Makefile."""
    text = (REPO / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(ln for ln in text.splitlines() if "$(BIN)/efficiency score" in ln)
    args = line.split("$(BIN)/efficiency", 1)[1].split()
    return [str(REPO / a) if a.startswith("sample_data/") else a.replace("$(DEMO_OUT)", str(out_dir))
            for a in args]


def test_make_demo_command_prints_no_warning(tmp_path):
    args = _demo_args(tmp_path)
    assert args[:2] == ["score", str(REPO / "sample_data" / "provinces.csv")] and "--report" in args
    r = ok(*args)
    assert "warning" not in r.stderr.lower(), r.stderr
    assert r.stderr.startswith("Innovation efficiency in 3 dimensions")
    scores = pd.read_csv(tmp_path / "innovation_scores.csv")
    assert len(scores) == 279 and scores["province"].iloc[0] == "Beijing"
    cols = ["score_technology", "score_factor", "score_industry", "composite", "coupling", "coordination"]
    assert (scores[cols] <= 1.0).all().all() and (scores[cols] > 0).all().all()
    mq = pd.read_excel(tmp_path / "report" / "tables.xlsx", sheet_name="malmquist")
    industry = mq[mq["dimension"] == "industry"]
    assert len(industry) == 31 * 8 and set(industry["kind"]) == {"global"}
    assert (industry["status"] == "optimal").all() and industry["malmquist"].notna().all()


def _with_control_character(small_csv: Path, tmp_path: Path) -> Path:
    df = pd.read_csv(small_csv)
    df.loc[df["province"] == "Hebei", "province"] = "He\x07bei"
    path = tmp_path / "ctl.csv"
    df.to_csv(path, index=False)
    return path


def test_score_xlsx_refuses_a_control_character_before_writing(small_csv, tmp_path):
    data = _with_control_character(small_csv, tmp_path)
    out = tmp_path / "s.xlsx"
    r = run("score", data, "--spec", write(tmp_path, SMALL_SPEC), "-o", out)
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == (f"error: {out}, sheet 'scores': column 'province', row 5 (id 'He\\x07bei/2022'): "
                        "'He\\x07bei' holds the control character U+0007, which an xlsx file cannot store (1 more "
                        "rows like it); remove it from the data, or write CSV or JSON instead (-o s.csv)\n")
    assert not out.exists()
    csv_out = tmp_path / "s.csv"                     # CSV keeps the id exactly
    ok("score", data, "--spec", write(tmp_path, SMALL_SPEC), "-o", csv_out)
    assert pd.read_csv(csv_out)["province"].tolist()[4:6] == ["He\x07bei", "He\x07bei"]


def test_report_refuses_a_control_character_before_writing(small_csv, tmp_path):
    data = _with_control_character(small_csv, tmp_path)
    rep = tmp_path / "rep"
    r = run("score", data, "--spec", write(tmp_path, SMALL_SPEC), "--report", rep)
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith(f"error: {rep / 'tables.xlsx'}, sheet 'scores': column 'province', row 5 (id "
                               "'He\\x07bei/2022'): ")
    assert r.stderr.endswith("or leave out the report (it always writes tables.xlsx) and write the tables "
                             "with -o\n")
    assert not rep.exists()


@pytest.mark.parametrize("where", ["file", "below a file"])
def test_report_folder_that_cannot_be_made_exit_1(small_csv, tmp_path, where):
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    target = blocker if where == "file" else blocker / "report"
    r = run("score", small_csv, "--spec", write(tmp_path, SMALL_SPEC), "--report", target)
    assert r.exit_code == 1 and r.stdout == ""
    reason = "File exists" if where == "file" else "Not a directory"
    assert r.stderr == f"error: {target}: cannot write the report ({reason})\n"


@pytest.mark.parametrize("name", ["tables", "tables.dat"])
def test_score_format_xlsx_with_another_extension(small_csv, tmp_path, name):
    out = tmp_path / name
    ok("score", small_csv, "--spec", write(tmp_path, SMALL_SPEC), "-o", out, "--format", "xlsx")
    assert list(pd.read_excel(out, sheet_name=None, engine="openpyxl")) == ["scores", "summary", "dimensions",
                                                                           "malmquist", "dynamics", "density",
                                                                           "markov"]


def test_score_extension_and_format_disagree_exit_1(small_csv, tmp_path):
    out = tmp_path / "s.csv"
    r = run("score", small_csv, "--spec", write(tmp_path, SMALL_SPEC), "-o", out, "--format", "xlsx")
    assert r.exit_code == 1 and not out.exists()
    assert f"error: -o {out} is a .csv file but --format says xlsx" in r.stderr
