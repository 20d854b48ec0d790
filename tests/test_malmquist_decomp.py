"""Malmquist decompositions and the biennial index (issue 14): ``decomposition="rd" | "gl" | "bias" | "rts"``,
``tc_vrs`` and ``kind="biennial"`` of :func:`efficiency.malmquist`.

1. deaR 1.5.3's ``ref/malmquist_decomp/<panel>/`` (README_more section 6), every file reproduced:
   the index files ``deaR_<type2>_<rts>_<o>[_tcvrs].csv`` column by column, and the ``*_effall.csv``
   files. Their meaning is marked "not verified" in the README; it is established here (deaR's source,
   ``malmquist_index``, builds ``eff_all`` after turning output-oriented scores into Shephard distances):
   every element is one of our distances in the (0, 1] convention, ``.crs`` = d_*, ``.vrs`` = v_*:
   ``efficiency`` = the own-period score (d_from_from of the pair the period starts = d_to_to of the
   pair it ends), ``efficiency_t_t1`` = e^t(t+1) = d_to_from (technology first, then data),
   ``efficiency_t1_t`` = e^(t+1)(t) = d_from_to, ``efficiency_t_xt1`` = e^t(x^(t+1), y^t) = d_mix_from,
   ``efficiency_t1_xt1`` = e^(t+1)(x^(t+1), y^t) = d_mix_to; the cross elements sit on the later
   period's row and are empty on the first period. Every column of every effall file is compared.
   deaR 1.5.3 applies ``tc_vrs`` to ``type2="bias"`` only: its ``fgnz ... _tcvrs`` files equal its
   default FGNZ files (asserted), so they are reproduced by our default FGNZ; our ``fgnz`` with
   ``tc_vrs=True`` (technical change on VRS frontiers, deaR's meaning of the flag) is compared with the
   mi, tc, pech and sech of deaR's ``bias ... _tcvrs`` files, which are exactly that.
   The EconomyLong folder is held back (README_more): while it is absent, the same deaR formulas are
   checked on EconomyLong against distances from LPs solved here with scipy's linprog; when it appears,
   its files are compared like Grifell-Lovell's.
2. Identities (malmquist = effch * techch, effch = pech * sech, techch = obtech * ibtech * matech, to
   1e-12) and the relations between the decompositions, on random panels.
3. The biennial index (Pastor, Asmild and Lovell 2011): hand examples, no NaN where adjacent VRS and ML
   have infeasible rows, immunity to added periods.
4. Backends (numba, highs, scipy), bad input, CLI-independent layout.
"""

from __future__ import annotations

import re
import warnings
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from efficiency.errors import SolveWarning, SpecError
from efficiency.malmquist import malmquist
from test_oracle_malmquist import PANELS, TOL, Runs, _aligned, _close, _reference
from test_oracle_radial import radial_lp

#: The panels of README_more section 6; EconomyLong's folder is held back.
DECOMP_PANELS = ("Grifell_Lovell_1999", "EconomyLong")
HELD_BACK = ("EconomyLong",)
FILE = re.compile(r"^deaR_(fgnz|rd|gl|bias)_(crs|vrs)_(io|oo)(_tcvrs)?(_effall)?\.csv$")
ORIENT = {"io": "input", "oo": "output"}
#: deaR's index columns and ours.
COLUMNS = {"mi": "malmquist", "ec": "effch", "tc": "techch", "pech": "pech", "sech": "sech", "obtech": "obtech",
           "ibtech": "ibtech", "matech": "matech"}
#: The columns of each index file (README_more section 6), by (type2, rts).
EXPECTED = {("rd", "vrs"): ["mi", "tc", "pech", "sech"], ("gl", "vrs"): ["mi", "tc", "pech", "sech"],
            ("bias", "crs"): ["mi", "ec", "tc", "obtech", "ibtech", "matech"],
            ("bias", "vrs"): ["mi", "tc", "pech", "sech", "obtech", "ibtech", "matech"],
            ("fgnz", "vrs"): ["mi", "tc", "pech", "sech"]}
#: deaR's eff_all elements (module docstring) and our distance columns (after the d_/v_ prefix).
EFFALL = {"efficiency_t_t1": "to_from", "efficiency_t1_t": "from_to", "efficiency_t_xt1": "mix_from",
          "efficiency_t1_xt1": "mix_to"}
#: The elements deaR's eff_all holds for each type2 (deaR's malmquist_index).
EFFALL_ELEMENTS = {
    "fgnz": ["efficiency.crs", "efficiency.vrs", "efficiency_t_t1.crs", "efficiency_t1_t.crs"],
    "rd": ["efficiency.crs", "efficiency.vrs", "efficiency_t_t1.crs", "efficiency_t_t1.vrs", "efficiency_t1_t.vrs"],
    "gl": ["efficiency.crs", "efficiency.vrs", "efficiency_t_xt1.crs", "efficiency_t_t1.vrs", "efficiency_t_xt1.vrs"],
    "bias": ["efficiency.crs", "efficiency.vrs"] + [f"{e}.{r}" for r in ("crs", "vrs") for e in EFFALL],
}
INDEX = ["malmquist", "effch", "techch"]
BIAS = ["obtech", "ibtech", "matech"]


