"""Network SBM (Tone and Tsutsui 2009) and dynamic SBM (Tone and Tsutsui 2010): identities (one division
= SBM, one period = NSBM, the overall score from the division scores, fixed links = non-discretionary
links, free <= fixed), an independent formulation (the fractional programs on the original variables,
no Charnes-Cooper transformation and no scaling, solved by Dinkelbach's iteration with
scipy.optimize.linprog one DMU at a time), the backends, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import efficiency as ef
from efficiency.dea.envelopment import backend
from efficiency.network.dynamic import dynamic_sbm
from efficiency.network.model import Division, Link, Network
from efficiency.network.sbm import Block, Tie, nsbm, solve_blocks
from efficiency.spec import RTS, Orientation

ORIENTATIONS = ("input", "output", "none")


def _data(n: int, seed: int) -> dict:
    """A two-stage innovation chain: stage 1 (R&D) turns x1 (2) into patents z (2) and a final output y1;
    stage 2 (transformation) turns z and its own input x2 into products y2 (2) and a bad output b2."""
    rng = np.random.default_rng(seed)
    x1 = rng.uniform(1.0, 10.0, (n, 2))
    z = x1 @ rng.uniform(0.3, 1.0, (2, 2)) * rng.uniform(0.5, 1.0, (n, 1))
    y1 = rng.uniform(0.5, 3.0, (n, 1))
    x2 = rng.uniform(1.0, 5.0, (n, 1))
    y2 = (z @ rng.uniform(0.3, 1.0, (2, 2)) + x2) * rng.uniform(0.4, 1.0, (n, 2))
    b2 = rng.uniform(0.5, 4.0, (n, 1))
    return {"x1": x1, "z": z, "y1": y1, "x2": x2, "y2": y2, "b2": b2}


def _series(d: dict, kind: str = "free") -> Network:
    return Network((Division("rd", d["x1"], d["y1"], np.zeros((len(d["x1"]), 0)), ("x1a", "x1b"), ("y1",)),
                    Division("transform", d["x2"], d["y2"], d["b2"], ("x2",), ("y2a", "y2b"), ("b2",))),
                   (Link("rd", "transform", d["z"], ("za", "zb"), kind),))


def _parallel(n: int, seed: int, kind: str = "free") -> Network:
    """Two divisions side by side (their own inputs and outputs) that both feed a third one."""
    rng = np.random.default_rng(seed)
    xa, xb = rng.uniform(1, 8, (n, 2)), rng.uniform(1, 8, (n, 1))
    za = xa.sum(axis=1, keepdims=True) * rng.uniform(0.3, 1.0, (n, 1))
    zb = xb * rng.uniform(0.3, 1.0, (n, 1))
    ya, yb = rng.uniform(1, 4, (n, 1)), rng.uniform(1, 4, (n, 1))
    xc = rng.uniform(1, 3, (n, 1))
    yc = (za + zb + xc) * rng.uniform(0.4, 1.0, (n, 2))
    e = np.zeros((n, 0))
    return Network((Division("a", xa, ya, e), Division("b", xb, yb, e), Division("c", xc, yc, e)),
                   (Link("a", "c", za, kind=kind), Link("b", "c", zb, kind=kind)))


# ----------------------------------------------------------------------------------------------------
# The independent formulation

class _LP:
    """A small LP assembled row by row: equality rows over named variable blocks."""

    def __init__(self):
        self.nvar, self.bounds, self.rows = 0, [], []

    def var(self, k: int, lo=0.0, hi=None) -> np.ndarray:
        idx = np.arange(self.nvar, self.nvar + k)
        self.nvar += k
        self.bounds += [(lo, hi)] * k
        return idx

    def eq(self, terms, rhs: float) -> None:
        self.rows.append((terms, rhs))

    def minimise(self, c: np.ndarray) -> np.ndarray:
        A = np.zeros((len(self.rows), self.nvar))
        b = np.zeros(len(self.rows))
        for r, (terms, rhs) in enumerate(self.rows):
            for idx, coef in terms:
                A[r, idx] += coef
            b[r] = rhs
        res = linprog(c, A_eq=A, b_eq=b, bounds=self.bounds, method="highs",
                      options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
        assert res.status == 0, res.message
        return res.x


def _fractional(lp: _LP, cN, c0N, cD, c0D, orientation: str) -> float:
    """The efficiency N/D of the orientation: input min N (D = 1), output 1 / max D, non-oriented
    min N / D by Dinkelbach's iteration q <- N(x_q) / D(x_q), x_q = argmin N - q D."""
    if orientation == "input":
        return c0N + cN @ lp.minimise(cN)
    if orientation == "output":
        return 1.0 / (c0D + cD @ lp.minimise(-cD))
    q = 1.0
    for _ in range(100):
        x = lp.minimise(cN - q * cD)
        N, D = c0N + cN @ x, c0D + cD @ x
        if N - q * D > -1e-13:
            return q
        q = N / D
    raise AssertionError("Dinkelbach did not converge")


