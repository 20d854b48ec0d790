"""Benchmark rows for the other models: SBM and the Malmquist index (``python -m benchmarks.models``).

SBM (Tone 2001) is a linear-fractional programme; after the Charnes-Cooper transformation its LP
does not have the radial envelopment shape of the numba core, so every backend solves it through
LP batches: the default (numba) hands them to HiGHS with the LP built once and only the evaluated
DMU's data changed between solves. The reference in the same run is the ``scipy`` backend (one
``scipy.optimize.linprog`` call per DMU, the way most tools solve DEA).

Malmquist (adjacent frontiers, n units x T periods): the default backend (numba core with frame
screening of every period's technology) against the ``highs`` loop (one HiGHS LP per distance, no
screening), both measured in this run. The HiGHS loop runs on ``--ref-n`` units (default 1 000)
and its time is scaled by n / ref_n - the row says so. Linear scaling underestimates the reference
(its LPs also grow with n), so the ratios printed are conservative.

Data: :func:`benchmarks.data.cobb_douglas` (seeded), m = 3 inputs, s = 2 outputs; the panel's
periods are independent draws with output growing 3% a period. Scores of the two backends are
compared where both ran on the same data (max abs diff printed).
"""

from __future__ import annotations

import argparse
import csv
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import data
from .timing import OUT, machine_line, median_time


def _panel(n: int, periods: int, seed: int = 7) -> pd.DataFrame:
    parts = []
    for t in range(periods):
        X, Y = data.cobb_douglas(n, 3, 2, seed=seed + t)
        frame = pd.DataFrame(np.hstack([X, Y * 1.03 ** t]), columns=["x1", "x2", "x3", "y1", "y2"])
        frame.insert(0, "period", 2000 + t)
        frame.insert(0, "unit", np.arange(n))
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def sbm_rows(n: int, ref_n: int, repeats: int) -> list[dict]:
    import efficiency

    rows = []
    X, Y = data.cobb_douglas(n, 3, 2, seed=11)
    for rts in ("crs", "vrs"):
        call = lambda XX, YY, solver: efficiency.dea(inputs=XX, outputs=YY, model="sbm", rts=rts,  # noqa: E731
                                                     orientation="none", solver=solver)
        call(X[:50], Y[:50], None)
        med, rep, r = median_time(lambda: call(X, Y, None), repeats)
        sub = min(ref_n, n)
        med_ref, rep_ref, r_ref = median_time(lambda: call(X[:sub], Y[:sub], "scipy"), 1)
        r_sub = call(X[:sub], Y[:sub], None)
        diff = float(np.nanmax(np.abs(r_sub.scores.to_numpy() - r_ref.scores.to_numpy())))
        scaled = med_ref * n / sub
        rows.append({"model": "sbm (non-oriented)", "n": n, "periods": 1, "rts": rts, "backend": "default",
                     "median_s": med, "repeats": rep, "reference": f"scipy loop, n={sub}, x n/{sub}",
                     "reference_s": scaled, "ratio": med / scaled, "max_abs_diff": diff})
    return rows


def malmquist_rows(n: int, periods: int, ref_n: int, repeats: int) -> list[dict]:
    import efficiency

    rows = []
    panel = _panel(n, periods)
    kw = dict(id="unit", period="period", inputs=["x1", "x2", "x3"], outputs=["y1", "y2"], kind="adjacent",
              orientation="input")
    for rts in ("crs", "vrs"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            efficiency.malmquist(_panel(60, 2), rts=rts, **kw)
            med, rep, _ = median_time(lambda: efficiency.malmquist(panel, rts=rts, **kw), repeats)
            sub = panel[panel.unit < ref_n]
            med_ref, _, m_ref = median_time(lambda: efficiency.malmquist(sub, rts=rts, solver="highs", screen=False, **kw), 1)
            m_sub = efficiency.malmquist(sub, rts=rts, **kw)
        num = ["malmquist", "effch", "techch"]
        a, b = m_sub.to_frame()[num].to_numpy(float), m_ref.to_frame()[num].to_numpy(float)
        diff = float(np.nanmax(np.abs(a - b)))
        scaled = med_ref * n / min(ref_n, n)
        rows.append({"model": "malmquist (adjacent)", "n": n, "periods": periods, "rts": rts, "backend": "default",
                     "median_s": med, "repeats": rep, "reference": f"highs loop, n={min(ref_n, n)}, x n/{min(ref_n, n)}",
                     "reference_s": scaled, "ratio": med / scaled, "max_abs_diff": diff})
    return rows


def markdown(rows: list[dict], argv: list[str]) -> str:

    head = ["# efficiency benchmarks: SBM and Malmquist rows", "",
            machine_line(),
            f"- command: python -m benchmarks.models {' '.join(argv)}",
            "- ratio = default median / reference (< 1 is faster); the reference ran on a subset in the same run "
            "and is scaled linearly to n (see the module docstring)", "",
            "| model | n | periods | rts | median s | rep | reference | reference s (scaled) | ratio | max abs diff |",
            "|---|---:|---:|---|---:|---:|---|---:|---:|---:|"]
    for r in rows:
        head.append(f"| {r['model']} | {r['n']} | {r['periods']} | {r['rts']} | {r['median_s']:.3f} | {r['repeats']} | "
                    f"{r['reference']} | {r['reference_s']:.1f} | {r['ratio']:.3g} | {r['max_abs_diff']:.1e} |")
    return "\n".join(head) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks.models", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--periods", type=int, default=5)
    p.add_argument("--ref-n", type=int, default=1000, help="units for the reference backend (scaled to n)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", type=Path, default=OUT)
    a = p.parse_args(argv)
    rows = sbm_rows(a.n, a.ref_n, a.repeats) + malmquist_rows(a.n, a.periods, a.ref_n, a.repeats)
    text = markdown(rows, argv)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "models.md").write_text(text, encoding="utf-8")
    with open(a.out / "models.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
