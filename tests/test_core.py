"""The numba DEA core against its plain-Python twin and HiGHS, and frame screening against brute force.

Hypothesis draws hundreds of small instances with ties, duplicated DMUs, zero outputs, column scales
from 1e-3 to 1e9, n = 2, and a DMU that dominates all. Any LP the core hands over to HiGHS raises
(warnings are errors here): the core must solve every instance itself.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

import efficiency as ef
from solvers import get_solver, numba_core, screening

RTS = ["crs", "vrs", "nirs", "ndrs"]
ORIENTATIONS = ["input", "output"]


class TwinSolver(numba_core.NumbaSolver):
    """The numba backend's algorithm run as plain Python (``numba_core.twin()``)."""

    name = "twin"

    def solve_envelopment(self, problem, module=None):
        return super().solve_envelopment(problem, module=numba_core.twin())


@st.composite
def instances(draw, max_n=14):
    n = draw(st.integers(2, max_n))
    m = draw(st.integers(1, 3))
    s = draw(st.integers(1, 3))
    grid = draw(st.booleans())
    elems = st.integers(1, 4).map(float) if grid else st.floats(0.05, 20.0)
    X = draw(arrays(np.float64, (n, m), elements=elems))
    Y = draw(arrays(np.float64, (n, s), elements=elems))
    if s > 1 and draw(st.booleans()):                     # zeros in outputs, one positive kept per row
        zero = draw(arrays(np.bool_, (n, s)))
        zero[:, 0] = False
        zero[0, :] = False                                # no all-zero column
        Y[zero] = 0.0
    if n > 2 and draw(st.booleans()):                     # duplicated DMUs
        k = draw(st.integers(1, n // 2))
        X[-k:], Y[-k:] = X[:k], Y[:k]
    if draw(st.booleans()):                               # a DMU that dominates all
        j = draw(st.integers(0, n - 1))
        X[j], Y[j] = X.min(axis=0) * 0.9, Y.max(axis=0) * 1.1
    scales = st.sampled_from([1e-3, 1.0, 37.0, 1e6, 1e9])
    X = X * np.array(draw(st.lists(scales, min_size=m, max_size=m)))
    Y = Y * np.array(draw(st.lists(scales, min_size=s, max_size=s)))
    return X, Y


def _run(X, Y, solver, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return ef.dea(inputs=X, outputs=Y, solver=solver, **kw)


def _agree(a, b, Y, X, what):
    np.testing.assert_allclose(a.farrell, b.farrell, rtol=1e-6, atol=1e-6, err_msg=f"{what}: scores")
    # Slack sums in data units: compare relative to the data's scale.
    scale = max(np.abs(X).max(), np.abs(Y).max())
    np.testing.assert_allclose(a.slacks.sum(axis=1), b.slacks.sum(axis=1), rtol=1e-6, atol=1e-6 * scale,
                               err_msg=f"{what}: max slack sums")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from(RTS), st.sampled_from(ORIENTATIONS))
def test_core_equals_highs_with_and_without_screening(data, rts, orientation):
    X, Y = data
    ref = ef.dea(inputs=X, outputs=Y, rts=rts, orientation=orientation, solver="highs")
    plain = _run(X, Y, "numba", rts=rts, orientation=orientation, screen=False)
    screened = _run(X, Y, "numba", rts=rts, orientation=orientation, screen=True)
    assert (plain.status == ref.status).all() and (screened.status == ref.status).all()
    _agree(plain, ref, Y, X, f"numba {rts} {orientation}")
    _agree(screened, ref, Y, X, f"numba+screen {rts} {orientation}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_n=8), st.sampled_from(RTS), st.sampled_from(ORIENTATIONS))
def test_core_equals_its_plain_python_twin(data, rts, orientation):
    X, Y = data
    compiled = _run(X, Y, "numba", rts=rts, orientation=orientation, screen=False)
    twin = _run(X, Y, TwinSolver(), rts=rts, orientation=orientation, screen=False)
    np.testing.assert_allclose(compiled.farrell, twin.farrell, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(compiled.slacks, twin.slacks, rtol=1e-9, atol=1e-9 * max(X.max(), Y.max()))


def test_larger_instances_and_graph_orientation():
    rng = np.random.default_rng(7)
    X = rng.lognormal(0, 1, (400, 4)) * [1e-3, 1, 1e4, 1e9]
    Y = (X[:, :2].prod(axis=1) ** 0.4)[:, None] * rng.uniform(0.3, 1, (400, 3)) * [1, 1e6, 1e-2]
    for rts in RTS:
        for orientation in ORIENTATIONS + ["graph"]:
            ref = ef.dea(inputs=X, outputs=Y, rts=rts, orientation=orientation, solver="highs")
            got = _run(X, Y, None, rts=rts, orientation=orientation)
            _agree(got, ref, Y, X, f"default {rts} {orientation}")


def _brute_frame(P: np.ndarray, m: int, crs: bool) -> set[tuple]:
    """Distinct rows that are not in the technology of the other distinct rows (HiGHS LPs)."""
    rows = {tuple(r) for r in P}
    out = set()
    for row in rows:
        p = np.array(row)
        Q = np.array([r for r in rows if r != row])
        if len(Q) == 0:
            out.add(row)
            continue
        x, y = p[:m], p[m:]
        k = len(Q)
        # max beta: Q_x' l <= x (1 - beta), Q_y' l >= y (1 + beta)
        A = np.vstack([np.c_[Q[:, :m].T, x[:, None]], np.c_[-Q[:, m:].T, y[:, None]]])
        res = linprog(np.r_[np.zeros(k), -1.0], A_ub=A, b_ub=np.r_[x, -y],
                      A_eq=None if crs else np.r_[np.ones(k), 0.0][None, :], b_eq=None if crs else [1.0],
                      bounds=[(0, None)] * k + [(None, None)], method="highs")
        if res.status == 2 or (res.status == 0 and -res.fun < -1e-9):
            out.add(row)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_n=30), st.booleans())
def test_frame_is_the_set_of_extreme_efficient_dmus(data, crs):
    X, Y = data
    P = np.hstack([X / X.mean(axis=0), Y / Y.mean(axis=0)])
    found = screening.frame(P, X.shape[1], crs)
    if crs:   # under CRS rows on one ray span the same cone: the frame keeps one of them
        P = np.round(P / P.sum(axis=1, keepdims=True), 12)
    else:     # rows equal but for rounding (5e-05 as 0.05 * 1e-3) are one DMU, as for the frame's tolerance
        P = np.round(P, 12)
    rows = [tuple(r) for r in P[found]]
    assert len(rows) == len(set(rows)), "the frame holds one copy of duplicated DMUs (one per ray under CRS)"
    assert set(rows) == _brute_frame(P, X.shape[1], crs)


@pytest.mark.parametrize("crs", [True, False])
def test_frame_of_the_twin_equals_the_compiled_one(crs):
    rng = np.random.default_rng(3)
    X, Y = rng.uniform(1, 5, (120, 2)), rng.uniform(1, 5, (120, 2))
    P = np.hstack([X / X.mean(0), Y / Y.mean(0)])
    np.testing.assert_array_equal(screening.frame(P, 2, crs), screening.frame(P, 2, crs, module=numba_core.twin()))


def test_failed_core_lps_are_resolved_by_highs_and_counted(monkeypatch):
    """If the core gives up on an LP (here: forced iteration limits), HiGHS solves it and we warn."""
    rng = np.random.default_rng(2)
    X, Y = rng.uniform(1, 5, (30, 2)), rng.uniform(1, 5, (30, 1))
    real = numba_core.run_kernel

    def sabotaged(problem, module=None):
        out = list(real(problem, module))
        out[0] = out[0].copy()
        out[0][::3] = 1                                    # ITERATION_LIMIT on every third DMU
        return tuple(out)

    monkeypatch.setattr(numba_core, "run_kernel", sabotaged)
    with pytest.warns(ef.SolveWarning, match="10 of 30 LPs were solved by another backend than 'numba'"):
        got = ef.dea(inputs=X, outputs=Y, rts="vrs", screen=False)
    assert got.solver == "numba+highs (10 of 30 LPs)"
    ref = ef.dea(inputs=X, outputs=Y, rts="vrs", solver="highs")
    np.testing.assert_allclose(got.farrell, ref.farrell, atol=1e-9)
    assert (got.status == "optimal").all()


def test_a_stack_of_problems_equals_each_problem_solved_alone():
    """``solve_envelopment_stack`` (the bootstrap's one kernel call per chunk) against one call each."""
    from efficiency.dea.radial import radial_problem
    from efficiency.spec import RTS as R, Orientation as O
    from solvers.envelopment import solve_stack

    rng = np.random.default_rng(9)
    X, Y = rng.uniform(1, 5, (40, 2)), rng.uniform(1, 5, (40, 2))
    core = get_solver("numba")
    for rts, orientation in ((R.VRS, O.INPUT), (R.CRS, O.OUTPUT)):
        problems = [radial_problem(X, Y, X * rng.uniform(1, 1.5, (40, 1)), Y, rts=rts, orientation=orientation)
                    for _ in range(5)]
        stacked = solve_stack(core, problems)
        for p, s in zip(problems, stacked):
            alone = core.solve_envelopment(p)
            np.testing.assert_array_equal(s.status, alone.status)
            np.testing.assert_allclose(s.t, alone.t, rtol=1e-12, atol=1e-12)
        highs = solve_stack(get_solver("highs"), problems)               # one problem after another
        for s, h in zip(stacked, highs):
            np.testing.assert_allclose(s.t, h.t, rtol=1e-9, atol=1e-9)
