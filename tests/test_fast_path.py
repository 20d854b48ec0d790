"""The fast path equals the plain path, for every option of ``ef.dea``, ``ef.malmquist`` and
``ef.bootstrap`` (hypothesis, derandomised).

The default backend (the numba core, with frame screening from 64 reference DMUs, per-DMU row
scaling and its certificate) must give the same scores, NaN pattern and statuses as the plain
computation - HiGHS on every LP against every DMU, no screening - to 1e-6. Data sets have 64-600
DMUs (sizes where screening is on), drawn with ties (values on a grid), duplicated DMUs, a DMU that
dominates all, zeros where the model allows them, and column scales from 1e-3 to 1e6. Every option
combination is a test case of its own; each draws its own data (the case's name enters the seed).
"""

from __future__ import annotations

import itertools
import warnings
import zlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import efficiency as ef

TOL = 1e-6
SETTINGS = settings(max_examples=2, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
RTS = ["crs", "vrs", "nirs", "ndrs"]
#: Generalised returns to scale (issue 13): rts="grs" with these bounds on sum(lambda).
GRS_BOUNDS = (0.8, 1.25)
RTS_GRS = RTS + ["grs"]
SIZES = [64, 97, 150, 300, 600]
SMALL = [64, 80, 100]                   # for the costly cases (graph bisection: ~40 LPs per DMU)


def make_data(seed: int, n: int, m: int = 3, s: int = 2, k: int = 0, zeros: bool = True,
              scale: np.ndarray | None = None) -> pd.DataFrame:
    """n DMUs: Cobb-Douglas outputs with half-normal inefficiency (a frontier that screening thins
    out), on a grid of values (ties) or continuous, some DMUs duplicated, maybe one dominating all,
    zeros in a fifth of one input and one output column (never a whole row), bad outputs (k) that
    grow with the good ones, and column scales from 1e-3 to 1e6 (``scale``: given ones, e.g. those of
    the data a reference set is for)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 10, (n, m))
    eff = np.exp(-np.abs(rng.normal(0, 0.3, n)))
    Y = (np.prod(X, axis=1) ** (0.8 / m) * eff)[:, None] * rng.uniform(0.5, 1.5, (n, s))
    B = Y[:, :1] * rng.uniform(0.5, 2.0, (n, k))
    if rng.random() < 0.5:                                   # ties: values on a coarse grid
        X, Y, B = np.ceil(X), np.ceil(Y), np.ceil(B)
    dup = rng.choice(n, size=n // 10, replace=False)         # duplicated DMUs
    src = rng.choice(n, size=dup.size)
    X[dup], Y[dup], B[dup] = X[src], Y[src], B[src]
    if rng.random() < 0.5:                                   # a DMU that dominates all
        j = rng.integers(n)
        X[j], Y[j] = X.min(axis=0) * 0.9, Y.max(axis=0) * 1.1
        B[j] = B.min(axis=0) * 0.9
    if zeros:
        zx = rng.random(n) < 0.2
        zy = rng.random(n) < 0.2
        X[zx, -1] = 0.0
        Y[zy, -1] = 0.0 if s > 1 else Y[zy, -1]
    scale = rng.choice([1e-3, 1.0, 37.0, 1e6], size=m + s + k) if scale is None else scale
    cols = [f"x{i + 1}" for i in range(m)] + [f"y{r + 1}" for r in range(s)] + [f"b{i + 1}" for i in range(k)]
    df = pd.DataFrame(np.hstack([X, Y, B]) * scale, columns=cols)
    df.attrs["scale"] = tuple(scale)
    return df


def _names(df: pd.DataFrame, prefix: str) -> list[str]:
    """The columns of ``make_data`` named prefix + number (x1, y2, b1)."""
    return [c for c in df.columns if c.startswith(prefix) and c[len(prefix):].isdigit()]


def _quiet(fn, *args, **kw):
    """Run ``fn``; warnings (unsolved LPs, a fallback the result labels) are not failures here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def assert_same(fast: pd.DataFrame, plain: pd.DataFrame, columns: list[str], what: str) -> None:
    """Statuses equal; every value column equal to TOL (relative to max(1, |value|)), NaN where NaN.

    One exception: a row the plain path could not solve to a checked optimum ('numerical': HiGHS's
    answer failed the relative feasibility check even on the row-scaled LP, as on a zero input
    against a direction of 1e-7 of its column's scale) may hold the fast path's certified optimum;
    such rows must stay rare (at most 2 in 100)."""
    assert list(fast.index) == list(plain.index), what
    keep = np.ones(len(plain), dtype=bool)
    if "status" in plain:
        unsolved = (plain["status"] == "numerical") & (fast["status"] == "optimal")
        assert unsolved.sum() <= max(1, len(plain) // 50), f"{what}: {int(unsolved.sum())} rows numerical in HiGHS"
        keep = ~unsolved.to_numpy()
        bad = (fast["status"] != plain["status"]) & ~unsolved
        assert not bad.any(), (f"{what}: statuses differ at {list(fast.index[bad][:5])}: "
                               f"{list(fast['status'][bad][:5])} vs {list(plain['status'][bad][:5])}")
    for c in columns:
        a, b = fast[c].to_numpy(dtype=float)[keep], plain[c].to_numpy(dtype=float)[keep]
        assert np.array_equal(np.isnan(a), np.isnan(b)), f"{what}: NaN pattern of {c} differs"
        ok = ~np.isnan(b)
        np.testing.assert_allclose(a[ok], b[ok], rtol=TOL, atol=TOL, err_msg=f"{what}: {c}")


# --------------------------------------------------------------------------------------------------
# ef.dea: every option combination
# --------------------------------------------------------------------------------------------------

def _dea_cases():
    cases = []
    for rts, orientation in itertools.product(RTS_GRS, ["input", "output", "graph"]):
        variants = ["plain", "super", "nondiscretionary", "noncontrollable", "reference"]
        if orientation != "graph":
            variants += ["scale", "super+nondiscretionary", "super+noncontrollable", "reference+nondiscretionary",
                         "reference+noncontrollable"]
        cases += [("radial", rts, orientation, v) for v in variants]
    for rts, orientation in itertools.product(RTS_GRS, ["none", "input", "output"]):
        cases += [("sbm", rts, orientation, v) for v in
                  ["plain", "undesirable", "super", "super+undesirable", "reference", "reference+undesirable"]]
    for rts, direction in itertools.product(RTS_GRS, ["proportional", "unit", "input", "output", "vector", "per-dmu"]):
        cases += [("ddf", rts, direction, v) for v in ["plain", "undesirable", "reference", "reference+undesirable"]]
    cases += [("additive", rts, "none", v) for rts in RTS_GRS + ["fdh"]
              for v in ["plain", "reference", "weights", "weights-matrix", "reference+weights"]]
    cases += [("fdh", "vrs", orientation, v) for orientation in ["input", "output", "graph"]
              for v in ["plain", "reference"]]
    # issue 13: the FDH technology for the other models, Russell, RDM/IRDM, RAM, BAM
    cases += [("radial", "fdh", orientation, v) for orientation in ["input", "output", "graph"]
              for v in ["plain", "reference"]]
    cases += [("sbm", "fdh", orientation, v) for orientation in ["none", "input", "output"]
              for v in ["plain", "undesirable", "reference", "reference+undesirable"]]
    cases += [("ddf", "fdh", direction, v) for direction in ["proportional", "unit", "input", "output", "vector",
                                                             "per-dmu"] for v in ["plain", "reference"]]
    cases += [("russell", rts, orientation, v) for rts in RTS_GRS + ["fdh"] for orientation in ["input", "output"]
              for v in ["plain", "reference"]]
    cases += [("rdm", "vrs", orientation, v) for orientation in ["none", "input", "output"]
              for v in ["plain", "reference", "negative", "inverse", "inverse+reference"]]
    cases += [("ram", rts, "none", v) for rts in ["vrs", "fdh"] for v in ["plain", "reference"]]
    cases += [("bam", rts, "none", v) for rts in RTS_GRS + ["fdh"] for v in ["plain", "reference"]]
    cases += [("mea", rts, orientation, v) for rts in RTS_GRS + ["fdh"] for orientation in ["input", "output", "none"]
              for v in ["plain", "reference"]]
    # the free replicability hull (integer lambdas): radial, input and output; sbm, ddf, additive
    cases += [("radial", "frh", orientation, v) for orientation in ["input", "output"] for v in ["plain", "reference"]]
    cases += [("sbm", "frh", orientation, v) for orientation in ["none", "input", "output"]
              for v in ["plain", "undesirable"]] + [("sbm", "frh", "none", "reference")]
    cases += [("ddf", "frh", direction, "plain") for direction in ["proportional", "unit", "input", "output", "vector",
                                                                   "per-dmu"]] + [("ddf", "frh", "proportional",
                                                                                   "reference")]
    cases += [("additive", "frh", "none", v) for v in ["plain", "reference", "weights", "weights-matrix"]]
    return cases


DEA_CASES = _dea_cases()


def _dea_kwargs(model, rts, third, variant, df, ref, k):
    kw = dict(inputs=_names(df, "x"), outputs=_names(df, "y"), model=model, rts=rts)
    if rts == "grs":
        kw["rts_bounds"] = GRS_BOUNDS
    if "inverse" in variant:
        kw["inverse"] = True
    if "weights" in variant:                  # slack weights of the additive model (data units)
        m, s = len(kw["inputs"]), len(kw["outputs"])
        rng = np.random.default_rng(len(df))
        w = rng.uniform(0.0, 2.0, (len(df), m + s) if variant == "weights-matrix" else m + s)
        kw["slack_weights"] = w / df[kw["inputs"] + kw["outputs"]].abs().mean().to_numpy()   # per mean unit
    if k:
        kw["undesirable"] = _names(df, "b")
    if model == "ddf":
        m, s = len(kw["inputs"]), len(kw["outputs"])
        if third == "vector":                 # a user vector; a bad output may grow (g_b = -1)
            kw["direction"] = [1.0] * m + [1.0] * s + [-1.0] * k
        elif third == "per-dmu":
            rng = np.random.default_rng(len(df))
            kw["direction"] = rng.uniform(0.1, 2.0, (len(df), m + s + k)) * df.to_numpy().mean(axis=0)
        else:
            kw["direction"] = third
    else:
        kw["orientation"] = third
    if "super" in variant:
        kw["super_efficiency"] = True
    if "nondiscretionary" in variant:
        kw["nondiscretionary"] = ["x1", "y1"]
    if "noncontrollable" in variant:
        kw["noncontrollable"] = ["x1", "y1"]
    if variant == "scale":
        kw["scale"] = True
    if "reference" in variant:
        kw["reference"] = ref
    return kw


@pytest.mark.parametrize("model,rts,third,variant", DEA_CASES,
                         ids=["-".join(c) for c in DEA_CASES])
@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(0, len(SIZES) - 1))
def test_dea_default_backend_equals_plain_highs(model, rts, third, variant, seed, size):
    name = "-".join((model, rts, third, variant))
    key = zlib.crc32(name.encode())
    costly = third == "graph" or rts == "frh" or (model == "radial" and ("super" in variant or "reference" in variant))
    n = (SMALL if costly else SIZES)[size % len(SMALL if costly else SIZES)]
    k = 1 if "undesirable" in variant else 0
    # Directions in data units ('unit', a vector of ones) presume commensurable units: there the
    # columns keep scale 1 (against columns of 1e6 a unit direction moves beta by 1e-3 within the
    # LP's relative tolerance, and any two solvers' betas may differ by that much).
    # IRDM's direction 1 / range is not units invariant either.
    same_units = (model == "ddf" and third in ("unit", "vector")) or "inverse" in variant
    df = make_data(seed ^ key, n, k=k, zeros=model != "fdh", scale=np.ones(5 + k) if same_units else None)
    ref = None
    if "reference" in variant:                           # another set of the same kind, in the same units
        ref = make_data((seed ^ key) + 1, 64 + (seed % 40), k=k, zeros=False, scale=np.array(df.attrs["scale"]))
    if variant == "negative":                            # RDM takes negative data (translation invariant)
        cols = ["x1", "y1", "y2"]
        df[cols] = df[cols] - df[cols].mean() * np.array([1.5, 0.5, 2.0])
    kw = _dea_kwargs(model, rts, third, variant, df, ref, k)
    try:
        plain = _quiet(ef.dea, df, solver="highs", screen=False, **kw)
    except ef.DataError as exc:                          # data a model refuses: both paths refuse it
        with pytest.raises(ef.DataError, match=str(exc)[:40].replace("(", r"\(").replace(")", r"\)")):
            _quiet(ef.dea, df, **kw)
        return
    fast = _quiet(ef.dea, df, **kw)
    columns = ["efficiency"] + [c for c in ("beta", "farrell", "scale_efficiency") if c in plain.to_frame()]
    if model in ("ram", "bam"):          # efficiency = 1 - slack_sum, both in [0, 1]
        columns.append("slack_sum")
    assert_same(fast.to_frame(), plain.to_frame(), columns, f"{name} (n = {n})")
    if model == "additive":              # a sum in data units: as exact as its largest terms
        total = np.nanmax(np.abs(plain.slack_sum.to_numpy()))
        np.testing.assert_allclose(fast.slack_sum, plain.slack_sum, rtol=TOL, atol=TOL * max(1.0, total),
                                   err_msg=f"{name} (n = {n}): slack_sum")
    if model != "fdh" and rts != "fdh":
        assert fast.solver.startswith("numba") or fast.solver == "highs", fast.solver
    else:
        assert fast.solver == plain.solver == "enumeration"


def test_every_documented_dea_option_is_covered():
    """The cases above span every model, rts, orientation and DDF direction the API accepts."""
    models = {c[0] for c in DEA_CASES}
    assert models == {m.value for m in ef.spec.Model}
    every_rts = {r.value for r in ef.RTS}
    assert every_rts == set(RTS) | {"grs", "fdh", "frh"}
    assert {c[1] for c in DEA_CASES if c[0] == "radial"} == every_rts
    for model in ("sbm", "ddf", "additive"):
        assert {c[1] for c in DEA_CASES if c[0] == model} == every_rts, model
    for model in ("russell", "bam", "mea"):                                # FRH: radial, sbm, ddf, additive
        assert {c[1] for c in DEA_CASES if c[0] == model} == every_rts - {"frh"}, model
    assert {c[1] for c in DEA_CASES if c[0] == "ram"} == {"vrs", "fdh"}       # RAM: VRS or FDH only
    assert {c[1] for c in DEA_CASES if c[0] == "rdm"} == {"vrs"}              # RDM: VRS by construction
    assert {c[2] for c in DEA_CASES if c[0] == "ddf"} == {"proportional", "unit", "input", "output", "vector",
                                                          "per-dmu"}
    assert {c[2] for c in DEA_CASES if c[0] == "rdm"} == {"none", "input", "output"}
    assert {c[2] for c in DEA_CASES if c[0] == "mea"} == {"none", "input", "output"}
    assert {c[2] for c in DEA_CASES if c[0] == "russell"} == {"input", "output"}
    variants = {v for c in DEA_CASES for v in c[3].split("+")}
    assert variants == {"plain", "super", "nondiscretionary", "noncontrollable", "reference", "undesirable",
                        "scale", "weights", "weights-matrix", "negative", "inverse"}


# --------------------------------------------------------------------------------------------------
# ef.malmquist: every kind
# --------------------------------------------------------------------------------------------------

MALMQUIST_CASES = ([(kind, rts, orientation, False, "fgnz") for kind in ["adjacent", "base", "sequential", "global"]
                    for rts in ["crs", "vrs"] for orientation in ["input", "output"]] +
                   [(kind, rts, "none", True, "fgnz") for kind in ["adjacent", "base", "sequential", "global"]
                    for rts in ["crs", "vrs"]] +
                   # decompositions (issue 14; "+tc" = tc_vrs=True) and the biennial kind, one case each
                   [("adjacent", "vrs", "input", False, "rd"), ("sequential", "vrs", "output", False, "gl"),
                    ("adjacent", "crs", "output", False, "bias"), ("adjacent", "vrs", "input", False, "bias+tc"),
                    ("sequential", "vrs", "output", False, "fgnz+tc"), ("base", "vrs", "input", False, "rts"),
                    ("biennial", "vrs", "output", False, "fgnz"), ("biennial", "vrs", "input", False, "rts"),
                    ("biennial", "vrs", "none", True, "fgnz")])


@pytest.mark.parametrize("kind,rts,orientation,bads,decomposition", MALMQUIST_CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}{'-ml' if c[3] else ''}{'' if c[4] == 'fgnz' else '-' + c[4]}"
                              for c in MALMQUIST_CASES])
