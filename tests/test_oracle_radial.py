"""Radial and FDH DEA against the external oracle (R Benchmarking 0.33 and deaR 1.5.3).

The oracle folder is found only through the session fixture ``oracle`` (tests/conftest.py); its
README explains the file formats and the caveats quoted below. Data-set specifications (data file,
id, inputs, outputs) live in ``tests/oracle_specs.py``. The per-data-set tests are parametrised over
every spec: the data sets of ``REFERENCED`` against ``ref/<package>/<data set>/``, those of ``BLIND``
(references kept back) against LPs written here with scipy's linprog (section 5). A reference folder
without a spec, or one for a blind data set, makes a test of section 0 fail.

Reference rows are in data order for every data set, so they are compared by position, after checking
that the row count and the DMU labels match the data.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import efficiency as ef
from oracle_specs import BLIND, PACKAGES, REFERENCED, SPECS, load_dataset, reference_folders, reference_labels, spec

DATASETS = sorted(SPECS)

#: Tolerances (README "Suggested tolerances"; tighter where our own exact checks allow).
SCORE_TOL = 1e-6        # LP-based scores, absolute
GRAPH_TOL = 1e-5        # Benchmarking's graph efficiency comes from bisection (errors up to ~5e-6 seen)
SQRT_TOL = 1e-10        # our CRS graph G against sqrt(our CRS theta)
SLACK_RTOL = 1e-5       # slack sums, relative to max(1, |reference|)
FEAS_RTOL = 1e-7        # feasibility of projections / lambdas, relative
FRONTIER_STEP = 1e-7    # relative step around G for the frontier check of VRS graph efficiency
DEAP_TOL = 5e-4         # DEAP 2.1 prints 3 decimals

RTS_ALL = ("crs", "vrs", "nirs", "ndrs")
ORIENT = {"in": "input", "out": "output", "io": "input", "oo": "output"}
#: Data sets on which the VRS graph efficiency is checked with an independent LP (blind ones included).
GRAPH_FRONTIER_SETS = ("Fried1993", "Golany_Roll_1989", "Electric_plants") + BLIND
#: Data sets compared with the independent LPs of section 5: the blind ones, and Doyle_Green_1994 (zero
#: outputs; its references agree with ours, so the independent LPs are checked against R there too).
INDEPENDENT_SETS = BLIND + ("Doyle_Green_1994",)
SAMPLE = 12             # DMUs per data set in the independent checks (all of them in smaller sets)


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------

class Runner:
    """Loads data sets and caches DEA runs for the whole session (every run is deterministic)."""

    def __init__(self, oracle: Path):
        self.oracle = oracle
        self._data: dict = {}
        self._runs: dict = {}

    def data(self, ds: str):
        if ds not in self._data:
            self._data[ds] = load_dataset(self.oracle, ds)
        return self._data[ds]

    def arrays(self, ds: str) -> tuple[np.ndarray, np.ndarray]:
        df, _, inputs, outputs = self.data(ds)
        return df[inputs].to_numpy(dtype=float), df[outputs].to_numpy(dtype=float)

    def dea(self, ds: str, model: str = "radial", rts: str = "crs", orientation: str = "input",
            scale: bool = False):
        key = (ds, model, rts, orientation, scale)
        if key not in self._runs:
            df, id_, inputs, outputs = self.data(ds)
            self._runs[key] = ef.dea(df, id=id_, inputs=inputs, outputs=outputs, model=model, rts=rts,
                                     orientation=orientation, scale=scale)
        return self._runs[key]


@pytest.fixture(scope="session")
def runner(oracle) -> Runner:
    return Runner(oracle)


def ref_folder(oracle: Path, pkg: str, ds: str) -> Path:
    """``ref/<package>/<ds>``, which must exist (``ds`` is one of ``REFERENCED``)."""
    folder = oracle / "ref" / PACKAGES[pkg] / ds
    assert folder.is_dir(), f"{ds}: the reference folder {folder} is missing from the oracle"
    return folder


def read_ref(oracle: Path, pkg: str, ds: str, name: str) -> pd.DataFrame:
    """A per-DMU reference table, after checking its row count and DMU labels against the data."""
    path = ref_folder(oracle, pkg, ds) / name
    assert path.is_file(), f"{ds}: expected reference file {path} is missing"
    ref = pd.read_csv(path, dtype={"dmu": str})
    labels = reference_labels(oracle, ds)
    assert len(ref) == len(labels), (f"{ds} {pkg}/{name}: {len(ref)} reference rows, but the data set "
                                     f"has {len(labels)} DMUs")
    wrong = [(i + 1, a, b) for i, (a, b) in enumerate(zip(ref["dmu"], labels)) if a != b]
    assert not wrong, (f"{ds} {pkg}/{name}: reference rows not in data order (row, reference label, "
                       f"data label): {wrong[:5]}")
    return ref


def compare(ds: str, what: str, labels, ours, ref, tol: float) -> list[str]:
    """Messages for every DMU where |ours - ref| > tol (NaN on either side counts as a mismatch)."""
    ours = np.asarray(ours, dtype=float)
    ref = np.asarray(ref, dtype=float)
    assert ours.shape == ref.shape, f"{ds} {what}: {ours.shape[0]} values of ours, {ref.shape[0]} reference"
    diff = np.abs(ours - ref)
    bad = np.flatnonzero(~(diff <= tol))
    return [f"{ds} {what}, DMU {labels[i]!r} (row {i + 1}): ours {ours[i]!r}, reference {ref[i]!r}, "
            f"|diff| {diff[i]:.3g} > {tol:g}" for i in bad]


def compare_rel(ds: str, what: str, labels, ours, ref, rtol: float) -> list[str]:
    """Messages for every DMU where |ours - ref| > rtol * max(1, |ref|)."""
    ours = np.asarray(ours, dtype=float)
    ref = np.asarray(ref, dtype=float)
    rel = np.abs(ours - ref) / np.maximum(1.0, np.abs(ref))
    return [f"{ds} {what}, DMU {labels[i]!r} (row {i + 1}): ours {ours[i]!r}, reference {ref[i]!r}, "
            f"relative diff {rel[i]:.3g} > {rtol:g}" for i in np.flatnonzero(~(rel <= rtol))]


def report(problems: list[str], limit: int = 40) -> str:
    more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{len(problems)} problem(s):\n" + "\n".join(problems[:limit]) + more


def radial_columns(suffixes: tuple[str, str]) -> list[tuple[str, str, str, str]]:
    """(column, model, rts, orientation) of the radial/FDH columns of a radial.csv."""
    cols = []
    for kind in (*RTS_ALL, "fdh"):
        for suf in suffixes:
            model, rts = ("fdh", "crs") if kind == "fdh" else ("radial", kind)
            cols.append((f"{kind}_{suf}", model, rts, ORIENT[suf]))
    return cols


def scaled_slack_sets(oracle: Path) -> dict[str, bool]:
    table = pd.read_csv(oracle / "ref" / "dea_benchmarking" / "slack_phase2_scaling.csv")
    return {str(d): str(v).upper() == "TRUE" for d, v in zip(table["dataset"], table["slack_phase2_scaled"])}


def rts_ok(total: float, rts: str, tol: float) -> bool:
    return {"crs": True, "vrs": abs(total - 1) <= tol, "nirs": total <= 1 + tol,
            "ndrs": total >= 1 - tol}[rts]


def long_lambdas(ref: pd.DataFrame, labels: list[str]) -> tuple[dict[int, np.ndarray], list[str]]:
    """Dense reference lambda vectors by DMU position, from a long (dmu, peer, lambda) table.

    Only DMUs whose label, and every peer label, is unique in the data can be placed; the labels of
    the others are returned (charnes1981 labels its DMUs by a ``name`` column with duplicates).
    """
    pos: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        pos.setdefault(lab, []).append(i)
    unknown = sorted(set(ref["dmu"]) - set(pos)) + sorted(set(ref["peer"]) - set(pos))
    assert not unknown, f"lambda file names DMUs not in the data: {unknown[:5]}"
    dense: dict[int, np.ndarray] = {}
    skipped = set()
    for dmu, rows in ref.groupby("dmu", sort=False):
        peers_unique = all(len(pos[p]) == 1 for p in rows["peer"])
        if len(pos[dmu]) != 1 or not peers_unique:
            skipped.add(dmu)
            continue
        vec = np.zeros(len(labels))
        for p, lam in zip(rows["peer"], rows["lambda"]):
            vec[pos[p][0]] += lam
        dense[pos[dmu][0]] = vec
    return dense, sorted(skipped)


# ------------------------------------------------------------------------------------------------
# 0. The specs cover the oracle
# ------------------------------------------------------------------------------------------------

def test_every_reference_folder_has_a_spec(oracle):
    folders = reference_folders(oracle)
    assert folders["benchmarking"] and folders["deaR"], f"no data-set folders under {oracle / 'ref'}"
    missing = sorted({f"{pkg}/{ds}" for pkg, names in folders.items() for ds in names if ds not in SPECS})
    assert not missing, ("reference folders without a data-set spec in tests/oracle_specs.py (add one "
                         f"line per data set to SPECS): {missing}")


def _pytest_on_one_oracle_test(tmp_path: Path, setting: str | None) -> subprocess.CompletedProcess:
    """Run pytest, in a subprocess, on a checkout holding tests/conftest.py and one test that needs the
    oracle, with EFFICIENCY_ORACLE set to ``setting`` (None: unset). ``tmp_path`` has no shared/oracle
    unless the caller makes one."""
    tests = tmp_path / "checkout" / "tests"
    tests.mkdir(parents=True)
    shutil.copy(Path(__file__).with_name("conftest.py"), tests / "conftest.py")
    (tests / "test_one.py").write_text("def test_needs_oracle(oracle):\n    assert (oracle / 'ref').is_dir()\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EFFICIENCY_ORACLE", "PYTEST_"))}
    if setting is not None:
        env["EFFICIENCY_ORACLE"] = setting
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q",
                           "--color=yes", "tests"], cwd=tests.parent, env=env, capture_output=True, text=True,
                          timeout=300)


RED = "\x1b[31m"


def test_missing_oracle_fails_and_says_how_to_point_at_it(tmp_path):
    proc = _pytest_on_one_oracle_test(tmp_path, None)
    assert proc.returncode == 1, proc.stdout
    assert (f"the external oracle was not found: EFFICIENCY_ORACLE is not set and {tmp_path / 'shared' / 'oracle'} "
            "does not exist. Point EFFICIENCY_ORACLE at the oracle folder") in proc.stdout
    assert "or set EFFICIENCY_ORACLE=skip to run the other tests without it" in proc.stdout
    assert f"{RED}\x1b[1m= 1 oracle test FAILED: the external oracle was not found" in proc.stdout
    assert "1 error" in proc.stdout and "passed" not in proc.stdout


def test_oracle_skip_is_explicit_and_reported_in_red(tmp_path):
    proc = _pytest_on_one_oracle_test(tmp_path, "skip")
    assert proc.returncode == 0, proc.stdout
    assert f"{RED}\x1b[1m= 1 oracle test SKIPPED (EFFICIENCY_ORACLE=skip): the comparisons with R" in proc.stdout
    assert "1 skipped" in proc.stdout


def test_oracle_found_through_the_variable_or_beside_the_checkout(tmp_path):
    fake = tmp_path / "elsewhere"
    (fake / "ref").mkdir(parents=True)
    (fake / "data").mkdir()
    proc = _pytest_on_one_oracle_test(tmp_path / "a", str(fake))
    assert proc.returncode == 0 and "1 passed" in proc.stdout and "oracle test" not in proc.stdout, proc.stdout
    proc = _pytest_on_one_oracle_test(tmp_path / "b", str(tmp_path / "nowhere"))
    assert proc.returncode == 1
    assert f"EFFICIENCY_ORACLE={tmp_path / 'nowhere'} does not hold the oracle (no data/ and ref/" in proc.stdout
    beside = tmp_path / "c" / "shared" / "oracle"
    (beside / "ref").mkdir(parents=True)
    (beside / "data").mkdir()
    proc = _pytest_on_one_oracle_test(tmp_path / "c", None)
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout


def test_blind_datasets_have_no_reference_folder(oracle):
    """The static split REFERENCED / BLIND matches the oracle: a blind data set whose references appear
    must move to REFERENCED (so the reference tests compare with them), and every referenced data set
    has both folders."""
    folders = reference_folders(oracle)
    appeared = sorted(f"{pkg}/{ds}" for pkg, names in folders.items() for ds in names if ds in BLIND)
    assert not appeared, (f"the oracle now holds references for {appeared}: remove these data sets from BLIND "
                          "in tests/oracle_specs.py so that the reference tests compare with them")
    missing = sorted(f"{pkg}/{ds}" for pkg, names in folders.items() for ds in REFERENCED if ds not in names)
    assert not missing, f"reference folders missing from the oracle: {missing}"


@pytest.mark.parametrize("ds", DATASETS)
def test_spec_columns_exist(oracle, ds):
    df, id_, inputs, outputs = load_dataset(oracle, ds)
    missing = [c for c in [id_, *inputs, *outputs, spec(ds).label] if c not in df.columns]
    assert not missing, f"{ds}: columns {missing} of the spec are not in data/{spec(ds).file}"
    assert len(df) >= 2, f"{ds}: only {len(df)} rows after the spec's row filter {spec(ds).where}"
    assert df[id_].is_unique, f"{ds}: id column {id_!r} has duplicates"


# ------------------------------------------------------------------------------------------------
# 1. Radial and FDH scores (radial.csv)
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ds", REFERENCED)
def test_radial_benchmarking(oracle, runner, ds):
    ref = read_ref(oracle, "benchmarking", ds, "radial.csv")
    labels = list(ref["dmu"])
    _, Y = runner.arrays(ds)
    zero_output = (Y == 0).any(axis=1)
    deaR_path = oracle / "ref" / "dea_deaR" / ds / "radial.csv"
    problems: list[str] = []
    for col, model, rts, orientation in radial_columns(("in", "out")):
        assert col in ref.columns, f"{ds} benchmarking/radial.csv: column {col} missing"
        ours = runner.dea(ds, model, rts, orientation).farrell.to_numpy()
        refv = ref[col].to_numpy(dtype=float)
        empty = np.isnan(refv)
        # Caveat 3: Benchmarking's FDH output enumeration gives NA (0/0) for a unit with a zero output.
        explained = empty & zero_output if col == "fdh_out" else np.zeros_like(empty)
        problems += [f"{ds} benchmarking {col}, DMU {labels[i]!r}: empty reference cell that the README "
                     f"does not explain (ours {ours[i]!r})" for i in np.flatnonzero(empty & ~explained)]
        keep = ~empty
        problems += compare(ds, f"benchmarking {col} vs farrell", np.asarray(labels)[keep], ours[keep],
                            refv[keep], SCORE_TOL)
        if explained.any():
            # There deaR gives the LP value, and ours must equal deaR.
            assert deaR_path.is_file(), f"{ds}: fdh_out empty in Benchmarking, and no deaR radial.csv to check"
            deaR = pd.read_csv(deaR_path, dtype={"dmu": str})["fdh_oo"].to_numpy(dtype=float)
            problems += compare(ds, "fdh_out (Benchmarking empty, caveat 3) vs deaR fdh_oo",
                                np.asarray(labels)[explained], ours[explained], deaR[explained], SCORE_TOL)
    assert not problems, report(problems)


@pytest.mark.parametrize("ds", REFERENCED)
def test_radial_deaR(oracle, runner, ds):
    ref = read_ref(oracle, "deaR", ds, "radial.csv")
    labels = list(ref["dmu"])
    problems: list[str] = []
    for col, model, rts, orientation in radial_columns(("io", "oo")):
        assert col in ref.columns, f"{ds} deaR/radial.csv: column {col} missing"
        ours = runner.dea(ds, model, rts, orientation).farrell.to_numpy()
        problems += compare(ds, f"deaR {col} vs farrell", labels, ours, ref[col], SCORE_TOL)
    assert not problems, report(problems)


@pytest.mark.parametrize("ds", REFERENCED)
def test_scale_efficiency(oracle, runner, ds):
    """scale_in = crs_in / vrs_in; scale_out = vrs_out / crs_out (Farrell) = our score_crs / score_vrs."""
    ref = read_ref(oracle, "benchmarking", ds, "radial.csv")
    labels = list(ref["dmu"])
    problems: list[str] = []
    for col, orientation in (("scale_in", "input"), ("scale_out", "output")):
        r = runner.dea(ds, "radial", "crs", orientation, scale=True)
        assert r.scale_efficiency is not None, f"{ds}: scale=True gave no scale_efficiency ({orientation})"
        problems += compare(ds, f"benchmarking {col} vs scale_efficiency", labels,
                            r.scale_efficiency.to_numpy(), ref[col], SCORE_TOL)
        classes = set(r.rts_class.dropna())
        assert classes <= {"constant", "decreasing", "increasing"}, f"{ds} {col}: rts_class values {classes}"
    assert not problems, report(problems)


@pytest.mark.parametrize("ds", REFERENCED)
def test_graph_efficiency(oracle, runner, ds):
    ref = read_ref(oracle, "benchmarking", ds, "radial.csv")
    labels = list(ref["dmu"])
    problems: list[str] = []
    for rts in ("crs", "vrs"):
        ours = runner.dea(ds, "radial", rts, "graph").farrell.to_numpy()
        problems += compare(ds, f"benchmarking {rts}_graph vs farrell (bisection reference)", labels, ours,
                            ref[f"{rts}_graph"], GRAPH_TOL)
    # Exact: under CRS, G = sqrt(theta).
    theta = runner.dea(ds, "radial", "crs", "input").farrell.to_numpy()
    G = runner.dea(ds, "radial", "crs", "graph").farrell.to_numpy()
    problems += compare(ds, "our crs graph G vs sqrt(our crs input theta)", labels, G, np.sqrt(theta), SQRT_TOL)
    # Under VRS, (G x, y/G) feasible implies (G x, y) and (x, y/G) feasible: max(theta, 1/phi) <= G <= 1.
    G = runner.dea(ds, "radial", "vrs", "graph").farrell.to_numpy()
    theta = runner.dea(ds, "radial", "vrs", "input").farrell.to_numpy()
    phi = runner.dea(ds, "radial", "vrs", "output").farrell.to_numpy()
    low = np.maximum(theta, 1.0 / phi)
    problems += [f"{ds} our vrs graph, DMU {labels[i]!r}: G = {G[i]!r} is not in [max(theta, 1/phi), 1] = "
                 f"[{low[i]!r}, 1]" for i in np.flatnonzero(~((G >= low - FRONTIER_STEP) & (G <= 1 + 1e-12)))]
    assert not problems, report(problems)


def _vrs_feasible(Xs: np.ndarray, Ys: np.ndarray, x: np.ndarray, y: np.ndarray) -> bool:
    """Is (x, y) in the VRS technology of the rows (Xs, Ys)? (independent scipy/HiGHS feasibility LP)"""
    n = Xs.shape[0]
    res = linprog(np.zeros(n), A_ub=np.vstack([Xs.T, -Ys.T]), b_ub=np.concatenate([x, -y]),
                  A_eq=np.ones((1, n)), b_eq=[1.0], bounds=(0, None), method="highs",
                  options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    assert res.status in (0, 2), f"feasibility LP ended with status {res.status}: {res.message}"
    return res.status == 0


@pytest.mark.parametrize("ds", GRAPH_FRONTIER_SETS)
def test_vrs_graph_on_frontier(runner, ds):
    """(G(1+d) x, y / (G(1+d))) is in the VRS technology and (G(1-d) x, y / (G(1-d))) is not."""
    X, Y = runner.arrays(ds)
    mx, my = X.mean(axis=0), Y.mean(axis=0)
    Xs, Ys = X / mx, Y / my
    r = runner.dea(ds, "radial", "vrs", "graph")
    problems: list[str] = []
    for i in sample(len(X)):
        label, G = r.farrell.index[i], r.farrell.iloc[i]
        assert np.isfinite(G) and 0 < G <= 1 + 1e-12, f"{ds} vrs graph, DMU {label!r}: G = {G}"
        up, down = G * (1 + FRONTIER_STEP), G * (1 - FRONTIER_STEP)
        if not _vrs_feasible(Xs, Ys, up * Xs[i], Ys[i] / up):
            problems.append(f"{ds} vrs graph, DMU {label!r}: G = {G!r}, but (G(1+1e-7) x, y/(G(1+1e-7))) "
                            "is not in the VRS technology (G too small)")
        if _vrs_feasible(Xs, Ys, down * Xs[i], Ys[i] / down):
            problems.append(f"{ds} vrs graph, DMU {label!r}: G = {G!r}, but (G(1-1e-7) x, y/(G(1-1e-7))) "
                            "is still in the VRS technology (G too large)")
    assert not problems, report(problems)


# ------------------------------------------------------------------------------------------------
# 2. Slacks (slacks_{crs,vrs}_{in,out}.csv, slacks_{crs,vrs}_{io,oo}.csv) and projections
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ds", REFERENCED)
@pytest.mark.parametrize("pkg", sorted(PACKAGES))
def test_slacks(oracle, runner, pkg, ds):
    ref_folder(oracle, pkg, ds)
    scaled = False
    if pkg == "benchmarking":
        flags = scaled_slack_sets(oracle)
        assert ds in flags, f"{ds} is not listed in ref/dea_benchmarking/slack_phase2_scaling.csv"
        scaled = flags[ds]
    suffixes = ("in", "out") if pkg == "benchmarking" else ("io", "oo")
    problems: list[str] = []
    for rts in ("crs", "vrs"):
        for suf in suffixes:
            name = f"slacks_{rts}_{suf}.csv"
            ref = read_ref(oracle, pkg, ds, name)
            labels = list(ref["dmu"])
            r = runner.dea(ds, "radial", rts, ORIENT[suf])
            problems += compare(ds, f"{pkg}/{name} eff vs farrell", labels, r.farrell, ref["eff"], SCORE_TOL)
            ours = r.slacks.sum(axis=1).to_numpy()
            if not scaled:
                problems += compare_rel(ds, f"{pkg}/{name} slack_sum", labels, ours, ref["slack_sum"], SLACK_RTOL)
                continue
            # Caveat 1: Benchmarking maximised mean-normalised slacks on this data set; ours maximises the
            # raw sum, so ours can only be larger. deaR (raw units) is the exact reference there.
            refsum = ref["slack_sum"].to_numpy(dtype=float)
            low = np.flatnonzero(~(ours >= refsum - SLACK_RTOL * np.maximum(1.0, np.abs(refsum))))
            problems += [f"{ds} {pkg}/{name} slack_sum (Benchmarking rescaled), DMU {labels[i]!r}: ours "
                         f"{ours[i]!r} < Benchmarking's {refsum[i]!r}" for i in low]
            deaR_name = f"slacks_{rts}_{'io' if suf == 'in' else 'oo'}.csv"
            deaR = read_ref(oracle, "deaR", ds, deaR_name)
            problems += compare_rel(ds, f"slack_sum vs deaR/{deaR_name} (Benchmarking rescaled)", labels,
                                    ours, deaR["slack_sum"], SLACK_RTOL)
    assert not problems, report(problems)


@pytest.mark.parametrize("ds", DATASETS)
def test_projection_in_technology(oracle, runner, ds):
    """Targets are theta*x - s_x, y + s_y (input) or x - s_x, phi*y + s_y (output), slacks are >= 0, and
    the targets lie in the technology: X' lambda <= target_x, Y' lambda >= target_y, RTS row on sum(lambda)."""
    _, _, inputs, outputs = runner.data(ds)
    X, Y = runner.arrays(ds)
    mean_x, mean_y = X.mean(axis=0), Y.mean(axis=0)
    problems: list[str] = []
    for rts in RTS_ALL:
        for orientation in ("input", "output"):
            r = runner.dea(ds, "radial", rts, orientation)
            what = f"{ds} {rts} {orientation}"
            labels = list(r.ids)
            bad_status = [lab for lab, st in r.status.items() if st != "optimal"]
            assert not bad_status, f"{what}: status not optimal for DMUs {bad_status[:5]}"
            f = r.farrell.to_numpy()[:, None]
            ax, ay = (f, 1.0) if orientation == "input" else (1.0, f)
            sx, sy = r.slacks[inputs].to_numpy(), r.slacks[outputs].to_numpy()
            tx, ty = r.targets[inputs].to_numpy(), r.targets[outputs].to_numpy()
            assert list(r.slacks.columns) == inputs + outputs, f"{what}: slack columns {list(r.slacks.columns)}"
            tol_x = FEAS_RTOL * np.maximum(np.abs(tx), mean_x)
            tol_y = FEAS_RTOL * np.maximum(np.abs(ty), mean_y)
            checks = {
                "target_x = a_x x - s_x": np.abs(tx - (ax * X - sx)) <= tol_x,
                "target_y = a_y y + s_y": np.abs(ty - (ay * Y + sy)) <= tol_y,
                "input slack >= 0": sx >= -FEAS_RTOL * mean_x,
                "output slack >= 0": sy >= -FEAS_RTOL * mean_y,
            }
            L = r.lambda_matrix
            assert L.shape == (len(labels), len(labels)), f"{what}: lambda_matrix shape {L.shape}"
            lam = L.toarray()
            checks["X' lambda <= target_x"] = lam @ X <= tx + tol_x
            checks["Y' lambda >= target_y"] = lam @ Y >= ty - tol_y
            checks["lambda >= 0"] = lam >= -FEAS_RTOL
            for name, ok in checks.items():
                for i in np.flatnonzero(~np.all(ok, axis=1)):
                    problems.append(f"{what}, DMU {labels[i]!r}: {name} fails")
            for i, total in enumerate(lam.sum(axis=1)):
                if not rts_ok(total, rts, FEAS_RTOL):
                    problems.append(f"{what}, DMU {labels[i]!r}: sum(lambda) = {total!r} breaks the {rts} row")
    assert not problems, report(problems)


# ------------------------------------------------------------------------------------------------
# 3. Lambdas (lambda_{crs,vrs}_in.csv, Benchmarking; not unique, so feasibility and optimality only)
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ds", REFERENCED)
def test_lambdas(oracle, runner, ds):
    folder = ref_folder(oracle, "benchmarking", ds)
    labels = reference_labels(oracle, ds)
    X, Y = runner.arrays(ds)
    mean_x, mean_y = X.mean(axis=0), Y.mean(axis=0)
    problems: list[str] = []
    for rts in ("crs", "vrs"):
        name = f"lambda_{rts}_in.csv"
        assert (folder / name).is_file(), f"{ds}: reference file {folder / name} is missing"
        ref = pd.read_csv(folder / name, dtype={"dmu": str, "peer": str})
        r = runner.dea(ds, "radial", rts, "input")
        theta = r.farrell.to_numpy()
        dense, ambiguous = long_lambdas(ref, labels)
        if len(set(labels)) == len(labels):
            unlisted = [labels[i] for i in range(len(labels)) if i not in dense and (Y[i] > 0).any()]
            assert not ambiguous and not unlisted, f"{ds} {name}: DMUs without reference lambdas: {unlisted[:5]}"
        else:
            # charnes1981 labels DMUs by `name`, which has duplicates: only the DMUs whose name and whose
            # peers' names are unique can be placed (a handful), the others are not checked here.
            assert dense, f"{ds} {name}: no DMU could be placed (ambiguous labels: {ambiguous[:5]})"

        def feasible(lam: np.ndarray, i: int, who: str) -> None:
            tx = theta[i] * X[i]
            over = lam @ X - tx > FEAS_RTOL * np.maximum(np.abs(tx), mean_x)
            under = Y[i] - lam @ Y > FEAS_RTOL * np.maximum(Y[i], mean_y)
            if over.any():
                problems.append(f"{ds} {rts} input, DMU {labels[i]!r}: {who} X' lambda > theta x_o in inputs "
                                f"{list(np.flatnonzero(over))} (our theta {theta[i]!r})")
            if under.any():
                problems.append(f"{ds} {rts} input, DMU {labels[i]!r}: {who} Y' lambda < y_o in outputs "
                                f"{list(np.flatnonzero(under))}")
            if not rts_ok(lam.sum(), rts, FEAS_RTOL) or (lam < -FEAS_RTOL).any():
                problems.append(f"{ds} {rts} input, DMU {labels[i]!r}: {who} lambdas break lambda >= 0 or "
                                f"the {rts} row (sum {lam.sum()!r})")
            # ... and reach theta: the smallest contraction these lambdas allow is theta itself.
            pos = X[i] > 0
            reached = np.max((lam @ X)[pos] / X[i, pos])
            if not abs(reached - theta[i]) <= SCORE_TOL:
                problems.append(f"{ds} {rts} input, DMU {labels[i]!r}: {who} lambdas reach theta {reached!r}, "
                                f"our theta is {theta[i]!r}")

        for i, lam in dense.items():
            # The reference lambdas are a feasible solution at our theta (so our theta is not too small).
            feasible(lam, i, f"reference {name}")
            peers = np.flatnonzero(lam)
            if peers.size == 1 and peers[0] == i and abs(lam[i] - 1) <= 1e-9:
                if not abs(r.scores.iloc[i] - 1) <= 1e-9:
                    problems.append(f"{ds} {rts} input, DMU {labels[i]!r}: the reference has it as its own "
                                    f"only peer (efficient), our score is {r.scores.iloc[i]!r}")
        ours = r.lambda_matrix.toarray()
        for i in range(len(labels)):
            feasible(ours[i], i, "our")
    assert not problems, report(problems)


# ------------------------------------------------------------------------------------------------
# 4. deaR's replications of published examples, and DEAP 2.1
# ------------------------------------------------------------------------------------------------

def read_example(oracle: Path, name: str) -> pd.DataFrame:
    path = oracle / "ref" / "deaR_examples" / name
    assert path.is_file(), f"reference file {path} is missing"
    return pd.read_csv(path, dtype={"dmu": str, "peers": str})


def check_labels(ds: str, ref: pd.DataFrame, labels) -> list[str]:
    labels = [str(v) for v in labels]
    assert len(ref) == len(labels), f"{ds}: {len(ref)} reference rows, {len(labels)} DMUs in the data"
    wrong = [(i + 1, a, b) for i, (a, b) in enumerate(zip(ref["dmu"], labels)) if a != b]
    assert not wrong, f"{ds}: reference rows not in data order (row, reference, data): {wrong[:5]}"
    return labels


def test_example_electric_plants_bcc_io(oracle, runner):
    ref = read_example(oracle, "Electric_plants_bcc_io.csv")
    labels = check_labels("Electric_plants_bcc_io", ref, reference_labels(oracle, "Electric_plants"))
    r = runner.dea("Electric_plants", "radial", "vrs", "input")
    problems = compare("Electric_plants_bcc_io", "value vs vrs input theta", labels, r.farrell, ref["value"],
                       SCORE_TOL)
    assert not problems, report(problems)


def test_example_fried1993_bcc_oo(oracle, runner):
    """Value = VRS output phi; x1, x2, y are deaR's targets (max-slack projection)."""
    ref = read_example(oracle, "Fried1993_bcc_oo.csv")
    labels = check_labels("Fried1993_bcc_oo", ref, reference_labels(oracle, "Fried1993"))
    r = runner.dea("Fried1993", "radial", "vrs", "output")
    problems = compare("Fried1993_bcc_oo", "value vs vrs output phi", labels, r.farrell, ref["value"], SCORE_TOL)
    for col in ("x1", "x2", "y"):
        problems += compare("Fried1993_bcc_oo", f"target {col}", labels, r.targets[col], ref[col], SCORE_TOL)
    assert not problems, report(problems)


