"""Backend conformance: every LP backend gives the same DEA results as HiGHS on random data (ties,
duplicated DMUs, zeros in outputs), the same statuses on infeasible and unbounded LPs, and the
registry's errors are clear."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import efficiency as ef
from solvers import Backend, LPBatch, LPProblem, LPStatus, get_solver, registered

BACKENDS = ["scipy", "pulp", "pulp:HiGHS"]
# CBC through PuLP returns 8 significant digits; the others agree with HiGHS to rounding.
SLACK_RTOL = {"scipy": 1e-7, "pulp": 1e-4, "pulp:HiGHS": 1e-7}


def _datasets():
    rng = np.random.default_rng(20261123)
    n = 24
    cont = (rng.uniform(1, 10, (n, 3)), rng.uniform(1, 10, (n, 2)))
    ties = (rng.integers(1, 4, (n, 2)).astype(float), rng.integers(1, 4, (n, 2)).astype(float))
    X, Y = rng.uniform(1, 10, (n, 2)), rng.uniform(0, 10, (n, 3))
    Y[rng.random((n, 3)) < 0.3] = 0.0               # zeros in outputs
    Y[Y.sum(axis=1) == 0, 0] = 1.0
    dup = (np.vstack([cont[0][:12], cont[0][:6]]), np.vstack([cont[1][:12], cont[1][:6]]))  # duplicates
    return {"continuous": cont, "ties": ties, "zero_outputs": (X, Y), "duplicates": dup}


DATA = _datasets()


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_backend_agrees_with_highs(name, backend, rts, orientation):
    X, Y = DATA[name]
    ref = ef.dea(inputs=X, outputs=Y, rts=rts, orientation=orientation)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = ef.dea(inputs=X, outputs=Y, rts=rts, orientation=orientation, solver=backend)
    assert (got.status == "optimal").all()
    np.testing.assert_allclose(got.farrell, ref.farrell, rtol=0, atol=1e-6,
                               err_msg=f"{name} {rts} {orientation}: {backend} scores differ from highs")
    s_got, s_ref = got.slacks.sum(axis=1).to_numpy(), ref.slacks.sum(axis=1).to_numpy()
    np.testing.assert_allclose(s_got, s_ref, rtol=0, atol=SLACK_RTOL[backend] * max(1.0, np.abs(Y).max()),
                               err_msg=f"{name} {rts} {orientation}: {backend} max slack sums differ")
    # Whatever lambdas a backend picks, they must reproduce its targets.
    lam = got.lambda_matrix.toarray()
    tol = 1e-6 * max(1.0, X.max(), Y.max())
    assert np.all(lam @ X <= got.targets.iloc[:, :X.shape[1]].to_numpy() + tol)
    assert np.all(lam @ Y >= got.targets.iloc[:, X.shape[1]:].to_numpy() - tol)


def _lp(c, A, lo, hi, clo=None, chi=None):
    A = np.asarray(A, float)
    n = A.shape[1]
    return LPProblem(np.asarray(c, float), A, np.asarray(lo, float), np.asarray(hi, float),
                     np.zeros(n) if clo is None else np.asarray(clo, float),
                     np.full(n, np.inf) if chi is None else np.asarray(chi, float))


@pytest.mark.parametrize("backend", ["highs"] + BACKENDS)
def test_statuses_of_generic_lps(backend):
    solver = get_solver(backend)
    # min x0 + x1 s.t. x0 + x1 >= b (b = 1, 2), then an infeasible one (x0 + x1 <= -1 with x >= 0).
    base = _lp([1, 1], [[1, 1]], [0], [0])
    batch = LPBatch(base, np.array([[1.0], [2.0], [-np.inf]]), np.array([[np.inf], [np.inf], [-1.0]]))
    sol = solver.solve_batch(batch)
    assert list(sol.status) == [LPStatus.OPTIMAL, LPStatus.OPTIMAL, LPStatus.INFEASIBLE]
    np.testing.assert_allclose(sol.objective[:2], [1.0, 2.0], atol=1e-9)
    assert np.isnan(sol.objective[2])
    assert sol.x[[2]].nnz == 0
    # Unbounded: min -x0 s.t. x0 - x1 <= 1.
    unb = LPBatch(_lp([-1, 0], [[1, -1]], [0], [0]), np.array([[-np.inf]]), np.array([[1.0]]))
    assert solver.solve_batch(unb).status[0] == LPStatus.UNBOUNDED


@pytest.mark.parametrize("backend", ["highs"] + BACKENDS)
def test_varying_columns_costs_and_fixed_zero(backend):
    """Problem k of a batch changes only the varying columns, their costs, the rows and one column."""
    solver = get_solver(backend)
    # min c2*x2 + x0 + x1 s.t. a*x2 + x0 + x1 >= 3, x2 <= 1 via bounds.
    base = _lp([1, 1, 0], [[1, 1, 0]], [0], [0], chi=[np.inf, np.inf, 1.0])
    cols = np.array([[[1.0]], [[2.0]], [[2.0]]])           # a = 1, 2, 2
    costs = np.array([[0.5], [0.5], [0.5]])
    batch = LPBatch(base, np.full((3, 1), 3.0), np.full((3, 1), np.inf), np.array([2]), cols, costs,
                    np.array([-1, -1, 2]))                  # third problem: x2 fixed at 0
    sol = solver.solve_batch(batch)
    # k=0: x2 = 1 covers 1 at cost 0.5, rest 2 -> 2.5; k=1: x2 = 1 covers 2 -> 1.5; k=2: x2 = 0 -> 3.
    np.testing.assert_allclose(sol.objective, [2.5, 1.5, 3.0], atol=1e-7)
    for k in range(3):
        p = batch.problem(k)
        x = sol.x[[k]].toarray().ravel()
        assert p.A @ x >= p.row_lower - 1e-7
        assert abs(p.c @ x - sol.objective[k]) <= 1e-7


def test_registry_errors_and_listing():
    names = {name: ok for name, ok, _ in registered()}
    assert names["highs"] and names["scipy"] and names["pulp"]
    with pytest.raises(ef.SolverError, match="unknown"):
        ef.dea(inputs=[[1.0], [2.0]], outputs=[[1.0], [1.0]], solver="nosuch")
    with pytest.raises(ef.SolverError, match="NOSUCH"):
        ef.dea(inputs=[[1.0], [2.0]], outputs=[[1.0], [1.0]], solver="pulp:NOSUCH")


def test_custom_solver_object_is_used():
    class Counting(Backend):
        name = "counting"

        def __init__(self):
            self.inner, self.calls = get_solver("highs"), 0

        def solve_batch(self, batch):
            self.calls += 1
            return self.inner.solve_batch(batch)

    solver = Counting()
    r = ef.dea(inputs=[[2.0], [4.0], [3.0]], outputs=[[1.0], [1.0], [2.0]], rts="crs", solver=solver)
    assert solver.calls == 2                      # phase I and phase II
    assert r.solver == "counting"
    np.testing.assert_allclose(r.scores, [0.75, 0.375, 1.0], atol=1e-12)


def test_a_backend_must_declare_what_it_solves():
    class Bare:
        name = "bare"

        def solve_batch(self, batch):
            raise AssertionError("not reached")

    with pytest.raises(ef.SolverError, match="subclass solvers.Backend"):
        ef.dea(inputs=[[2.0], [4.0]], outputs=[[1.0], [1.0]], solver=Bare())


def test_infeasible_dmu_is_data_not_an_exception():
    """Against a reference set that cannot envelop it (VRS, output), a DMU gets NaN and a status."""
    X = np.array([[1.0], [5.0]])
    Y = np.array([[1.0], [1.0]])
    ref = (np.array([[2.0], [3.0]]), np.array([[1.0], [2.0]]))
    with pytest.warns(ef.SolveWarning, match="1 of 2 DMUs have no score"):
        r = ef.dea(inputs=X, outputs=Y, rts="vrs", orientation="output", reference=ref)
    assert r.status.tolist() == ["infeasible", "optimal"]
    assert np.isnan(r.scores.iloc[0]) and np.isnan(r.slacks.iloc[0]).all()
    assert r.farrell.iloc[1] == pytest.approx(2.0, abs=1e-9)
    assert r.to_frame()["peers"].tolist() == ["", "1"]
