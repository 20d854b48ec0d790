"""Benchmark rows for StoNED / CNLS (``python -m benchmarks.stoned``).

Data (seeded): n in {500, 2 000}, m = 2 inputs uniform on [1, 10], y = 2 x1^0.4 x2^0.3 exp(v - u),
v ~ N(0, 0.1^2), u ~ |N(0, 0.2^2)|. Models, VRS production, MM step 2 (the step-2 time is negligible):
additive CNLS, the multiplicative ratio QP (Benchmarking MULT=1, ``objective="ratio"``) and log-CNLS
(``objective="log"``, Gauss-Newton steps, each a weighted CNLS QP).

* **generation**: ``ef.stoned`` - Clarabel on a subset of Afriat rows (nearest neighbours first, then
  each violated hyperplane's most violated row, found by a blockwise check of all n^2 pairs),
  re-solved until none is violated by more than 1e-7 (relative).
* **full QP**: the same QP (same formulation, same solver) with all n(n - 1) Afriat rows at once,
  what pyStoNED and Benchmarking build. Run at n <= --full-max (500) only: at n = 2 000 it has ~4
  million rows (16 million nonzeros), not attempted (not measured). Not run for log-CNLS (a sequence of
  QPs; the comparison is the same as for the ratio QP).

Ridge: the rows use ``ridge=0`` (exact CNLS, ``--ridge``). With Benchmarking's tie-break ridge = 1e-10
the fitted values at n = 500 are only determined to ~1e-3 (the ridge moves them by 8.5e-3 relative on
this data, along directions whose curvature is the ridge's): Clarabel at tolerance 1e-9 vs 1e-11
gives fitted values 1.5e-3 apart, so a generation-vs-full comparison there measures solver accuracy,
not the method (measured: generation 358.74490, full QP 358.74449, 1.8e-3 apart; with ridge = 0 the
fitted values are stable to 1e-7 across tolerances).

Columns: seconds (median of --repeats; one run when it takes over 30 s), QP solves, Afriat rows in the
final QP, max |fitted difference| relative to the full QP (where it ran).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

import numpy as np

from .timing import OUT, machine_line, median_time

SIZES = (500, 2000)
MODELS = ("additive", "ratio", "log")


def make(n: int, seed: int = 12):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 10.0, size=(n, 2))
    y = 2.0 * X[:, 0] ** 0.4 * X[:, 1] ** 0.3 * np.exp(rng.normal(0, 0.1, n) - np.abs(rng.normal(0, 0.2, n)))
    return X, y


def run(sizes=SIZES, repeats: int = 3, full_max: int = 500, models=MODELS, ridge: float = 0.0) -> list[dict]:
    import efficiency as ef
    from efficiency.stoned import _cnls

    rows = []
    for n in sizes:
        X, y = make(n)
        for model in models:
            mult = model != "additive"
            kw = {"objective": model} if mult else {}
            if model != "log":
                kw["ridge"] = ridge
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t, k, r = median_time(lambda X=X, y=y, mult=mult, kw=kw: ef.stoned(
                    None, output=y, inputs=X, multiplicative=mult, **kw), repeats)
            row = {"n": n, "model": model, "gen_s": t, "runs": k, "gen_rounds": r.rounds, "gen_rows": r.n_afriat,
                   "gn": r.gn_iterations, "status": sorted(set(r.status)), "full_s": None,
                   "full_rows": n * (n - 1), "diff": None}
            if n <= full_max and model != "log":
                tf, _, full = median_time(lambda X=X, y=y, mult=mult: _cnls(
                    X, y, vrs=True, cost=False, multiplicative=mult, constraints="all", ridge=ridge), 1)
                row["full_s"] = tf
                row["diff"] = float(np.max(np.abs(r.fitted - full.yhat) / np.abs(full.yhat)))
                row["full_status"] = full.status
                row["obj"] = (r.ssr, full.objective)          # QP objective: generation, full QP
                row["full_viol"] = full.max_violation
            rows.append(row)
            print(row, file=sys.stderr, flush=True)
    return rows


NOTES = """**Levers measured** (n = 500 / 2 000 additive, same data, same machine, while writing this):

* formulation: in (alpha, beta) Clarabel ended 'AlmostSolved' on most rounds (fitted values off by up to
  2e-4 relative at n = 500); in (phi, beta) (fitted values and slopes, Afriat rows with m + 2 nonzeros,
  Hessian positive definite in phi) every solve ends 'Solved'.
