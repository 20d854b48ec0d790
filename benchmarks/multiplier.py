"""Benchmark rows for the multiplier form and cross-efficiency (``python -m benchmarks.multiplier``).

Data: :func:`benchmarks.data.cobb_douglas` (seeded; m = 3 inputs, s = 2 outputs), n in {1 000, 5 000},
input orientation.

* **multiplier** (CRS and VRS): ``ef.multiplier`` with the default backend (numba, which hands these
  generic LPs to HiGHS, warm-started, each LP with one row per frame DMU), with ``weights="maximin"``
  (two LPs per DMU: the efficiency, then the smallest weight maximised) and ``weights="solver"`` (one).
* **cross-efficiency** (CRS): 'arbitrary' (the maximin multiplier weights), 'aggressive' with Doyle and
  Green's method II and 'benevolent' with method III (one multiplier LP and one secondary LP per
  rater), then the n x n matrix; the matrix's own time is printed (``matrix s``).

Reference, measured in the same run: **the HiGHS loop** - one highspy model per run holding the whole LP
(all n DMUs as rows, columns scaled by their means), and for every DMU only its normalisation row and
costs changed, then a warm-started dual simplex solve: what a careful hand-written HiGHS loop does.
For cross-efficiency it solves the multiplier LP and (aggressive/benevolent) the secondary LP the same
way, then fills the matrix one rater's row at a time. Its LPs run on ``--ref-k`` DMUs (default 200) and
their time is scaled by n / ref-k (every LP has all n rows, so this is the loop's real per-LP cost);
its efficiencies (and secondary objective values) are compared with ours on those DMUs (max abs diff).

Scaling of cross-efficiency: the LPs are O(n) solves whose cost grows with the frame (rows per LP), the
matrix is O(n^2 (m + s)) flops and 8 n^2 bytes (200 MB at n = 5 000); the second table prints the
measured growth from n = 1 000 to 5 000 of both parts.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from . import data
from .timing import OUT, machine_line, median_time

SIZES = (1000, 5000)


def _highs(highspy):
    """A quiet HiGHS model with the feasibility tolerances of the toolkit's HiGHS backend (1e-9)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("dual_feasibility_tolerance", 1e-9)
    return h


class HighsLoop:
    """The reference: the multiplier LP of every DMU in one highspy model (all DMUs as rows)."""

    def __init__(self, X: np.ndarray, Y: np.ndarray, rts: str):
        import highspy

        self.hs = highspy
        n, m = X.shape
        s = Y.shape[1]
        self.sx, self.sy = X.mean(axis=0), Y.mean(axis=0)
        self.Xs, self.Ys = X / self.sx, Y / self.sy
        self.m, self.s, self.n = m, s, n
        h = _highs(highspy)
        inf = highspy.kHighsInf
        for _ in range(m + s):
            h.addVar(0.0, inf)
        h.addVar(*((0.0, 0.0) if rts == "crs" else (-inf, inf)))       # u0
        # row 0: the normalisation (its coefficients change per DMU); rows 1..n: u.y_j + u0 - v.x_j <= 0
        h.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))
        cols = np.arange(m + s + 1, dtype=np.int32)
        for j in range(n):
            h.addRow(-inf, 0.0, m + s + 1, cols, np.concatenate([-self.Xs[j], self.Ys[j], [1.0]]))
        self.h = h

    def efficiency(self, o: int) -> tuple[float, np.ndarray]:
        """theta of DMU o (input orientation) and its weights (scaled)."""
        h, m, s = self.h, self.m, self.s
        for i in range(m):
            h.changeCoeff(0, i, float(self.Xs[o, i]))
        h.changeColsCost(m + s + 1, np.arange(m + s + 1, dtype=np.int32),
                         np.concatenate([np.zeros(m), -self.Ys[o], [-1.0]]))
        h.run()
        return -h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)


