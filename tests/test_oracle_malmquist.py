"""Malmquist indices against the external oracle: ``ref/malmquist/<panel>/`` (R Benchmarking 0.33,
productivity 1.1.0 and deaR 1.5.3; README section "ref/malmquist").

Every panel of the README has a spec below. The panels of ``REFERENCED`` are compared with the files of
the packages listed there; those of ``BLIND`` (references kept back) with Malmquist indices built here
from LPs solved with scipy's linprog. A folder without a spec, a file no test reads, a missing
package's files or a blind panel's folder appearing fail. Each reference file is recognised by its
name: Benchmarking ``benchmarking_{crs,vrs}_{in,out}``, productivity
``productivity_{crs,vrs,nirs}_{in,out}``, deaR ``deaR_{crs,vrs}_{io,oo}_{fgnz,rd,gl}``. (deaR's further
decompositions in ``ref/malmquist_decomp`` are compared in ``test_malmquist_decomp.py``.)

Conventions of the packages (README "Conventions" and the Malmquist table):

* Benchmarking's ``eST`` is the Farrell efficiency of period-S data against the period-T technology
  (input theta; output phi = 1 / our Shephard score), so e00 = d_from_from, e01 = d_from_to,
  e10 = d_to_from, e11 = d_to_to (reciprocals under ``out``). Its ``out`` indices are the reciprocals
  of ours. Its ``vrs`` files use VRS distances throughout (not the FGNZ decomposition): they are our
  ``decomposition="rts"`` (malmquist, effch, techch and the d_* distances all VRS), which must also
  equal the ``v_*`` columns of the FGNZ run; its empty cells (infeasible VRS cross-period LPs) must be
  exactly our NaNs.
* productivity's levels are Shephard distances (input >= 1 = 1/theta, output <= 1), named by the
  technology period, then the input period, then the output period (1 = t, 0 = t-1): c000 =
  d_from_from, c100 = d_from_to, c011 = d_to_from, c111 = d_to_to, v000/v111 = v_from_from/v_to_to,
  and the mixed-period levels c010 = d_mix_from, c110 = d_mix_to of ``decomposition="bias"``, whose
  ``obtech``, ``ibtech``, ``matech`` (CRS, as productivity's) are compared too.
* deaR ``fgnz``: mi, ec, tc (crs) or mi, tc, pech, sech (vrs), growth > 1 in both orientations.
  deaR ``rd`` (Ray and Desli 1997) and ``gl`` (Grifell-Tatjé and Lovell 1999), rts = vrs: mi, tc,
  pech, sech = our malmquist, techch, pech, sech with ``decomposition="rd"``/``"gl"``; empty cells
  (an infeasible VRS cross-period LP enters) exactly where ours are NaN.
"""

from __future__ import annotations

import re
import warnings
from itertools import pairwise
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from efficiency.errors import SolveWarning
from efficiency.malmquist import malmquist
from test_oracle_radial import radial_lp

TOL = 1e-6      # README: Malmquist indices and components, 1e-6 absolute


@dataclass(frozen=True)
class PanelSpec:
    file: str                     # relative to data/
    id: str
    period: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


#: The four panels of the README (ref/malmquist section).
PANELS = {
    "EconomyLong": PanelSpec("deaR/EconomyLong.csv", "DMUs", "Period", ("Capital", "Labor"), ("GIOV",)),
    "Grifell_Lovell_1999": PanelSpec("deaR/Grifell_Lovell_1999.csv", "DMU", "Year", ("X",), ("Y",)),
    "riceProdPhil": PanelSpec("frontier/riceProdPhil.csv", "FMERCODE", "YEARDUM",
                              ("AREA", "LABOR", "NPK", "OTHER"), ("PROD",)),
    "usagri": PanelSpec("productivity/usagri.csv", "States", "Years",
                        ("q.capital", "q.land", "q.labor", "q.materials"), ("q.livestock", "q.crop", "q.other")),
}

