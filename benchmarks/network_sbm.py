"""Benchmark rows for network SBM (``python -m benchmarks.network_sbm``).

Data (seeded): two divisions in series, the innovation chain of issue 15. Stage 1 turns 2 inputs into 2
links (``benchmarks.data.cobb_douglas``: inputs, and the links as its outputs on a decreasing-returns
frontier with half-normal inefficiency); stage 2 turns the 2 links into 2 final outputs the same way
(a Cobb-Douglas aggregate of the links, split on a concave output frontier, half-normal
inefficiency). n in {1 000, 5 000}; CRS, input orientation, free links, equal division weights.

Ours: ``efficiency.network.sbm.nsbm`` with the default backend (numba, which hands these generic LPs to
HiGHS, warm-started: one LP per DMU with 2n intensity columns, built once per chunk of DMUs), in its
direct form (only row bounds and costs change between DMUs) and with the DMUs solved in an order in
which consecutive LPs are alike (``efficiency.network.sbm.solve_order``), so that each warm start begins
near the next optimum.

Reference, measured in the same run: **the HiGHS loop** - one highspy model holding the same LP in its
direct form (no Charnes-Cooper variable, input orientation needs none; columns scaled by their means):
min 1 - (w_1 / 2) sum_i s_i / x_io over lambda^1, lambda^2 >= 0 and s >= 0 with X' lam^1 + s = x_o,
Z' lam^1 - Z' lam^2 = 0, Y' lam^2 >= y_o; for every DMU only the row bounds and the slacks' costs are
changed, then a warm-started dual simplex solve - what a careful hand-written loop does. It runs on
``--ref-k`` DMUs (default: all) and its time is scaled to n; its scores are compared with ours on those
DMUs (max abs diff).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from . import data
from .timing import OUT, machine_line, median_time

SIZES = (1000, 5000)


def chain(n: int, seed: int = 31) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, Z, Y): stage 1 inputs (n, 2), links (n, 2), stage 2 final outputs (n, 2)."""
    X, Z = data.cobb_douglas(n, 2, 2, seed=seed)
    rng = np.random.default_rng(seed + 1)
    a = data.CD_RETURNS * rng.dirichlet(np.full(2, 4.0))
    q = np.exp(np.log(Z) @ a)
    w = rng.uniform(0.2, 1.0, size=(n, 2))
    w /= np.linalg.norm(w, ord=data.CD_OUTPUT_P, axis=1, keepdims=True)
    u = np.abs(rng.normal(0.0, data.CD_SIGMA_U, size=n))
    return X, Z, q[:, None] * w * np.exp(-u)[:, None]


def network(X, Z, Y):
    from efficiency.network.model import Division, Link, Network

    e = np.zeros((X.shape[0], 0))
    return Network((Division("rd", X, e, e), Division("transform", e, Y, e)), (Link("rd", "transform", Z),))


class HighsLoop:
    """The reference: the input-oriented NSBM LP of every DMU, one highspy model, warm-started."""

    def __init__(self, X: np.ndarray, Z: np.ndarray, Y: np.ndarray):
        import highspy

        from solvers.base import quiet_stdout

        n = X.shape[0]
        Xs, Zs, Ys = X / X.mean(axis=0), Z / Z.mean(axis=0), Y / Y.mean(axis=0)
        self.Xs, self.Ys, self.n = Xs, Ys, n
        with quiet_stdout():                            # HiGHS >= 1.16 prints a banner on creation
            h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("primal_feasibility_tolerance", 1e-9)
        h.setOptionValue("dual_feasibility_tolerance", 1e-9)
        inf = highspy.kHighsInf
        for _ in range(2 * n + 2):                      # lambda^1, lambda^2, s (2)
            h.addVar(0.0, inf)
        lam1 = np.arange(n, dtype=np.int32)
        lam2 = np.arange(n, 2 * n, dtype=np.int32)
        for i in range(2):                              # X' lam^1 + s_i = x_io
            h.addRow(0.0, 0.0, n + 1, np.append(lam1, 2 * n + i).astype(np.int32), np.append(Xs[:, i], 1.0))
        for j in range(2):                              # Z' lam^1 - Z' lam^2 = 0
            h.addRow(0.0, 0.0, 2 * n, np.concatenate([lam1, lam2]), np.concatenate([Zs[:, j], -Zs[:, j]]))
        for r in range(2):                              # Y' lam^2 >= y_ro
            h.addRow(0.0, inf, n, lam2, Ys[:, r])
        self.h, self.inf = h, inf

    def efficiency(self, o: int) -> float:
        h, n = self.h, self.n
        x, y = self.Xs[o], self.Ys[o]
        h.changeRowsBounds(4, np.array([0, 1, 4, 5], dtype=np.int32), np.concatenate([x, y]),
                           np.concatenate([x, [self.inf, self.inf]]))
        h.changeColsCost(2, np.array([2 * n, 2 * n + 1], dtype=np.int32), -0.5 / (2.0 * x))
        h.run()
        return 1.0 + h.getInfo().objective_function_value