def test_example_departments_dea1(oracle):
    """CCR input; input Staff; outputs Undergrad, Research_post, Taught_post and total income."""
    ref = read_example(oracle, "Departments_DEA1.csv")
    df = pd.read_csv(oracle / "data" / "deaR" / "Departments.csv")
    df["Total_income"] = df["Res_co_income"] + df["Other_res_income"] + df["Other_income"]
    labels = check_labels("Departments_DEA1", ref, df["Departments"])
    r = ef.dea(df, id="Departments", inputs=["Staff"],
               outputs=["Undergrad", "Research_post", "Taught_post", "Total_income"], rts="crs",
               orientation="input")
    problems = compare("Departments_DEA1", "ccr_io vs crs input theta", labels, r.farrell, ref["ccr_io"],
                       SCORE_TOL)
    ours_peers = r.to_frame()["peers"]
    inefficient = 0
    for i, (label, eff, peers) in enumerate(zip(labels, ref["ccr_io"], ref["peers"].fillna(""))):
        if eff < 1 - SCORE_TOL:
            inefficient += 1
            want, got = set(peers.split(";")), set(ours_peers.iloc[i].split(";"))
            if want != got:
                problems.append(f"Departments_DEA1 peers, DMU {label!r}: ours {sorted(got)}, deaR {sorted(want)}")
    assert inefficient >= 10, f"Departments_DEA1: only {inefficient} inefficient DMUs in the reference"
    assert not problems, report(problems)