def secondary_loop(X, Y, theta, ks, secondary: str, aggressive: bool) -> tuple[np.ndarray, list]:
    """Doyle-Green LPs (crs, input) of raters ``ks`` in one highspy model with all DMUs as rows; returns
    the weights (scaled data) per rater and the objective values."""
    import highspy

    n, m = X.shape
    s = Y.shape[1]
    Xs, Ys = X / X.mean(axis=0), Y / Y.mean(axis=0)
    h = _highs(highspy)
    inf = highspy.kHighsInf
    for _ in range(m + s):
        h.addVar(0.0, inf)
    cols = np.arange(m + s, dtype=np.int32)
    rhs = 1.0 if secondary == "II" else n - 1.0        # III: the others' mean v.x_j = 1 (rows of order 1)
    h.addRow(rhs, rhs, 0, np.array([], dtype=np.int32), np.array([]))      # normalisation
    h.addRow(0.0, inf, 0, np.array([], dtype=np.int32), np.array([]))      # the rater's efficiency kept
    for j in range(n):
        h.addRow(-inf, 0.0, m + s, cols, np.concatenate([-Xs[j], Ys[j]]))
    sign = 1.0 if aggressive else -1.0
    W, vals = [], []
    for d in ks:
        ox, oy = Xs.sum(axis=0) - Xs[d], Ys.sum(axis=0) - Ys[d]
        if secondary == "II":                   # v.x_d = 1, u.y_d >= theta; goal sum (u.y_j - v.x_j)
            norm, keep, lo = np.concatenate([Xs[d], np.zeros(s)]), np.concatenate([np.zeros(m), Ys[d]]), theta[d]
            goal = np.concatenate([-ox, oy])
        else:                                   # sum v.x_j = 1, u.y_d - theta v.x_d >= 0; goal sum u.y_j
            norm, keep, lo = np.concatenate([ox, np.zeros(s)]), np.concatenate([-theta[d] * Xs[d], Ys[d]]), 0.0
            goal = np.concatenate([np.zeros(m), oy])
        for i in range(m + s):
            h.changeCoeff(0, i, float(norm[i]))
            h.changeCoeff(1, i, float(keep[i]))
        h.changeColsCost(m + s, cols, sign * goal)
        for slack in (0.0, 1e-9):               # the kept optimum exactly, else relaxed (as ours)
            h.changeRowBounds(1, lo - slack * max(theta[d], 1.0), inf)
            h.run()
            if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                break
            h.clearSolver()
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        W.append(np.asarray(h.getSolution().col_value))
        vals.append(h.getInfo().objective_function_value * sign / rhs)
    return np.array(W), vals


def _goal(v, u, X, Y, secondary: str, ks) -> np.ndarray:
    """Doyle-Green objective of raters ``ks`` at their weights (CRS, input): II: sum_{j != d} (u.y_j -
    v.x_j) / v.x_d; III: sum_{j != d} u.y_j / sum_{j != d} v.x_j."""
    out = []
    for i, d in enumerate(ks):
        uy, vx = Y @ u[i], X @ v[i]
        if secondary == "II":
            out.append((uy.sum() - uy[d] - vx.sum() + vx[d]) / vx[d])
        else:
            out.append((uy.sum() - uy[d]) / (vx.sum() - vx[d]))
    return np.array(out)


def multiplier_rows(n: int, ref_k: int, repeats: int) -> list[dict]:
    import efficiency as ef
    from efficiency.dea.envelopment import column_scale
    from efficiency.multiplier import screened
    from efficiency.spec import RTS

    X, Y = data.cobb_douglas(n, 3, 2, seed=21)
    rows = []
    for rts in ("crs", "vrs"):
        frame = screened(X / column_scale(X), Y / column_scale(Y), RTS(rts), None)
        k = min(ref_k, n)
        loop = HighsLoop(X, Y, rts)
        t_ref, _, ref = median_time(lambda: [loop.efficiency(o)[0] for o in range(k)], 1)
        scaled = t_ref * n / k
        for weights in ("maximin", "solver"):
            med, rep, r = median_time(lambda: ef.multiplier(inputs=X, outputs=Y, rts=rts, weights=weights), repeats)
            diff = float(np.max(np.abs(r.scores.to_numpy()[:k] - np.array(ref))))
            rows.append({"model": f"multiplier ({weights})", "n": n, "rts": rts, "median_s": med, "repeats": rep,
                         "lps": n * (2 if weights == "maximin" else 1), "frame": int(frame.size), "matrix_s": None,
                         "reference": f"HiGHS loop, {k} DMUs x n/{k}", "reference_s": scaled, "ratio": med / scaled,
                         "max_abs_diff": diff})
    return rows