def _independent_nsbm(net: Network, rts: str, orientation: str, w=None) -> np.ndarray:
    """NSBM straight from Tone and Tsutsui (2009), per DMU, in the data's units."""
    divs = net.divisions
    K, n = len(divs), net.n
    w = np.full(K, 1.0 / K) if w is None else np.asarray(w, float) / np.sum(w)
    names = [d.name for d in divs]
    out = np.empty(n)
    for o in range(n):
        lp = _LP()
        lam = [lp.var(n) for _ in divs]
        sm = [lp.var(d.X.shape[1]) for d in divs]
        sg = [lp.var(d.Y.shape[1]) for d in divs]
        sb = [lp.var(d.B.shape[1]) for d in divs]
        cN, cD = np.zeros(lp.nvar), np.zeros(lp.nvar)
        for k, d in enumerate(divs):
            for i in range(d.X.shape[1]):
                lp.eq([(lam[k], d.X[:, i]), (sm[k][i], 1.0)], d.X[o, i])
                cN[sm[k][i]] = -w[k] / (d.X.shape[1] * d.X[o, i])
            for r in range(d.Y.shape[1]):
                lp.eq([(lam[k], d.Y[:, r]), (sg[k][r], -1.0)], d.Y[o, r])
                cD[sg[k][r]] = w[k] / ((d.Y.shape[1] + d.B.shape[1]) * d.Y[o, r])
            for r in range(d.B.shape[1]):
                lp.eq([(lam[k], d.B[:, r]), (sb[k][r], 1.0)], d.B[o, r])
                cD[sb[k][r]] = w[k] / ((d.Y.shape[1] + d.B.shape[1]) * d.B[o, r])
            if rts == "vrs":
                lp.eq([(lam[k], np.ones(n))], 1.0)
        for link in net.links:
            a, b = names.index(link.source), names.index(link.target)
            for j in range(link.Z.shape[1]):
                if link.kind == "free":
                    lp.eq([(lam[a], link.Z[:, j]), (lam[b], -link.Z[:, j])], 0.0)
                else:
                    lp.eq([(lam[a], link.Z[:, j])], link.Z[o, j])
                    lp.eq([(lam[b], link.Z[:, j])], link.Z[o, j])
        out[o] = _fractional(lp, cN, 1.0, cD, 1.0, orientation)
    return out


def _independent_dynamic(X, Y, carry, rts: str, orientation: str, w=None) -> np.ndarray:
    """Dynamic SBM straight from Tone and Tsutsui (2010), per DMU: every carry-over kind with its own
    row in its period (the free one with a slack free in sign), continuity rows between periods."""
    T, n = X.shape[:2]
    w = np.full(T, 1.0 / T) if w is None else np.asarray(w, float) / np.sum(w)
    kinds = {k: carry.get(k, np.zeros((T, n, 0))) for k in ("good", "bad", "free", "fixed")}
    m, s = X.shape[2], Y.shape[2]
    ng, nb = kinds["good"].shape[2], kinds["bad"].shape[2]
    out = np.empty(n)
    for o in range(n):
        lp = _LP()
        lam = [lp.var(n) for _ in range(T)]
        sm = [lp.var(m) for _ in range(T)]
        sp_ = [lp.var(s) for _ in range(T)]
        sgood = [lp.var(ng) for _ in range(T)]
        sbad = [lp.var(nb) for _ in range(T)]
        sfree = [lp.var(kinds["free"].shape[2], lo=None) for _ in range(T)]
        cN, cD = np.zeros(lp.nvar), np.zeros(lp.nvar)
        for t in range(T):
            for i in range(m):
                lp.eq([(lam[t], X[t, :, i]), (sm[t][i], 1.0)], X[t, o, i])
                cN[sm[t][i]] = -w[t] / ((m + nb) * X[t, o, i])
            for i in range(nb):
                Z = kinds["bad"][t]
                lp.eq([(lam[t], Z[:, i]), (sbad[t][i], 1.0)], Z[o, i])
                cN[sbad[t][i]] = -w[t] / ((m + nb) * Z[o, i])
            for r in range(s):
                lp.eq([(lam[t], Y[t, :, r]), (sp_[t][r], -1.0)], Y[t, o, r])
                cD[sp_[t][r]] = w[t] / ((s + ng) * Y[t, o, r])
            for i in range(ng):
                Z = kinds["good"][t]
                lp.eq([(lam[t], Z[:, i]), (sgood[t][i], -1.0)], Z[o, i])
                cD[sgood[t][i]] = w[t] / ((s + ng) * Z[o, i])
            for i in range(kinds["free"].shape[2]):
                Z = kinds["free"][t]
                lp.eq([(lam[t], Z[:, i]), (sfree[t][i], 1.0)], Z[o, i])
            for i in range(kinds["fixed"].shape[2]):
                Z = kinds["fixed"][t]
                lp.eq([(lam[t], Z[:, i])], Z[o, i])
            if rts == "vrs":
                lp.eq([(lam[t], np.ones(n))], 1.0)
            if t < T - 1:
                for Zk in kinds.values():
                    for i in range(Zk.shape[2]):
                        lp.eq([(lam[t], Zk[t, :, i]), (lam[t + 1], -Zk[t, :, i])], 0.0)
        out[o] = _fractional(lp, cN, 1.0, cD, 1.0, orientation)
    return out


