"""Benchmark rows for cost efficiency (``python -m benchmarks.economic``).

``ef.economic(kind="cost")`` solves one cost-minimisation LP per DMU (a generic LP: HiGHS, warm-started
from DMU to DMU) and one radial input LP per DMU for the technical part. The default backend (numba)
finds the frame (extreme-efficient DMUs) first and solves every LP against it; the radial LPs run in
the numba core. The reference, measured in the same run on the same data, is the plain HiGHS loop:
``solver="highs", screen=False`` (every LP of both kinds by HiGHS against all n DMUs).

Data: :func:`benchmarks.data.cobb_douglas` (seeded), m = 3 inputs, s = 2 outputs; input prices drawn
uniform on [0.5, 2] per DMU and input (seeded). The default run is timed ``--repeats`` times (median),
the reference once (it is the slow one). ``max abs diff``: the largest difference between the two
runs' cost efficiencies.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from functools import partial
from pathlib import Path

import numpy as np

from . import data
from .timing import OUT, machine_line, median_time


def _cost(X, Y, W, rts: str, **kw):
    import efficiency

    return efficiency.economic(inputs=X, outputs=Y, kind="cost", input_prices=W, rts=rts, **kw)


def cost_rows(sizes: list[int], rts_list: list[str], repeats: int) -> list[dict]:
    from solvers import screening

    rows = []
    for n in sizes:
        X, Y = data.cobb_douglas(n, 3, 2, seed=21)
        W = np.random.default_rng(5).uniform(0.5, 2.0, size=(n, 3))
        for rts in rts_list:
            run = partial(_cost, X, Y, W, rts)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _cost(X[:100], Y[:100], W[:100], rts)                        # compile the kernels
                med, rep, a = median_time(run, repeats)
                ref, _, b = median_time(partial(run, solver="highs", screen=False), 1)
            P = np.hstack([X / X.mean(axis=0), Y / Y.mean(axis=0)])
            frame = screening.frame(P, 3, crs=rts == "crs").size
            diff = float(np.max(np.abs(a.efficiency.to_numpy() - b.efficiency.to_numpy())))
            rows.append({"n": n, "rts": rts, "frame": frame, "default_s": med, "repeats": rep, "solver": a.solver,
                         "highs_loop_s": ref, "ratio": med / ref, "max_abs_diff": diff})
            print(f"n={n} {rts}: default {med:.3f} s, highs loop {ref:.3f} s, ratio {med / ref:.3g}", file=sys.stderr)
    return rows


def markdown(rows: list[dict], argv: list[str]) -> str:

    head = ["# efficiency benchmarks: cost efficiency (ef.economic)", "",
            machine_line(),
            f"- command: python -m benchmarks.economic {' '.join(argv)}",
            "- data: Cobb-Douglas, m = 3 inputs, s = 2 outputs, input prices U(0.5, 2) per DMU (seeded); "
            "`frame` = extreme-efficient DMUs",
            "- default = the default backend (numba core for the radial LPs, HiGHS for the cost LPs, both "
            "against the frame); highs loop = `solver=\"highs\", screen=False`, same run, same data",
            "- ratio = default median / highs loop (< 1 is faster)", "",
            "| n | rts | frame | default s | rep | solver label | highs loop s | ratio | max abs diff |",
            "|---:|---|---:|---:|---:|---|---:|---:|---:|"]
    for r in rows:
        head.append(f"| {r['n']} | {r['rts']} | {r['frame']} | {r['default_s']:.3f} | {r['repeats']} | {r['solver']} | "
                    f"{r['highs_loop_s']:.2f} | {r['ratio']:.3g} | {r['max_abs_diff']:.1e} |")
    return "\n".join(head) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks.economic", description=__doc__.splitlines()[0])
    p.add_argument("--n", default="1000,5000", help="sizes, comma-separated (default: 1000,5000)")
    p.add_argument("--rts", default="crs,vrs", help="returns to scale, comma-separated (default: crs,vrs)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", type=Path, default=OUT, help="folder for economic.md (default: benchmarks/results)")
    a = p.parse_args(argv)
    rows = cost_rows([int(v) for v in a.n.split(",")], [v.strip() for v in a.rts.split(",")], a.repeats)
    text = markdown(rows, argv)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "economic.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