@pytest.fixture(scope="module")
def runs(oracle) -> Runs:
    return Runs(oracle)


# ------------------------------------------------------------------------------------------------
# 1. deaR's malmquist_decomp files
# ------------------------------------------------------------------------------------------------

def test_decomp_folder_layout(oracle):
    """Every panel folder has a spec, Grifell-Lovell is there, every file is an index or effall file of
    README_more's table (each index file with its effall file), and errors.csv holds only deaR's warning
    that bias under vrs measures technical change under crs by default (no LP or R failure to mimic)."""
    root = oracle / "ref" / "malmquist_decomp"
    assert root.is_dir(), "the oracle has no ref/malmquist_decomp folder"
    folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    assert set(folders) <= set(DECOMP_PANELS), f"malmquist_decomp panels without a spec: {folders}"
    assert "Grifell_Lovell_1999" in folders
    for panel in folders:
        names = sorted(p.name for p in (root / panel).iterdir())
        unknown = [nm for nm in names if not FILE.match(nm)]
        assert not unknown, f"malmquist_decomp/{panel}: files no test reads: {unknown}"
        index = {nm for nm in names if not nm.endswith("_effall.csv")}
        assert {nm.replace(".csv", "_effall.csv") for nm in index} == set(names) - index
        combos = {FILE.match(nm).group(1, 2, 3, 4) for nm in index}
        assert combos == {(t, r, o, tc) for o in ("io", "oo") for t, r, tc in
                          [("rd", "vrs", None), ("gl", "vrs", None), ("bias", "crs", None), ("bias", "vrs", None),
                           ("bias", "vrs", "_tcvrs"), ("fgnz", "vrs", "_tcvrs")]}, f"{panel}: {sorted(index)}"
    errors = pd.read_csv(root / "errors.csv")
    assert len(errors) > 0
    assert errors["label"].str.fullmatch(r"\w+ deaR_bias_vrs_(io|oo)").all(), errors["label"].tolist()
    assert errors["error"].str.startswith("warning: By default, technical change (tc) is measured relative to "
                                          "constant returns to scale").all()


def _compare_index_file(oracle: Path, runs: Runs, panel: str, path: Path) -> None:
    typ, rts, o, tcv, _ = FILE.match(path.name).groups()
    ref = _reference(path)
    what = f"malmquist_decomp/{panel}/{path.name}"
    assert [c for c in ref.columns if c not in ("id", "period", "rts_used")] == EXPECTED[(typ, rts)], what
    assert (ref["rts_used"] == rts).all(), f"{what}: deaR changed the rts"
    orientation = ORIENT[o]
    if typ == "fgnz":
        # deaR 1.5.3 ignores tc_vrs for fgnz: the file is its default FGNZ file, and our default FGNZ
        assert tcv
        default = oracle / "ref" / "malmquist" / panel / f"deaR_vrs_{o}_fgnz.csv"
        if default.exists():
            d = _aligned(_reference(default), ref)
            for col in EXPECTED[(typ, rts)]:
                np.testing.assert_allclose(ref[col].to_numpy(float), d[col].to_numpy(float), rtol=1e-12,
                                           err_msg=f"{what} vs {default.name}")
        ours = _aligned(runs.table(panel, rts, orientation, "fgnz"), ref)
    else:
        ours = _aligned(runs.table(panel, rts, orientation, typ, bool(tcv)), ref)
    for col in EXPECTED[(typ, rts)]:
        _close(ours[COLUMNS[col]], ref[col], f"{what} {col}", nan_ok=True)
    empty = ref[EXPECTED[(typ, rts)]].isna().any(axis=1).to_numpy()
    assert (ours.loc[empty, "status"] == "infeasible").all() and (ours.loc[~empty, "status"] == "optimal").all(), \
        f"{what}: statuses"
    if typ == "bias" and tcv:
        # our fgnz with tc_vrs=True: technical change on the VRS frontiers, deaR's bias tc_vrs
        fg = _aligned(runs.table(panel, rts, orientation, "fgnz", True), ref)
        for col in ("mi", "tc", "pech", "sech"):
            _close(fg[COLUMNS[col]], ref[col], f"{what} {col} (fgnz, tc_vrs=True)", nan_ok=True)
    if typ == "rd":                     # README_more: equals the copy in ref/malmquist
        copy = oracle / "ref" / "malmquist" / panel / f"deaR_vrs_{o}_rd.csv"
        if copy.exists():
            c = _aligned(_reference(copy), ref)
            for col in EXPECTED[(typ, rts)]:
                np.testing.assert_array_equal(c[col].to_numpy(float), ref[col].to_numpy(float), err_msg=what)