def _dynamic_data(n: int, T: int, seed: int) -> tuple[np.ndarray, np.ndarray, dict]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 10, (T, n, 2))
    Y = X.sum(axis=2, keepdims=True) * rng.uniform(0.3, 1.0, (T, n, 1))
    carry = {"good": rng.uniform(1, 5, (T, n, 1)), "bad": rng.uniform(1, 5, (T, n, 1)),
             "free": rng.uniform(1, 5, (T, n, 1)), "fixed": rng.uniform(1, 5, (T, n, 1))}
    return X, Y, carry


# ----------------------------------------------------------------------------------------------------
# Identities

@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_one_division_is_sbm(orientation, rts):
    rng = np.random.default_rng(3)
    n = 25
    X, Y, B = rng.uniform(1, 9, (n, 3)), rng.uniform(1, 9, (n, 2)), rng.uniform(1, 9, (n, 2))
    X[2, 1] = 0.0                  # a zero input drops out of the mean, a zero output is replaced
    Y[4, 0] = 0.0
    B[5, 1] = 0.0
    for bads in (None, B):
        want = ef.dea(inputs=X, outputs=Y, undesirable=bads, model="sbm", orientation=orientation,
                      rts=rts).scores.to_numpy()
        e = np.zeros((n, 0)) if bads is None else bads
        got = nsbm(Network((Division("only", X, Y, e),)), rts=rts, orientation=orientation)
        np.testing.assert_allclose(got.overall, want, rtol=0, atol=1e-9)
        np.testing.assert_allclose(got.divisions[:, 0], want, rtol=0, atol=1e-9)
        assert np.all(got.weights == 1.0) and np.all(got.status == 0)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_one_period_dynamic_sbm_is_one_division_nsbm(orientation, rts):
    X, Y, carry = _dynamic_data(20, 1, 5)
    # one period: bad carry-overs are inputs, good ones outputs, fixed ones equality rows, free ones nothing;
    # without fixed ones it is NSBM with one division
    no_fixed = {k: v for k, v in carry.items() if k != "fixed"}
    got = dynamic_sbm(X, Y, no_fixed, rts=rts, orientation=orientation)
    div = Division("t1", np.hstack([X[0], carry["bad"][0]]), np.hstack([Y[0], carry["good"][0]]), np.zeros((20, 0)))
    want = nsbm(Network((div,)), rts=rts, orientation=orientation)
    np.testing.assert_allclose(got.overall, want.overall, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.divisions, want.divisions, rtol=0, atol=1e-9)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("kind", ["free", "fixed"])
