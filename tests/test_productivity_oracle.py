"""``ef.productivity`` against R productivity 1.1.0 (``ref/productivity_indices/EconomyLong/``,
README_more.md section 8): ``hicksmoorsteen`` and ``fareprim``, VRS/CRS x output/input, levels and
changes, every value to 1e-6 (NA = NaN).

One documented exception. Shadow prices are not unique at a point on the frontier; Hicks-Moorsteen's
first period evaluates every unit at its own data, so an extreme-efficient unit's first-period prices
are tied. The package keeps whichever optimum lp_solve returns; we keep the one maximising the
smallest weight (module docstring of ``efficiency.productivity``). On this panel (VRS) that is
lp_solve's choice for two of the six tied units (Shandong, Tianjin) and not for the four in ``TIED``:
there the quantities that do not depend on the tied prices (AO, AI, TFP, OTE/ITE, OSE/ISE and, with one
output, OME) are compared, and the others are checked to be a valid decomposition. The changes of every
row (the first period's are NaN) are compared in full.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from efficiency.productivity import NAMES

TOL = 1e-6
INDEX = {"hicksmoorsteen": "hicks-moorsteen", "fareprim": "fare-primont"}
ORIENT = {"out": "output", "in": "input"}
#: Hicks-Moorsteen VRS, first period: units whose tied shadow prices differ from lp_solve's choice.
TIED = {("Guangdong", 2005), ("Jiangsu", 2005), ("Shangai", 2005), ("Tibet", 2005)}
#: Columns that do not depend on which tied price vector is kept (output orientation has one output:
#: its output prices are unique, and OME with them; input orientation's IME uses the tied input prices).
UNTIED = {"out": ["AO", "AI", "TFP", "OTE", "OSE", "OME"], "in": ["AO", "AI", "TFP", "ITE", "ISE"]}

CASES = [(idx, rts, o) for idx in ("hicksmoorsteen", "fareprim") for rts in ("vrs", "crs") for o in ("out", "in")]
_RUNS: dict = {}


def _run(oracle, idx, rts, o):
    key = (idx, rts, o)
    if key not in _RUNS:
        data = pd.read_csv(oracle / "data" / "deaR" / "EconomyLong.csv")
        _RUNS[key] = ef.productivity(data, id="DMUs", period="Period", inputs=["Capital", "Labor"],
                                     outputs=["GIOV"], index=INDEX[idx], rts=rts, orientation=ORIENT[o])
    return _RUNS[key]


def _merged(oracle, idx, rts, o, kind):
    ref = pd.read_csv(oracle / "ref" / "productivity_indices" / "EconomyLong" / f"{idx}_{rts}_{o}_{kind}.csv")
    r = _run(oracle, idx, rts, o)
    ours = r.levels() if kind == "levels" else r.to_frame()
    m = ref.merge(ours, on=["DMUs", "Period"], how="left", validate="one_to_one")
    assert len(m) == len(ref) == 155 and m["status"].eq("optimal").all()
    return ref, m


def _ours(name: str, kind: str) -> str:
    return NAMES[name[1:]] + "_change" if kind == "changes" else NAMES[name]


@pytest.mark.parametrize("idx,rts,o", CASES)
def test_changes(oracle, idx, rts, o):
    ref, m = _merged(oracle, idx, rts, o, "changes")
    first = m["Period"] == 2005
    for col in ref.columns[2:]:
        a, b = m[col].to_numpy(float), m[_ours(col, "changes")].to_numpy(float)
        assert np.array_equal(np.isnan(a), np.isnan(b)), col
        if idx == "hicksmoorsteen":
            assert np.isnan(b[first]).all(), col                   # the package's NA in the first period
        else:
            assert np.all(b[first] == 1.0), col                    # over the first period itself
        assert np.nanmax(np.abs(a - b)) < TOL, (col, np.nanmax(np.abs(a - b)))


@pytest.mark.parametrize("idx,rts,o", CASES)
def test_levels(oracle, idx, rts, o):
    ref, m = _merged(oracle, idx, rts, o, "levels")
    tied = np.array([(d, p) in TIED for d, p in zip(m["DMUs"], m["Period"])])
    if not (idx == "hicksmoorsteen" and rts == "vrs"):
        tied[:] = False
    assert tied.sum() == (4 if idx == "hicksmoorsteen" and rts == "vrs" else 0)
    for col in ref.columns[2:]:
        a, b = m[col].to_numpy(float), m[_ours(col, "levels")].to_numpy(float)
        rows = ~tied if col not in UNTIED[o] else np.ones(len(m), bool)
        dev = np.max(np.abs(a[rows] - b[rows]))
        assert dev < TOL, (col, dev)
    if tied.any():
        t = m[tied]
        e = "o" if o == "out" else "i"
        assert np.all(t["tfpe"] <= 1 + 1e-12) and np.all(t["mp"] >= t["tfp"] - 1e-12)
        np.testing.assert_allclose(t[f"{e}te"] * t[f"{e}se"] * t["rme"], t["tfpe"], rtol=1e-12)
        np.testing.assert_allclose(t[f"{e}te"] * t[f"{e}me"] * t[f"r{e}se"], t["tfpe"], rtol=1e-12)


def test_every_reference_file_is_covered(oracle):
    folder = oracle / "ref" / "productivity_indices" / "EconomyLong"
    files = {p.name for p in folder.glob("*.csv")}
    ours = {f"{i}_{r}_{o}_{k}.csv" for i, r, o in CASES for k in ("levels", "changes")}
    assert files == ours


def test_backends_agree_on_the_reference_panel(oracle):
    a = _run(oracle, "hicksmoorsteen", "vrs", "out")
    data = pd.read_csv(oracle / "data" / "deaR" / "EconomyLong.csv")
    b = ef.productivity(data, id="DMUs", period="Period", inputs=["Capital", "Labor"], outputs=["GIOV"],
                        solver="highs")
    assert b.solver == "highs"
    for x, y in ((a.levels(), b.levels()), (a.to_frame(), b.to_frame())):
        num = x.columns[2:-1]
        np.testing.assert_allclose(x[num].to_numpy(float), y[num].to_numpy(float), rtol=1e-9, atol=1e-9)
