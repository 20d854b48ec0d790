"""Super-efficiency, directional distance, additive and SBM DEA against the external oracle.

The references are R Benchmarking 0.33 (``ref/dea_benchmarking/<ds>/``) and deaR 1.5.3
(``ref/dea_deaR/<ds>/`` and ``ref/deaR_examples/``); the oracle README explains the files, and the
caveats quoted below. The oracle is found through the session fixture ``oracle`` (tests/conftest.py);
the data-set specifications are ``tests/oracle_specs.py`` and the file / comparison helpers are those
of ``tests/test_oracle_radial.py``. Every per-data-set test is parametrised over every spec and runs
against the references for the data sets of ``REFERENCED``, and against LPs written independently here
(scipy linprog, section 5) for those of ``BLIND``, whose references are kept back.

Conventions of the comparisons:

* radial super-efficiency: Andersen-Petersen; Farrell theta (input) or phi (output) = ``r.farrell``.
  An empty reference cell means "infeasible": ours must be NaN with status 'infeasible' there.
* super-SBM (Tone 2002): ours is delta for the SBM-efficient DMUs and the ordinary SBM score for the
  others; deaR's ``model_sbmsupereff`` gives 1 for the inefficient ones. So delta is compared where
  our ordinary SBM score is 1, and elsewhere ours must equal the ordinary score (and deaR's must be 1).
* SBM slacks and additive slacks are not unique: ours are checked for feasibility (the targets lie in
  the technology, through ``r.lambda_matrix``) and for optimality (they reproduce the unique score).
  A zero input drops out of the SBM input mean; a zero output is replaced by 1/100 of the smallest
  positive value of its column (Tone 2001; deaR does the same), in the objective and in the technology.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from efficiency.errors import SolveWarning
from oracle_specs import REFERENCED, reference_labels
from test_oracle_radial import (
    INDEPENDENT_SETS, SCORE_TOL, Runner, check_labels, compare, compare_rel, independent_problems, max_slack_lp,
    radial_lp, read_example, read_ref, report, rts_rows, sample, scaled, scaled_slack_sets, solve_lp, stack,
)

SUM_RTOL = 1e-6          # additive slack sums (data units), relative to max(1, |reference|)
RHO_TOL = 1e-8           # SBM rho recomputed from our own slacks vs our score
FEAS_RTOL = 1e-7         # feasibility of targets and lambdas, relative to max(|target|, column mean)
EXACT_TOL = 1e-12        # super-SBM of an SBM-inefficient DMU: our ordinary SBM score, unchanged

#: Benchmarking data sets with unit-direction DDF columns (README, directional.csv).
UNIT_DIRECTION_SETS = {"charnes1981", "PFT1981", "Coelli_1998", "Tone2001", "Fried1993", "Golany_Roll_1989",
                       "Power_plants", "front41Data"}

#: Caveat 4 (deaR numerical slip): (data set, deaR column, DMU) -> Benchmarking column to compare with.
DEAR_SLIPS = {("Doyle_Green_1994", "radial_vrs_io", "Department10"): "vrs_in"}

#: Caveat 4: reference cells deaR leaves empty (deaR failed, not "infeasible").
#: (data set, file, column) -> the DMU labels the README names, or None where it only gives a count.
#: (Hotels, pigdata and usagri_1995 are blind data sets today; the entries apply when their references come.)
DEAR_MISSING = {
    ("Hotels", "sbm.csv", "crs_oo"): {"GTR"},
    ("Hotels", "sbm.csv", "vrs_oo"): {"UNI"},
    ("pigdata", "directional_additive.csv", "additive_sum_vrs"): None,
    ("usagri_1995", "directional_additive.csv", "additive_sum_crs"): None,
    ("usagri_1995", "directional_additive.csv", "additive_sum_vrs"): None,
}

ORIENT = {"in": "input", "out": "output", "io": "input", "oo": "output", "no": "none"}


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------

class Models(Runner):
    """``Runner`` with any ``dea`` keywords (session cache; every run is deterministic).

    Solve warnings are expected here (infeasible super-efficiency LPs): they are recorded, and the
    tests check ``status`` instead.
    """

    def dea(self, ds: str, **kw):
        key = (ds, tuple(sorted(kw.items())))
        if key not in self._runs:
            df, id_, inputs, outputs = self.data(ds)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SolveWarning)
                self._runs[key] = ef.dea(df, id=id_, inputs=inputs, outputs=outputs, **kw)
        return self._runs[key]


@pytest.fixture(scope="session")
def models(oracle) -> Models:
    return Models(oracle)


def measure(r) -> np.ndarray:
    """The model's own measure, as the references give it: beta (ddf), the slack sum in data units
    (additive), else the score."""
    col = {"ddf": "beta", "additive": "slack_sum"}.get(r.model)
    return (r.to_frame()[col] if col else r.scores).to_numpy(dtype=float)


def replace_zero_outputs(Y: np.ndarray) -> np.ndarray:
    """Tone (2001) / deaR: a zero output becomes 1/100 of the smallest positive value of its column."""
    Y = np.asarray(Y, dtype=float).copy()
    for j in range(Y.shape[1]):
        col = Y[:, j]
        pos = col[col > 0]
        if pos.size and (col <= 0).any():
            Y[col <= 0, j] = pos.min() / 100.0
    return Y


def technology_problems(what: str, labels, lam: np.ndarray, rts: str, X, tx, Y, ty, B=None, tb=None) -> list[str]:
    """Messages where the targets (tx, ty[, tb]) are not in the technology spanned by lambda:
    X' lam <= tx, Y' lam >= ty, B' lam = tb (undesirable outputs, SBM of Tone 2003), lam >= 0, RTS row."""
    X, Y = np.asarray(X, float), np.asarray(Y, float)
    tol_x = FEAS_RTOL * np.maximum(np.abs(tx), X.mean(axis=0))
    tol_y = FEAS_RTOL * np.maximum(np.abs(ty), Y.mean(axis=0))
    checks = {"X' lambda <= target_x": lam @ X <= tx + tol_x, "Y' lambda >= target_y": lam @ Y >= ty - tol_y,
              "lambda >= 0": lam >= -FEAS_RTOL}
    if B is not None and B.shape[1]:
        tol_b = FEAS_RTOL * np.maximum(np.abs(tb), B.mean(axis=0))
        checks["B' lambda = target_b"] = np.abs(lam @ B - tb) <= tol_b
    problems = [f"{what}, DMU {labels[i]!r}: {name} fails"
                for name, ok in checks.items() for i in np.flatnonzero(~np.all(ok, axis=1))]
    total = lam.sum(axis=1)
    if rts == "vrs":
        problems += [f"{what}, DMU {labels[i]!r}: sum(lambda) = {total[i]!r} != 1 (vrs)"
                     for i in np.flatnonzero(~(np.abs(total - 1) <= FEAS_RTOL))]
    return problems