#: The panels with reference folders, and the packages whose files each holds (README, ref/malmquist).
REFERENCED = {"EconomyLong": ("benchmarking", "deaR"), "Grifell_Lovell_1999": ("benchmarking", "deaR", "productivity")}
#: The panels whose references are kept back (a blind test): compared with independent LPs.
BLIND = ("riceProdPhil", "usagri")
CASES = [(panel, pkg) for panel, pkgs in REFERENCED.items() for pkg in pkgs]

ORIENT = {"in": "input", "out": "output", "io": "input", "oo": "output"}
PATTERNS = {
    "benchmarking": re.compile(r"^benchmarking_(crs|vrs)_(in|out)\.csv$"),
    "productivity": re.compile(r"^productivity_(crs|vrs|nirs)_(in|out)\.csv$"),
    "deaR": re.compile(r"^deaR_(crs|vrs)_(io|oo)_(fgnz|rd|gl)\.csv$"),
}
#: Reference files recognised but not reproduced, with the reason (none since issue 14: the deaR rd
#: and gl files are reproduced by test_deaR).
NOT_COVERED: dict[re.Pattern, str] = {}


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------

class Runs:
    """Session cache of Malmquist runs (panel, rts, orientation, decomposition, tc_vrs) -> table keyed
    by (id, period_to). The FGNZ and bias runs must solve every LP their values use (CRS); the others
    (VRS cross-period LPs) may have infeasible rows, which the tests compare with empty cells."""

    def __init__(self, oracle: Path):
        self.oracle = oracle
        self._runs: dict = {}

    def table(self, panel: str, rts: str, orientation: str, decomposition: str = "fgnz",
              tc_vrs: bool = False) -> pd.DataFrame:
        key = (panel, rts, orientation, decomposition, tc_vrs)
        if key not in self._runs:
            sp = PANELS[panel]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SolveWarning)    # VRS cross-period infeasibilities
                m = malmquist(self.oracle / "data" / sp.file, id=sp.id, period=sp.period, inputs=list(sp.inputs),
                              outputs=list(sp.outputs), rts=rts, orientation=orientation,
                              decomposition=decomposition, tc_vrs=tc_vrs)
            df = m.to_frame()
            if decomposition in ("fgnz", "bias") and not tc_vrs:
                assert (df["status"] == "optimal").all(), df.loc[df["status"] != "optimal"]
            else:
                assert df["status"].isin(["optimal", "infeasible"]).all(), df.loc[df["status"] != "optimal"]
            df.index = pd.MultiIndex.from_arrays([df[sp.id].astype(str), df["period_to"].astype(float)],
                                                 names=["id", "period"])
            self._runs[key] = df
        return self._runs[key]


@pytest.fixture(scope="session")
def runs(oracle) -> Runs:
    return Runs(oracle)


def _folder(oracle: Path, panel: str) -> Path:
    folder = oracle / "ref" / "malmquist" / panel
    assert folder.is_dir(), f"ref/malmquist/{panel} is missing from the oracle"
    return folder


def _reference(path: Path) -> pd.DataFrame:
    ref = pd.read_csv(path)
    ref.index = pd.MultiIndex.from_arrays([ref["id"].astype(str), ref["period"].astype(float)],
                                          names=["id", "period"])
    return ref