def test_example_pft1981_ccr_by_program(oracle, runner):
    """CCR input run separately on the PFT sites (rows 1-49) and on the NFT sites (rows 50-70)."""
    ref = read_example(oracle, "PFT1981_ccr_by_program.csv")
    df, id_, inputs, outputs = runner.data("PFT1981")
    labels = check_labels("PFT1981_ccr_by_program", ref, df[id_])
    assert list(ref["program"]) == list(df["Program"]), "PFT1981_ccr_by_program: program column differs from data"
    assert (df["Program"].iloc[:49] == "PFT").all() and (df["Program"].iloc[49:] == "NFT").all(), \
        "PFT1981: expected PFT in rows 1-49 and NFT in rows 50-70"
    problems: list[str] = []
    for program in ("PFT", "NFT"):
        rows = np.flatnonzero(df["Program"].to_numpy() == program)
        r = ef.dea(df.iloc[rows], id=id_, inputs=inputs, outputs=outputs, rts="crs", orientation="input")
        problems += compare("PFT1981_ccr_by_program", f"value ({program} frontier)", [labels[i] for i in rows],
                            r.farrell, ref["value"].iloc[rows], SCORE_TOL)
    assert not problems, report(problems)


def test_example_supply_chain_fdh_io(oracle):
    """FDH input on deaR/Supply_Chain.csv with inputs x1..x3 and outputs I1, I2 (README: "x1..x3 -> I1, I2").

    These columns reproduce the reference exactly; with outputs Y1, Y2 instead the scores differ by up
    to 0.14, and with inputs x1..x3, I1, I2 and outputs Y1, Y2 by up to 0.26.
    """
    ref = read_example(oracle, "Supply_Chain_fdh_io.csv")
    df = pd.read_csv(oracle / "data" / "deaR" / "Supply_Chain.csv")
    labels = check_labels("Supply_Chain_fdh_io", ref, df["dmu"])
    r = ef.dea(df, id="dmu", inputs=["x1", "x2", "x3"], outputs=["I1", "I2"], model="fdh", orientation="input")
    problems = compare("Supply_Chain_fdh_io", "value vs fdh input theta", labels, r.farrell, ref["value"],
                       SCORE_TOL)
    assert (ref["value"] < 1 - SCORE_TOL).sum() >= 3, "Supply_Chain_fdh_io: expected some inefficient DMUs"
    assert not problems, report(problems)