def sbm_rho(X, Y, sx, sy, orientation: str, B=None, sb=None) -> np.ndarray:
    """Tone's rho from slacks: (1 - mean(s-/x) over positive x) / (1 + mean(s+/y, sb/b)); oriented
    variants keep the numerator (input) or the denominator (output). Y, B: zeros already replaced."""
    pos = X > 0
    ratio_in = np.where(pos, sx / np.where(pos, X, 1.0), 0.0).sum(axis=1) / np.maximum(pos.sum(axis=1), 1)
    goods = [sy / Y] + ([sb / B] if B is not None and B.shape[1] else [])
    ratio_out = np.hstack(goods).mean(axis=1)
    if orientation == "input":
        return 1.0 - ratio_in
    if orientation == "output":
        return 1.0 / (1.0 + ratio_out)
    return (1.0 - ratio_in) / (1.0 + ratio_out)


def sbm_solution_problems(what: str, labels, X, Y, r, rts: str, orientation: str, B=None) -> list[str]:
    """Our SBM slacks are >= 0, give targets (x - s-, y + s+, b - sb) inside the technology through our
    lambdas, and reproduce our rho to RHO_TOL (optimality, since rho is unique and equals the reference)."""
    inputs, outputs = list(r.input_names), list(r.output_names)
    bads = list(r.undesirable_names)
    Yr = replace_zero_outputs(Y)
    Br = replace_zero_outputs(B) if bads else None
    sx, sy = r.slacks[inputs].to_numpy(), r.slacks[outputs].to_numpy()
    sb = r.slacks[bads].to_numpy() if bads else None
    problems = []
    neg = (sx < -FEAS_RTOL * X.mean(axis=0)).any(axis=1) | (sy < -FEAS_RTOL * Yr.mean(axis=0)).any(axis=1)
    if bads:
        neg |= (sb < -FEAS_RTOL * Br.mean(axis=0)).any(axis=1)
    problems += [f"{what}, DMU {labels[i]!r}: negative slack" for i in np.flatnonzero(neg)]
    lam = r.lambda_matrix.toarray()
    problems += technology_problems(what, labels, lam, rts, X, X - sx, Yr, Yr + sy,
                                    Br, None if sb is None else Br - sb)
    # Our targets are x - s-, y + s+ (b - sb); checked where the data are positive (a zero output's
    # target is the replaced value plus its slack, a convention not tested here).
    tx, ty = r.targets[inputs].to_numpy(), r.targets[outputs].to_numpy()
    bad_x = ~np.isclose(tx, X - sx, rtol=1e-9, atol=1e-9 * X.mean())
    bad_y = (Y > 0) & ~np.isclose(ty, Y + sy, rtol=1e-9, atol=1e-9 * Yr.mean())
    problems += [f"{what}, DMU {labels[i]!r}: targets are not x - s-, y + s+"
                 for i in np.flatnonzero(bad_x.any(axis=1) | bad_y.any(axis=1))]
    rho = sbm_rho(X, Yr, sx, sy, orientation, Br, sb)
    problems += compare(what, "rho recomputed from our slacks vs our score", labels, rho, r.scores, RHO_TOL)
    return problems


