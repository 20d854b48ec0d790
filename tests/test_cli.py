"""The ``efficiency dea`` / ``efficiency solvers`` commands (DESIGN section 9).

Exit codes: 0 success, 1 an error in the data or the specification (``error: ...`` on stderr naming
file, column and row), 2 a usage error (click). Most tests use click's CliRunner; a few run the real
program in a subprocess to check the process's exit code and stderr.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import cli
import efficiency

REPO = Path(__file__).resolve().parents[1]

# Coelli, Rao and Battese (1998) / DEAP example: two inputs, one output.
DMU5 = "dmu,input1,input2,output\nDMU1,2,5,1\nDMU2,2,4,2\nDMU3,6,6,3\nDMU4,3,2,1\nDMU5,6,2,2\n"
IDS = ["DMU1", "DMU2", "DMU3", "DMU4", "DMU5"]
CCR_INPUT = [0.5, 1.0, 0.8333333333333334, 0.7142857142857143, 1.0]
CRS_OUTPUT_FARRELL = [2.0, 1.0, 1.2, 1.4, 1.0]
SPEC = ["--id", "dmu", "--inputs", "input1,input2", "--outputs", "output"]
FULL_COLUMNS = ["dmu", "efficiency", "status", "farrell", "slack_input1", "slack_input2", "slack_output",
                "target_input1", "target_input2", "target_output", "lambda_sum", "peers"]
REF = "dmu,input1,input2,output\nR1,4,8,1\nR2,6,6,1\n"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return p


@pytest.fixture
def dmu5(tmp_path) -> Path:
    return write(tmp_path, "dmu5.csv", DMU5)


def run(*args):
    """Invoke the CLI in-process; stdout and stderr are kept apart."""
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    return result


def ok(*args):
    result = run(*args)
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return result


def read_table(text: str, id_col: str = "dmu") -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={id_col: str, "peers": str}, keep_default_na=False,
                       na_values=[""])


def close(values, expected, tol=1e-9):
    np.testing.assert_allclose(np.asarray(values, dtype=float), expected, rtol=0, atol=tol)


# --------------------------------------------------------------------------------------------------
# Successful runs
# --------------------------------------------------------------------------------------------------

def test_ccr_input_csv_to_stdout(dmu5):
    result = ok("dea", dmu5, *SPEC, "--rts", "crs")
    assert result.stderr == ""
    df = read_table(result.stdout)
    assert list(df.columns) == FULL_COLUMNS
    assert df["dmu"].tolist() == IDS
    close(df["efficiency"], CCR_INPUT)
    close(df["farrell"], CCR_INPUT)
    assert df["status"].tolist() == ["optimal"] * 5
    # DEAP: firm 1 has an input-2 slack of 0.5, peer firm 2 with weight 0.5; firm 3 peers 2 and 5
    close(df["slack_input2"], [0.5, 0, 0, 0, 0])
    close(df["target_input2"], [2.0, 4.0, 5.0, 10 / 7, 2.0])
    close(df["lambda_sum"], [0.5, 1.0, 1.5, 0.5, 1.0])
    assert df["peers"].tolist() == ["DMU2", "DMU2", "DMU2;DMU5", "DMU2;DMU5", "DMU5"]


def test_vrs_is_the_default_and_all_scores_are_one(dmu5):
    df = read_table(ok("dea", dmu5, *SPEC).stdout)
    assert df["dmu"].tolist() == IDS
    close(df["efficiency"], [1.0] * 5)
    close(df["lambda_sum"], [1.0] * 5)


def test_crs_output_orientation(dmu5):
    df = read_table(ok("dea", dmu5, *SPEC, "--rts", "crs", "--orientation", "output").stdout)
    close(df["farrell"], CRS_OUTPUT_FARRELL)
    close(df["efficiency"], 1 / np.array(CRS_OUTPUT_FARRELL))
    close(df["target_output"], [2.0, 2.0, 3.6, 1.4, 2.0])


def test_out_csv_file_equals_stdout(dmu5, tmp_path):
    stdout = ok("dea", dmu5, *SPEC, "--rts", "crs").stdout
    out = tmp_path / "out.csv"
    result = ok("dea", dmu5, *SPEC, "--rts", "crs", "-o", out)
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == stdout


def test_out_json_records(dmu5, tmp_path):
    out = tmp_path / "out.json"
    result = ok("dea", dmu5, *SPEC, "--rts", "crs", "-o", out)
    assert result.stdout == ""
    records = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(records, list) and len(records) == 5
    assert [list(r) for r in records] == [FULL_COLUMNS] * 5
    assert [r["dmu"] for r in records] == IDS
    close([r["efficiency"] for r in records], CCR_INPUT)
    assert records[2]["peers"] == "DMU2;DMU5"


def test_format_json_to_stdout(dmu5):
    records = json.loads(ok("dea", dmu5, *SPEC, "--rts", "crs", "--format", "json").stdout)
    assert [r["dmu"] for r in records] == IDS
    close([r["efficiency"] for r in records], CCR_INPUT)
    assert list(records[0]) == FULL_COLUMNS


def test_json_writes_nan_as_null_and_warns(dmu5, tmp_path):
    # VRS against a reference set whose outputs are all 1: DMUs producing more are infeasible
    ref = write(tmp_path, "ref.csv", REF)
    out = tmp_path / "out.json"
    result = ok("dea", dmu5, *SPEC, "--reference", ref, "-o", out)
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [r["status"] for r in records] == ["optimal", "infeasible", "infeasible", "optimal", "infeasible"]
    assert [records[i]["efficiency"] for i in (1, 2, 4)] == [None, None, None]
    assert records[2]["farrell"] is None and records[2]["lambda_sum"] is None
    assert records[2]["slack_input1"] is None and records[2]["peers"] == ""
    close([records[0]["efficiency"], records[3]["efficiency"]], [2.0, 3.0])
    assert "warning: radial DEA: 3 of 5 DMUs have no score (3 infeasible)" in result.stderr


def test_out_xlsx(dmu5, tmp_path):
    import openpyxl

    out = tmp_path / "out.xlsx"
    result = ok("dea", dmu5, *SPEC, "--rts", "crs", "-o", out)
    assert result.stdout == ""
    assert openpyxl.load_workbook(out).sheetnames == ["efficiency"]
    df = pd.read_excel(out, dtype={"dmu": str})
    assert list(df.columns) == FULL_COLUMNS
    assert df["dmu"].tolist() == IDS
    close(df["efficiency"], CCR_INPUT)
    assert df["peers"].tolist()[2] == "DMU2;DMU5"


def test_format_option_overrides_extension(dmu5, tmp_path):
    out = tmp_path / "scores.dat"
    ok("dea", dmu5, *SPEC, "--rts", "crs", "--format", "json", "-o", out)
    close([r["efficiency"] for r in json.loads(out.read_text())], CCR_INPUT)


def test_xlsx_to_stdout_is_a_usage_error(dmu5):
    result = run("dea", dmu5, *SPEC, "--format", "xlsx")
    assert result.exit_code == 2
    assert "--format xlsx needs an output file" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("name, fmt", [("out.csv", "xlsx"), ("out.xlsx", "csv"), ("out.json", "csv"),
                                       ("OUT.CSV", "json")])
def test_extension_naming_another_format_is_an_error(dmu5, tmp_path, name, fmt):
    # An xlsx file named .csv (or the reverse) misleads every program that opens it later.
    out = tmp_path / name
    result = run("dea", dmu5, *SPEC, "-o", out, "--format", fmt)
    assert result.exit_code == 1 and result.stdout == ""
    ext = name.rsplit(".", 1)[1].lower()
    assert (f"error: -o {out} is a .{ext} file but --format says {fmt}; name the file "
            f"'{name.rsplit('.', 1)[0]}.{fmt}' or leave out --format") in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize("name", ["out.xlsx", "scores.dat", "noextension"])
def test_format_xlsx_with_its_own_or_an_unknown_extension(dmu5, tmp_path, name):
    out = tmp_path / name
    ok("dea", dmu5, *SPEC, "--rts", "crs", "-o", out, "--format", "xlsx")
    close(pd.read_excel(out, engine="openpyxl")["efficiency"], CCR_INPUT)


def test_unknown_extension_without_format_is_a_usage_error(dmu5, tmp_path):
    out = tmp_path / "out.txt"
    result = run("dea", dmu5, *SPEC, "-o", out)
    assert result.exit_code == 2
    assert "cannot tell the format of" in result.stderr and "out.txt" in result.stderr
    assert "--format csv|json|xlsx" in result.stderr
    assert not out.exists()


def test_summary_on_stderr(dmu5):
    result = ok("dea", dmu5, *SPEC, "--rts", "crs", "--summary")
    err = result.stderr
    assert "Radial DEA, constant returns to scale (CCR), input orientation" in err
    assert "DMUs: 5 evaluated against 5 reference DMUs; inputs: input1, input2; outputs: output" in err
    assert "Efficiency: mean 0.8095, min 0.5000" in err
    assert "Efficient (score 1, no slack): 2 of 5 (40.0%)" in err
    assert "Lowest: DMU1 0.5000, DMU4 0.7143" in err
    assert "Status: 5 optimal" in err
    # the table is still on stdout, unchanged
    df = read_table(result.stdout)
    assert df["dmu"].tolist() == IDS
    close(df["efficiency"], CCR_INPUT)


def test_scale_adds_columns(dmu5):
    df = read_table(ok("dea", dmu5, *SPEC, "--scale").stdout)
    assert list(df.columns) == FULL_COLUMNS + ["scale_efficiency", "rts_class"]
    close(df["efficiency"], [1.0] * 5)        # VRS
    close(df["scale_efficiency"], CCR_INPUT)  # CRS / VRS
    assert df["rts_class"].tolist() == ["increasing", "constant", "decreasing", "increasing", "constant"]


def test_no_slacks_drops_slack_and_target_columns(dmu5):
    df = read_table(ok("dea", dmu5, *SPEC, "--rts", "crs", "--no-slacks").stdout)
    assert list(df.columns) == ["dmu", "efficiency", "status", "farrell", "lambda_sum", "peers"]
    close(df["efficiency"], CCR_INPUT)


def test_without_id_rows_are_numbered(dmu5):
    result = ok("dea", dmu5, "--inputs", "input1,input2", "--outputs", "output", "--rts", "crs")
    df = read_table(result.stdout, id_col="row")
    assert list(df.columns) == ["row"] + FULL_COLUMNS[1:]
    assert df["row"].tolist() == ["1", "2", "3", "4", "5"]
    close(df["efficiency"], CCR_INPUT)
    assert df["peers"].tolist() == ["2", "2", "2;5", "2;5", "5"]


def test_fdh(dmu5):
    df = read_table(ok("dea", dmu5, *SPEC, "--model", "fdh", "--orientation", "output").stdout)
    assert list(df.columns) == FULL_COLUMNS
    close(df["farrell"], [2.0, 1.0, 1.0, 1.0, 1.0])
    close(df["efficiency"], [0.5, 1.0, 1.0, 1.0, 1.0])
    assert df["peers"].tolist()[0] == "DMU2"
    df = read_table(ok("dea", dmu5, *SPEC, "--model", "fdh").stdout)
    close(df["efficiency"], [1.0] * 5)


def test_reference_file_scores_may_exceed_one(dmu5, tmp_path):
    ref = write(tmp_path, "ref.csv", REF)
    df = read_table(ok("dea", dmu5, *SPEC, "--rts", "crs", "--reference", ref).stdout)
    assert df["dmu"].tolist() == IDS
    close(df["efficiency"], [2.0, 4.0, 3.0, 3.0, 6.0])
    assert df["peers"].tolist() == ["R1", "R1", "R2", "R2", "R2"]


def test_reference_file_lacking_a_column(dmu5, tmp_path):
    ref = write(tmp_path, "frontier.csv", "dmu,input1,output\nR1,4,1\n")
    result = run("dea", dmu5, *SPEC, "--reference", ref)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {ref}: unknown input column 'input2'")


def test_without_id_reference_rows_are_numbered_from_one(dmu5, tmp_path):
    ref = write(tmp_path, "ref.csv", REF)
    result = ok("dea", dmu5, "--inputs", "input1,input2", "--outputs", "output", "--rts", "crs",
                "--reference", ref)
    df = read_table(result.stdout, id_col="row")
    assert df["peers"].tolist() == ["1", "1", "2", "2", "2"]


@pytest.mark.parametrize("solver", ["scipy", "pulp"])
def test_solvers_give_the_same_scores(dmu5, solver):
    base = read_table(ok("dea", dmu5, *SPEC, "--rts", "crs", "--no-slacks").stdout)
    df = read_table(ok("dea", dmu5, *SPEC, "--rts", "crs", "--no-slacks", "--solver", solver).stdout)
    close(df["efficiency"], base["efficiency"], tol=1e-6)
    close(df["efficiency"], CCR_INPUT, tol=1e-6)
    assert df["peers"].tolist() == base["peers"].tolist()


def test_pulp_with_slacks_on_tiny_data(tmp_path):
    p = write(tmp_path, "tiny.csv", "id,x,y\nA,2,1\nB,4,1\nC,3,2\n")
    base = read_table(ok("dea", p, "--id", "id", "--inputs", "x", "--outputs", "y").stdout, "id")
    df = read_table(ok("dea", p, "--id", "id", "--inputs", "x", "--outputs", "y", "--solver", "pulp").stdout, "id")
    close(df["efficiency"], base["efficiency"], tol=1e-6)
    close(df["efficiency"], [1.0, 0.5, 1.0], tol=1e-6)
    close(df["slack_y"], base["slack_y"], tol=1e-6)


def test_unknown_solver(dmu5):
    result = run("dea", dmu5, *SPEC, "--solver", "nosuch")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: solver 'nosuch' is unknown; registered solvers: ")
    assert all(name in result.stderr for name in ("highs", "scipy", "pulp"))


def test_unknown_pulp_solver(dmu5):
    result = run("dea", dmu5, *SPEC, "--solver", "pulp:NOSUCH")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: solver 'pulp:NOSUCH': PuLP knows no solver 'NOSUCH'; known: ")
    assert "PULP_CBC_CMD" in result.stderr


def test_output_rows_follow_input_order_with_unsorted_ids(tmp_path):
    ids = ["Zeta", "007", "alpha", "Mid", "010"]
    text = "dmu,input1,input2,output\n" + "".join(
        f"{i},{line.split(',', 1)[1]}\n" for i, line in zip(ids, DMU5.splitlines()[1:]))
    p = write(tmp_path, "unsorted.csv", text)
    df = read_table(ok("dea", p, *SPEC, "--rts", "crs").stdout)
    assert df["dmu"].tolist() == ids
    close(df["efficiency"], CCR_INPUT)
    assert df["peers"].tolist()[2] == "007;010"


def test_semicolon_bom_decimal_comma_file_gives_same_scores(tmp_path):
    text = "\ufeff" + DMU5.replace(",", ";").replace(";2;5;1", ";2,0;5,00;1")
    p = write(tmp_path, "semi.csv", text)
    df = read_table(ok("dea", p, *SPEC, "--rts", "crs").stdout)
    assert list(df.columns) == FULL_COLUMNS
    assert df["dmu"].tolist() == IDS
    close(df["efficiency"], CCR_INPUT)


def test_composite_id_columns_lead_the_table(tmp_path):
    p = write(tmp_path, "panel.csv", "region,year,a,b\nA,2020,1,2\nA,2021,2,1\nB,2020,3,1\n")
    result = ok("dea", p, "--id", "region,year", "--inputs", "a", "--outputs", "b", "--no-slacks")
    df = pd.read_csv(io.StringIO(result.stdout), dtype=str)
    assert list(df.columns) == ["region", "year", "efficiency", "status", "farrell", "lambda_sum", "peers"]
    assert df[["region", "year"]].values.tolist() == [["A", "2020"], ["A", "2021"], ["B", "2020"]]
    close(df["efficiency"], [1.0, 0.5, 1 / 3])
    assert df["peers"].tolist() == ["A/2020"] * 3


# --------------------------------------------------------------------------------------------------
# Bad data or specification: exit code 1, 'error: <file>: column ..., row ...' on stderr
# --------------------------------------------------------------------------------------------------

BAD = {
    # name: (file text, extra args replacing SPEC or None, expected substrings of the message)
    "unknown column": (DMU5, ["--inputs", "input1,inptu2"],
                       ["unknown input column 'inptu2'", "did you mean 'input2'"]),
    "non-numeric": (DMU5.replace("DMU3,6,6,3", "DMU3,six,6,3"), None,
                    ["column 'input1', row 3 (line 4, id 'DMU3'): 'six' is not a number"]),
    "empty cell": (DMU5.replace("DMU4,3,2,1", "DMU4,3,,1"), None,
                   ["column 'input2', row 4 (line 5, id 'DMU4'): missing value"]),
    "NA text": (DMU5.replace("DMU4,3,2,1", "DMU4,3,NA,1"), None,
                ["column 'input2', row 4 (line 5, id 'DMU4'): missing value ('NA')"]),
    "infinite": (DMU5.replace("DMU2,2,4,2", "DMU2,2,4,inf"), None,
                 ["column 'output', row 2 (line 3, id 'DMU2'): infinite value (inf)"]),
    "negative": (DMU5.replace("DMU5,6,2,2", "DMU5,-6,2,2"), None,
                 ["column 'input1', row 5 (line 6, id 'DMU5'): negative value -6"]),
    "all-zero column": (DMU5.replace(",1\n", ",0\n").replace(",2\n", ",0\n").replace(",3\n", ",0\n"), None,
                        ["column 'output' is zero in every row"]),
    "zero inputs": (DMU5.replace("DMU4,3,2,1", "DMU4,0,0,1"), None,
                    ["column 'input1', row 4 (line 5, id 'DMU4'): all inputs zero",
                     "input-oriented radial DEA cannot evaluate it"]),
    "zero outputs": (DMU5.replace("DMU3,6,6,3", "DMU3,6,6,0"), ["--orientation", "output"],
                     ["column 'output', row 3 (line 4, id 'DMU3'): all outputs zero",
                      "output-oriented radial DEA cannot evaluate it"]),
    "duplicate ids": (DMU5.replace("DMU5,", "DMU2,"), None,
                      ["column 'dmu': duplicate id 'DMU2' in row 2 (line 3) and row 5 (line 6)"]),
    "missing id": (DMU5.replace("DMU3,", ","), None, ["column 'dmu', row 3 (line 4): missing id"]),
    "one DMU": ("dmu,input1,input2,output\nDMU1,2,5,1\n", None, ["1 DMU; at least 2 are needed"]),
    "same column": (DMU5, ["--outputs", "input1"], ["column 'input1' is used as input and as output"]),
    "id as input": (DMU5, ["--inputs", "input1,dmu"], ["column 'dmu' is the id column and cannot be an input"]),
    "wrong field count": (DMU5.replace("DMU3,6,6,3", "DMU3,6,6"), None,
                          ["line 4: 3 fields, but the header has 4"]),
    "not utf-8": (DMU5.replace("DMU1", "D\u00fcsseldorf").encode("latin-1"), None, ["not UTF-8"]),
    "unknown id column": (DMU5, ["--id", "dmus"], ["unknown id column 'dmus'", "did you mean 'dmu'?"]),
    "lone quote": ('"', None, ["line 1: no header row: the file has no column names (a quote '\"' opens a field "
                               "that is never closed)"]),
    "no column names": (",,,\n", None, ["line 1: no header row: the file has no column names"]),
}


def _args(extra):
    args = dict(zip(SPEC[::2], SPEC[1::2]))
    if extra:
        args.update(zip(extra[::2], extra[1::2]))
    return [x for kv in args.items() for x in kv]


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exit_1_names_file_column_row(tmp_path, case):
    text, extra, expected = BAD[case]
    p = write(tmp_path, "bad.csv", text)
    result = run("dea", p, *_args(extra))
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert result.stdout == ""
    err = result.stderr
    assert err.startswith(f"error: {p}: "), err
    assert err.endswith("\n") and err.count("\n") == 1
    for part in expected:
        assert part in err, f"{part!r} not in {err!r}"


def test_bad_cell_without_id_names_numbered_row(tmp_path):
    p = write(tmp_path, "bad.csv", DMU5.replace("DMU3,6,6,3", "DMU3,6,x,3"))
    result = run("dea", p, "--inputs", "input1,input2", "--outputs", "output")
    assert result.exit_code == 1
    assert result.stderr == f"error: {p}: column 'input2', row 3 (line 4, id '3'): 'x' is not a number\n"


def test_missing_file(tmp_path):
    p = tmp_path / "nope.csv"
    result = run("dea", p, *SPEC)
    assert result.exit_code == 1
    assert result.stderr == f"error: {p}: no such file\n"


def test_unavailable_model_and_option_combinations(dmu5):
    result = run("dea", dmu5, *SPEC, "--model", "ddf", "--super")
    assert result.exit_code == 1 and "super_efficiency: available for the radial and sbm" in result.stderr
    result = run("dea", dmu5, *SPEC, "--model", "fdh", "--scale")
    assert result.exit_code == 1 and "scale efficiency needs the radial model" in result.stderr


def test_id_column_named_like_a_result_column(tmp_path):
    p = write(tmp_path, "c.csv", "efficiency,a,b\nA,1,2\nB,2,1\n")
    result = run("dea", p, "--id", "efficiency", "--inputs", "a", "--outputs", "b")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("error: the id column 'efficiency' has the name of a result column; rename it in "
                             "the data\n")


CONTROL = "dmu,input1,input2,output\nDMU1,2,5,1\nDM\x01U2,2,4,2\nDMU3,6,6,3\n"


def test_control_character_in_id_refused_for_xlsx(tmp_path):
    # xlsx (XML 1.0) cannot store U+0001; changing the id would break the match with the input, so
    # the file is refused before anything is written, naming the row, column and id.
    p = write(tmp_path, "ctl.csv", CONTROL)
    out = tmp_path / "scores.xlsx"
    result = run("dea", p, *SPEC, "-o", out)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        f"error: {out}, sheet 'efficiency': column 'dmu', row 2 (id 'DM\\x01U2'): 'DM\\x01U2' holds the control "
        "character U+0001, which an xlsx file cannot store; remove it from the data, or write CSV or JSON "
        "instead (-o scores.csv)\n")
    assert not out.exists()


def test_control_character_in_id_kept_exactly_in_csv_and_json(tmp_path):
    p = write(tmp_path, "ctl.csv", CONTROL)
    out = tmp_path / "s.csv"
    ok("dea", p, *SPEC, "--rts", "crs", "-o", out)
    df = read_table(out.read_text(encoding="utf-8"))
    assert df["dmu"].tolist() == ["DMU1", "DM\x01U2", "DMU3"]
    assert df["peers"].tolist() == ["DM\x01U2", "DM\x01U2", "DM\x01U2"]
    records = json.loads(ok("dea", p, *SPEC, "--rts", "crs", "--format", "json").stdout)
    assert [r["dmu"] for r in records] == ["DMU1", "DM\x01U2", "DMU3"]


def test_control_character_outside_the_output_does_not_block_xlsx(tmp_path):
    # Without --id the DMUs are the rows 1..n: no cell of the table holds the control character.
    p = write(tmp_path, "ctl.csv", CONTROL)
    out = tmp_path / "s.xlsx"
    ok("dea", p, "--inputs", "input1,input2", "--outputs", "output", "--rts", "crs", "-o", out)
    df = pd.read_excel(out)
    assert df["row"].tolist() == [1, 2, 3] and df["peers"].astype(str).tolist() == ["2", "2", "2"]
    close(df["efficiency"], [0.5, 1.0, 1.0])


def test_unknown_column_hint_ignores_case(dmu5):
    result = run("dea", dmu5, "--id", "DMU", "--inputs", "input1,input2", "--outputs", "output")
    assert result.exit_code == 1
    assert "unknown id column 'DMU'" in result.stderr
    assert "did you mean 'dmu'?" in result.stderr


# --------------------------------------------------------------------------------------------------
# Usage errors (exit 2) and the other commands
# --------------------------------------------------------------------------------------------------

def test_missing_inputs_is_a_usage_error(dmu5):
    result = run("dea", dmu5, "--id", "dmu", "--outputs", "output")
    assert result.exit_code == 2
    assert "Missing option '--inputs'" in result.stderr


def test_bad_rts_is_a_usage_error(dmu5):
    result = run("dea", dmu5, *SPEC, "--rts", "xyz")
    assert result.exit_code == 2
    assert "Invalid value for '--rts'" in result.stderr and "'xyz'" in result.stderr


def test_bad_format_and_model_are_usage_errors(dmu5):
    assert run("dea", dmu5, *SPEC, "--format", "parquet").exit_code == 2
    assert run("dea", dmu5, *SPEC, "--model", "nosuch").exit_code == 2
    assert run("dea", dmu5, *SPEC, "--orientation", "sideways").exit_code == 2


def test_solvers_lists_backends_and_availability():
    result = ok("solvers")
    lines = result.stdout.splitlines()
    by_name = {ln.split()[0]: ln.split()[1] for ln in lines if ln.split() and ln.split()[0] in
               ("highs", "scipy", "pulp")}
    assert by_name == {"highs": "available", "scipy": "available", "pulp": "available"}
    assert any(ln.startswith("PuLP solvers (use as pulp:NAME): ") and "PULP_CBC_CMD" in ln for ln in lines)


def test_version():
    result = ok("--version")
    assert result.stdout.strip() == f"efficiency, version {efficiency.__version__}"


# --------------------------------------------------------------------------------------------------
# The real program in a subprocess: exit codes and stderr of the process
# --------------------------------------------------------------------------------------------------

def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _console_script() -> str:
    exe = shutil.which("efficiency", path=str(Path(sys.executable).parent))
    assert exe is not None, f"the 'efficiency' console script is not installed beside {sys.executable}"
    return exe


def _proc(cmd, cwd):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, env=_env(),
                          timeout=120)


def test_subprocess_python_m_cli_success(dmu5, tmp_path):
    proc = _proc([sys.executable, "-m", "cli", "dea", dmu5, *SPEC, "--rts", "crs"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    df = read_table(proc.stdout)
    assert list(df.columns) == FULL_COLUMNS
    assert df["dmu"].tolist() == IDS
    close(df["efficiency"], CCR_INPUT)


def test_subprocess_console_script_bad_cell_exit_1(tmp_path):
    p = write(tmp_path, "bad.csv", DMU5.replace("DMU4,3,2,1", "DMU4,3,2,-1"))
    proc = _proc([_console_script(), "dea", p, *SPEC], tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"error: {p}: column 'output', row 4 (line 5, id 'DMU4'): negative value -1")
    assert "Traceback" not in proc.stderr


def test_subprocess_console_script_usage_error_exit_2(dmu5, tmp_path):
    proc = _proc([_console_script(), "dea", dmu5, "--id", "dmu", "--outputs", "output"], tmp_path)
    assert proc.returncode == 2
    assert "Missing option '--inputs'" in proc.stderr
    proc = _proc([_console_script(), "--version"], tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"efficiency, version {efficiency.__version__}"


def test_subprocess_missing_file_exit_1(tmp_path):
    proc = _proc([sys.executable, "-m", "cli", "dea", "nope.csv", *SPEC], tmp_path)
    assert proc.returncode == 1
    assert proc.stderr == "error: nope.csv: no such file\n"


def test_subprocess_unwritable_output_gives_clear_error(dmu5, tmp_path):
    out = tmp_path / "no_such_dir" / "out.csv"
    proc = _proc([sys.executable, "-m", "cli", "dea", dmu5, *SPEC, "-o", out], tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