def test_overall_is_the_papers_aggregate_of_the_divisions(orientation, kind):
    w = np.array([0.3, 0.7])
    r = nsbm(_series(_data(30, 1), kind), rts="vrs", orientation=orientation, weights=w)
    assert np.all(r.status == 0)
    np.testing.assert_allclose(r.weights, np.tile(w, (30, 1)))
    A = np.column_stack([r.extra["input_term_rd"], r.extra["input_term_transform"]])
    B = np.column_stack([r.extra["output_term_rd"], r.extra["output_term_transform"]])
    if orientation == "input":             # weighted mean of the division scores
        np.testing.assert_allclose(r.overall, r.divisions @ w, atol=1e-9)
    elif orientation == "output":          # weighted harmonic mean
        np.testing.assert_allclose(1.0 / r.overall, (1.0 / r.divisions) @ w, atol=1e-9)
    else:
        np.testing.assert_allclose(r.overall, (A @ w) / (B @ w), atol=1e-9)
        np.testing.assert_allclose(r.divisions, A / B, atol=1e-12)
    assert np.all((r.overall > 0) & (r.overall <= 1 + 1e-9))
    assert np.all((r.divisions > 0) & (r.divisions <= 1 + 1e-9))
    np.testing.assert_allclose(r.extra["lambda_sum_rd"], 1.0, atol=1e-8)     # VRS per division


def test_input_oriented_division_without_inputs_scores_one():
    d = _data(15, 2)
    d["x2"] = np.zeros((15, 0))
    r = nsbm(_series(d), orientation="input")
    np.testing.assert_allclose(r.divisions[:, 1], 1.0)
    np.testing.assert_allclose(r.overall, 0.5 * r.divisions[:, 0] + 0.5, atol=1e-12)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_free_links_never_score_above_fixed_links(orientation):
    d = _data(30, 4)
    free = nsbm(_series(d, "free"), orientation=orientation, rts="crs").overall
    fixed = nsbm(_series(d, "fixed"), orientation=orientation, rts="crs").overall
    assert np.all(free <= fixed + 1e-9)
    assert np.any(free < fixed - 1e-6)


def _division_alone(X, Y, B, eq_cols, rts, orientation) -> np.ndarray:
    """One division's SBM with the columns ``eq_cols`` held at their observed level (equality rows,
    non-discretionary), straight from the definition."""
    n = X.shape[0]
    out = np.empty(n)
    for o in range(n):
        lp = _LP()
        lam, sm, sg, sb = lp.var(n), lp.var(X.shape[1]), lp.var(Y.shape[1]), lp.var(B.shape[1])
        cN, cD = np.zeros(lp.nvar), np.zeros(lp.nvar)
        for i in range(X.shape[1]):
            lp.eq([(lam, X[:, i]), (sm[i], 1.0)], X[o, i])
            cN[sm[i]] = -1.0 / (X.shape[1] * X[o, i])
        for r in range(Y.shape[1]):
            lp.eq([(lam, Y[:, r]), (sg[r], -1.0)], Y[o, r])
            cD[sg[r]] = 1.0 / ((Y.shape[1] + B.shape[1]) * Y[o, r])
        for r in range(B.shape[1]):
            lp.eq([(lam, B[:, r]), (sb[r], 1.0)], B[o, r])
            cD[sb[r]] = 1.0 / ((Y.shape[1] + B.shape[1]) * B[o, r])
        for j in range(eq_cols.shape[1]):
            lp.eq([(lam, eq_cols[:, j])], eq_cols[o, j])
        if rts == "vrs":
            lp.eq([(lam, np.ones(n))], 1.0)
        out[o] = _fractional(lp, cN, 1.0, cD, 1.0, orientation)
    return out


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_fixed_link_is_a_non_discretionary_link(orientation, rts):
    """A fixed link holds the link at its observed value on both sides: the divisions decouple, and
    each is SBM with the link as a non-discretionary output (source) or input (target)."""
    d = _data(20, 6)
    w = np.array([0.4, 0.6])
    r = nsbm(_series(d, "fixed"), rts=rts, orientation=orientation, weights=w)
    e1 = _division_alone(d["x1"], d["y1"], np.zeros((20, 0)), d["z"], rts, orientation)
    e2 = _division_alone(d["x2"], d["y2"], d["b2"], d["z"], rts, orientation)
    np.testing.assert_allclose(r.divisions, np.column_stack([e1, e2]), atol=1e-8)
    np.testing.assert_allclose(r.targets["za"], d["z"][:, 0])
    if orientation == "input":
        np.testing.assert_allclose(r.overall, 0.4 * e1 + 0.6 * e2, atol=1e-8)
    else:
        np.testing.assert_allclose(r.overall, 1.0 / (0.4 / e1 + 0.6 / e2), atol=1e-8)


# ----------------------------------------------------------------------------------------------------
# The independent formulation

