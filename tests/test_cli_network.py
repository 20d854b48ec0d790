"""``efficiency network``: the API's table on the command line (two-stage form), the options, and bad
input (exit code 1 with the file, column and row named; 2 for usage)."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import efficiency
from cli import main
from test_network import two_stage_data

BASE = ["--id", "id", "--inputs", "x1,x2", "--intermediates", "z1,z2", "--outputs", "y1,y2"]
KW = dict(id="id", inputs=["x1", "x2"], intermediates=["z1", "z2"], outputs=["y1", "y2"])


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "firms.csv"
    two_stage_data().to_csv(path, index=False)
    return path


def _run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("extra,kw", [
    ([], {}),
    (["--priority", "stage2"], {"priority": "stage2"}),
    (["--model", "additive", "--rts", "vrs"], {"model": "additive", "rts": "vrs"}),
    (["--model", "additive", "--orientation", "output"], {"model": "additive", "orientation": "output"}),
    (["--model", "leader-follower", "--leader", "stage2"], {"model": "leader-follower", "leader": "stage2"}),
    (["--model", "centralised", "--solver", "scipy"], {"model": "centralised", "solver": "scipy"}),
])
def test_cli_equals_api(csv, extra, kw):
    res = _run(["network", csv, *BASE, *extra])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.stdout))
    want = efficiency.network(str(csv), **KW, **kw).to_frame().reset_index()
    assert list(got.columns) == list(want.columns)
    assert list(got["id"]) == list(want["id"])
    assert list(got.columns[:4]) == ["id", "efficiency", "stage1_efficiency", "stage2_efficiency"]
    num = [c for c in want.columns if c not in ("id", "status")]
    np.testing.assert_allclose(got[num].to_numpy(float), want[num].to_numpy(float), rtol=1e-12, equal_nan=True)
    assert (got["status"] == "optimal").all()


def test_cli_output_file_json_and_summary(csv, tmp_path):
    out = tmp_path / "net.json"
    res = CliRunner().invoke(main, ["network", str(csv), *BASE, "--model", "additive", "-o", str(out), "--summary"])
    assert res.exit_code == 0, res.output
    rows = json.loads(out.read_text())
    assert len(rows) == 24 and {"weight_stage1", "weight_stage2"} <= set(rows[0])
    assert "Additive efficiency decomposition" in res.stderr and not res.stdout
    assert abs(rows[0]["weight_stage1"] * rows[0]["stage1_efficiency"] + rows[0]["weight_stage2"] *
               rows[0]["stage2_efficiency"] - rows[0]["efficiency"]) < 1e-9


def test_cli_without_id_numbers_rows(csv):
    res = _run(["network", csv, "--inputs", "x1,x2", "--intermediates", "z1,z2", "--outputs", "y1,y2"])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.stdout))
    assert list(got["row"]) == list(range(1, 25))


@pytest.mark.parametrize("args,match", [
    (["--inputs", "x1,z1", "--intermediates", "z1,z2", "--outputs", "y1"],
     "firms.csv: column 'z1' is used as input and as intermediate"),
    (["--inputs", "x1", "--intermediates", "z9", "--outputs", "y1"], "firms.csv: unknown intermediate column 'z9'"),
    (BASE[2:] + ["--rts", "vrs"], "error: rts: model='relational' takes 'crs', not 'vrs'"),
    (BASE[2:] + ["--leader", "stage2"], "error: leader: model='relational' does not take it"),
])
def test_cli_errors_exit_1(csv, args, match):
    res = _run(["network", csv, "--id", "id", *args])
    assert res.exit_code == 1
    assert match in res.stderr and not res.stdout


def test_cli_negative_intermediate_names_row(tmp_path):
    df = two_stage_data()
    df.loc[5, "z1"] = -2.0
    path = tmp_path / "neg.csv"
    df.to_csv(path, index=False)
    res = _run(["network", path, *BASE])
    assert res.exit_code == 1
    assert "neg.csv: column 'z1', row 6 (line 7, id " in res.output and "negative value -2" in res.output


def test_cli_usage_errors_exit_2(csv):
    assert _run(["network", csv, "--inputs", "x1"]).exit_code == 2                  # missing options
    assert _run(["network", csv, *BASE, "--model", "black-box"]).exit_code == 2
    assert _run(["network", csv, *BASE, "--leader", "stage3"]).exit_code == 2