def _compare_effall_file(runs: Runs, panel: str, path: Path) -> None:
    typ, _, o, _, _ = FILE.match(path.name).groups()
    ref = pd.read_csv(path)
    what = f"malmquist_decomp/{panel}/{path.name}"
    assert list(ref.columns[:2]) == ["id", "period"]
    assert list(ref.columns[2:]) == EFFALL_ELEMENTS[typ], what
    ref["id"] = ref["id"].astype(str)
    ref["period"] = ref["period"].astype(float)
    # the distances do not depend on rts or tc_vrs; a vrs run holds both the d_* and the v_* columns
    ours = runs.table(panel, "vrs", ORIENT[o], typ).reset_index()
    periods = np.sort(ref["period"].unique())
    for col in EFFALL_ELEMENTS[typ]:
        element, r = col.split(".")
        prefix = "d" if r == "crs" else "v"
        if element == "efficiency":
            start = ours[["id", "period_from", f"{prefix}_from_from"]].set_axis(["id", "p", "x"], axis=1)
            end = ours[["id", "period_to", f"{prefix}_to_to"]].set_axis(["id", "p", "x"], axis=1)
            both = start.merge(end, on=["id", "p"])          # middle periods: one LP, twice
            np.testing.assert_allclose(both["x_x"], both["x_y"], rtol=1e-12)
            own = pd.concat([start, end]).drop_duplicates(["id", "p"]).assign(p=lambda f: f["p"].astype(float))
            m = ref[["id", "period", col]].merge(own, left_on=["id", "period"], right_on=["id", "p"], how="left")
            assert len(m) == len(ref) and m["x"].notna().sum() >= ref[col].notna().sum(), what
        else:
            first, last = ref["period"] == periods[0], ref["period"] == periods[-1]
            if ref.loc[first, col].isna().all():           # on the later period's row (Grifell-Lovell)
                key, rows = "period_to", ~first
            else:                                           # on the earlier period's row
                assert ref.loc[last, col].isna().all(), f"{what} {col}: filled on every period"
                key, rows = "period_from", ~last
            mine = ours[["id", key, f"{prefix}_{EFFALL[element]}"]].set_axis(["id", "p", "x"], axis=1)
            mine = mine.assign(p=mine["p"].astype(float))
            m = ref.loc[rows, ["id", "period", col]].merge(mine, left_on=["id", "period"], right_on=["id", "p"],
                                                            how="left")
            assert len(m) == int(rows.sum()), what
        _close(m["x"], m[col], f"{what} {col}", nan_ok=True)


