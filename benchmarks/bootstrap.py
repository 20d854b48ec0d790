"""Speed of the Simar-Wilson (1998) bootstrap: ``python -m benchmarks.bootstrap``.

B = 2000 replications, n = 200 DMUs, m = 3 inputs, s = 2 outputs, VRS, input orientation, on the
seeded Cobb-Douglas data of :mod:`benchmarks.data`, with the default LP core (numba); then the same
bootstrap with a HiGHS loop (scipy ``linprog`` one LP at a time) on a smaller B, measured in the same
run, and the ratio of the time per replication. Options: ``--B``, ``--n``, ``--highs-B``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def run(B: int = 2000, n: int = 200, m: int = 3, s: int = 2, highs_B: int = 20, seed: int = 1) -> dict:
    os.environ.setdefault("EFFICIENCY_PROGRESS", "0")
    import efficiency as ef
    from benchmarks.data import cobb_douglas

    X, Y = cobb_douglas(n, m, s, seed=seed)
    kw = dict(inputs=X, outputs=Y, rts="vrs", orientation="input", seed=seed)
    ef.bootstrap(B=4, **kw)                                   # compile / warm the caches
    t, c = time.perf_counter(), time.process_time()
    fast = ef.bootstrap(B=B, **kw)
    t_fast, c_fast = time.perf_counter() - t, time.process_time() - c
    ef.bootstrap(B=2, solver="highs", **kw)
    t = time.perf_counter()
    slow = ef.bootstrap(B=highs_B, solver="highs", **kw)
    t_highs = time.perf_counter() - t
    same = np.allclose(fast.replicates[:, :highs_B], slow.replicates, rtol=0, atol=1e-6)
    return {"B": B, "n": n, "m": m, "s": s, "cores": os.cpu_count(), "numba_seconds": t_fast, "numba_cpu_seconds": c_fast,
            "numba_per_rep_ms": 1e3 * t_fast / B, "highs_B": highs_B, "highs_seconds": t_highs,
            "highs_per_rep_ms": 1e3 * t_highs / highs_B,
            "ratio": (t_highs / highs_B) / (t_fast / B), "agree_1e-6": bool(same)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--B", type=int, default=2000)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--m", type=int, default=3, help="inputs")
    ap.add_argument("--s", type=int, default=2, help="outputs")
    ap.add_argument("--highs-B", type=int, default=20)
    a = ap.parse_args(argv)
    r = run(B=a.B, n=a.n, m=a.m, s=a.s, highs_B=a.highs_B)
    print(f"Simar-Wilson bootstrap, n={r['n']} m={r['m']} s={r['s']} VRS input, {r['cores']} cores")
    print(f"  numba core : B={r['B']:>5}  {r['numba_seconds']:8.2f} s  {r['numba_per_rep_ms']:8.2f} ms/replication "
          f"({r['numba_cpu_seconds']:.2f} s of CPU)")
    print(f"  HiGHS loop : B={r['highs_B']:>5}  {r['highs_seconds']:8.2f} s  {r['highs_per_rep_ms']:8.2f} ms/replication")
    print(f"  ratio (HiGHS / numba, per replication): {r['ratio']:.1f}x; replicates agree to 1e-6: {r['agree_1e-6']}")


if __name__ == "__main__":
    main()
