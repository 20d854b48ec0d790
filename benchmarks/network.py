"""Benchmark rows for two-stage network DEA (``python -m benchmarks.network``).

Data (seeded, :func:`two_stage`): stage 1 turns 2 inputs into 2 intermediates, stage 2 the 2
intermediates into 2 final outputs, each stage a decreasing-returns Cobb-Douglas frontier with
half-normal inefficiency (``benchmarks.data.cobb_douglas`` for stage 1; the same construction on the
intermediates for stage 2). n in {1 000, 5 000}.

* **relational** (Kao and Hwang 2008; CRS): ``ef.network(model="relational")`` with the default backend
  (numba, which hands these generic LPs to HiGHS, warm-started): per DMU the overall LP and the LP of the
  split (stage 1 first), each with the rows of the two stages' frames only (screening).
* **additive** (Chen, Cook, Li and Zhu 2009; VRS) the same way, for scale.

Reference, measured in the same run: **the HiGHS loop** - one highspy model per LP family holding the
whole LP (the 2 n stage rows of all DMUs, columns scaled by their means, no screening); for every DMU
only the normalisation row (v.x_o = 1), the kept row (u.y_o >= E) and the costs change, then a
warm-started dual simplex solve: what a careful hand-written loop of the same LPs does. It runs on
``--ref-k`` DMUs (default 200) and its time is scaled by n / ref-k (every LP has all 2 n rows); its
overall and stage-1 efficiencies are compared with ours on those DMUs (max abs diff). The network SBM
rows are in ``benchmarks/network_sbm.py`` (same kind of data, the same kind of reference loop).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

from . import data
from .timing import OUT, machine_line, median_time

SIZES = (1000, 5000)


def two_stage(n: int, seed: int = 41) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, Z, Y): inputs (n, 2), intermediates (n, 2), final outputs (n, 2), strictly positive."""
    X, Z = data.cobb_douglas(n, 2, 2, seed=seed)
    rng = np.random.default_rng(seed + 1)
    a = data.CD_RETURNS * rng.dirichlet(np.full(2, 4.0))
    q = np.exp(np.log(Z) @ a)
    w = rng.uniform(0.2, 1.0, size=(n, 2))
    w /= np.linalg.norm(w, ord=data.CD_OUTPUT_P, axis=1, keepdims=True)
    u = np.abs(rng.normal(0.0, data.CD_SIGMA_U, size=n))
    return X, Z, q[:, None] * w * np.exp(-u)[:, None]