* generation rule: adding the 10 most violated rows per *observation* (previous code) took 8 solves,
  17 600 rows and 9.8 s at n = 500 and still ended with a violation of 2.8e-7 (> tol); adding the 3 most
  violated rows per observation in (phi, beta): at n = 2 000 every observation still had violated rows
  after 14 rounds (33 000 rows, growing). Adding the single most
  violated row per violated *hyperplane*: 10 solves, 5 700 rows, 1.9 s at n = 500 and 11 solves,
  26 000 rows, 19 s at n = 2 000. (An interior-point solution leaves loosely constrained hyperplanes
  tilted at the centre of their feasible set; pinning each at its worst point fixes that.)
* dropping rows slack for 2 rounds: cycles at n = 2 000 (rows stay at ~23 000, 57 rounds, stopped);
  with a row dropped once kept for good, rows grew to 68 000 (solves of 13-35 s); not used.
* a box beta <= U in early rounds (to stop steep free hyperplanes): no fewer violations; not used.
* Clarabel ``direct_solve_method="faer"`` (compiled into the 0.11.1 wheel, accepted): at n = 200 it took
  more rounds than qdldl (9 vs 5, in (alpha, beta)) at a similar time per solve; not
  used. ``max_threads = 2`` is set. OSQP was not tried (first-order; not accurate to 1e-6 unpolished).

**Note on ridge = 1e-10** (Benchmarking's tie-break, the default of the QP models in ``ef.stoned``): on
this data at n = 500 it moves the fitted values by 8.5e-3 relative against ridge = 0, along directions
whose curvature is the ridge's, so they are only determined to ~1e-3 by an interior-point solve:
Clarabel at tolerance 1e-9 vs 1e-11 gives fitted values 1.5e-3 apart (the tighter one 'AlmostSolved').
A generation-vs-full comparison with the ridge therefore measures solver accuracy (measured: 1.8e-3
apart, full QP 440 s), which is why the rows above use ridge = 0 (``--ridge``), where the fitted values
agree across tolerances.
"""


def table(rows, load=None, ridge: float = 0.0) -> str:
    out = ["# StoNED / CNLS: constraint generation vs the full-constraint QP (both Clarabel)", "",
           machine_line() + f"; clarabel {__import__('clarabel').__version__}",
           "- data: seeded Cobb-Douglas, 2 inputs, VRS production frontier (see benchmarks/stoned.py)",
           f"- load average (1, 5, 15 min) at the start / end of the run: {load}" if load else "",
           f"- ridge = {ridge:g} for the QP models (0: the exact CNLS optimum; see the note on ridge = 1e-10)", "",
           ("| n | model | generation s | runs | QP solves | Afriat rows kept | full QP s | full QP rows | speed-up | "
            "max rel. fitted diff | status |"), "|---|---|---|---|---|---|---|---|---|---|---|"]
    names = {"additive": "additive", "ratio": "multiplicative, ratio QP",
             "log": "multiplicative, log-CNLS"}
    for r in rows:
        full = f"{r['full_s']:.2f}" if r["full_s"] is not None else "not run (see note)"
        sp = f"{r['full_s'] / r['gen_s']:.0f}x" if r["full_s"] is not None else "-"
        d = f"{r['diff']:.1e}" if r["diff"] is not None else "-"
        if r.get("full_status"):
            full += f" ({r['full_status']}; objective {r['obj'][1]:.10g}, generation {r['obj'][0]:.10g})"
        solves = f"{r['gen_rounds']}" + (f" ({r['gn']} Gauss-Newton steps)" if r["gn"] else "")
        out.append(f"| {r['n']} | {names[r['model']]} | {r['gen_s']:.2f} | {r['runs']} | {solves} | {r['gen_rows']:,} | "
                   f"{full} | {r['full_rows']:,} | {sp} | {d} | {', '.join(r['status'])} |")
    out += ["", ("Full QP at n = 2 000 is not attempted (--full-max): ~4 million Afriat rows (16 million nonzeros), "
            "16 times the n = 500 problem; constraint generation never forms it (the all-pairs check runs in "
            "blocks of 512 rows). log-CNLS has no full-QP row: it is a sequence of weighted QPs (each reusing the "
            "previous row set), the full-QP comparison is the ratio row's."), "", NOTES]
    return "\n".join(out)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default=",".join(map(str, SIZES)))
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--full-max", type=int, default=500)
    ap.add_argument("--ridge", type=float, default=0.0)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    load0 = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    rows = run(tuple(int(v) for v in a.n.split(",")), a.repeats, a.full_max, tuple(a.models.split(",")), a.ridge)
    load1 = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    md = table(rows, f"{load0} / {load1} (2 cores, shared with other sessions)", a.ridge)
    print(md)
    if not a.no_write:
        (OUT / "stoned.md").write_text(md)


if __name__ == "__main__":
    main()