def empty_cells(ds: str, file: str, col: str, labels, refv: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Mask of empty cells deaR is known to leave (caveat 4), and messages for unexplained empty cells."""
    empty = np.isnan(refv)
    known = DEAR_MISSING.get((ds, file, col), set())
    if (ds, file, col) in DEAR_MISSING and known is None:
        return empty, []
    allowed = np.array([lab in known for lab in labels], dtype=bool)
    return empty & allowed, [f"{ds} {file} {col}, DMU {labels[i]!r}: empty reference cell that the README "
                             "does not explain" for i in np.flatnonzero(empty & ~allowed)]


def value_problems(ds: str, what: str, labels, r, ours: np.ndarray, refv: np.ndarray, skip: np.ndarray,
                   tol: float, relative: bool = False) -> list[str]:
    """Compare where the reference is not skipped; at skipped cells ours must still be an optimal value."""
    keep = ~skip
    lab = np.asarray(labels, dtype=object)
    fn = compare_rel if relative else compare
    problems = fn(ds, what, lab[keep], ours[keep], refv[keep], tol)
    status = r.status.to_numpy()
    problems += [f"{ds} {what}, DMU {labels[i]!r}: status {status[i]!r}, score {ours[i]!r} (reference has a value)"
                 for i in np.flatnonzero(keep & (status != "optimal"))]
    problems += [f"{ds} {what}, DMU {labels[i]!r}: the reference cell is empty (caveat 4, skipped), but ours "
                 f"has status {status[i]!r}, score {ours[i]!r}"
                 for i in np.flatnonzero(skip & ((status != "optimal") | ~np.isfinite(ours)))]
    return problems


def super_problems(ds: str, what: str, labels, status, ours: np.ndarray, refv: np.ndarray) -> list[str]:
    """Super-efficiency: empty reference = infeasible (ours NaN, status 'infeasible'); else equal to 1e-6."""
    status = np.asarray(status, dtype=object)
    empty = np.isnan(refv)
    problems = [f"{ds} {what}, DMU {labels[i]!r}: reference empty (infeasible), ours {ours[i]!r} with status "
                f"{status[i]!r}" for i in np.flatnonzero(empty & ~(np.isnan(ours) & (status == "infeasible")))]
    problems += [f"{ds} {what}, DMU {labels[i]!r}: reference {refv[i]!r}, ours {ours[i]!r} with status "
                 f"{status[i]!r}" for i in np.flatnonzero(~empty & (status != "optimal"))]
    keep = ~empty & (status == "optimal")
    problems += compare(ds, what, np.asarray(labels, dtype=object)[keep], ours[keep], refv[keep], SCORE_TOL)
    return problems


# ------------------------------------------------------------------------------------------------
# 1. Super-efficiency (super_efficiency.csv)
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ds", REFERENCED)
def test_super_efficiency_radial_benchmarking(oracle, models, ds):
    ref = read_ref(oracle, "benchmarking", ds, "super_efficiency.csv")
    labels = list(ref["dmu"])
    problems: list[str] = []
    for rts in ("crs", "vrs"):
        for suf in ("in", "out"):
            col = f"{rts}_{suf}"
            assert col in ref.columns, f"{ds} benchmarking/super_efficiency.csv: column {col} missing"
            r = models.dea(ds, model="radial", rts=rts, orientation=ORIENT[suf], super_efficiency=True)
            problems += super_problems(ds, f"benchmarking super {col} vs farrell", labels, r.status,
                                       r.farrell.to_numpy(), ref[col].to_numpy(dtype=float))
    assert not problems, report(problems)


@pytest.mark.parametrize("ds", REFERENCED)
def test_super_efficiency_radial_deaR(oracle, models, ds):
    ref = read_ref(oracle, "deaR", ds, "super_efficiency.csv")
    labels = list(ref["dmu"])
    problems: list[str] = []
    for rts in ("crs", "vrs"):
        for suf in ("io", "oo"):
            col = f"radial_{rts}_{suf}"
            assert col in ref.columns, f"{ds} deaR/super_efficiency.csv: column {col} missing"
            refv = ref[col].to_numpy(dtype=float, copy=True)
            for (sds, scol, dmu), bcol in DEAR_SLIPS.items():
                if sds == ds and scol == col:
                    # Caveat 4: deaR's value is a numerical slip; Benchmarking (and HiGHS) are trusted there.
                    bench = read_ref(oracle, "benchmarking", ds, "super_efficiency.csv")
                    i = labels.index(dmu)
                    assert abs(refv[i] - bench[bcol].iloc[i]) > SCORE_TOL, (
                        f"{ds} {col} {dmu}: deaR now agrees with Benchmarking; drop the DEAR_SLIPS entry")
                    refv[i] = bench[bcol].iloc[i]
            r = models.dea(ds, model="radial", rts=rts, orientation=ORIENT[suf], super_efficiency=True)
            problems += super_problems(ds, f"deaR super {col} vs farrell", labels, r.status, r.farrell.to_numpy(), refv)
    assert not problems, report(problems)


def super_sbm_problems(ds: str, what: str, labels, ordinary, sup, refv: np.ndarray) -> tuple[list[str], int]:
    """Super-SBM against a deaR column that gives 1 for SBM-inefficient DMUs. Returns (problems, #compared)."""
    base = ordinary.scores.to_numpy()
    ours = sup.scores.to_numpy()
    efficient = np.abs(base - 1.0) <= SCORE_TOL
    problems = super_problems(ds, f"{what} (SBM-efficient DMUs)", np.asarray(labels, dtype=object)[efficient],
                              sup.status.to_numpy()[efficient], ours[efficient], refv[efficient])
    inef = ~efficient
    problems += [f"{ds} {what}, DMU {labels[i]!r} (SBM-inefficient, ordinary SBM {base[i]!r}): ours {ours[i]!r} "
                 "should be the ordinary SBM score" for i in np.flatnonzero(inef & ~(np.abs(ours - base) <= EXACT_TOL))]
    problems += [f"{ds} {what}, DMU {labels[i]!r} (SBM-inefficient, ours {base[i]!r}): deaR's super-SBM is "
                 f"{refv[i]!r}, not 1 (its convention for inefficient DMUs)"
                 for i in np.flatnonzero(inef & ~(np.abs(refv - 1.0) <= SCORE_TOL))]
    return problems, int(efficient.sum())


@pytest.mark.parametrize("ds", REFERENCED)
def test_super_sbm_deaR(oracle, models, ds):
    """Super-SBM (Tone 2002), non-oriented: deaR's sbm_{crs,vrs}_no where the ordinary SBM score is 1."""
    ref = read_ref(oracle, "deaR", ds, "super_efficiency.csv")
    labels = list(ref["dmu"])
    problems: list[str] = []
    for rts in ("crs", "vrs"):
        col = f"sbm_{rts}_no"
        assert col in ref.columns, f"{ds} deaR/super_efficiency.csv: column {col} missing"
        ordinary = models.dea(ds, model="sbm", rts=rts, orientation="none")
        sup = models.dea(ds, model="sbm", rts=rts, orientation="none", super_efficiency=True)
        found, n_eff = super_sbm_problems(ds, f"deaR super {col}", labels, ordinary, sup,
                                          ref[col].to_numpy(dtype=float))
        problems += found
        assert n_eff >= 1, f"{ds} {col}: no SBM-efficient DMU, nothing compared"
    assert not problems, report(problems)


# ------------------------------------------------------------------------------------------------
# 2. Directional distance and additive models
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ds", REFERENCED)
def test_directional_benchmarking(oracle, models, ds):
    """beta_prop_* (g = (x0, y0), our default) and beta_unit_* (g = 1, direction='unit')."""
    ref = read_ref(oracle, "benchmarking", ds, "directional.csv")
    labels = list(ref["dmu"])
    if ds in UNIT_DIRECTION_SETS:
        missing = [c for c in ("beta_unit_crs", "beta_unit_vrs") if c not in ref.columns]
        assert not missing, f"{ds} benchmarking/directional.csv: README lists unit-direction columns {missing}"
    problems: list[str] = []
    for direction in ("prop", "unit"):
        for rts in ("crs", "vrs"):
            col = f"beta_{direction}_{rts}"
            if col not in ref.columns:
                assert direction == "unit", f"{ds} benchmarking/directional.csv: column {col} missing"
                continue
            r = models.dea(ds, model="ddf", rts=rts, **({"direction": "unit"} if direction == "unit" else {}))
            refv = ref[col].to_numpy(dtype=float)
            skip, msgs = empty_cells(ds, "directional.csv", col, labels, refv)
            problems += msgs
            problems += value_problems(ds, f"benchmarking {col} vs ddf beta", labels, r, measure(r), refv,
                                       skip | np.isnan(refv), SCORE_TOL)
    assert not problems, report(problems)


@pytest.mark.parametrize("ds", REFERENCED)
def test_directional_additive_deaR(oracle, models, ds, record_property):
    """deaR beta_prop_* (model_dir with the proportional direction) and additive_sum_* (raw data units).

    deaR leaves the additive sum empty for one DMU of pigdata (vrs) and of usagri_1995 (crs, vrs)
    (caveat 4); those cells are skipped (ours must still be optimal there) and counted.
    """
    ref = read_ref(oracle, "deaR", ds, "directional_additive.csv")
    labels = list(ref["dmu"])
    problems: list[str] = []
    skipped = {}
    for rts in ("crs", "vrs"):
        for col, kw, tol, rel in ((f"beta_prop_{rts}", {"model": "ddf"}, SCORE_TOL, False),
                                  (f"additive_sum_{rts}", {"model": "additive"}, SUM_RTOL, True)):
            assert col in ref.columns, f"{ds} deaR/directional_additive.csv: column {col} missing"
            r = models.dea(ds, rts=rts, **kw)
            refv = ref[col].to_numpy(dtype=float)
            skip, msgs = empty_cells(ds, "directional_additive.csv", col, labels, refv)
            problems += msgs
            skipped[col] = int(skip.sum())
            problems += value_problems(ds, f"deaR {col} vs {kw['model']} measure", labels, r, measure(r), refv,
                                       skip | np.isnan(refv), tol, relative=rel)
    record_property("skipped_empty_deaR_cells", skipped)
    assert sum(skipped.values()) < len(labels), f"{ds}: every deaR cell skipped ({skipped})"
    assert not problems, report(problems) + f"\n(skipped empty deaR cells, caveat 4: {skipped})"


@pytest.mark.parametrize("ds", REFERENCED)
def test_additive_benchmarking(oracle, models, ds):
    """sum_{crs,vrs}: equal where Benchmarking did not rescale; where it rescaled (caveat 1) it maximised
    mean-normalised slacks, so our raw-unit maximum can only be larger. Our slacks are feasible and sum to
    our score."""
    ref = read_ref(oracle, "benchmarking", ds, "additive.csv")
    flags = scaled_slack_sets(oracle)
    assert ds in flags, f"{ds} is not listed in ref/dea_benchmarking/slack_phase2_scaling.csv"
    labels = list(ref["dmu"])
    df, _, inputs, outputs = models.data(ds)
    X, Y = models.arrays(ds)
    problems: list[str] = []
    for rts in ("crs", "vrs"):
        col = f"sum_{rts}"
        assert col in ref.columns, f"{ds} benchmarking/additive.csv: column {col} missing"
        r = models.dea(ds, model="additive", rts=rts)
        ours, refv = measure(r), ref[col].to_numpy(dtype=float)
        problems += [f"{ds} benchmarking {col}, DMU {labels[i]!r}: empty reference cell (not explained)"
                     for i in np.flatnonzero(np.isnan(refv))]
        if not flags[ds]:
            problems += compare_rel(ds, f"benchmarking {col} vs additive score", labels, ours, refv, SUM_RTOL)
        else:
            low = np.flatnonzero(~(ours >= refv - SUM_RTOL * np.maximum(1.0, np.abs(refv))))
            problems += [f"{ds} benchmarking {col} (rescaled, caveat 1), DMU {labels[i]!r}: ours {ours[i]!r} < "
                         f"Benchmarking's {refv[i]!r}" for i in low]
        problems += [f"{ds} additive {rts}, DMU {labels[i]!r}: status {s!r}"
                     for i, s in enumerate(r.status) if s != "optimal"]
        # Our solution: slacks >= 0, sum = score, targets (x - s-, y + s+) in the technology.
        sx, sy = r.slacks[inputs].to_numpy(), r.slacks[outputs].to_numpy()
        what = f"{ds} our additive {rts}"
        problems += compare_rel(ds, f"additive {rts}: sum of our slacks vs our score", labels,
                                r.slacks.sum(axis=1).to_numpy(), ours, 1e-8)
        neg = (sx < -FEAS_RTOL * X.mean(axis=0)).any(axis=1) | (sy < -FEAS_RTOL * Y.mean(axis=0)).any(axis=1)
        problems += [f"{what}, DMU {labels[i]!r}: negative slack" for i in np.flatnonzero(neg)]
        problems += technology_problems(what, labels, r.lambda_matrix.toarray(), rts, X, X - sx, Y, Y + sy)
    assert not problems, report(problems)


# ------------------------------------------------------------------------------------------------
# 3. SBM (sbm.csv, sbm_slacks_{crs,vrs}_no.csv)
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ds", REFERENCED)
def test_sbm_deaR(oracle, models, ds, record_property):
    """Tone's SBM rho, {crs,vrs} x {no,io,oo}; and our slacks are a feasible, optimal solution.

    Doyle_Green_1994 has zero outputs, which deaR (and we) replace by 1/100 of the column's smallest
    positive value, hence tiny scores there. deaR leaves Hotels crs_oo (GTR) and vrs_oo (UNI) empty
    (caveat 4): skipped and counted.
    """
    ref = read_ref(oracle, "deaR", ds, "sbm.csv")
    labels = list(ref["dmu"])
    X, Y = models.arrays(ds)
    problems: list[str] = []
    skipped = {}
    for rts in ("crs", "vrs"):
        for suf in ("no", "io", "oo"):
            col = f"{rts}_{suf}"
            assert col in ref.columns, f"{ds} deaR/sbm.csv: column {col} missing"
            r = models.dea(ds, model="sbm", rts=rts, orientation=ORIENT[suf])
            refv = ref[col].to_numpy(dtype=float)
            skip, msgs = empty_cells(ds, "sbm.csv", col, labels, refv)
            problems += msgs
            skipped[col] = int(skip.sum())
            problems += value_problems(ds, f"deaR sbm {col} vs rho", labels, r, r.scores.to_numpy(), refv,
                                       skip | np.isnan(refv), SCORE_TOL)
            problems += sbm_solution_problems(f"{ds} our sbm {col}", labels, X, Y, r, rts, ORIENT[suf])
    record_property("skipped_empty_deaR_cells", skipped)
    if ds == "Doyle_Green_1994":
        assert (Y == 0).any(), "Doyle_Green_1994 was expected to have zero outputs"
    assert not problems, report(problems) + f"\n(skipped empty deaR cells, caveat 4: {skipped})"


@pytest.mark.parametrize("ds", REFERENCED)
def test_sbm_slacks_deaR(oracle, models, ds):
    """sbm_slacks_{crs,vrs}_no.csv: rho to 1e-6; slacks are not unique, so ours are checked for feasibility
    and optimality (they reproduce rho), and deaR's slacks too (at deaR's rho) as a sanity check of the
    reading of the file."""
    X, Y = models.arrays(ds)
    _, _, inputs, outputs = models.data(ds)
    problems: list[str] = []
    for rts in ("crs", "vrs"):
        name = f"sbm_slacks_{rts}_no.csv"
        ref = read_ref(oracle, "deaR", ds, name)
        labels = list(ref["dmu"])
        want = ["rho"] + [f"sx_{c}" for c in inputs] + [f"sy_{c}" for c in outputs]
        missing = [c for c in want if c not in ref.columns]
        assert not missing, f"{ds} deaR/{name}: columns {missing} missing"
        r = models.dea(ds, model="sbm", rts=rts, orientation="none")
        problems += compare(ds, f"deaR {name} rho vs our rho", labels, r.scores, ref["rho"], SCORE_TOL)
        problems += sbm_solution_problems(f"{ds} our sbm {rts}_no", labels, X, Y, r, rts, "none")
        rsx = ref[[f"sx_{c}" for c in inputs]].to_numpy(dtype=float)
        rsy = ref[[f"sy_{c}" for c in outputs]].to_numpy(dtype=float)
        problems += compare(ds, f"deaR {name}: rho recomputed from deaR's slacks vs deaR's rho", labels,
                            sbm_rho(X, replace_zero_outputs(Y), rsx, rsy, "none"), ref["rho"], SCORE_TOL)
    assert not problems, report(problems)


# ------------------------------------------------------------------------------------------------
# 4. deaR's replications of published examples (ref/deaR_examples/)
# ------------------------------------------------------------------------------------------------

def test_example_tone2001_sbm(oracle, models):
    """Tone (2001), p. 505: SBM crs non-oriented (deaR: A 0.798, B 0.568, D 0.667)."""
    ref = read_example(oracle, "Tone2001_sbm_ccr.csv")
    labels = check_labels("Tone2001_sbm_ccr", ref, reference_labels(oracle, "Tone2001"))
    r = models.dea("Tone2001", model="sbm", rts="crs", orientation="none")
    problems = compare("Tone2001_sbm_ccr", "sbm_crs_no vs rho", labels, r.scores, ref["sbm_crs_no"], SCORE_TOL)
    assert not problems, report(problems)


def test_example_tone2001_sbm_slacks(oracle, models):
    """SBM crs non-oriented slacks: compared with deaR's; where they differ (slacks need not be unique),
    ours must be feasible and reach the reference rho."""
    ref = read_example(oracle, "Tone2001_sbm_slacks.csv")
    labels = check_labels("Tone2001_sbm_slacks", ref, reference_labels(oracle, "Tone2001"))
    rho = read_example(oracle, "Tone2001_sbm_ccr.csv")["sbm_crs_no"].to_numpy(dtype=float)
    _, _, inputs, outputs = models.data("Tone2001")
    X, Y = models.arrays("Tone2001")
    r = models.dea("Tone2001", model="sbm", rts="crs", orientation="none")
    cols = inputs + outputs
    diff = np.abs(r.slacks[cols].to_numpy() - ref[cols].to_numpy(dtype=float))
    differ = ~np.all(diff <= SCORE_TOL, axis=1)
    problems: list[str] = []
    if differ.any():
        sub = np.flatnonzero(differ)
        problems += sbm_solution_problems("Tone2001_sbm_slacks (ours, where they differ from deaR's)", labels, X, Y,
                                          r, "crs", "none")
        problems += compare("Tone2001_sbm_slacks", "our rho vs deaR's rho where slacks differ",
                            [labels[i] for i in sub], r.scores.to_numpy()[sub], rho[sub], SCORE_TOL)
    assert not problems, report(problems)


def test_example_tone2003_sbm_undesirable(oracle):
    """Tone (2003), pp. 10-11: SBM vrs non-oriented, x input, yg good output, yb undesirable output:
    the score and deaR's targets (x, yg, yb)."""
    ref = read_example(oracle, "Tone2003_sbm_vrs_undesirable.csv")
    df = pd.read_csv(oracle / "data" / "deaR" / "Tone2003.csv")
    labels = check_labels("Tone2003", ref, df["DMU"])
    r = ef.dea(df, id="DMU", inputs=["x"], outputs=["yg"], undesirable=["yb"], model="sbm", rts="vrs",
               orientation="none")
    problems = compare("Tone2003", "value vs rho", labels, r.scores, ref["value"], SCORE_TOL)
    for col in ("x", "yg", "yb"):
        problems += compare("Tone2003", f"target {col}", labels, r.targets[col], ref[col], SCORE_TOL)
    problems += sbm_solution_problems("Tone2003 our sbm vrs_no", labels, df[["x"]].to_numpy(float),
                                      df[["yg"]].to_numpy(float), r, "vrs", "none", B=df[["yb"]].to_numpy(float))
    assert (ref["value"] < 1 - SCORE_TOL).sum() >= 3, "Tone2003: expected some inefficient DMUs"
    assert not problems, report(problems)


def test_example_airlines_sbm(oracle, models):
    """Airlines: SBM crs non-oriented (column sbm_crs_no)."""
    ref = read_example(oracle, "Airlines_sbm.csv")
    labels = check_labels("Airlines_sbm", ref, reference_labels(oracle, "Airlines"))
    r = models.dea("Airlines", model="sbm", rts="crs", orientation="none")
    problems = compare("Airlines_sbm", "sbm_crs_no vs rho", labels, r.scores, ref["sbm_crs_no"], SCORE_TOL)
    assert not problems, report(problems)




# ------------------------------------------------------------------------------------------------
# 5. Independent LPs for the blind data sets and the withheld deaR examples
# ------------------------------------------------------------------------------------------------

#: deaR examples the oracle README names but keeps back (blind): their models are checked below against
#: LPs written here (Power_plants super-efficiency, Tone 2002; Libraries non-discretionary and
#: non-controllable POPULATION, Cooper, Seiford and Tone 2007, p. 221).
WITHHELD_EXAMPLES = ("Power_plants_supereff.csv", "Power_plants_sbmsuper_io_slacks.csv", "Libraries_nc_nd.csv",
                     "Libraries_nc_targets.csv")


def test_withheld_examples_are_absent(oracle):
    present = [name for name in WITHHELD_EXAMPLES if (oracle / "ref" / "deaR_examples" / name).exists()]
    assert not present, (f"the oracle now holds {present}: add a comparison with them (the independent LPs of "
                         "this section check the same models)")


def ddf_lp(Xr, Yr, x, y, gx, gy, rts: str) -> float | None:
    """max beta s.t. X' l <= x - beta gx, Y' l >= y + beta gy (beta free), the RTS row."""
    n = len(Xr)
    A = np.vstack([np.c_[gx, Xr.T], np.c_[gy, -Yr.T]])
    ub, ubb, eq, eqb = rts_rows(rts, np.r_[0.0, np.ones(n)])
    res = solve_lp(np.r_[-1.0, np.zeros(n)], stack(A, *ub), np.r_[x, -y, ubb], stack(*eq), eqb or None,
                   bounds=[(None, None)] + [(0, None)] * n)
    return None if res is None else -res.fun


def sbm_lp(Xr, Yr, x, y, rts: str, orientation: str) -> float:
    """Tone's (2001) SBM rho of (x, y) against (Xr, Yr); zero outputs already replaced, a zero input left
    out of the input mean. Non-oriented through the Charnes-Cooper transformation: variables
    (t, Lambda, S-, S+): min t - mean(S-/x) s.t. t + mean(S+/y) = 1, X' Lambda + S- = t x,
    Y' Lambda - S+ = t y (VRS: sum Lambda = t). Input: min 1 - mean(s-/x); output: 1 / (1 + max mean(s+/y))."""
    n, m, k = len(Xr), len(x), len(y)
    pos = x > 0
    wx = np.where(pos, 1.0 / np.where(pos, x, 1.0), 0.0) / pos.sum()
    wy = 1.0 / (k * y)
    if orientation == "none":
        A = np.vstack([np.r_[1.0, np.zeros(n + m), wy],
                       np.c_[-x, Xr.T, np.eye(m), np.zeros((m, k))],
                       np.c_[-y, Yr.T, np.zeros((k, m)), -np.eye(k)]])
        _, _, eq, eqb = rts_rows(rts, np.r_[0.0, np.ones(n), np.zeros(m + k)], t=np.r_[1.0, np.zeros(n + m + k)])
        res = solve_lp(np.r_[1.0, np.zeros(n), -wx, np.zeros(k)], A_eq=stack(A, *eq),
                       b_eq=np.r_[1.0, np.zeros(m + k), eqb])
        return res.fun
    A = np.vstack([np.c_[Xr.T, np.eye(m), np.zeros((m, k))], np.c_[Yr.T, np.zeros((k, m)), -np.eye(k)]])
    ub, ubb, eq, eqb = rts_rows(rts, np.r_[np.ones(n), np.zeros(m + k)])
    c = np.r_[np.zeros(n), -wx, np.zeros(k)] if orientation == "input" else np.r_[np.zeros(n + m), -wy]
    res = solve_lp(c, stack(*ub), ubb or None, stack(A, *eq), np.r_[x, y, eqb])
    return 1.0 + res.fun if orientation == "input" else 1.0 / (1.0 - res.fun)


def super_sbm_lp(Xr, Yr, x, y, rts: str, orientation: str) -> float | None:
    """Tone's (2002) super-SBM delta of an SBM-efficient (x, y) against the others (Xr, Yr), variables
    (t, Lambda, X~, Y~) after the Charnes-Cooper transformation: min mean(X~/x) s.t. mean(Y~/y) = 1,
    X~ >= X' Lambda, Y~ <= Y' Lambda, X~ >= t x, Y~ <= t y (VRS: sum Lambda = t). Input orientation:
    min mean(xbar/x) s.t. xbar >= X' l, xbar >= x, Y' l >= y."""
    n, m, k = len(Xr), len(x), len(y)
    if orientation == "input":
        A = np.vstack([np.c_[Xr.T, -np.eye(m)], np.c_[-Yr.T, np.zeros((k, m))], np.c_[np.zeros((m, n)), -np.eye(m)]])
        ub, ubb, eq, eqb = rts_rows(rts, np.r_[np.ones(n), np.zeros(m)])
        res = solve_lp(np.r_[np.zeros(n), 1.0 / (m * x)], stack(A, *ub), np.r_[np.zeros(m), -y, -x, ubb],
                       stack(*eq), eqb or None)
        return None if res is None else res.fun
    A = np.vstack([np.c_[np.zeros(m), Xr.T, -np.eye(m), np.zeros((m, k))],
                   np.c_[np.zeros(k), -Yr.T, np.zeros((k, m)), np.eye(k)],
                   np.c_[x, np.zeros((m, n)), -np.eye(m), np.zeros((m, k))],
                   np.c_[-y, np.zeros((k, n + m)), np.eye(k)]])
    _, _, eq, eqb = rts_rows(rts, np.r_[0.0, np.ones(n), np.zeros(m + k)], t=np.r_[1.0, np.zeros(n + m + k)])
    res = solve_lp(np.r_[0.0, np.zeros(n), 1.0 / (m * x), np.zeros(k)], A, np.zeros(2 * (m + k)),
                   stack(np.r_[0.0, np.zeros(n + m), 1.0 / (k * y)], *eq), np.r_[1.0, eqb])
    return None if res is None else res.fun


def with_efficient(models: Models, ds: str, n: int, **kw) -> np.ndarray:
    """The sampled rows plus up to four DMUs that are efficient (score 1) under ``kw``."""
    scores = models.dea(ds, **kw).scores.to_numpy()
    top = np.flatnonzero(np.abs(scores - 1.0) <= SCORE_TOL)[:4]
    return np.union1d(sample(n), top)


@pytest.mark.parametrize("ds", INDEPENDENT_SETS)
def test_models_equal_independent_lps(models, ds):
    """Radial super-efficiency (Andersen-Petersen), DDF beta (proportional and unit direction), additive
    slack sums, SBM rho ({none, input, output}) and super-SBM delta (non-oriented) under CRS and VRS equal
    the LPs of this section on sampled DMUs (and some efficient ones); our SBM slacks are feasible and
    reproduce rho."""
    df, id_, _, _ = models.data(ds)
    X, Y = models.arrays(ds)
    labels = list(df[id_].astype(str))
    n = len(X)
    Xs, Ys, mx, my = scaled(X, Y)
    Yz = replace_zero_outputs(Y) / my
    others = lambda i: np.arange(n) != i                                    # noqa: E731
    problems: list[str] = []
    for rts in ("crs", "vrs"):
        for orientation in ("input", "output"):
            rows = with_efficient(models, ds, n, model="radial", rts=rts, orientation=orientation)
            sup = models.dea(ds, model="radial", rts=rts, orientation=orientation, super_efficiency=True)
            theirs = [radial_lp(Xs[others(i)], Ys[others(i)], Xs[i], Ys[i], rts, orientation) for i in rows]
            problems += independent_problems(ds, f"super {rts} {orientation} farrell", labels, rows, sup.farrell,
                                             theirs, SCORE_TOL)
            problems += [f"{ds} super {rts} {orientation}, DMU {labels[i]!r}: NaN with status {sup.status.iloc[i]!r}"
                         for i in rows if np.isnan(sup.farrell.iloc[i]) and sup.status.iloc[i] != "infeasible"]
        rows = sample(n)
        for direction, (gx, gy) in (("proportional", (None, None)), ("unit", (1.0 / mx, 1.0 / my))):
            r = models.dea(ds, model="ddf", rts=rts, **({"direction": "unit"} if direction == "unit" else {}))
            theirs = [ddf_lp(Xs, Ys, Xs[i], Ys[i], Xs[i] if gx is None else gx, Ys[i] if gy is None else gy, rts)
                      for i in rows]
            problems += independent_problems(ds, f"ddf {direction} {rts} beta", labels, rows, measure(r), theirs,
                                             SCORE_TOL)
        r = models.dea(ds, model="additive", rts=rts)
        theirs = [max_slack_lp(Xs, Ys, Xs[i], Ys[i], rts, mx, my) for i in rows]
        problems += independent_problems(ds, f"additive {rts} slack sum", labels, rows, measure(r), theirs, 1e-6)
        for orientation in ("none", "input", "output"):
            r = models.dea(ds, model="sbm", rts=rts, orientation=orientation)
            theirs = [sbm_lp(Xs, Yz, Xs[i], Yz[i], rts, orientation) for i in rows]
            problems += independent_problems(ds, f"sbm {rts} {orientation} rho", labels, rows, r.scores, theirs,
                                             SCORE_TOL)
        problems += sbm_solution_problems(f"{ds} our sbm {rts}_no", labels, X, Y,
                                          models.dea(ds, model="sbm", rts=rts, orientation="none"), rts, "none")
        ordinary = models.dea(ds, model="sbm", rts=rts, orientation="none")
        sup = models.dea(ds, model="sbm", rts=rts, orientation="none", super_efficiency=True)
        efficient = np.flatnonzero(np.abs(ordinary.scores.to_numpy() - 1.0) <= SCORE_TOL)[:6]
        assert efficient.size, f"{ds} sbm {rts}: no SBM-efficient DMU"
        theirs = [super_sbm_lp(Xs[others(i)], Yz[others(i)], Xs[i], Yz[i], rts, "none") for i in efficient]
        problems += independent_problems(ds, f"super-sbm {rts} none delta", labels, efficient, sup.scores, theirs,
                                         SCORE_TOL)
    assert not problems, report(problems)


def test_power_plants_super_efficiency_equals_independent_lps(models):
    """Tone (2002), p. 38 (deaR's Power_plants_supereff / _sbmsuper_io_slacks examples, kept back): radial
    super-efficiency (input, CRS) and super-SBM (input and non-oriented, CRS) of all six plants; super-SBM
    gives delta for the SBM-efficient plants and the ordinary SBM score for the others."""
    X, Y = models.arrays("Power_plants")
    labels = reference_labels(models.oracle, "Power_plants")
    Xs, Ys, _, _ = scaled(X, Y)
    rows = np.arange(len(X))
    others = lambda i: rows != i                                            # noqa: E731
    radial = models.dea("Power_plants", model="radial", rts="crs", orientation="input", super_efficiency=True)
    theirs = [radial_lp(Xs[others(i)], Ys[others(i)], Xs[i], Ys[i], "crs", "input") for i in rows]
    problems = independent_problems("Power_plants", "super crs input theta", labels, rows, radial.farrell, theirs,
                                    SCORE_TOL)
    assert (radial.farrell > 1 + 1e-6).sum() >= 2, "Power_plants: expected super-efficient plants"
    for orientation in ("input", "none"):
        ordinary = models.dea("Power_plants", model="sbm", rts="crs", orientation=orientation)
        sup = models.dea("Power_plants", model="sbm", rts="crs", orientation=orientation, super_efficiency=True)
        base = ordinary.scores.to_numpy()
        efficient = np.abs(base - 1.0) <= SCORE_TOL
        theirs = [super_sbm_lp(Xs[others(i)], Ys[others(i)], Xs[i], Ys[i], "crs", orientation) if efficient[i]
                  else sbm_lp(Xs, Ys, Xs[i], Ys[i], "crs", orientation) for i in rows]
        problems += independent_problems("Power_plants", f"super-sbm crs {orientation}", labels, rows, sup.scores,
                                         theirs, SCORE_TOL)
        assert efficient.sum() >= 2, f"Power_plants sbm {orientation}: {base}"
    assert not problems, report(problems)


def test_libraries_fixed_population_equals_independent_lps(models):
    """Cooper, Seiford and Tone (2007), p. 221 (deaR's Libraries_nc_nd / _nc_targets examples, kept back):
    CCR input with POPULATION non-discretionary (X_pop' l <= x_pop, Banker-Morey) or non-controllable
    (X_pop' l = x_pop). Scores of all 23 libraries; under non-controllable, the maximal slack sum of the
    other inputs and the outputs at theta, and POPULATION's target equal to its data."""
    df, _, inputs, outputs = models.data("Libraries")
    X, Y = models.arrays("Libraries")
    labels = reference_labels(models.oracle, "Libraries")
    Xs, Ys, mx, my = scaled(X, Y)
    n, m, k = len(X), X.shape[1], Y.shape[1]
    pop = inputs.index("POPULATION")
    disc = np.arange(m) != pop
    rows = np.arange(n)
    problems: list[str] = []
    for option in ("nondiscretionary", "noncontrollable"):
        r = models.dea("Libraries", model="radial", rts="crs", orientation="input", **{option: ("POPULATION",)})
        theirs, slack = [], []
        for i in rows:
            # variables (theta, lambda): X_d' l - theta x_d <= 0, Y' l >= y; POPULATION <= or = x_pop
            A_ub = np.vstack([np.c_[-Xs[i, disc], Xs[:, disc].T], np.c_[np.zeros(k), -Ys.T]])
            b_ub = np.r_[np.zeros(disc.sum()), -Ys[i]]
            row = np.r_[0.0, Xs[:, pop]][None, :]
            if option == "nondiscretionary":
                res = solve_lp(np.r_[1.0, np.zeros(n)], np.vstack([A_ub, row]), np.r_[b_ub, Xs[i, pop]],
                               bounds=[(None, None)] + [(0, None)] * n)
                theirs.append(res.fun)
                continue
            res = solve_lp(np.r_[1.0, np.zeros(n)], A_ub, b_ub, row, [Xs[i, pop]],
                           bounds=[(None, None)] + [(0, None)] * n)
            theirs.append(res.fun)
            # phase II at theta: max raw slack sum of the discretionary inputs and the outputs
            d = int(disc.sum())
            A_eq = np.vstack([np.c_[Xs[:, disc].T, np.eye(d), np.zeros((d, k))],
                              np.c_[Xs[:, pop][None, :], np.zeros((1, d + k))],
                              np.c_[Ys.T, np.zeros((k, d)), -np.eye(k)]])
            w = np.r_[mx[disc], my] / np.r_[mx[disc], my].max()
            res2 = solve_lp(-np.r_[np.zeros(n), w], A_eq=A_eq, b_eq=np.r_[res.fun * Xs[i, disc], Xs[i, pop], Ys[i]])
            slack.append(-res2.fun * np.r_[mx[disc], my].max())
        problems += independent_problems("Libraries", f"{option} POPULATION: crs input theta", labels, rows,
                                         r.farrell, theirs, SCORE_TOL)
        if option == "noncontrollable":
            problems += independent_problems("Libraries", "noncontrollable: max slack sum", labels, rows,
                                             r.slacks.sum(axis=1), slack, 1e-5)
            problems += compare("Libraries", "noncontrollable POPULATION target vs data", labels,
                                r.targets["POPULATION"], X[:, pop], 1e-9 * X[:, pop].mean())
    plain = models.dea("Libraries", model="radial", rts="crs", orientation="input").farrell.to_numpy()
    nd = models.dea("Libraries", model="radial", rts="crs", orientation="input",
                    nondiscretionary=("POPULATION",)).farrell.to_numpy()
    # a relaxation (POPULATION need not contract): theta can only fall, and does for some libraries
    assert (nd <= plain + 1e-9).all() and (nd < plain - 1e-6).sum() >= 3, "fixing POPULATION changed nothing"
    assert not problems, report(problems)