@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_malmquist_default_backend_equals_plain_highs(kind, rts, orientation, bads, decomposition, seed):
    extra = "" if decomposition == "fgnz" else decomposition        # the fgnz cases keep their data
    key = zlib.crc32(f"{kind}{rts}{orientation}{bads}{extra}".encode())
    units = 64 + seed % 37
    frames = []
    scale = None
    for t, year in enumerate((2001, 2002, 2003)):
        f = make_data((seed ^ key) + t, units, k=1 if bads else 0, zeros=False, scale=scale)
        scale = np.array(f.attrs["scale"])                           # every period in the same units
        f.attrs = {}
        f[_names(f, "y")] *= 1.0 + 0.05 * t                         # some technical change
        frames.append(f.assign(unit=[f"u{i}" for i in range(units)], year=year))
    panel = pd.concat(frames, ignore_index=True)
    kw = dict(id="unit", period="year", inputs=_names(panel, "x"), outputs=_names(panel, "y"), kind=kind, rts=rts,
              decomposition=decomposition.removesuffix("+tc"), tc_vrs=decomposition.endswith("+tc"))
    if bads:
        kw["undesirable"] = _names(panel, "b")
    else:
        kw["orientation"] = orientation
    plain = _quiet(ef.malmquist, panel, solver="highs", screen=False, **kw).to_frame()
    fast = _quiet(ef.malmquist, panel, **kw).to_frame()
    columns = [c for c in ("malmquist", "effch", "techch", "pech", "sech", "obtech", "ibtech", "matech") if c in plain]
    columns += [c for c in plain.columns if c.startswith(("d_", "v_")) and c != "v_status"]
    if decomposition != "fgnz":
        assert {"malmquist", "effch", "techch"} <= set(columns) and ("obtech" in columns) == decomposition.startswith(
            "bias") and ("d_mix_from" in columns) == decomposition.startswith(("bias", "gl"))
    assert_same(fast, plain, columns, f"malmquist {kind} {rts} {orientation} bads={bads} {decomposition} "
                                      f"({units} units)")


# --------------------------------------------------------------------------------------------------
# ef.bootstrap: one seed
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rts,orientation", [("vrs", "input"), ("crs", "output")])
def test_bootstrap_default_backend_equals_plain_highs(rts, orientation):
    df = make_data(20261129, 64, zeros=False)
    kw = dict(inputs=_names(df, "x"), outputs=_names(df, "y"), rts=rts, orientation=orientation, B=30, seed=5)
    plain = _quiet(ef.bootstrap, df, solver="highs", **kw).to_frame()
    fast = _quiet(ef.bootstrap, df, **kw).to_frame()
    assert_same(fast, plain, list(plain.columns), f"bootstrap {rts} {orientation}")