def test_example_tone2001_ccr(oracle, runner):
    """Tone (2001): CCR input scores (Tone2001_sbm_ccr.csv, column ccr_io) and slacks (Tone2001_ccr_slacks.csv)."""
    r = runner.dea("Tone2001", "radial", "crs", "input")
    labels = reference_labels(oracle, "Tone2001")
    scores = read_example(oracle, "Tone2001_sbm_ccr.csv")
    check_labels("Tone2001_sbm_ccr", scores, labels)
    problems = compare("Tone2001_sbm_ccr", "ccr_io vs crs input theta", labels, r.farrell, scores["ccr_io"],
                       SCORE_TOL)
    slacks = read_example(oracle, "Tone2001_ccr_slacks.csv")
    check_labels("Tone2001_ccr_slacks", slacks, labels)
    for col in ("Input1", "Input2", "Output1", "Output2"):
        problems += compare("Tone2001_ccr_slacks", f"slack {col}", labels, r.slacks[col], slacks[col], SCORE_TOL)
    assert not problems, report(problems)


def test_published_deap21_eg1_crs_in(oracle, runner):
    """DEAP 2.1 example EG1 (input-oriented CRS on deaR/Coelli_1998.csv), printed with 3 decimals."""
    path = oracle / "published" / "deap21_EG1_crs_in.csv"
    assert path.is_file(), f"reference file {path} is missing"
    ref = pd.read_csv(path, dtype={"dmu": str, "peers": str, "peer_weights": str})
    labels = check_labels("deap21_EG1", ref, reference_labels(oracle, "Coelli_1998"))
    r = runner.dea("Coelli_1998", "radial", "crs", "input")
    columns = {"te_crs_in": r.farrell, "slack_x1": r.slacks["input1"], "slack_x2": r.slacks["input2"],
               "slack_y": r.slacks["output"], "target_x1": r.targets["input1"],
               "target_x2": r.targets["input2"], "target_y": r.targets["output"]}
    problems: list[str] = []
    for col, ours in columns.items():
        problems += compare("deap21_EG1", col, labels, ours, ref[col], DEAP_TOL)
    # Peers (DEAP numbers the firms 1..n) and their weights; the EG1 lambdas are unique.
    lam = r.lambdas.to_numpy()
    for i, (peers, weights) in enumerate(zip(ref["peers"], ref["peer_weights"])):
        want = {int(p) - 1: float(w) for p, w in zip(peers.split(";"), weights.split(";"))}
        got = {j: lam[i, j] for j in np.flatnonzero(lam[i] > 1e-9)}
        if set(want) != set(got) or any(abs(got[j] - w) > DEAP_TOL for j, w in want.items()):
            problems.append(f"deap21_EG1 peers, DMU {labels[i]!r}: ours {got}, DEAP {want} (0-based firm: weight)")
    assert not problems, report(problems)


