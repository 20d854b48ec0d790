"""Benchmark rows for the TFP indices (``python -m benchmarks.productivity``).

``ef.productivity`` on balanced panels of U units x 5 periods (VRS, output orientation): Hicks-Moorsteen
(per row: four shadow-price LPs, four revenue LPs, two radial LPs; MP in closed form) and
Faere-Primont (two shadow-price LPs for the panel; per row two radial LPs and one revenue LP). The
default backend finds each period's frame first; the shadow prices come from the duals of the numba
core's envelopment LPs, the revenue LPs run stacked in the core (HiGHS for the few tie-breaking LPs).

The reference is a HiGHS loop in the same run on the same data: every LP of the model one by one
through highspy, against all units of the period (no frame). For small panels it is measured in full
(``solver="highs", screen=False``: HiGHS warm-started from LP to LP); for the large ones, where that
loop would take most of an hour, the same LPs of a random sample of rows are built and solved one by
one (a fresh HiGHS model each, as R productivity builds one lp_solve model per LP), and their time is
scaled to all rows (``est.``); the small sizes show both, so the estimate can be judged.

R productivity 1.1.0 (the peer): the reference panel of the oracle (31 units x 5 periods, 2 inputs, 1
output) took 70 s for all its 16 runs (README_more.md); the package documents no larger size.

Data: :func:`benchmarks.data.cobb_douglas` (seeded) per period, m = 3 inputs, s = 2 outputs, outputs
raised 2 % a period (technical progress).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from . import data
from .timing import OUT, machine_line, median_time

PERIODS = 5
M, S = 3, 2
INDICES = {"hm": "hicks-moorsteen", "fp": "fare-primont"}


def panel(units: int, periods: int = PERIODS, seed: int = 31) -> pd.DataFrame:
    frames = []
    for t in range(periods):
        X, Y = data.cobb_douglas(units, M, S, seed=seed + t)
        df = pd.DataFrame(np.hstack([X, Y * 1.02 ** t]), columns=[f"x{i + 1}" for i in range(M)] +
                          [f"y{j + 1}" for j in range(S)])
        df.insert(0, "year", 2000 + t)
        df.insert(0, "unit", np.arange(units))
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def _run(df: pd.DataFrame, index: str, **kw):
    import efficiency

    return efficiency.productivity(df, id="unit", period="year", inputs=[f"x{i + 1}" for i in range(M)],
                                   outputs=[f"y{j + 1}" for j in range(S)], index=index, rts="vrs",
                                   orientation="output", **kw)


# --------------------------------------------------------------------------------------------------
# The sampled HiGHS loop: the model's LPs of some rows, one fresh highspy model per LP
# --------------------------------------------------------------------------------------------------

def _solve_one(problem) -> None:
    from solvers import LPBatch
    from solvers.highs import HighsSolver

    HighsSolver().solve_batch(LPBatch(problem, problem.row_lower[None], problem.row_upper[None]))


def _radial(x, y, Xr, Yr, vrs: bool):
    """max phi s.t. X'l <= x, Y'l >= phi y (, sum l = 1); variables [phi, l]."""
    from solvers import LPProblem

    n, m, s = Xr.shape[0], Xr.shape[1], Yr.shape[1]
    vrs = int(vrs)
    A = np.zeros((m + s + vrs, n + 1))
    A[:m, 1:] = Xr.T
    A[m:m + s, 0], A[m:m + s, 1:] = -y, Yr.T
    lo = np.r_[np.full(m, -np.inf), np.zeros(s), np.ones(vrs)]
    hi = np.r_[x, np.full(s, np.inf), np.ones(vrs)]
    if vrs:
        A[-1, 1:] = 1.0
    return LPProblem(np.r_[-1.0, np.zeros(n)], A, lo, hi, np.r_[-np.inf, np.zeros(n)], np.full(n + 1, np.inf))


def _shadow(x, y, Xr, Yr, out: bool):
    """DO.shdu / DI.shdu under VRS: variables [v, u, w]."""
    from solvers import LPProblem

    n, m, s = Xr.shape[0], Xr.shape[1], Yr.shape[1]
    A = np.zeros((n + 1, m + s + 1))
    A[0, :m], A[0, m:m + s] = (0.0, y) if out else (x, 0.0)
    A[1:, :m], A[1:, m:m + s], A[1:, -1] = -Xr, Yr, -1.0 if out else 1.0
    c = np.r_[x, np.zeros(s), 1.0] if out else np.r_[np.zeros(m), -y, -1.0]
    lo, hi = np.r_[1.0, np.full(n, -np.inf)], np.r_[1.0, np.zeros(n)]
    return LPProblem(c, A, lo, hi, np.r_[np.zeros(m + s), -np.inf], np.full(m + s + 1, np.inf))


def _revenue(x, P, Xr, Yr):
    """max P.Y'l s.t. X'l <= x, sum l = 1."""
    from solvers import LPProblem

    n, m = Xr.shape
    A = np.vstack([Xr.T, np.ones((1, n))])
    return LPProblem(-(Yr @ P), A, np.r_[np.full(m, -np.inf), 1.0], np.r_[x, 1.0], np.zeros(n), np.full(n, np.inf))


def sampled_loop(df: pd.DataFrame, index: str, sample: int, seed: int = 0) -> tuple[float, int, int]:
    """(estimated seconds for all rows, LPs solved, rows sampled): the model's LPs of ``sample`` random
    rows against the full period data, each LP a fresh HiGHS model, scaled to all rows."""
    X = df[[f"x{i + 1}" for i in range(M)]].to_numpy()
    Y = df[[f"y{j + 1}" for j in range(S)]].to_numpy()
    X, Y = X / X.mean(axis=0), Y / Y.mean(axis=0)
    year = df["year"].to_numpy()
    years = np.unique(year)
    units = df["unit"].to_numpy()
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(df), size=min(sample, len(df)), replace=False)
    P = np.full(S, 1.0 / S)
    lps = 0
    t0 = time.perf_counter()
    for i in rows:
        k = int(np.searchsorted(years, year[i]))
        t = year == year[i]
        Xt, Yt = X[t], Y[t]
        todo = [_radial(X[i], Y[i], Xt, Yt, False), _radial(X[i], Y[i], Xt, Yt, True)]
        if index == "fare-primont":
            todo.append(_radial(X[i], np.ones(1), Xt, (Yt @ P)[:, None], True))
        elif k == 0:
            todo += [_shadow(X[i], Y[i], Xt, Yt, True), _shadow(X[i], Y[i], Xt, Yt, False),
                     _revenue(X[i], P, Xt, Yt)]
        else:
            sm = year == years[k - 1]
            j = int(np.flatnonzero(sm & (units == units[i]))[0])
            Xs, Ys = X[sm], Y[sm]
            todo += [_shadow(X[j], Y[i], Xs, Ys, True), _shadow(X[i], Y[j], Xs, Ys, False),
                     _shadow(X[i], Y[j], Xt, Yt, True), _shadow(X[j], Y[i], Xt, Yt, False),
                     _revenue(X[i], P, Xt, Yt), _revenue(X[i], P[::-1], Xt, Yt),
                     _revenue(X[j], P, Xs, Ys), _revenue(X[j], P[::-1], Xs, Ys)]
        for lp in todo:
            _solve_one(lp)
        lps += len(todo)
    elapsed = time.perf_counter() - t0
    return elapsed * len(df) / rows.size, lps, rows.size


# --------------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------------

def rows_for(sizes: list[int], indices: list[str], repeats: int, full_loop_max: int, sample: int) -> list[dict]:
    out = []
    for units in sizes:
        df = panel(units)
        for key in indices:
            index = INDICES[key]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _run(panel(30), index)                                     # compile the kernels
                med, rep, a = median_time(partial(_run, df, index), repeats)
                full = None
                if units <= full_loop_max:
                    full, _, b = median_time(partial(_run, df, index, solver="highs", screen=False), 1)
                    va = a.to_frame().iloc[:, 2:-1].to_numpy(float)
                    vb = b.to_frame().iloc[:, 2:-1].to_numpy(float)
                    diff = float(np.nanmax(np.abs(va - vb)))
                else:
                    diff = float("nan")
                est, lps, sampled = sampled_loop(df, index, sample)
            ref = full if full is not None else est
            out.append({"units": units, "rows": len(df), "index": index, "default_s": med, "repeats": rep,
                        "solver": a.solver, "loop_s": full, "est_s": est, "sample": sampled, "sample_lps": lps,
                        "ratio": med / ref, "ratio_of": "loop" if full is not None else "est.", "max_abs_diff": diff})
            print(f"{units} x {PERIODS} {index}: default {med:.2f} s, highs loop "
                  f"{'%.1f s' % full if full is not None else 'not run'}, sampled loop est. {est:.1f} s "
                  f"({lps} LPs of {sampled} rows), ratio {med / ref:.3g}", file=sys.stderr)
    return out


def markdown(rows: list[dict], argv: list[str]) -> str:
    head = ["# efficiency benchmarks: TFP indices (ef.productivity)", "",
            machine_line(),
            f"- command: python -m benchmarks.productivity {' '.join(argv)}",
            f"- data: balanced panels, U units x {PERIODS} periods, Cobb-Douglas per period (m = {M} inputs, "
            f"s = {S} outputs, seeded), outputs +2 % a period; VRS, output orientation",
            "- default = the default backend (numba core: radial LPs, shadow prices from its duals, revenue LPs "
            "stacked; HiGHS for tie-breaking LPs; every LP against the period's frame)",
            "- highs loop = `solver=\"highs\", screen=False` (every LP by HiGHS, warm-started, against all units "
            "of the period), same run, same data; run in full up to the size given by --full-loop-max",
            "- sampled loop est. = the same LPs of a random sample of rows, each a fresh highspy model against all "
            "units of its period (as R productivity builds one lp_solve model per LP), time scaled to all rows",
            "- ratio = default / highs loop where it ran, else default / sampled estimate (< 1 is faster)",
            "- max abs diff: largest difference between the default's and the highs loop's changes",
            "- peer: R productivity 1.1.0 took 70 s for the 16 runs of the oracle's 31 x 5 panel (2 inputs, "
            "1 output; README_more.md); no larger size is documented", "",
            "| units x periods | index | default s | rep | solver label | highs loop s | sampled loop est. s "
            "(LPs / rows) | ratio | max abs diff |",
            "|---|---|---:|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        loop = f"{r['loop_s']:.1f}" if r["loop_s"] is not None else "not run"
        diff = f"{r['max_abs_diff']:.1e}" if np.isfinite(r["max_abs_diff"]) else "-"
        head.append(f"| {r['units']} x {PERIODS} | {r['index']} | {r['default_s']:.2f} | {r['repeats']} | "
                    f"{r['solver']} | {loop} | {r['est_s']:.1f} ({r['sample_lps']} / {r['sample']}) | "
                    f"{r['ratio']:.3g} ({r['ratio_of']}) | {diff} |")
    return "\n".join(head) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks.productivity", description=__doc__.splitlines()[0])
    p.add_argument("--units", default="500,5000", help="units per period, comma-separated (default: 500,5000)")
    p.add_argument("--index", default="hm,fp", help="hm (Hicks-Moorsteen), fp (Faere-Primont); default: hm,fp")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--full-loop-max", type=int, default=500,
                   help="largest units per period for which the HiGHS loop runs in full (default: 500)")
    p.add_argument("--sample", type=int, default=100, help="rows of the sampled HiGHS loop (default: 100)")
    p.add_argument("--out", type=Path, default=OUT, help="folder for productivity.md (default: benchmarks/results)")
    a = p.parse_args(argv)
    rows = rows_for([int(v) for v in a.units.split(",")], [v.strip() for v in a.index.split(",")], a.repeats,
                    a.full_loop_max, a.sample)
    text = markdown(rows, argv)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "productivity.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
