"""Benchmark rows for Hansen's (1999) panel threshold regression (``python -m benchmarks.threshold``).

Data (seeded): n = 565 units x T = 14 periods (the size of Hansen's application), y = mu_i + x (1 +
0.5 1(q < 0.4)) + 0.5 z + e, q ~ U(0, 1), grid = 400, trim = 0.01.

* **search**: S(gamma) over the 393 grid points, ``efficiency.threshold`` (Frisch-Waugh on the
  precomputed projected interactions) vs a naive loop (one least-squares fit of the within
  regression per grid point, as Hansen's code); max |S difference| / S.
* **fit**: ``ef.threshold`` with B = 300 bootstrap replications per test, 1 and 2 thresholds.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

import numpy as np
import pandas as pd

from .timing import OUT, machine_line, median_time


def make(n: int = 565, T: int = 14, seed: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mu = rng.normal(size=(n, 1))
    q = rng.uniform(size=(n, T))
    x = rng.normal(size=(n, T)) + 0.5 * mu
    z = rng.normal(size=(n, T))
    y = mu + x * (1.0 + 0.5 * (q < 0.4)) + 0.5 * z + rng.normal(scale=0.5, size=(n, T))
    return pd.DataFrame({"unit": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n), "y": y.ravel(),
                         "x": x.ravel(), "z": z.ravel(), "q": q.ravel()})


def _naive(des) -> np.ndarray:
    out = np.empty(des.grid.size)
    for j, g in enumerate(des.grid):
        Z = np.column_stack([des.base([]), des.interaction([g])[:, 0, :]])
        coef, *_ = np.linalg.lstsq(Z, des.y, rcond=None)
        e = des.y - Z @ coef
        out[j] = e @ e
    return out


def run(repeats: int = 3, B: int = 300) -> list[dict]:
    from efficiency.threshold import _Design, _make_grid, _prepared, _stage
    from efficiency.threshold import threshold as fit

    frame = make()
    args = {"id": "unit", "period": "t", "y": "y", "regime_dependent": ["x"], "regime_independent": ["z"],
            "threshold": "q", "trim": 0.01, "grid": 400}
    h = fit(frame, n_thresholds=1, B=0, **args)
    v = {c: frame[c].to_numpy().reshape(565, 14) for c in ["y", "x", "z", "q"]}
    des = _Design(np.empty(0), np.empty((0, 0)), v["x"][:, :, None], v["q"], _make_grid(v["q"], 400, 0.01, "", "q"),
                  True, 400, 0.01)
    des = _prepared(replace(des, y=des.within(v["y"]), X=des.within(v["z"])[:, None]))
    t_fast, _, st = median_time(lambda: _stage(des, []), repeats)
    t_naive, _, S = median_time(lambda: _naive(des), 1)
    rows = [{"what": "S(gamma) over 393 grid points", "fast_s": t_fast, "naive_s": t_naive,
             "diff": float(np.max(np.abs(st.S - S)) / S.min()), "gamma": h.thresholds[0]}]
    print(rows[-1], file=sys.stderr, flush=True)
    for K in (1, 2):
        t, _, r = median_time(lambda K=K: fit(frame, n_thresholds=K, B=B, seed=1, **args), 1)
        rows.append({"what": f"ef.threshold, {K} threshold(s), B = {B} per test", "fast_s": t, "naive_s": None,
                     "diff": None, "gamma": r.thresholds})
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def table(rows) -> str:
    out = ["# Panel threshold regression (Hansen 1999): vectorised search vs a naive loop", "", machine_line(),
           "- data: seeded panel, n = 565, T = 14, grid 400, trim 0.01 (see benchmarks/threshold.py)", "",
           "| what | seconds | naive loop s | speed-up | max rel. S diff |", "|---|---|---|---|---|"]
    for r in rows:
        naive = f"{r['naive_s']:.2f}" if r["naive_s"] is not None else "-"
        sp = f"{r['naive_s'] / r['fast_s']:.0f}x" if r["naive_s"] is not None else "-"
        d = f"{r['diff']:.1e}" if r["diff"] is not None else "-"
        out.append(f"| {r['what']} | {r['fast_s']:.3f} | {naive} | {sp} | {d} |")
    return "\n".join(out + [""])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--B", type=int, default=300)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    md = table(run(a.repeats, a.B))
    print(md)
    if not a.no_write:
        (OUT / "threshold.md").write_text(md)


if __name__ == "__main__":
    main()