def test_example_ruggiero2007_nd(oracle, runner):
    """CCR input with X2 non-discretionary (Banker-Morey): min theta s.t. X1'l <= theta x1_o, X2'l <= x2_o."""
    ref = read_example(oracle, "Ruggiero2007_nd.csv")
    labels = check_labels("Ruggiero2007_nd", ref, reference_labels(oracle, "Ruggiero2007"))
    df, id_, inputs, outputs = runner.data("Ruggiero2007")
    r = ef.dea(df, id=id_, inputs=inputs, outputs=outputs, rts="crs", orientation="input",
               nondiscretionary=["X2"])
    problems = compare("Ruggiero2007_nd", "value vs nd crs input theta", labels, r.farrell, ref["value"], SCORE_TOL)
    assert not problems, report(problems)


# ------------------------------------------------------------------------------------------------
# 5. Independent LPs (scipy linprog / HiGHS, written here from the textbook formulations) for the
#    data sets whose references are kept back; the same LPs serve test_oracle_models.py and the
#    blind Malmquist panels. Each LP is set up on column-mean-scaled data (caveat 5: Hotels and
#    usagri are badly scaled), which leaves radial, SBM and proportional-DDF scores unchanged; slack
#    sums keep their data units through the objective's weights.
# ------------------------------------------------------------------------------------------------

HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def sample(n: int, k: int = SAMPLE) -> np.ndarray:
    """k DMU positions spread evenly over 0..n-1 (all of them when n <= k)."""
    return np.unique(np.linspace(0, n - 1, min(n, k)).round().astype(int))


def solve_lp(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, bounds=(0, None)):
    """HiGHS through linprog: the result at the optimum, or None when the LP is infeasible."""
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs",
                  options=HIGHS_OPTIONS)
    assert res.status in (0, 2), f"independent LP ended with status {res.status}: {res.message}"
    return None if res.status == 2 else res


def rts_rows(rts: str, lam: np.ndarray, t: np.ndarray | None = None) -> tuple[list, list, list, list]:
    """The returns-to-scale row on sum(lambda) over the variables ``lam`` (a 0/1 mask): (A_ub, b_ub,
    A_eq, b_eq) rows. With ``t`` (the Charnes-Cooper scale variable's mask) the row is sum(lambda) = t."""
    row = lam.astype(float)
    if t is not None:
        assert rts in ("crs", "vrs")
        return ([], [], [row - t], [0.0]) if rts == "vrs" else ([], [], [], [])
    return {"crs": ([], [], [], []), "vrs": ([], [], [row], [1.0]), "nirs": ([row], [1.0], [], []),
            "ndrs": ([-row], [-1.0], [], [])}[rts]