def _highs(highspy):
    """A quiet HiGHS model with the feasibility tolerances of the toolkit's HiGHS backend (1e-9)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("dual_feasibility_tolerance", 1e-9)
    return h


class HighsLoop:
    """Kao and Hwang's LPs of every DMU in one highspy model: variables v (2), w (2), u (2) >= 0 on scaled
    data; row 0 v.x_o = 1, row 1 u.y_o >= E (free in the overall LP), rows 2.. the stage rows of all DMUs
    (w.z_j - v.x_j <= 0, u.y_j - w.z_j <= 0)."""

    def __init__(self, X: np.ndarray, Z: np.ndarray, Y: np.ndarray):
        import highspy

        self.hs = highspy
        self.Xs, self.Zs, self.Ys = X / X.mean(0), Z / Z.mean(0), Y / Y.mean(0)
        m, l, s = X.shape[1], Z.shape[1], Y.shape[1]
        self.m, self.l, self.s = m, l, s
        p = m + l + s
        h = _highs(highspy)
        inf = highspy.kHighsInf
        for _ in range(p):
            h.addVar(0.0, inf)
        empty_i, empty_v = np.array([], dtype=np.int32), np.array([])
        h.addRow(1.0, 1.0, 0, empty_i, empty_v)
        h.addRow(-inf, inf, 0, empty_i, empty_v)
        cols = np.arange(p, dtype=np.int32)
        for j in range(X.shape[0]):
            h.addRow(-inf, 0.0, p, cols, np.concatenate([-self.Xs[j], self.Zs[j], np.zeros(s)]))
            h.addRow(-inf, 0.0, p, cols, np.concatenate([np.zeros(m), -self.Zs[j], self.Ys[j]]))
        self.h, self.p, self.cols = h, p, cols

    def _solve(self, o: int, cost: np.ndarray, keep: float | None) -> float:
        h, m, l = self.h, self.m, self.l
        for i in range(m):
            h.changeCoeff(0, i, float(self.Xs[o, i]))
        for r in range(self.s):
            h.changeCoeff(1, m + l + r, float(self.Ys[o, r]))
        inf = self.hs.kHighsInf
        h.changeRowBounds(1, -inf if keep is None else keep, inf)
        h.changeColsCost(self.p, self.cols, cost)
        h.run()
        assert h.getModelStatus() == self.hs.HighsModelStatus.kOptimal
        return -h.getInfo().objective_function_value

    def split(self, o: int) -> tuple[float, float]:
        """(overall E = max u.y_o, stage 1 = max w.z_o keeping u.y_o >= E) of DMU o."""
        m, l, s = self.m, self.l, self.s
        E = self._solve(o, np.concatenate([np.zeros(m + l), -self.Ys[o]]), None)
        e1 = self._solve(o, np.concatenate([np.zeros(m), -self.Zs[o], np.zeros(s)]), E)
        return E, e1


def rows_for(n: int, ref_k: int, repeats: int) -> list[dict]:
    import efficiency as ef
    from efficiency.network.model import Division, Link, Network
    from efficiency.network.multiplier_models import compile_network, frames
    from efficiency.spec import RTS

    X, Z, Y = two_stage(n)
    e = np.zeros((n, 0))
    net = Network((Division("stage1", X, e, e, ("x1", "x2")), Division("stage2", e, Y, e, (), ("y1", "y2"))),
                  (Link("stage1", "stage2", Z, ("z1", "z2")),))
    k = min(ref_k, n)
    loop = HighsLoop(X, Z, Y)
    t_ref, _, ref = median_time(lambda: [loop.split(o) for o in range(k)], 1)
    ref = np.array(ref)
    scaled = t_ref * n / k
    out = []
    for model, rts in (("relational", "crs"), ("additive", "vrs")):
        fr = frames(compile_network(net), RTS(rts), None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            med, rep, r = median_time(lambda m=model, rt=rts: ef.network(inputs=X, intermediates=Z, outputs=Y,
                                                                         model=m, rts=rt), repeats)
        row = {"model": f"{model} (2 stages)", "n": n, "rts": rts, "median_s": med, "repeats": rep,
               "lps": n * 2, "frame": "+".join(str(f.size) for f in fr), "solver": r.solver,
               "mean": float(np.nanmean(r.scores)), "reference": None, "reference_s": None, "ratio": None,
               "max_abs_diff": None}
        if model == "relational":
            got = np.c_[r.scores.to_numpy()[:k], r.divisions["stage1"].to_numpy()[:k]]
            row.update(reference=f"HiGHS loop, {k} DMUs x n/{k}", reference_s=scaled, ratio=med / scaled,
                       max_abs_diff=float(np.max(np.abs(got - ref))))
        out.append(row)
    return out


def markdown(rows: list[dict], argv: list[str]) -> str:
    head = ["# efficiency benchmarks: two-stage network DEA (multiplier models)", "",
            machine_line(),
            f"- command: python -m benchmarks.network {' '.join(argv)}",
            "- data: benchmarks.network.two_stage (seeded): 2 inputs -> stage 1 -> 2 intermediates -> stage 2 -> "
            "2 outputs; input orientation, split with stage 1 first; LPs = the overall and split LPs of ours (the "
            "additive VRS model adds one LP per DMU whose split leaves a stage no virtual input); frame = stage "
            "rows per LP after screening (stage 1 + stage 2)",
            "- ratio = ours / the HiGHS loop (the same two LPs per DMU with all 2n stage rows, only the DMU's rows "
            "and costs changed, warm-started; run on a subset of DMUs and scaled to n) measured in the same run; "
            "< 1 is faster; max abs diff = overall and stage-1 efficiencies against the loop's",
            "- network SBM: benchmarks/network_sbm.py and results/network_sbm.md", "",
            "| model | n | rts | median s | rep | LPs | frame | solver | mean efficiency | reference | "
            "reference s (scaled) | ratio | max abs diff |",
            "|---|---:|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|"]
    for r in rows:
        ref = ("", "", "", "") if r["reference"] is None else (
            r["reference"], f"{r['reference_s']:.1f}", f"{r['ratio']:.3g}", f"{r['max_abs_diff']:.1e}")
        head.append(f"| {r['model']} | {r['n']} | {r['rts']} | {r['median_s']:.2f} | {r['repeats']} | {r['lps']} | "
                    f"{r['frame']} | {r['solver']} | {r['mean']:.4f} | {ref[0]} | {ref[1]} | {ref[2]} | {ref[3]} |")
    return "\n".join(head) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks.network", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=str, default=",".join(map(str, SIZES)), help="sizes, comma-separated")
    p.add_argument("--ref-k", type=int, default=200, help="DMUs the HiGHS loop solves (its time is scaled to n)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", type=Path, default=OUT)
    a = p.parse_args(argv)
    import efficiency as ef
    X, Z, Y = two_stage(20)
    ef.network(inputs=X, intermediates=Z, outputs=Y)                          # warm-up
    rows = []
    for n in (int(v) for v in a.n.split(",")):
        rows += rows_for(n, a.ref_k, a.repeats)
    text = markdown(rows, argv)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "network.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