def cross_rows(n: int, ref_k: int, repeats: int) -> list[dict]:
    import efficiency as ef
    from efficiency.cross_efficiency import ratings
    from efficiency.dea.envelopment import column_scale
    from efficiency.multiplier import screened
    from efficiency.spec import RTS, Orientation

    X, Y = data.cobb_douglas(n, 3, 2, seed=22)
    frame = screened(X / column_scale(X), Y / column_scale(Y), RTS.CRS, None)
    k = min(ref_k, n)
    loop = HighsLoop(X, Y, "crs")
    t0 = time.perf_counter()
    first = [loop.efficiency(o) for o in range(k)]
    t_eff = time.perf_counter() - t0
    theta_ref = np.array([t for t, _ in first])
    theta_all = ef.dea(inputs=X, outputs=Y, rts="crs", slacks=False).farrell.to_numpy()   # thetas for the loop
    rows = []
    for method, sec in (("arbitrary", "II"), ("aggressive", "II"), ("benevolent", "III")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            med, rep, r = median_time(lambda: ef.cross_efficiency(inputs=X, outputs=Y, rts="crs", method=method,
                                                            secondary=sec), repeats)
        w = r.weights.to_numpy()
        v, u, u0 = w[:, :3], w[:, 3:5], w[:, 5]
        t_matrix, _, _ = median_time(lambda: ratings(v, u, u0, X, Y, Orientation.INPUT, False, r.scores.to_numpy()), 3)
        # reference: the loop's LPs on k raters (scaled), then the matrix one rater's row at a time;
        # compared: the efficiencies and, for Doyle-Green, the (unique) secondary objective values
        t_lp = t_eff
        diff = float(np.max(np.abs(r.scores.to_numpy()[:k] - theta_ref)))
        if method != "arbitrary":
            t0 = time.perf_counter()
            _, vals = secondary_loop(X, Y, theta_all, range(k), sec, method == "aggressive")
            t_lp += time.perf_counter() - t0
            mine = _goal(v[:k], u[:k], X, Y, sec, range(k))
            diff = max(diff, float(np.max(np.abs(mine - np.array(vals)) / np.maximum(1.0, np.abs(vals)))))
        t0 = time.perf_counter()
        for d in range(n):                                          # the matrix, row by row
            (u[d] @ Y.T + u0[d]) / (v[d] @ X.T)
        t_rows = time.perf_counter() - t0
        scaled = t_lp * n / k + t_rows
        rows.append({"model": f"cross-efficiency ({method}{'' if method == 'arbitrary' else ', ' + sec})", "n": n,
                     "rts": "crs", "median_s": med, "repeats": rep, "lps": n * 2, "frame": int(frame.size),
                     "matrix_s": t_matrix, "reference": f"HiGHS loop, {k} raters x n/{k}, rows loop",
                     "reference_s": scaled, "ratio": med / scaled, "max_abs_diff": diff})
    return rows


def markdown(rows: list[dict], argv: list[str]) -> str:
    import highspy  # noqa: F401

    head = ["# efficiency benchmarks: multiplier form and cross-efficiency", "",
            machine_line(),
            f"- command: python -m benchmarks.multiplier {' '.join(argv)}",
            "- data: benchmarks.data.cobb_douglas, m = 3, s = 2, input orientation; LPs = LPs solved by ours; "
            "frame = rows per LP after screening",
            "- ratio = ours / the HiGHS loop (all n rows per LP, only the DMU's row and costs changed; run on a "
            "subset of DMUs and scaled to n) measured in the same run; < 1 is faster", "",
            "| model | n | rts | median s | rep | LPs | frame | matrix s | reference | reference s (scaled) | ratio | "
            "max abs diff |",
            "|---|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for r in rows:
        ms = "" if r["matrix_s"] is None else f"{r['matrix_s']:.3f}"
        head.append(f"| {r['model']} | {r['n']} | {r['rts']} | {r['median_s']:.2f} | {r['repeats']} | {r['lps']} | "
                    f"{r['frame']} | {ms} | {r['reference']} | {r['reference_s']:.1f} | {r['ratio']:.3g} | "
                    f"{r['max_abs_diff']:.1e} |")
    cross = [r for r in rows if r["model"].startswith("cross")]
    ns = sorted({r["n"] for r in cross})
    if len(ns) >= 2:
        a, b = ns[0], ns[-1]
        head += ["", f"Cross-efficiency growth from n = {a} to n = {b} (x{b / a:g} DMUs, x{(b / a) ** 2:g} ratings):", "",
                 "| model | total x | matrix x | LP part x |", "|---|---:|---:|---:|"]
        for model in dict.fromkeys(r["model"] for r in cross):
            ra = next(r for r in cross if r["model"] == model and r["n"] == a)
            rb = next(r for r in cross if r["model"] == model and r["n"] == b)
            lp_a, lp_b = ra["median_s"] - ra["matrix_s"], rb["median_s"] - rb["matrix_s"]
            head.append(f"| {model} | {rb['median_s'] / ra['median_s']:.1f} | {rb['matrix_s'] / ra['matrix_s']:.1f} | "
                        f"{lp_b / lp_a:.1f} |")
    return "\n".join(head) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks.multiplier", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=str, default=",".join(map(str, SIZES)), help="sizes, comma-separated")
    p.add_argument("--ref-k", type=int, default=200, help="DMUs the HiGHS loop solves (its time is scaled to n)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", type=Path, default=OUT)
    a = p.parse_args(argv)
    import efficiency as ef
    ef.multiplier(inputs=[[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]], outputs=[[1.0], [1.0], [1.5]])   # warm-up
    rows = []
    for n in (int(v) for v in a.n.split(",")):
        rows += multiplier_rows(n, a.ref_k, a.repeats)
    for n in (int(v) for v in a.n.split(",")):
        rows += cross_rows(n, a.ref_k, a.repeats)
    text = markdown(rows, argv)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "multiplier.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