def stack(*rows) -> np.ndarray | None:
    rows = [np.atleast_2d(r) for r in rows if len(r)]
    return np.vstack(rows) if rows else None


def radial_lp(Xr, Yr, x, y, rts: str, orientation: str) -> float | None:
    """Farrell theta (input: min theta, X' l <= theta x, Y' l >= y) or phi (output: max phi, X' l <= x,
    Y' l >= phi y) of (x, y) against the reference rows (Xr, Yr); None when infeasible."""
    n = len(Xr)
    lam = np.r_[0.0, np.ones(n)]
    if orientation == "input":
        A = np.vstack([np.c_[-x, Xr.T], np.c_[np.zeros(len(y)), -Yr.T]])
        b, c = np.r_[np.zeros(len(x)), -y], np.r_[1.0, np.zeros(n)]
    else:
        A = np.vstack([np.c_[np.zeros(len(x)), Xr.T], np.c_[y, -Yr.T]])
        b, c = np.r_[x, np.zeros(len(y))], np.r_[-1.0, np.zeros(n)]
    ub, ubb, eq, eqb = rts_rows(rts, lam)
    res = solve_lp(c, stack(A, *ub), np.r_[b, ubb], stack(*eq), eqb or None,
                   bounds=[(None, None)] + [(0, None)] * n)
    return None if res is None else (res.fun if orientation == "input" else -res.fun)