def rows(n: int, ref_k: int | None, repeats: int) -> list[dict]:
    from efficiency.network.sbm import nsbm

    X, Z, Y = chain(n)
    net = network(X, Z, Y)
    med, rep, r = median_time(lambda: nsbm(net, rts="crs", orientation="input"), repeats)
    k = n if ref_k is None else min(ref_k, n)

    def loop():
        ref = HighsLoop(X, Z, Y)
        return [ref.efficiency(o) for o in range(k)]

    t_ref, rep_ref, ref = median_time(loop, repeats)
    scaled = t_ref * n / k
    diff = float(np.max(np.abs(r.overall[:k] - np.array(ref))))
    return [{"model": "nsbm (2 stages in series, free links)", "n": n, "rts": "crs", "orientation": "input",
             "median_s": med, "repeats": rep, "lps": n, "solver": r.usage.label(),
             "reference": "HiGHS loop" + ("" if k == n else f", {k} DMUs x n/{k}"), "reference_s": scaled,
             "reference_repeats": rep_ref, "ratio": med / scaled, "max_abs_diff": diff,
             "mean_eff": float(np.mean(r.overall))}]


def markdown(table: list[dict], argv: list[str]) -> str:
    head = ["# efficiency benchmarks: network SBM", "",
            machine_line(),
            f"- command: python -m benchmarks.network_sbm {' '.join(argv)}",
            "- data: benchmarks.network_sbm.chain (seeded): stage 1 with 2 inputs -> 2 links, stage 2 with the "
            "2 links -> 2 final outputs; CRS, input orientation, free links, equal division weights; one LP per "
            "DMU with 2n intensity columns",
            "- ratio = ours / the HiGHS loop (the same LP in its direct form in one highspy model, only row "
            "bounds and costs changed per DMU, warm-started, DMUs in data order) measured in the same run; < 1 is "
            "faster; ours solves the DMUs in a similarity order (efficiency.network.sbm.solve_order); max abs "
            "diff = largest difference of the overall efficiencies", "",
            "| model | n | rts | orientation | median s | rep | LPs | solver | mean efficiency | reference | "
            "reference s | ratio | max abs diff |",
            "|---|---:|---|---|---:|---:|---:|---|---:|---|---:|---:|---:|"]
    for r in table:
        head.append(f"| {r['model']} | {r['n']} | {r['rts']} | {r['orientation']} | {r['median_s']:.2f} | "
                    f"{r['repeats']} | {r['lps']} | {r['solver']} | {r['mean_eff']:.4f} | {r['reference']} | "
                    f"{r['reference_s']:.2f} | {r['ratio']:.3g} | {r['max_abs_diff']:.1e} |")
    return "\n".join(head) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks.network_sbm", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=str, default=",".join(map(str, SIZES)), help="sizes, comma-separated")
    p.add_argument("--ref-k", type=int, default=None, help="DMUs the HiGHS loop solves (default all; its time "
                                                          "is scaled to n)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", type=Path, default=OUT)
    a = p.parse_args(argv)
    from efficiency.network.sbm import nsbm
    nsbm(network(*chain(20)))                                        # warm-up (imports, numba, HiGHS)
    table = []
    for n in (int(v) for v in a.n.split(",")):
        table += rows(n, a.ref_k, a.repeats)
    text = markdown(table, argv)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "network_sbm.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