def _independent_check(oracle: Path, runs: Runs, panel: str) -> None:
    """deaR's formulas (its malmquist_index, written out here) on distances from scipy's linprog, for a
    few units (the smallest and the three largest outputs among them) and every pair of periods, both
    orientations: rd, gl (vrs), bias (crs, vrs, vrs with tc_vrs) and fgnz with tc_vrs (our meaning)."""
    sp = PANELS[panel]
    data = pd.read_csv(oracle / "data" / sp.file)
    X = data[list(sp.inputs)].to_numpy(float)
    Y = data[list(sp.outputs)].to_numpy(float)
    X, Y = X / X.mean(axis=0), Y / Y.mean(axis=0)
    ids = data[sp.id].astype(str).to_numpy()
    units = list(pd.unique(ids))
    by_y = data.groupby(sp.id)[list(sp.outputs)[0]].mean()
    top = by_y.sort_values().index.astype(str)      # the largest units have infeasible VRS LPs (io), the
    chosen = {top[0], top[-1], top[-2], top[-3], units[len(units) // 3]}   # smallest ones (oo)
    periods = np.sort(data[sp.period].unique())
    at = {(u, t): i for i, (u, t) in enumerate(zip(ids, data[sp.period]))}
    tech = {t: np.flatnonzero(data[sp.period].to_numpy() == t) for t in periods}
    checked = empty = 0
    for orientation in ("input", "output"):
        def e(x, y, t, rts):
            v = radial_lp(X[tech[t]], Y[tech[t]], x, y, rts, orientation)
            return np.nan if v is None else (v if orientation == "input" else 1.0 / v)

        tables = {(d, tc): runs.table(panel, "vrs", orientation, d, tc)
                  for d, tc in (("rd", False), ("gl", False), ("bias", False), ("bias", True), ("fgnz", True))}
        crs_bias = runs.table(panel, "crs", orientation, "bias")
        for u in sorted(chosen):
            for s, t in pairwise(periods):
                i, j = at[(u, s)], at[(u, t)]
                d = {}
                for r in ("crs", "vrs"):      # eff (own), 12 = e^s(t), 21 = e^t(s), 12y = e^s(m), 22y = e^t(m)
                    d[r] = dict(e0=e(X[i], Y[i], s, r), e1=e(X[j], Y[j], t, r), e12=e(X[j], Y[j], s, r),
                                e21=e(X[i], Y[i], t, r), e12y=e(X[j], Y[i], s, r), e22y=e(X[j], Y[i], t, r))
                c, v = d["crs"], d["vrs"]
                want = {}
                tc = v["e12"] / v["e1"]
                pech = v["e1"] / v["e0"]
                for name, sech in (("rd", (v["e0"] / c["e0"]) / (v["e12"] / c["e12"])),
                                   ("gl", (v["e0"] / c["e0"]) / (v["e12y"] / c["e12y"]))):
                    want[(name, False)] = dict(malmquist=tc * pech * sech, techch=tc, pech=pech, sech=sech)
                for tcv, z in ((False, c), (True, v)):
                    ob = np.sqrt(z["e12"] * z["e22y"] / (z["e1"] * z["e12y"]))
                    ib = np.sqrt(z["e21"] * z["e12y"] / (z["e0"] * z["e22y"]))
                    ma = z["e0"] / z["e21"]
                    sech = (c["e1"] / v["e1"]) / (c["e0"] / v["e0"])
                    want[("bias", tcv)] = dict(malmquist=pech * sech * ob * ib * ma, techch=ob * ib * ma, pech=pech,
                                               sech=sech, obtech=ob, ibtech=ib, matech=ma)
                want[("fgnz", True)] = {k: want[("bias", True)][k] for k in ("malmquist", "techch", "pech", "sech")}
                for key, vals in want.items():
                    row = tables[key].loc[(u, float(t))]
                    for col, w in vals.items():
                        got = float(row[col])
                        where = f"{panel} {orientation} {key} {u!r} {s}->{t} {col}"
                        assert np.isnan(got) == np.isnan(w), f"{where}: ours {got}, independent {w}"
                        if np.isnan(w):
                            empty += 1
                        else:
                            assert got == pytest.approx(w, rel=TOL, abs=TOL), where
                            checked += 1
                row = crs_bias.loc[(u, float(t))]
                ec = c["e1"] / c["e0"]
                ob = np.sqrt(c["e12"] * c["e22y"] / (c["e1"] * c["e12y"]))
                ib = np.sqrt(c["e21"] * c["e12y"] / (c["e0"] * c["e22y"]))
                ma = c["e0"] / c["e21"]
                np.testing.assert_allclose(row[["malmquist", "effch", "techch", "obtech", "ibtech", "matech"]]
                                           .to_numpy(float), [ec * ob * ib * ma, ec, ob * ib * ma, ob, ib, ma],
                                           rtol=TOL, err_msg=f"{panel} {orientation} bias crs {u!r} {s}->{t}")
    assert checked > 100 and empty > 0          # infeasible VRS LPs (deaR: empty cells) among them


@pytest.mark.parametrize("panel", DECOMP_PANELS)
def test_deaR_decomposition_files(oracle, runs, panel):
    folder = oracle / "ref" / "malmquist_decomp" / panel
    if not folder.exists():
        assert panel in HELD_BACK, f"ref/malmquist_decomp/{panel} is missing from the oracle"
        _independent_check(oracle, runs, panel)      # held back: deaR's formulas on independent LPs
        return
    files = sorted(folder.glob("*.csv"))
    assert files
    for path in files:
        if path.name.endswith("_effall.csv"):
            _compare_effall_file(runs, panel, path)
        else:
            _compare_index_file(oracle, runs, panel, path)


# ------------------------------------------------------------------------------------------------
# 2. Identities and relations on random panels
# ------------------------------------------------------------------------------------------------

def _panel(rng: np.random.Generator, units: int, periods: int, *, m: int = 2, s: int = 2, k: int = 0) -> pd.DataFrame:
    n = units * periods
    df = pd.DataFrame({"unit": [f"u{i}" for i in range(units)] * periods,
                       "year": np.repeat(2001 + np.arange(periods), units)})
    for j in range(m):
        df[f"x{j + 1}"] = rng.uniform(1.0, 10.0, n)
    for j in range(s):
        df[f"y{j + 1}"] = rng.uniform(1.0, 10.0, n) * (1 + 0.05 * (df["year"] - 2001))
    for j in range(k):
        df[f"b{j + 1}"] = rng.uniform(1.0, 10.0, n)
    return df


def _run(df, **kw):
    kw.setdefault("inputs", [c for c in df.columns if re.fullmatch(r"x\d+", c)])
    kw.setdefault("outputs", [c for c in df.columns if re.fullmatch(r"y\d+", c)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolveWarning)
        return malmquist(df, id="unit", period="year", **kw)


#: Every valid (decomposition, kind, rts, tc_vrs) family the identities are checked on.
COMBOS = ([("fgnz", k, r, False) for k in ("adjacent", "base", "sequential", "global", "biennial")
           for r in ("crs", "vrs")] +
          [("fgnz", k, "vrs", True) for k in ("adjacent", "sequential", "global", "biennial")] +
          [("rts", k, r, False) for k in ("adjacent", "base", "global", "biennial") for r in ("vrs", "nirs")] +
          [(d, k, "vrs", False) for d in ("rd", "gl") for k in ("adjacent", "sequential")] +
          [("bias", k, r, tc) for k in ("adjacent", "sequential") for r, tc in
           (("crs", False), ("vrs", False), ("vrs", True), ("ndrs", False))])


@pytest.mark.parametrize("decomposition,kind,rts,tc_vrs", COMBOS,
                         ids=[f"{d}-{k}-{r}{'-tc' if tc else ''}" for d, k, r, tc in COMBOS])
def test_identities(decomposition, kind, rts, tc_vrs):
    """malmquist = effch * techch and effch = pech * sech (and techch = obtech * ibtech * matech) to
    1e-12 on every row with values; values are NaN exactly on rows whose status is not optimal."""
    seed = sum(map(ord, f"{decomposition}{kind}{rts}{tc_vrs}"))
    df = _panel(np.random.default_rng(seed), 9, 4)
    for orientation in ("input", "output"):
        m = _run(df, kind=kind, rts=rts, orientation=orientation, decomposition=decomposition, tc_vrs=tc_vrs)
        t = m.to_frame()
        assert m.decomposition == decomposition and m.tc_vrs == tc_vrs and len(t) == 9 * 3
        comps = INDEX + (["pech", "sech"] if m.pech is not None else []) + (BIAS if m.obtech is not None else [])
        assert (m.pech is None) == (rts == "crs" or decomposition == "rts")
        assert (m.obtech is None) == (decomposition != "bias")
        ok = (t["status"] == "optimal").to_numpy()
        assert ok.sum() >= 5                  # VRS cross-period LPs of growing outputs are often infeasible
        assert np.isfinite(t.loc[ok, comps].to_numpy(float)).all()
        assert np.isnan(t.loc[~ok, "malmquist"].to_numpy(float)).all() or decomposition == "fgnz" and not tc_vrs
        d = t[ok]
        np.testing.assert_allclose(d["malmquist"], d["effch"] * d["techch"], rtol=1e-12)
        if m.pech is not None:
            np.testing.assert_allclose(d["effch"], d["pech"] * d["sech"], rtol=1e-12)
        if m.obtech is not None:
            np.testing.assert_allclose(d["techch"], d["obtech"] * d["ibtech"] * d["matech"], rtol=1e-12)


def test_relations_between_decompositions():
    """On one random VRS panel (input orientation): bias splits the FGNZ technical change; rd's index is
    the period-s CRS index; rd and gl share techch and pech; fgnz with tc_vrs is bias with tc_vrs; the
    rts decomposition is the FGNZ formula on the v_* distances and equals fgnz under CRS; the default
    (fgnz) numbers do not depend on the new options."""
    df = _panel(np.random.default_rng(11), 20, 3)
    fg = _run(df, rts="vrs").to_frame()
    bias = _run(df, rts="vrs", decomposition="bias").to_frame()
    both = ["malmquist", "effch", "techch", "pech", "sech", "d_from_from", "d_from_to", "d_to_from", "d_to_to"]
    np.testing.assert_allclose(bias[both], fg[both], rtol=1e-12)
    rd = _run(df, rts="vrs", decomposition="rd").to_frame()
    gl = _run(df, rts="vrs", decomposition="gl").to_frame()
    ok = (rd["status"] == "optimal") & (gl["status"] == "optimal")
    assert ok.sum() >= 10
    r, g = rd[ok], gl[ok]
    np.testing.assert_allclose(r["malmquist"], r["d_to_from"] / r["d_from_from"], rtol=1e-12)
    np.testing.assert_allclose(r["techch"], r["v_to_from"] / r["v_to_to"], rtol=1e-12)
    np.testing.assert_allclose(g[["techch", "pech"]], r[["techch", "pech"]], rtol=1e-12)
    np.testing.assert_allclose(g["sech"], (g["v_from_from"] / g["d_from_from"]) / (g["v_mix_from"] / g["d_mix_from"]),
                               rtol=1e-12)
    assert "d_mix_to" not in g.columns and "d_mix_from" not in r.columns
    tc = _run(df, rts="vrs", tc_vrs=True).to_frame()
    btc = _run(df, rts="vrs", decomposition="bias", tc_vrs=True).to_frame()
    ok = tc["status"] == "optimal"
    assert ok.sum() >= 10 and (ok == (btc["status"] == "optimal")).all()
    np.testing.assert_allclose(tc.loc[ok, INDEX + ["pech", "sech"]], btc.loc[ok, INDEX + ["pech", "sech"]], rtol=1e-12)
    v = tc[ok]
    np.testing.assert_allclose(v["techch"], np.sqrt(v["v_to_from"] / v["v_to_to"] * v["v_from_from"] / v["v_from_to"]),
                               rtol=1e-12)
    np.testing.assert_allclose(v[["effch", "pech"]], fg.loc[ok, ["effch", "pech"]], rtol=1e-12)
    rts = _run(df, rts="vrs", decomposition="rts").to_frame()
    assert "v_from_from" not in rts.columns and "pech" not in rts.columns and "v_status" not in rts.columns
    for col in ("from_from", "from_to", "to_from", "to_to"):
        np.testing.assert_array_equal(rts[f"d_{col}"].isna(), fg[f"v_{col}"].isna())
        np.testing.assert_allclose(rts[f"d_{col}"], fg[f"v_{col}"], rtol=1e-12)
    np.testing.assert_allclose(rts["malmquist"], np.sqrt(rts.d_to_from / rts.d_from_from * rts.d_to_to / rts.d_from_to),
                               rtol=1e-12)
    assert (rts["status"] == fg["v_status"]).all()
    crs_rts, crs = _run(df, decomposition="rts").to_frame(), _run(df).to_frame()
    assert list(crs_rts.columns) == list(crs.columns) and (crs_rts["status"] == crs["status"]).all()
    np.testing.assert_array_equal(_numbers(crs_rts), _numbers(crs))


def test_bias_hand_example():
    """One input (1 for everyone), two outputs, CRS: period 1 A = (4, 1), B = (1, 4); period 2 A = (8, 1),
    B unchanged. With x fixed the mixed point is the period-1 observation, so ibtech = 1. For A:
    e^1(2) = 2 ((8, 1) halved reaches (4, 1)), e^2(1) = 19/31 ((4, 1) x 31/19 lies on the segment from
    (8, 1) to (1, 4)), own scores 1: obtech = sqrt(2 * 19/31), matech = 31/19, techch = sqrt(62/19) = the
    FGNZ TC, effch = 1. Both orientations (under CRS theta = 1/phi). B: every component 1. A uniform
    output growth by k (Hicks-neutral) gives obtech = ibtech = 1, matech = techch = k."""
    df = pd.DataFrame({"unit": ["A", "B"] * 2, "year": [1, 1, 2, 2], "x1": 1.0, "y1": [4.0, 1.0, 8.0, 1.0],
                       "y2": [1.0, 4.0, 1.0, 4.0]})
    for orientation in ("input", "output"):
        t = _run(df, decomposition="bias", orientation=orientation).to_frame().set_index("unit")
        assert list(t.columns[:9]) == ["period_from", "period_to"] + INDEX + BIAS + ["status"]
        a = t.loc["A"]
        assert a[["d_to_from", "d_from_to", "d_mix_from", "d_mix_to"]].tolist() == \
            pytest.approx([2, 19 / 31, 1, 19 / 31])
        assert a[INDEX + BIAS].tolist() == pytest.approx([np.sqrt(62 / 19), 1, np.sqrt(62 / 19), np.sqrt(38 / 31), 1,
                                                          31 / 19])
        assert t.loc["B", INDEX + BIAS].tolist() == pytest.approx([1.0] * 6)
    k = 1.3
    rng = np.random.default_rng(12)
    one = _panel(rng, 8, 1, m=2, s=2)
    grown = pd.concat([one, one.assign(year=2002, y1=one.y1 * k, y2=one.y2 * k)], ignore_index=True)
    t = _run(grown, decomposition="bias").to_frame()
    np.testing.assert_allclose(t[["malmquist", "effch", "techch", "obtech", "ibtech", "matech"]].to_numpy(float),
                               np.tile([k, 1, k, 1, 1, k], (8, 1)), rtol=1e-9)


# ------------------------------------------------------------------------------------------------
# 3. The biennial index
# ------------------------------------------------------------------------------------------------

HAND = pd.DataFrame({"unit": ["A", "B"] * 3, "year": [1, 1, 2, 2, 3, 3], "x1": [1.0] * 6,
                     "y1": [1.0, 2.0, 2.0, 4.0, 1.0, 3.0]})


def test_biennial_hand_example():
    """One input (1), one output, CRS: the technology of a pair has the best y/x of both periods (4 for
    (1, 2) and (2, 3)). A 1 -> 2: e^B(1) = 1/4, e^B(2) = 1/2: M = 2, EC = (2/4)/(1/2) = 1, TC = 2.
    A 2 -> 3: e^B = 1/2, 1/4: M = 1/2, EC = (1/3)/(1/2) = 2/3, TC = 3/4. B 2 -> 3: e^B = 1, 3/4 and own
    scores 1, 1: M = 3/4, EC = 1, TC = 3/4."""
    t = _run(HAND, kind="biennial").to_frame().set_index(["unit", "period_from"])
    assert [c for c in t.columns if c.startswith("d_")] == ["d_from_from", "d_to_to", "d_from_biennial",
                                                           "d_to_biennial"]
    assert t.loc[("A", 1), ["d_from_biennial", "d_to_biennial"]].tolist() == pytest.approx([0.25, 0.5])
    assert t.loc[("A", 1), INDEX].tolist() == pytest.approx([2.0, 1.0, 2.0])
    assert t.loc[("A", 2), INDEX].tolist() == pytest.approx([0.5, 2 / 3, 0.75])
    assert t.loc[("B", 2), INDEX].tolist() == pytest.approx([0.75, 1.0, 0.75])
    # CRS, one input and one output: the biennial index is the change in y/x itself
    ratio = HAND.assign(r=HAND.y1 / HAND.x1).pivot(index="unit", columns="year", values="r")
    for (u, p), row in t.iterrows():
        assert row["malmquist"] == pytest.approx(ratio.loc[u, p + 1] / ratio.loc[u, p])
    m = _run(HAND, kind="biennial")
    assert m.kind == "biennial" and "biennial frontier (Pastor, Asmild and Lovell 2011)" in m.summary()


VRS_INFEASIBLE = pd.DataFrame({"unit": list("ABC") * 2, "year": [1] * 3 + [2] * 3,
                               "x1": [2.0, 4.0, 6.0, 2.0, 4.0, 6.0], "y1": [1.0, 2.0, 2.5, 1.0, 2.0, 9.0]})


def test_biennial_vrs_has_no_infeasible_lp():
    """C produces 9 in period 2, more than any period-1 unit: its VRS input LP against the period-1
    technology is infeasible, so the adjacent VRS index (decomposition 'rts', Benchmarking's) and rd have
    no value for C. The biennial technology holds both periods: VRS frontier (2, 1)-(6, 9) for the
    pair, so C in period 1 needs x = 2.75 for y = 2.5: e^B(1) = 2.75/6 = 11/24, e^B(2) = 1; own VRS scores
    1 and 1: M = 24/11 = TC, EC = 1."""
    adj = _run(VRS_INFEASIBLE, rts="vrs", decomposition="rts").to_frame().set_index("unit")
    assert adj.loc["C", "status"] == "infeasible" and np.isnan(adj.loc["C", "malmquist"])
    rd = _run(VRS_INFEASIBLE, rts="vrs", decomposition="rd").to_frame().set_index("unit")
    assert np.isnan(rd.loc["C", ["malmquist", "techch", "sech"]].astype(float)).all()
    assert rd.loc["C", "pech"] == pytest.approx(1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # no warning at all
        b = malmquist(VRS_INFEASIBLE, id="unit", period="year", inputs=["x1"], outputs=["y1"], rts="vrs",
                      kind="biennial", decomposition="rts").to_frame().set_index("unit")
        f = malmquist(VRS_INFEASIBLE, id="unit", period="year", inputs=["x1"], outputs=["y1"], rts="vrs",
                      kind="biennial").to_frame().set_index("unit")
    assert (b["status"] == "optimal").all() and b[INDEX].notna().all().all()
    assert b.loc["C", ["d_from_biennial", "d_to_biennial"]].tolist() == pytest.approx([11 / 24, 1.0])
    assert b.loc["C", INDEX].tolist() == pytest.approx([24 / 11, 1.0, 24 / 11])
    assert (f["v_status"] == "optimal").all() and f[INDEX + ["pech", "sech"]].notna().all().all()
    np.testing.assert_allclose(f["pech"] * f["sech"], f["effch"], rtol=1e-12)


def test_biennial_malmquist_luenberger_has_no_infeasible_lp():
    """The industry columns of the sample panel with a bad output: 28 of the 248 adjacent ML rows are
    infeasible (tests/test_cli_malmquist.py); the biennial ML has none, its betas against the pair's
    technology are >= 0 and at most the own-period ones, and ML = MLEC x MLTC."""
    data = Path(__file__).resolve().parents[1] / "sample_data" / "provinces.csv"
    kw = dict(id="province", period="year", inputs=["industrial_investment", "energy_consumption"],
              outputs=["high_tech_output", "advanced_structure_share"], undesirable=["co2_emissions"])
    with pytest.warns(SolveWarning, match="28 of 248 rows"):
        adj = malmquist(data, **kw).to_frame()
    assert adj["malmquist"].isna().sum() == 28
    for rts in ("crs", "vrs"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            m = malmquist(data, kind="biennial", rts=rts, **kw)
        t = m.to_frame()
        assert m.luenberger and len(t) == 248 and (t["status"] == "optimal").all()
        assert t[INDEX].notna().all().all()
        assert (t[["d_from_biennial", "d_to_biennial"]] >= -1e-9).all().all()
        assert (t["d_from_biennial"] >= t["d_from_from"] - 1e-9).all()
        assert (t["d_to_biennial"] >= t["d_to_to"] - 1e-9).all()
        np.testing.assert_allclose(t["malmquist"], (1 + t.d_from_biennial) / (1 + t.d_to_biennial), rtol=1e-12)
        np.testing.assert_allclose(t["malmquist"], t["effch"] * t["techch"], rtol=1e-12)


def test_biennial_properties():
    """The pair's technology contains each period's own, so (input orientation) e^B <= own score; the
    index of a pair does not change when a period is added (Pastor, Asmild and Lovell's third property;
    the global index changes); unbalanced panels keep every row."""
    df = _panel(np.random.default_rng(13), 12, 3)
    t = _run(df, kind="biennial", rts="vrs").to_frame()
    assert (t["d_from_biennial"] <= t["d_from_from"] + 1e-12).all()
    assert (t["d_to_biennial"] <= t["d_to_to"] + 1e-12).all()
    assert (t["v_from_biennial"] <= t["v_from_from"] + 1e-12).all()
    two = _run(df[df.year <= 2002], kind="biennial", rts="vrs").to_frame()
    first = t[t.period_from == 2001].reset_index(drop=True)
    np.testing.assert_allclose(first[INDEX + ["pech", "sech"]], two[INDEX + ["pech", "sech"]], rtol=1e-12)
    g3 = _run(df, kind="global").to_frame()
    g2 = _run(df[df.year <= 2002], kind="global").to_frame()
    assert not np.allclose(g3.loc[g3.period_from == 2001, "malmquist"], g2["malmquist"], rtol=1e-6)
    gone = df[~((df.unit == "u3") & (df.year == 2002))]
    u = _run(gone, kind="biennial").to_frame()
    assert len(u) == 24 and (u.loc[u.unit == "u3", "status"] == "missing").all()
    assert (u.loc[u.unit != "u3", "status"] == "optimal").all()


# ------------------------------------------------------------------------------------------------
# 4. Backends, layout, bad input
# ------------------------------------------------------------------------------------------------

#: (decomposition, kind, rts, tc_vrs, orientation) of the backend checks.
BACKEND_CASES = [("rd", "adjacent", "vrs", False, "input"), ("gl", "sequential", "vrs", False, "output"),
                 ("bias", "adjacent", "vrs", True, "output"), ("bias", "adjacent", "crs", False, "input"),
                 ("fgnz", "adjacent", "vrs", True, "input"), ("rts", "adjacent", "vrs", False, "output"),
                 ("fgnz", "biennial", "vrs", False, "input")]


def _numbers(t: pd.DataFrame) -> np.ndarray:
    return t.select_dtypes("number").to_numpy(float)


@pytest.mark.parametrize("decomposition,kind,rts,tc_vrs,orientation", BACKEND_CASES,
                         ids=[f"{c[0]}{'-tc' if c[3] else ''}-{c[1]}-{c[2]}" for c in BACKEND_CASES])
def test_backends_agree(decomposition, kind, rts, tc_vrs, orientation):
    """numba (with screening: 70 units per technology) = highs on random data; scipy = highs on a small
    panel. Same statuses, values to 1e-6."""
    kw = dict(kind=kind, rts=rts, tc_vrs=tc_vrs, orientation=orientation, decomposition=decomposition)
    df = _panel(np.random.default_rng(sum(map(ord, decomposition + kind))), 70, 3)
    a = _run(df, solver="numba", **kw)
    b = _run(df, solver="highs", **kw)
    assert a.solver.startswith("numba") and b.solver == "highs"
    ta, tb = a.to_frame(), b.to_frame()
    assert (ta["status"] == tb["status"]).all() and (ta["status"] == "optimal").mean() > 0.5
    np.testing.assert_allclose(_numbers(ta), _numbers(tb), rtol=1e-6, atol=1e-6)
    small = _panel(np.random.default_rng(14), 8, 3)
    ts, th = _run(small, solver="scipy", **kw).to_frame(), _run(small, solver="highs", **kw).to_frame()
    assert (ts["status"] == th["status"]).all()
    np.testing.assert_allclose(_numbers(ts), _numbers(th), rtol=1e-6, atol=1e-6)


def test_table_layout_summary_and_cumulative():
    df = _panel(np.random.default_rng(15), 6, 3)
    m = _run(df, rts="vrs", decomposition="bias", tc_vrs=True, cumulative=True)
    t = m.to_frame()
    assert list(t.columns) == ["unit", "period_from", "period_to", "malmquist", "effch", "techch", "pech", "sech",
                               "obtech", "ibtech", "matech", "cum_malmquist", "cum_effch", "cum_techch", "cum_pech",
                               "cum_sech", "status", "d_from_from", "d_from_to", "d_to_from", "d_to_to",
                               "d_mix_from", "d_mix_to", "v_from_from", "v_to_to", "v_from_to", "v_to_from",
                               "v_mix_from", "v_mix_to", "v_status"]
    text = m.summary()
    assert "biased technical change decomposition, technical change on the VRS frontiers (tc_vrs)" in text
    assert "obtech" in text.splitlines()[3] and "bias+tc_vrs" in repr(m)
    for u, g in t.groupby("unit"):
        np.testing.assert_allclose(g["cum_techch"], np.cumprod(g["techch"].to_numpy()), rtol=1e-12)
    r = _run(df, rts="vrs", decomposition="rd")
    assert "Ray-Desli" in r.summary() and r.obtech is None and list(r.to_frame().columns[3:8]) == \
        ["malmquist", "effch", "techch", "pech", "sech"]
    b = _run(df, rts="vrs", decomposition="rts")
    assert "every distance under VRS (Benchmarking malmq)" in b.summary() and b.pech is None


def test_bad_input():
    df = _panel(np.random.default_rng(16), 4, 2)
    cases = [
        (dict(decomposition="fisher"), r"decomposition: 'fisher' is not one of 'fgnz', 'rd', 'gl', 'bias', 'rts'"),
        (dict(decomposition="rd"), r"decomposition: 'rd' .*needs rts='vrs', not rts='crs'.*not changed silently"),
        (dict(decomposition="gl", rts="nirs"), r"'gl' .*needs rts='vrs', not rts='nirs'"),
        (dict(decomposition="rd", rts="vrs", kind="global"), r"'rd' .*kind='adjacent' or 'sequential', not "
                                                             r"kind='global'"),
        (dict(decomposition="bias", kind="biennial"), r"'bias' .*not kind='biennial'"),
        (dict(decomposition="bias", kind="base", base=2001), r"'bias' .*not kind='base'"),
        (dict(decomposition="bias", undesirable=["y2"], outputs=["y1"]), r"'bias' is defined for the radial"),
        (dict(tc_vrs=True), r"tc_vrs: .*needs rts='vrs', not rts='crs'"),
        (dict(tc_vrs=True, rts="nirs"), r"tc_vrs: .*needs rts='vrs', not rts='nirs'"),
        (dict(tc_vrs=True, rts="vrs", decomposition="rd"), r"tc_vrs: .*'fgnz' or 'bias', not 'rd' \(whose techch"),
        (dict(tc_vrs=True, rts="vrs", decomposition="rts"), r"tc_vrs: .*not 'rts'"),
        (dict(tc_vrs="yes", rts="vrs"), r"tc_vrs: expected True or False, got 'yes'"),
        (dict(kind="biennial", base=2001), r"base: a base period is used only with kind='base', not "
                                           r"kind='biennial'"),
        (dict(kind="bienial"), r"kind: 'bienial' is not one of .*'biennial'"),
    ]
    for kw, match in cases:
        with pytest.raises(SpecError, match=match):
            malmquist(df, id="unit", period="year", **{"inputs": ["x1", "x2"], "outputs": ["y1", "y2"], **kw})
    ok = _run(df, decomposition="Ray-Desli", rts="VRS", kind="Sequential")            # aliases, any case
    assert ok.decomposition == "rd" and ok.kind == "sequential"