@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("kind", ["free", "fixed"])
def test_series_network_matches_the_fractional_program(orientation, kind):
    net = _series(_data(14, 7), kind)
    for rts in ("crs", "vrs"):
        got = nsbm(net, rts=rts, orientation=orientation, weights=[1, 2])
        want = _independent_nsbm(net, rts, orientation, [1, 2])
        np.testing.assert_allclose(got.overall, want, rtol=0, atol=1e-8)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("kind", ["free", "fixed"])
def test_parallel_network_matches_the_fractional_program(orientation, kind):
    net = _parallel(12, 8, kind)
    got = nsbm(net, rts="vrs", orientation=orientation)
    want = _independent_nsbm(net, "vrs", orientation)
    np.testing.assert_allclose(got.overall, want, rtol=0, atol=1e-8)


def test_kao_hwang_insurers_match_the_fractional_program(oracle):
    """The 24 insurers (two stages, links z1, z2; data of order 1e6): every orientation, free and fixed."""
    df = pd.read_csv(oracle / "ref" / "network" / "kao_hwang_2008_insurance" / "data.csv")
    X = df[["x1_operation_expenses", "x2_insurance_expenses"]].to_numpy(float)
    Z = df[["z1_direct_written_premiums", "z2_reinsurance_premiums"]].to_numpy(float)
    Y = df[["y1_underwriting_profit", "y2_investment_profit"]].to_numpy(float)
    e = np.zeros((len(df), 0))

    def network(unit: float, kind: str) -> Network:
        return Network((Division("premium", X / unit, e, e), Division("profit", e, Y / unit, e)),
                       (Link("premium", "profit", Z / unit, kind=kind),))

    for kind in ("free", "fixed"):
        for orientation in ORIENTATIONS:
            got = nsbm(network(1.0, kind), rts="crs", orientation=orientation)     # data units
            want = _independent_nsbm(network(1e6, kind), "crs", orientation)       # in millions (SBM is units-free)
            np.testing.assert_allclose(got.overall, want, rtol=0, atol=1e-8)
            assert np.all((got.overall > 0) & (got.overall <= 1 + 1e-9))


@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_dynamic_sbm_matches_the_fractional_program(orientation, rts):
    X, Y, carry = _dynamic_data(10, 3, 9)
    w = [1.0, 2.0, 1.0]
    got = dynamic_sbm(X, Y, carry, rts=rts, orientation=orientation, period_weights=w)
    want = _independent_dynamic(X, Y, carry, rts, orientation, w)
    np.testing.assert_allclose(got.overall, want, rtol=0, atol=1e-8)
    assert got.divisions.shape == (10, 3) and np.all(got.status == 0)
    assert np.all((got.divisions > 0) & (got.divisions <= 1 + 1e-9))
    wn = np.array(w) / 4
    if orientation == "input":
        np.testing.assert_allclose(got.overall, got.divisions @ wn, atol=1e-9)
    elif orientation == "output":
        np.testing.assert_allclose(1.0 / got.overall, (1.0 / got.divisions) @ wn, atol=1e-9)
    # the fixed carry-over is kept, the continuity of the free one holds
    np.testing.assert_allclose(got.targets["fixed_1@2"], carry["fixed"][1, :, 0])


def test_dynamic_sbm_takes_a_network_of_periods():
    """The Network form (one division per period, carry-overs as links t -> t + 1 of their kind, the last
    period's in ``terminal``) is the array form; bad outputs join the output term as in NSBM."""
    X, Y, carry = _dynamic_data(9, 3, 15)
    B = np.random.default_rng(15).uniform(1, 4, (3, 9, 1))
    divs = tuple(Division(f"y{t}", X[t], Y[t], B[t]) for t in range(3))
    links = tuple(Link(f"y{t}", f"y{t + 1}", carry[k][t], (f"{k}_1",), k) for t in range(2) for k in carry)
    terminal = {k: v[2] for k, v in carry.items()}
    for orientation in ORIENTATIONS:
        a = dynamic_sbm(X, Y, carry, bad_outputs=B, orientation=orientation, rts="vrs", periods=["y0", "y1", "y2"])
        b = dynamic_sbm(Network(divs, links), orientation=orientation, rts="vrs", weights=[1, 1, 1],
                        terminal=terminal)
        np.testing.assert_allclose(b.overall, a.overall, rtol=0, atol=1e-9)
        np.testing.assert_allclose(b.divisions, a.divisions, rtol=0, atol=1e-9)
        assert set(a.targets) == set(b.targets) and "good_1@y2" in b.targets
    one = dynamic_sbm(X[:1], Y[:1], {"bad": carry["bad"][:1]}, bad_outputs=B[:1], orientation="none")
    div = Division("t", np.hstack([X[0], carry["bad"][0]]), Y[0], B[0])
    np.testing.assert_allclose(one.overall, nsbm(Network((div,)), orientation="none").overall, atol=1e-9)


