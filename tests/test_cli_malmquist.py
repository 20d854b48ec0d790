"""``efficiency malmquist`` and the issue-4 bad inputs on the command line (exit code 1, named column/row)."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import efficiency
from cli import main


def _panel(units=6, periods=3, seed=4) -> pd.DataFrame:
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


@pytest.mark.parametrize("extra,kw", [([], {}),
                                      (["--kind", "base", "--base", "2001", "--rts", "vrs"],
                                       {"kind": "base", "base": 2001, "rts": "vrs"}),
                                      (["--kind", "global", "--undesirable", "b1", "--cumulative"],
                                       {"kind": "global", "undesirable": ["b1"], "cumulative": True}),
                                      (["--decomposition", "bias", "--rts", "vrs", "--tc-vrs"],
                                       {"decomposition": "bias", "rts": "vrs", "tc_vrs": True}),
                                      (["--decomposition", "rd", "--rts", "vrs", "--orientation", "output"],
                                       {"decomposition": "rd", "rts": "vrs", "orientation": "output"}),
                                      (["--decomposition", "gl", "--rts", "vrs", "--kind", "sequential"],
                                       {"decomposition": "gl", "rts": "vrs", "kind": "sequential"}),
                                      (["--decomposition", "fgnz", "--rts", "vrs", "--tc-vrs"],
                                       {"rts": "vrs", "tc_vrs": True}),
                                      (["--decomposition", "rts", "--rts", "vrs"],
                                       {"decomposition": "rts", "rts": "vrs"}),
                                      (["--kind", "biennial", "--rts", "vrs", "--undesirable", "b1"],
                                       {"kind": "biennial", "rts": "vrs", "undesirable": ["b1"]})])
def test_cli_equals_api(panel_csv, extra, kw):
    res = _run(["malmquist", str(panel_csv), *BASE, *extra])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", efficiency.SolveWarning)          # VRS cross-period infeasibilities
        api = efficiency.malmquist(_panel(), id="unit", period="year", inputs=["x1", "x2"], outputs=["y1"],
                                   **kw).to_frame()
    assert list(table.columns) == list(api.columns)          # id first, no index column
    assert list(table.columns[:6]) == ["unit", "period_from", "period_to", "malmquist", "effch", "techch"]
    assert (table["unit"] == api["unit"]).all() and len(table) == 6 * 2
    num = api.select_dtypes("number").columns
    np.testing.assert_allclose(table[num].to_numpy(float), api[num].to_numpy(float), rtol=1e-12, atol=1e-14)
    assert (table["status"] == api["status"]).all() and api["malmquist"].notna().sum() >= 3
    if "decomposition" in kw:
        assert (api.columns[6:11].tolist() == ["pech", "sech", "obtech", "ibtech", "matech"]) == \
            (kw["decomposition"] == "bias")


def test_cli_json_out(panel_csv, tmp_path):
    out = tmp_path / "m.json"
    res = _run(["malmquist", str(panel_csv), *BASE, "-o", str(out), "--summary"])
    assert res.exit_code == 0, res.output
    assert "Geometric means" in res.stderr
    frame = pd.read_json(out)
    assert frame.shape[0] == 12 and frame.columns[0] == "unit"


def test_cli_duplicate_unit_period(tmp_path):
    df = _panel()
    path = tmp_path / "dup.csv"
    pd.concat([df, df.iloc[[2]]], ignore_index=True).to_csv(path, index=False)
    res = _run(["malmquist", str(path), *BASE])
    assert res.exit_code == 1
    assert "dup.csv" in res.stderr and "'unit'" in res.stderr and "'year'" in res.stderr and "row 3" in res.stderr


def test_cli_non_numeric_period(tmp_path):
    df = _panel().astype({"year": object})
    df.loc[4, "year"] = "2001x"
    path = tmp_path / "p.csv"
    df.to_csv(path, index=False)
    res = _run(["malmquist", str(path), *BASE])
    assert res.exit_code == 1
    assert "column 'year', row 5" in res.stderr and "'2001x'" in res.stderr


def test_cli_bad_output_also_output(panel_csv):
    res = _run(["malmquist", str(panel_csv), *BASE, "--undesirable", "y1"])
    assert res.exit_code == 1
    assert res.stderr == f"error: {panel_csv}: column 'y1' is used as output and as undesirable output\n"
    res = _run(["dea", str(panel_csv), "--inputs", "x1,x2", "--outputs", "y1", "--undesirable", "y1",
                "--model", "ddf"])
    assert res.exit_code == 1
    assert res.stderr == f"error: {panel_csv}: column 'y1' is used as output and as undesirable output\n"


def test_cli_direction_wrong_length(panel_csv):
    res = _run(["dea", str(panel_csv), "--inputs", "x1,x2", "--outputs", "y1", "--undesirable", "b1",
                "--model", "ddf", "--direction", "1,1"])
    assert res.exit_code == 1
    assert res.stderr == ("error: direction: expected a vector of length 4 (inputs, outputs, undesirable outputs) "
                          "or an array of shape (18, 4), got shape (2,)\n")


def test_cli_usage_errors(panel_csv):
    assert _run(["malmquist", str(panel_csv), "--id", "unit", "--inputs", "x1", "--outputs", "y1"]).exit_code == 2
    assert _run(["malmquist", str(panel_csv), *BASE, "--kind", "chained"]).exit_code == 2
    res = _run(["malmquist", str(panel_csv), *BASE, "--base", "2001"])
    assert res.exit_code == 1
    assert res.stderr == "error: base: a base period is used only with kind='base', not kind='adjacent'\n"


def test_cli_decomposition_and_biennial_errors(panel_csv):
    assert _run(["malmquist", str(panel_csv), *BASE, "--decomposition", "fisher"]).exit_code == 2
    assert _run(["malmquist", str(panel_csv), *BASE, "--kind", "bienial"]).exit_code == 2
    res = _run(["malmquist", str(panel_csv), *BASE, "--decomposition", "rd"])
    assert res.exit_code == 1
    assert res.stderr.startswith("error: decomposition: 'rd' splits the CRS index into VRS technical change") and \
        "it needs rts='vrs', not rts='crs'" in res.stderr
    res = _run(["malmquist", str(panel_csv), *BASE, "--decomposition", "gl", "--rts", "vrs", "--tc-vrs"])
    assert res.exit_code == 1 and res.stderr.startswith("error: tc_vrs: measuring technical change on VRS frontiers "
                                                        "applies to decomposition 'fgnz' or 'bias', not 'gl'")
    res = _run(["malmquist", str(panel_csv), *BASE, "--tc-vrs"])
    assert res.exit_code == 1 and "tc_vrs: technical change on VRS frontiers needs rts='vrs'" in res.stderr
    res = _run(["malmquist", str(panel_csv), *BASE, "--kind", "biennial", "--base", "2001"])
    assert res.exit_code == 1
    assert res.stderr == "error: base: a base period is used only with kind='base', not kind='biennial'\n"
    res = _run(["malmquist", str(panel_csv), *BASE, "--decomposition", "bias", "--kind", "global"])
    assert res.exit_code == 1 and "kind='adjacent' or 'sequential', not kind='global'" in res.stderr


def test_cli_adjacent_malmquist_luenberger_warning_explains_infeasible_rows():
    """The industry columns of the sample panel: with a bad output, 28 of the 248 adjacent-period rows have
    an infeasible cross-period LP (weak disposability); the global index has none."""
    from pathlib import Path

    data = str(Path(__file__).resolve().parents[1] / "sample_data" / "provinces.csv")
    args = ["malmquist", data, "--id", "province", "--period", "year", "--inputs",
            "industrial_investment,energy_consumption", "--outputs", "high_tech_output,advanced_structure_share",
            "--undesirable", "co2_emissions"]
    res = _run(args)
    assert res.exit_code == 0
    assert res.stderr == (
        "warning: Malmquist-Luenberger: 28 of 248 rows have an LP without an optimum (28 infeasible): each is a "
        "cross-period LP (one period's data against the adjacent period's technology), infeasible because the data "
        "lie outside that technology (common with bad outputs under weak disposability); kind='global' (one "
        "technology of all periods, which holds every observation) has none; their values are NaN where it enters "
        "and `status` says why\n")
    table = pd.read_csv(io.StringIO(res.stdout))
    assert (table["status"] == "infeasible").sum() == 28 and table["malmquist"].isna().sum() == 28
    assert table[["d_from_from", "d_to_to"]].notna().all().all()              # own-period LPs all solved
    for kind in ("global", "biennial"):            # neither has an infeasible LP
        res = _run(args + ["--kind", kind])
        assert res.exit_code == 0 and res.stderr == ""
        table = pd.read_csv(io.StringIO(res.stdout))
        assert len(table) == 248 and (table["status"] == "optimal").all() and table["malmquist"].notna().all()
        assert f"d_from_{kind}" in table.columns
