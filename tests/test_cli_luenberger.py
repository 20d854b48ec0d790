"""``efficiency luenberger`` and ``efficiency malmquist-bootstrap``: tables equal to the API, output
formats, warnings, exit codes (1 for bad data or options, 2 for usage errors)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import efficiency
from cli import main

SAMPLE = str(Path(__file__).resolve().parents[1] / "sample_data" / "provinces.csv")


def _panel(units=8, periods=3, seed=4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(periods):
        for u in range(units):
            x1, x2 = rng.uniform(1, 10, 2)
            rows.append({"unit": f"u{u}", "year": 2000 + t, "x1": x1, "x2": x2,
                         "y1": rng.uniform(1, 5) * (1 + 0.1 * t), "b1": rng.uniform(1, 3)})
    return pd.DataFrame(rows)


def _run(args):
    return CliRunner().invoke(main, args)


@pytest.fixture
def panel_csv(tmp_path):
    path = tmp_path / "panel.csv"
    _panel().to_csv(path, index=False)
    return path


BASE = ["--id", "unit", "--period", "year", "--inputs", "x1,x2", "--outputs", "y1"]
API = dict(id="unit", period="year", inputs=["x1", "x2"], outputs=["y1"])


@pytest.mark.parametrize("extra,kw", [([], {}),
                                      (["--kind", "biennial", "--rts", "vrs", "--direction", "unit"],
                                       {"kind": "biennial", "rts": "vrs", "direction": "unit"}),
                                      (["--undesirable", "b1", "--direction", "1,0.5,2,1", "--kind", "global"],
                                       {"undesirable": ["b1"], "direction": [1.0, 0.5, 2.0, 1.0], "kind": "global"})])
def test_luenberger_cli_equals_api(panel_csv, extra, kw):
    res = _run(["luenberger", str(panel_csv), *BASE, *extra])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    api = efficiency.luenberger(_panel(), **API, **kw).to_frame()
    assert list(table.columns) == list(api.columns)
    assert list(table.columns[:6]) == ["unit", "period_from", "period_to", "luenberger", "effch", "techch"]
    assert len(table) == 16 and (table["unit"] == api["unit"]).all()
    num = api.select_dtypes("number").columns
    np.testing.assert_allclose(table[num].to_numpy(float), api[num].to_numpy(float), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(table["luenberger"], table["effch"] + table["techch"], atol=1e-12)


def test_luenberger_cli_json_and_summary(panel_csv, tmp_path):
    out = tmp_path / "l.json"
    res = _run(["luenberger", str(panel_csv), *BASE, "-o", str(out), "--summary", "--rts", "vrs"])
    assert res.exit_code == 0, res.output
    assert "Luenberger productivity indicator" in res.stderr and "pech" in res.stderr
    frame = pd.read_json(out)
    assert frame.shape[0] == 16 and frame.columns[0] == "unit" and "sech" in frame.columns


def test_luenberger_cli_infeasible_rows_are_kept_with_a_warning():
    args = ["luenberger", SAMPLE, "--id", "province", "--period", "year", "--inputs",
            "industrial_investment,energy_consumption", "--outputs", "high_tech_output,advanced_structure_share",
            "--undesirable", "co2_emissions", "--direction", "output"]
    res = _run(args)
    assert res.exit_code == 0
    assert res.stderr.startswith("warning: luenberger: 28 of 248 rows have an LP without an optimum (28 infeasible)")
    table = pd.read_csv(io.StringIO(res.stdout))
    assert len(table) == 248
    assert (table["status"] == "infeasible").sum() == 28 and table["luenberger"].isna().sum() == 28
    ml = pd.read_csv(io.StringIO(_run(["malmquist"] + args[1:-2]).stdout))
    np.testing.assert_allclose(table[["d_from_to", "d_to_from"]].to_numpy(float),
                               ml[["d_from_to", "d_to_from"]].to_numpy(float), atol=1e-9)
    res = _run(args + ["--kind", "biennial"])
    assert res.exit_code == 0 and res.stderr == ""
    assert (pd.read_csv(io.StringIO(res.stdout))["status"] == "optimal").all()


def test_luenberger_cli_errors(panel_csv, tmp_path):
    df = _panel()
    path = tmp_path / "dup.csv"
    pd.concat([df, df.iloc[[2]]], ignore_index=True).to_csv(path, index=False)
    res = _run(["luenberger", str(path), *BASE])
    assert res.exit_code == 1
    assert "dup.csv" in res.stderr and "'unit'" in res.stderr and "row 3" in res.stderr
    bad = df.astype({"year": object})
    bad.loc[4, "year"] = "2001x"
    bad.to_csv(path, index=False)
    res = _run(["luenberger", str(path), *BASE])
    assert res.exit_code == 1 and "column 'year', row 5" in res.stderr and "'2001x'" in res.stderr
    res = _run(["luenberger", str(panel_csv), *BASE, "--direction", "1,1"])
    assert res.exit_code == 1
    assert res.stderr.startswith("error: direction: expected a vector of length 3")
    res = _run(["luenberger", str(panel_csv), *BASE, "--direction", "diagonal"])
    assert res.exit_code == 1 and "direction: 'diagonal' is not one of" in res.stderr
    assert _run(["luenberger", str(panel_csv), *BASE, "--kind", "base"]).exit_code == 2
    assert _run(["luenberger", str(panel_csv), "--id", "unit", "--inputs", "x1", "--outputs", "y1"]).exit_code == 2


def test_malmquist_bootstrap_cli_equals_api(panel_csv, tmp_path):
    args = ["malmquist-bootstrap", str(panel_csv), *BASE, "--B", "40", "--seed", "3", "--rts", "vrs"]
    res = _run(args + ["--summary"])
    assert res.exit_code == 0, res.output
    assert "Simar-Wilson (1999)" in res.stderr
    table = pd.read_csv(io.StringIO(res.stdout))
    api = efficiency.malmquist_bootstrap(_panel(), **API, B=40, seed=3, rts="vrs").to_frame()
    assert list(table.columns) == list(api.columns)
    assert list(table.columns[:8]) == ["unit", "period_from", "period_to", "malmquist", "malmquist_bias_corrected",
                                       "malmquist_lower", "malmquist_upper", "malmquist_significant"]
    num = api.select_dtypes("number").columns
    np.testing.assert_allclose(table[num].to_numpy(float), api[num].to_numpy(float), rtol=1e-12)
    assert (table["techch_significant"] == api["techch_significant"].astype(bool)).all()
    out = tmp_path / "b.json"
    assert _run(args + ["-o", str(out)]).exit_code == 0
    frame = pd.read_json(out)
    np.testing.assert_allclose(frame["sech_upper"], api["sech_upper"], rtol=1e-12)


def test_malmquist_bootstrap_cli_errors(panel_csv, tmp_path):
    assert _run(["malmquist-bootstrap", str(panel_csv), *BASE, "--B", "1"]).exit_code == 2
    assert _run(["malmquist-bootstrap", str(panel_csv), *BASE, "--rts", "nirs"]).exit_code == 2
    assert _run(["malmquist-bootstrap", str(panel_csv), *BASE, "--alpha", "1.5"]).exit_code == 2
    df = _panel()
    df.loc[3, "x1"] = 0.0
    path = tmp_path / "zero.csv"
    df.to_csv(path, index=False)
    res = _run(["malmquist-bootstrap", str(path), *BASE, "--B", "10"])
    assert res.exit_code == 1
    assert "zero.csv: column 'x1', row 4" in res.stderr and "a zero in inputs" in res.stderr