def test_block_solution_is_feasible():
    """The lambdas and slacks returned satisfy the division rows and the free links."""
    d = _data(16, 10)
    net = _series(d)
    e = np.zeros((16, 0))
    blocks = [Block(d["x1"], d["y1"], e, e, RTS.VRS), Block(d["x2"], d["y2"], d["b2"], e, RTS.VRS)]
    res = solve_blocks(blocks, [Tie(0, 1, d["z"])], np.full((16, 2), 0.5), Orientation.NONE, backend("highs"))
    L1, L2 = (lam.toarray() for lam in res.lambdas)
    np.testing.assert_allclose(L1 @ d["x1"] + res.slack_x[0], d["x1"], atol=1e-7)
    np.testing.assert_allclose(L2 @ d["y2"] - res.slack_y[1], d["y2"], atol=1e-7)
    np.testing.assert_allclose(L2 @ d["b2"] + res.slack_b[1], d["b2"], atol=1e-7)
    np.testing.assert_allclose(L1 @ d["z"], L2 @ d["z"], atol=1e-7)
    np.testing.assert_allclose(L1.sum(axis=1), 1.0, atol=1e-8)
    r = nsbm(net, rts="vrs", orientation="none")
    np.testing.assert_allclose(r.overall, res.overall, atol=1e-12)
    np.testing.assert_allclose(r.targets["x1a"], d["x1"][:, 0] - res.slack_x[0][:, 0])
    np.testing.assert_allclose(r.targets["za"], L1 @ d["z"][:, 0], atol=1e-9)


# ----------------------------------------------------------------------------------------------------
# Backends

@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_backends_agree(orientation):
    net = _parallel(15, 11, "free")
    ref = nsbm(net, rts="vrs", orientation=orientation, solver="highs")
    assert ref.usage.label() == "highs"
    for name in ("scipy", "numba"):
        r = nsbm(net, rts="vrs", orientation=orientation, solver=name)
        np.testing.assert_allclose(r.overall, ref.overall, rtol=0, atol=1e-8)
    # numba solves envelopment LPs only: these generic LPs go to HiGHS, and usage says so
    assert nsbm(net, solver="numba").usage.by("highs") == 15
    X, Y, carry = _dynamic_data(8, 2, 12)
    a = dynamic_sbm(X, Y, carry, orientation=orientation, solver="highs")
    b = dynamic_sbm(X, Y, carry, orientation=orientation, solver="scipy")
    np.testing.assert_allclose(a.overall, b.overall, rtol=0, atol=1e-8)


# ----------------------------------------------------------------------------------------------------
# Bad input

def test_bad_input_is_refused():
    d = _data(6, 13)
    net = _series(d)
    with pytest.raises(ef.SpecError, match="unknown division 'nowhere'"):
        nsbm(Network(net.divisions, (Link("rd", "nowhere", d["z"]),)))
    with pytest.raises(ef.SpecError, match="kind 'loose'"):
        nsbm(Network(net.divisions, (Link("rd", "transform", d["z"], kind="loose"),)))
    with pytest.raises(ef.SpecError, match="screen=True"):
        nsbm(net, screen=True)
    with pytest.raises(ef.SpecError, match="weights"):
        nsbm(net, weights=[1, 2, 3])
    with pytest.raises(ef.SpecError, match="orientation"):
        nsbm(net, orientation="graph")
    z = d["z"].copy()
    z[3, 1] = -1.0
    with pytest.raises(ef.DataError, match=r"link rd -> transform, zb, row 4: negative"):
        nsbm(Network(net.divisions, (Link("rd", "transform", z, ("za", "zb")),)))
    X, Y, carry = _dynamic_data(5, 2, 14)
    with pytest.raises(ef.SpecError, match="carry-over kind 'sticky'"):
        dynamic_sbm(X, Y, {"sticky": carry["good"]})
    with pytest.raises(ef.DataError, match="expected"):
        dynamic_sbm(X, Y[:1], carry)
