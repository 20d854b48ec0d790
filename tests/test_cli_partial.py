"""``efficiency partial``: tables equal to the API, options, output formats, exit codes (1 for bad
data or options, 2 for usage errors)."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import efficiency as ef
from cli import main


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(3)
    n = 25
    x1, x2 = rng.uniform(1, 10, n), rng.uniform(1, 10, n)
    df = pd.DataFrame({"firm": [f"f{i:02d}" for i in range(n)], "x1": x1, "x2": x2,
                       "y": np.sqrt(x1 * x2) * rng.uniform(0.5, 1.0, n)})
    path = tmp_path / "firms.csv"
    df.to_csv(path, index=False)
    return path, df


def _run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_order_m_table_equals_api(csv_file):
    path, df = csv_file
    res = _run(["partial", path, "--id", "firm", "--inputs", "x1,x2", "--outputs", "y", "--m", 5, "--B", 50,
                "--seed", 7])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    assert list(table.columns) == ["firm", "efficiency", "status", "farrell", "std_error", "n_dominating"]
    api = ef.partial_frontier(df, id="firm", inputs=["x1", "x2"], outputs=["y"], m=5, B=50, seed=7)
    assert list(table["firm"]) == list(df["firm"])
    np.testing.assert_allclose(table["efficiency"], api.scores.to_numpy(), rtol=1e-14)
    np.testing.assert_allclose(table["std_error"], api.std_error.to_numpy(), rtol=1e-14)
    assert (table["status"] == "optimal").all()


def test_exact_output_orientation_json_and_summary(csv_file, tmp_path):
    path, df = csv_file
    out = tmp_path / "res.json"
    res = _run(["partial", path, "--id", "firm", "--inputs", "x1,x2", "--outputs", "y", "--B", "exact",
                "--m", 3, "--orientation", "output", "-o", out, "--summary"])
    assert res.exit_code == 0, res.output
    rows = json.loads(out.read_text())
    api = ef.partial_frontier(df, id="firm", inputs="x1,x2", outputs="y", m=3, B=None, orientation="output")
    assert [r["firm"] for r in rows] == list(df["firm"])
    np.testing.assert_allclose([r["farrell"] for r in rows], api.farrell.to_numpy(), rtol=1e-14)
    assert "std_error" not in rows[0]
    assert "Order-m" in res.stderr and "exact (B = None)" in res.stderr and "output orientation" in res.stderr


def test_order_alpha_and_fdh_limit(csv_file):
    path, df = csv_file
    res = _run(["partial", path, "--id", "firm", "--inputs", "x1,x2", "--outputs", "y", "--method",
                "order-alpha", "--alpha", "1"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    fdh = ef.dea(df, id="firm", inputs=["x1", "x2"], outputs=["y"], model="fdh").scores.to_numpy()
    np.testing.assert_allclose(table["efficiency"], fdh, rtol=1e-15)
    assert list(table.columns) == ["firm", "efficiency", "status", "farrell", "n_dominating"]


def test_without_id_rows_are_numbered(csv_file):
    path, _ = csv_file
    res = _run(["partial", path, "--inputs", "x1", "--outputs", "y", "--method", "order-alpha", "--alpha", "0.9"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    assert table.columns[0] == "row" and list(table["row"]) == list(range(1, 26))


@pytest.mark.parametrize("args, code, text", [
    (["--m", "0"], 1, "m: must be an integer >= 1"),
    (["--method", "order-alpha", "--alpha", "1.5"], 1, "alpha: must be in (0, 1]"),
    (["--B", "many"], 2, "neither a positive integer nor 'exact'"),
    (["--B", "0"], 2, "at least 1"),
    (["--method", "order-beta"], 2, "order-beta"),
    (["--orientation", "graph"], 2, "graph"),
])
def test_bad_options(csv_file, args, code, text):
    path, _ = csv_file
    res = _run(["partial", path, "--id", "firm", "--inputs", "x1,x2", "--outputs", "y", *args])
    assert res.exit_code == code, res.output
    assert text in res.output


def test_bad_data_exit_1(csv_file, tmp_path):
    path, df = csv_file
    bad = df.copy()
    bad.loc[3, "x2"] = 0.0
    p = tmp_path / "bad.csv"
    bad.to_csv(p, index=False)
    res = _run(["partial", p, "--id", "firm", "--inputs", "x1,x2", "--outputs", "y"])
    assert res.exit_code == 1
    assert "column 'x2'" in res.stderr and "line 5" in res.stderr and "'f03'" in res.stderr
    res = _run(["partial", path, "--id", "firm", "--inputs", "x9", "--outputs", "y"])
    assert res.exit_code == 1 and "unknown input column 'x9'" in res.stderr