def max_slack_lp(Xr, Yr, x, y, rts: str, wx, wy, theta: float = 1.0, phi: float = 1.0) -> float | None:
    """max wx.s_x + wy.s_y s.t. X' l + s_x = theta x, Y' l - s_y = phi y, l, s >= 0 (phase II of the
    radial models at theta / phi; the additive model at theta = phi = 1)."""
    n, m, k = len(Xr), len(x), len(y)
    A = np.vstack([np.c_[Xr.T, np.eye(m), np.zeros((m, k))], np.c_[Yr.T, np.zeros((k, m)), -np.eye(k)]])
    ub, ubb, eq, eqb = rts_rows(rts, np.r_[np.ones(n), np.zeros(m + k)])
    w = np.r_[wx, wy]
    top = w.max()                                     # an objective of order 1 (Hotels: weights ~1e9)
    res = solve_lp(-np.r_[np.zeros(n), w / top], stack(*ub), ubb or None, stack(A, *eq),
                   np.r_[theta * x, phi * y, eqb])
    return None if res is None else -res.fun * top


def scaled(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    mx, my = X.mean(axis=0), Y.mean(axis=0)
    return X / mx, Y / my, mx, my


def independent_problems(ds: str, what: str, labels, rows, ours, theirs, rtol: float) -> list[str]:
    """compare_rel on the sampled rows, with None (infeasible) required to be NaN in ours."""
    theirs = np.array([np.nan if v is None else v for v in theirs], dtype=float)
    ours = np.asarray(ours, dtype=float)[rows]
    lab = np.asarray(labels, dtype=object)[rows]
    problems = [f"{ds} {what}, DMU {lab[i]!r}: ours {ours[i]!r}, independent LP {theirs[i]!r}"
                for i in np.flatnonzero(np.isnan(ours) != np.isnan(theirs))]
    ok = ~np.isnan(theirs) & ~np.isnan(ours)
    return problems + compare_rel(ds, what, lab[ok], ours[ok], theirs[ok], rtol)


@pytest.mark.parametrize("ds", INDEPENDENT_SETS)
def test_radial_fdh_scale_and_slacks_equal_independent_lps(runner, ds):
    """Radial Farrell scores (4 rts x 2 orientations), FDH (by enumeration), scale efficiency and the
    maximal slack sums of sampled DMUs equal LPs solved here, and the CRS graph score is sqrt(theta)."""
    X, Y = runner.arrays(ds)
    Xs, Ys, mx, my = scaled(X, Y)
    rows = sample(len(X))
    labels = list(runner.data(ds)[0][spec(ds).id].astype(str))
    problems: list[str] = []
    theta = {}
    for rts in RTS_ALL:
        for orientation in ("input", "output"):
            theirs = [radial_lp(Xs, Ys, Xs[i], Ys[i], rts, orientation) for i in rows]
            theta[rts, orientation] = np.array(theirs, dtype=float)
            r = runner.dea(ds, "radial", rts, orientation)
            problems += independent_problems(ds, f"{rts} {orientation} farrell", labels, rows, r.farrell, theirs,
                                             SCORE_TOL)
            if rts in ("crs", "vrs"):
                radial = {"theta" if orientation == "input" else "phi": theta[rts, orientation]}
                slack = [max_slack_lp(Xs, Ys, Xs[i], Ys[i], rts, mx, my, **{k: v[j] for k, v in radial.items()})
                         for j, i in enumerate(rows)]
                problems += independent_problems(ds, f"{rts} {orientation} max slack sum", labels, rows,
                                                 r.slacks.sum(axis=1), slack, SLACK_RTOL)
    for orientation in ("input", "output"):
        se = runner.dea(ds, "radial", "crs", orientation, scale=True).scale_efficiency
        ratio = theta["crs", "input"] / theta["vrs", "input"] if orientation == "input" else \
            theta["vrs", "output"] / theta["crs", "output"]
        problems += independent_problems(ds, f"scale efficiency ({orientation})", labels, rows, se, list(ratio),
                                         SCORE_TOL)
    # FDH: the best dominating DMU (input: all outputs >= y_o; output: all inputs <= x_o)
    for orientation in ("input", "output"):
        theirs = []
        for i in rows:
            if orientation == "input":
                dom = np.all(Y >= Y[i], axis=1)
                theirs.append(np.min(np.max(X[dom] / X[i], axis=1)))
            else:
                dom = np.all(X <= X[i], axis=1)
                ratio = np.where(Y[i] > 0, Y[dom] / np.where(Y[i] > 0, Y[i], 1.0), np.inf)
                theirs.append(np.max(np.min(ratio, axis=1)))
        r = runner.dea(ds, "fdh", "crs", orientation)
        problems += independent_problems(ds, f"fdh {orientation} farrell", labels, rows, r.farrell, theirs, 1e-9)
    G = runner.dea(ds, "radial", "crs", "graph").farrell.to_numpy()[rows]
    problems += compare(ds, "crs graph G vs sqrt(independent crs theta)", [labels[i] for i in rows], G,
                        np.sqrt(theta["crs", "input"]), SCORE_TOL)
    assert not problems, report(problems)
