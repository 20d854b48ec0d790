"""The benchmark suite's data generators and ``efficiency bench`` (no timing assertions: timing lives
in benchmarks/, never in tests)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from benchmarks import data, suite
from benchmarks.suite import COLUMNS
from cli import main
from solvers import screening

DOCUMENTED = ("n", "m", "s", "rts", "backend", "median_s", "repeats", "ratio", "ratio_reference",
              "max_abs_diff_scores", "max_rel_diff_slack_sums", "frame_size", "frame_s", "peak_rss_mib", "status")


def _scaled(X, Y):
    return np.hstack([X / X.mean(0), Y / Y.mean(0)])


@pytest.mark.parametrize("n,m,s", [(1, 1, 1), (50, 3, 2), (400, 5, 4)])
def test_cobb_douglas_shapes_positive_reproducible(n, m, s):
    X, Y = data.cobb_douglas(n, m, s, seed=7)
    assert X.shape == (n, m) and Y.shape == (n, s)
    assert np.all(X > 0) and np.all(Y > 0) and np.all(np.isfinite(X)) and np.all(np.isfinite(Y))
    X2, Y2 = data.cobb_douglas(n, m, s, seed=7)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)
    X3, _ = data.cobb_douglas(n, m, s, seed=8)
    assert not np.array_equal(X, X3)


def test_cobb_douglas_inefficiency():
    """Outputs below the Cobb-Douglas frontier by exp(-u), u half-normal (scale 0.3)."""
    X, Y = data.cobb_douglas(20_000, 3, 2, seed=1)
    r = data.CD_RETURNS
    # ln ||y||_2 = a'ln x - u: the fitted elasticities sum to the returns to scale, and the residual
    # (-u, centred) is skewed to the left.
    lnq = np.log(np.linalg.norm(Y, axis=1))
    A = np.hstack([np.log(X), np.ones((X.shape[0], 1))])
    coef = np.linalg.lstsq(A, lnq, rcond=None)[0]
    assert abs(coef[:3].sum() - r) < 0.02
    resid = lnq - A @ coef
    assert np.mean(resid ** 3) < 0


@pytest.mark.parametrize("m,s", [(2, 3), (5, 5), (7, 8), (10, 10)])
@pytest.mark.parametrize("share", [0.01, 0.1, 0.25])
def test_dula_vrs_frame_is_the_planted_efficient_set(m, s, share):
    n = 300
    X, Y, eff = data.dula(n, m, s, share, seed=3)
    assert X.shape == (n, m) and Y.shape == (n, s)
    assert np.all(X > 0) and np.all(Y > 0)
    assert eff.size == round(share * n)
    frame = screening.frame(_scaled(X, Y), m, crs=False)
    assert np.array_equal(np.sort(frame), eff)
    # CRS: the extreme rays are a subset of the VRS frame
    assert set(screening.frame(_scaled(X, Y), m, crs=True)) <= set(eff.tolist())


def test_dula_interior_points_are_dominated_by_at_least_one_percent():
    """Every interior DMU scores at most 1/1.01 (input-oriented VRS) - checked with HiGHS."""
    import efficiency

    X, Y, eff = data.dula(200, 2, 3, 0.1, seed=5)
    r = efficiency.dea(inputs=X, outputs=Y, rts="vrs", solver="highs", slacks=False)
    scores = r.scores.to_numpy()
    inner = np.setdiff1d(np.arange(200), eff)
    assert np.allclose(scores[eff], 1.0, atol=1e-9)
    assert scores[inner].max() <= 1 / 1.01 + 1e-9


def test_dula_reproducible_and_share_bounds():
    a = data.dula(500, 5, 5, 0.1, seed=11)
    b = data.dula(500, 5, 5, 0.1, seed=11)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert data.dula(10, 2, 2, 0.001, seed=0)[2].size == 1        # at least one frontier DMU
    assert data.dula(10, 2, 2, 1.0, seed=0)[2].size == 10
    with pytest.raises(ValueError):
        data.dula(10, 2, 2, 0.0, seed=0)


def test_bench_quick_cli(tmp_path):
    out = tmp_path / "bench"
    res = CliRunner().invoke(main, ["bench", "--quick", "--solvers", "numba,highs", "--repeats", "1",
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    md, csv_path = out / "standard.md", out / "standard.csv"
    assert md.is_file() and csv_path.is_file()
    assert res.output.endswith(md.read_text(encoding="utf-8"))      # the table printed is the one written
    assert "| n | m | s | rts | backend | median s |" in res.output
    assert "- threads: numba core" in res.output
    with open(csv_path, newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames[:len(DOCUMENTED)]) == DOCUMENTED
        assert tuple(reader.fieldnames) == COLUMNS
        rows = list(reader)
    assert {int(r["n"]) for r in rows} == {100, 1000}
    assert {r["rts"] for r in rows} == {"crs", "vrs"}
    numba = [r for r in rows if r["backend"] == "numba"]
    assert len(numba) == 4
    for r in numba:
        assert r["status"] == "ok", r
        assert r["ratio_reference"] == "highs" and r["check_reference"] == "highs"
        assert float(r["max_abs_diff_scores"]) <= 1e-6
        assert float(r["max_rel_diff_slack_sums"]) <= 1e-6
        assert int(r["frame_size"]) > 0 and float(r["peak_rss_mib"]) > 0
    assert all(r["status"] == "ok" for r in rows if r["backend"] == "highs")


def test_bench_without_out_leaves_the_committed_tables_alone(tmp_path, monkeypatch):
    committed = {p.name: p.read_bytes() for p in Path(suite.DEFAULT_OUT).glob("standard.*")}
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["bench", "--n", "60", "--rts", "crs", "--solvers", "numba", "--repeats", "1"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "efficiency-bench" / "standard.md").is_file()
    assert {p.name: p.read_bytes() for p in Path(suite.DEFAULT_OUT).glob("standard.*")} == committed


def test_large_cases_are_checked_on_an_independent_sample(tmp_path, monkeypatch):
    """From SAMPLE_FROM up every backend - highs+screen too - is checked against plain HiGHS on a
    random sample of DMUs scored against all of them, not against another screened run."""
    monkeypatch.setattr(suite, "SAMPLE_FROM", 150)
    monkeypatch.setattr(suite, "SAMPLE", 40)
    suite.run("standard", n="200", rts="vrs", solvers="numba,highs+screen", repeats=1, out=tmp_path)
    with open(tmp_path / "standard.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["backend"] for r in rows] == ["highs+screen", "numba"]
    for r in rows:
        assert r["check_reference"] == "sample (highs, 40 of 200 DMUs against all, no screening)", r
        assert r["ratio_reference"] == "highs+screen"
        assert float(r["max_abs_diff_scores"]) <= 1e-6 and float(r["max_rel_diff_slack_sums"]) <= 1e-6


def test_bench_rejects_unknown_backend(tmp_path):
    res = CliRunner().invoke(main, ["bench", "--quick", "--solvers", "gurobi", "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "unknown backend" in res.output


def test_models_rows(tmp_path):
    """The SBM and Malmquist rows: every case ran, the default agrees with the reference backend."""
    from benchmarks import models

    assert models.main(["--n", "80", "--periods", "2", "--ref-n", "40", "--repeats", "1", "--out", str(tmp_path)]) == 0
    with open(tmp_path / "models.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["model"].split()[0], r["rts"]) for r in rows] == [("sbm", "crs"), ("sbm", "vrs"),
                                                                 ("malmquist", "crs"), ("malmquist", "vrs")]
    for r in rows:
        assert float(r["max_abs_diff"]) < 1e-6
        assert float(r["median_s"]) > 0 and float(r["reference_s"]) > 0
    assert "| sbm (non-oriented) | 80 |" in (tmp_path / "models.md").read_text()


def test_sfa_benchmark_runs_and_agrees():
    """The SFA benchmark (small n): both routes reach the same maximum; the report has the ratio."""
    from benchmarks import sfa
    df = sfa.make_data(3000, seed=4)
    y = np.log(df["y"].to_numpy())
    X = np.column_stack([np.ones(len(df)), np.log(df[[f"x{j}" for j in range(1, 6)]].to_numpy())])
    llf, nfev = sfa.scipy_route(y, X, sfa.als_loglik)
    import efficiency as ef
    s = ef.sfa(df, output="y", inputs=[f"x{j}" for j in range(1, 6)])
    assert s.llf == pytest.approx(llf, abs=1e-5)
    assert nfev > 9
    text = sfa.run(3000, seed=4, repeat=1)
    assert "ratio scipy / ours:" in text and f"llf {s.llf:.6f}" in text