def _aligned(ours: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
    """Our rows in the reference's order; every reference row must be one of ours and vice versa."""
    missing = ref.index.difference(ours.index)
    assert missing.empty, f"reference rows we do not produce: {list(missing[:5])}"
    extra = ours.index.difference(ref.index)
    assert extra.empty, f"rows the reference does not have: {list(extra[:5])}"
    return ours.loc[ref.index]


def _close(ours, ref, what: str, *, nan_ok: bool = False) -> None:
    """Values equal to TOL; NaN exactly where the reference is empty (when ``nan_ok``)."""
    a = np.asarray(ours, dtype=float)
    b = np.asarray(ref, dtype=float)
    if nan_ok:
        assert np.array_equal(np.isnan(a), np.isnan(b)), (
            f"{what}: NaN pattern differs at rows {np.flatnonzero(np.isnan(a) != np.isnan(b))[:10]}")
    else:
        assert not np.isnan(b).any(), f"{what}: reference has empty cells"
        assert not np.isnan(a).any(), f"{what}: NaN in our values at rows {np.flatnonzero(np.isnan(a))[:10]}"
    ok = ~np.isnan(b)
    diff = np.abs(a[ok] - b[ok])
    assert diff.size == 0 or diff.max() <= TOL, (
        f"{what}: max |diff| {diff.max():.3g} at row {np.flatnonzero(ok)[int(diff.argmax())]} "
        f"(ours {a[ok][diff.argmax()]!r}, reference {b[ok][diff.argmax()]!r})")


def _files(folder: Path, package: str) -> list[tuple[Path, re.Match]]:
    found = []
    for path in sorted(folder.glob("*.csv")):
        match = PATTERNS[package].match(path.name)
        if match:
            found.append((path, match))
    assert found, f"{folder}: no {package} files"
    return found


# ------------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------------

def test_every_panel_folder_has_a_spec(oracle):
    root = oracle / "ref" / "malmquist"
    assert root.is_dir(), "the oracle has no ref/malmquist folder"
    folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    assert folders, "ref/malmquist holds no panel"
    unknown = [f for f in folders if f not in PANELS]
    assert not unknown, f"ref/malmquist panels without a spec in PANELS: {unknown}"
    assert sorted(REFERENCED) == folders, (f"ref/malmquist holds {folders}, the tests expect {sorted(REFERENCED)}: "
                                           "a blind panel whose references appear moves from BLIND to REFERENCED")
    assert sorted(set(REFERENCED) | set(BLIND)) == sorted(PANELS)


@pytest.mark.parametrize("panel", sorted(REFERENCED))
def test_every_reference_file_is_recognised(oracle, panel):
    folder = _folder(oracle, panel)
    packages = set()
    for path in sorted(folder.glob("*.csv")):
        known = [pkg for pkg, p in PATTERNS.items() if p.match(path.name)]
        not_covered = any(p.match(path.name) for p in NOT_COVERED)
        assert known or not_covered, f"ref/malmquist/{panel}/{path.name}: no test reads this file"
        packages.update(known)
    assert packages == set(REFERENCED[panel]), f"{panel}: files of {sorted(packages)}"


@pytest.mark.parametrize("panel", [p for p, pkg in CASES if pkg == "benchmarking"])
def test_benchmarking(oracle, runs, panel):
    files = _files(_folder(oracle, panel), "benchmarking")
    for path, match in files:
        rts, o = match.groups()
        ref = _reference(path)
        # Benchmarking vrs: VRS distances throughout = our decomposition "rts"
        ours = _aligned(runs.table(panel, rts, ORIENT[o], "fgnz" if rts == "crs" else "rts"), ref)
        what = f"{panel}/{path.name}"
        e = {"e00": ours["d_from_from"], "e01": ours["d_from_to"], "e10": ours["d_to_from"], "e11": ours["d_to_to"]}
        e = {k: np.asarray(v, dtype=float) for k, v in e.items()}
        if rts != "crs":                                 # the same distances as the v_* of the FGNZ run
            fgnz = _aligned(runs.table(panel, rts, ORIENT[o]), ref)
            for k, col in (("e00", "v_from_from"), ("e01", "v_from_to"), ("e10", "v_to_from"), ("e11", "v_to_to")):
                np.testing.assert_allclose(e[k], fgnz[col].to_numpy(float), rtol=1e-12, err_msg=f"{what} {col}")
        if o == "out":                                   # Farrell phi = 1 / Shephard
            e = {k: 1.0 / v for k, v in e.items()}
        for k in e:
            theirs = ref[k].to_numpy(dtype=float)
            _close(e[k], np.where(np.isfinite(theirs), theirs, np.nan), f"{what} {k}", nan_ok=rts != "crs")
        m, ec, tc = (ours[c].to_numpy(dtype=float) for c in ("malmquist", "effch", "techch"))
        if o == "out":
            m, ec, tc = 1.0 / m, 1.0 / ec, 1.0 / tc
        if rts != "crs":                                 # our indices are these formulas of the VRS distances
            np.testing.assert_allclose(m, np.sqrt(e["e10"] / e["e00"] * e["e11"] / e["e01"]), rtol=1e-12)
            np.testing.assert_allclose(ec, e["e11"] / e["e00"], rtol=1e-12)
        # Benchmarking's infeasible LP is phi = Inf (output), written as an empty cell, but the indices
        # built from it are then 0 or Inf (EconomyLong vrs out, Tibet 2006: m = tc = 0): undefined
        # values, which are NaN here.
        undefined = ~np.isfinite(ref[["e00", "e01", "e10", "e11"]].to_numpy(dtype=float)).all(axis=1)
        for col, vals in (("m", m), ("ec", ec), ("tc", tc)):
            theirs = ref[col].to_numpy(dtype=float).copy()
            ours_u = np.asarray(vals, dtype=float)
            if col != "ec":
                odd = theirs[undefined]
                assert np.all(~np.isfinite(odd) | (odd == 0)), f"{what} {col}: defined where a distance is not"
                theirs[undefined] = np.nan
            _close(ours_u, theirs, f"{what} {col}", nan_ok=rts != "crs")
        if rts != "crs":
            assert (ours.loc[undefined, "status"] == "infeasible").all() and \
                (ours.loc[~undefined, "status"] == "optimal").all(), f"{what}: statuses"


@pytest.mark.parametrize("panel", [p for p, pkg in CASES if pkg == "productivity"])
def test_productivity(oracle, runs, panel):
    files = _files(_folder(oracle, panel), "productivity")
    for path, match in files:
        rts, o = match.groups()
        ref = _reference(path)
        ours = _aligned(runs.table(panel, rts, ORIENT[o]), ref)
        # productivity's obtech, ibtech, matech and mixed-period levels: the CRS bias decomposition
        bias = _aligned(runs.table(panel, rts, ORIENT[o], "bias"), ref)
        what = f"{panel}/{path.name}"
        _close(ours["malmquist"], ref["malmquist"], f"{what} malmquist")
        _close(ours["effch"], ref["effch"], f"{what} effch")
        _close(ours["techch"], ref["tech"], f"{what} tech")
        for col in ("obtech", "ibtech", "matech"):
            _close(bias[col], ref[col], f"{what} {col}")
        for col in ("malmquist", "effch", "techch"):
            _close(bias[col], ref[{"techch": "tech"}.get(col, col)], f"{what} bias {col}")
        suffix = "i" if o == "in" else "o"
        levels = {"c000": "d_from_from", "c100": "d_from_to", "c011": "d_to_from", "c111": "d_to_to",
                  "c010": "d_mix_from", "c110": "d_mix_to"}
        if rts != "crs":
            levels.update({"v000": "v_from_from", "v111": "v_to_to"})
            pure = "pure.inp.effch" if o == "in" else "pure.out.effch"
            scale = "inp.scalech" if o == "in" else "out.scalech"
            _close(ours["pech"], ref[pure], f"{what} {pure}")
            _close(ours["sech"], ref[scale], f"{what} {scale}")
        for theirs, mine in levels.items():
            col = theirs + suffix
            vals = bias[mine].to_numpy(dtype=float)
            if o == "in":                               # Shephard input distance = 1 / theta
                vals = 1.0 / vals
            _close(vals, ref[col], f"{what} {col}")


#: deaR's columns and ours.
DEAR_COLUMNS = {"mi": "malmquist", "ec": "effch", "tc": "techch", "pech": "pech", "sech": "sech"}


@pytest.mark.parametrize("panel", [p for p, pkg in CASES if pkg == "deaR"])
def test_deaR(oracle, runs, panel):
    """fgnz, rd and gl files: every column of the file (ec only under crs; rd and gl are vrs only), and
    under vrs ec = pech * sech in ours."""
    files = _files(_folder(oracle, panel), "deaR")
    seen = set()
    for path, match in files:
        rts, o, dec = match.groups()
        seen.add(dec)
        ref = _reference(path)
        ours = _aligned(runs.table(panel, rts, ORIENT[o], dec), ref)
        what = f"{panel}/{path.name}"
        expected = ["mi", "ec", "tc"] if rts == "crs" else ["mi", "tc", "pech", "sech"]
        assert [c for c in ref.columns if c not in ("id", "period")] == expected, f"{what}: columns"
        for col in expected:
            _close(ours[DEAR_COLUMNS[col]], ref[col], what + " " + col, nan_ok=dec != "fgnz")
        if rts != "crs":
            ok = ours["status"] == "optimal"
            np.testing.assert_allclose(ours.loc[ok, "pech"] * ours.loc[ok, "sech"], ours.loc[ok, "effch"], rtol=1e-12)
    assert "fgnz" in seen, f"{panel}: no deaR fgnz file"


# ------------------------------------------------------------------------------------------------
# Blind panels: indices built from independent LPs (scipy linprog)
# ------------------------------------------------------------------------------------------------

UNITS = 5       # units per blind panel checked (spread over the panel), over every pair of periods


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("panel", BLIND)
def test_blind_panel_equals_independent_lps(oracle, panel, orientation):
    """For a few units and every pair of adjacent periods s -> t: the four CRS distances e^T(S) (Farrell
    theta, or the Shephard 1/phi) of the data of period S against the technology of period T, solved
    here; M = sqrt(e^s(t)/e^s(s) * e^t(t)/e^t(s)), EC = e^t(t)/e^s(s), TC = M/EC; under VRS the
    own-period VRS distances, PECH = v^t(t)/v^s(s) and SECH = EC/PECH (FGNZ)."""
    sp = PANELS[panel]
    folder = oracle / "ref" / "malmquist" / panel
    assert not folder.exists(), f"{folder} now exists: move {panel} from BLIND to REFERENCED"
    data = pd.read_csv(oracle / "data" / sp.file)
    X = data[list(sp.inputs)].to_numpy(float)
    Y = data[list(sp.outputs)].to_numpy(float)
    X, Y = X / X.mean(axis=0), Y / Y.mean(axis=0)          # caveat 5: usagri is badly scaled
    units = pd.unique(data[sp.id])
    chosen = units[np.unique(np.linspace(0, len(units) - 1, UNITS).round().astype(int))]
    periods = np.sort(data[sp.period].unique())
    at = {(u, t): i for i, (u, t) in enumerate(zip(data[sp.id], data[sp.period]))}
    tech = {t: np.flatnonzero(data[sp.period].to_numpy() == t) for t in periods}

    def e(data_period, tech_period, u, rts="crs") -> float:
        i, R = at[(u, data_period)], tech[tech_period]
        v = radial_lp(X[R], Y[R], X[i], Y[i], rts, orientation)
        return v if orientation == "input" else 1.0 / v

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolveWarning)            # VRS cross-period infeasibilities
        ours = malmquist(data, id=sp.id, period=sp.period, inputs=list(sp.inputs), outputs=list(sp.outputs),
                         rts="vrs", orientation=orientation).to_frame()
    ours = ours.set_index([sp.id, "period_from"])
    checked = 0
    for u in chosen:
        for s_, t in pairwise(periods):
            ss, st, ts, tt = e(s_, s_, u), e(t, s_, u), e(s_, t, u), e(t, t, u)     # e^tech(data)
            m = np.sqrt(st / ss * tt / ts)
            ec = tt / ss
            pech = e(t, t, u, "vrs") / e(s_, s_, u, "vrs")
            row = ours.loc[(u, s_)]
            what = f"{panel} {orientation}, unit {u!r}, {s_} -> {t}"
            got = row[["d_from_from", "d_to_from", "d_from_to", "d_to_to", "malmquist", "effch", "techch", "pech",
                       "sech"]].to_numpy(float)
            want = np.array([ss, st, ts, tt, m, ec, m / ec, pech, ec / pech])
            assert row["period_to"] == t and row["status"] == "optimal", what
            np.testing.assert_allclose(got, want, rtol=TOL, atol=0, err_msg=what)
            checked += 1
    assert checked == UNITS * (len(periods) - 1)
