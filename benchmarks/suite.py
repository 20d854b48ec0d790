"""The solver performance suite (DESIGN section 8): ``python -m benchmarks`` and ``efficiency bench``.

For every case (data, n, m, s, returns to scale; input orientation, phase II slacks on) and backend:

* **time**: median wall time of ``efficiency.dea`` over ``repeats`` runs (one run when the first takes
  over 30 s), measured in a fresh worker process (:mod:`benchmarks.worker`) after an untimed warm-up
  on tiny data (the first numba call in a process loads the compiled kernel);
* **correctness**: scores and phase II slack sums compared with HiGHS: max |score - ref| and max
  |slack sum - ref| / max(1, |ref|). The reference is the ``highs`` loop where it ran; from
  n = SAMPLE_FROM (20 000) up it is independent of every shortcut: a seeded random sample of
  SAMPLE DMUs (300) scored by plain HiGHS, no screening, against all n DMUs (the same LPs as in the
  full run), and every backend - ``highs+screen`` too - is compared with it on those DMUs; in
  between, ``highs+screen``. The column ``check_reference`` says which;
* **ratio**: median time / the reference's median time measured in the same run (``highs`` loop,
  else ``highs+screen``; the column ``ratio_reference`` says which); below 1 is faster;
* **frame**: the size of the frame (CRS or VRS extreme-efficient DMUs) and the time
  ``solvers.screening.frame`` takes to find it, measured in a worker of its own;
* **where the time goes** (first timed run): the frame search inside the run, the LPs (the numba
  core's phases I, II and the slack phase together; HiGHS's loop for the highs backends is in
  "rest"), the LPs the numba core handed to HiGHS, and the rest (:mod:`benchmarks.worker`); for the
  numba core also, of its LP time, the slack phase (the LP time of a second run of the same call
  without slacks, subtracted) and the work per LP the kernel reports: iterations of phases I, II
  and III and full pricing passes over the frame;
* **memory**: the worker's peak RSS (``ru_maxrss``) and its idle baseline after imports and warm-up.

Budget: a backend is skipped ("skipped (budget)") when its predicted time exceeds ``budget`` seconds,
predicted from the same backend's last measured case of the same family (same data generator, m, s,
returns to scale; any efficient share): t * (n / n0)^2 for the loops (highs, scipy, pulp),
t * (n / n0) * (F / F0) for the screened ones (numba, highs+screen; F the frame size). It is also
skipped when a smaller case (same generator and returns to scale, no larger n, m, s, efficient share)
already went over budget, and when the frame could not be found within the budget (the frame's own
time is predicted as t * (n / n0)^2 from the same family and share, and its worker is killed at the
budget). A worker whose first timed run exceeds ``kill_factor`` x budget is killed ("skipped
(timeout)"). Backends also have size limits (``max_n``; "skipped (n limit)").

Suites: ``standard`` (Cobb-Douglas data, :func:`benchmarks.data.cobb_douglas`) and ``dula``
(:func:`benchmarks.data.dula`, a planted frame of 1%, 10%, 25% of n at dimensions 5-20).

Output: ``<out>/<suite>.md`` (environment, then a Markdown table) and ``<out>/<suite>.csv`` (one row
per case and backend, columns ``COLUMNS``), rewritten after every case; the Markdown is returned
(and printed by ``main``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import json
import os
import platform
import queue
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ALL_BACKENDS = ("numba", "highs", "highs+screen", "scipy", "pulp")
LOOPS = ("highs", "scipy", "pulp")
SCREENED = ("numba", "highs+screen")
DEFAULT_MAX_N = {"highs": 5_000, "scipy": 1_000, "pulp": 100}
STANDARD_N = (100, 1_000, 5_000, 20_000, 100_000)
QUICK_N = (100, 1_000)
EXTRA_CASE = (5_000, 5, 4)              # standard suite: one case at a higher dimension
DULA_N = (100_000,)
DULA_DIMS = ((2, 3), (5, 5), (7, 8), (10, 10))
DULA_SHARES = (0.01, 0.10, 0.25)
DEFAULT_BUDGET = 120.0
DEFAULT_REPEATS = 3
LONG_RUN_S = 30.0                       # a first run longer than this is not repeated
KILL_FACTOR = 1.5
SEED = 20240601
DEFAULT_OUT = Path(__file__).resolve().parent / "results"
SAMPLE_FROM = 20_000                    # from this n up, correctness is checked on an independent sample
SAMPLE = 300                            # DMUs in that sample

#: CSV columns (the first 15 are the documented ones).
COLUMNS = ("n", "m", "s", "rts", "backend", "median_s", "repeats", "ratio", "ratio_reference",
           "max_abs_diff_scores", "max_rel_diff_slack_sums", "frame_size", "frame_s", "peak_rss_mib",
           "status", "baseline_rss_mib", "share_efficient", "note", "check_reference",
           "run_frame_s", "run_lp_s", "run_fallback_s", "run_rest_s", "run_lp_noslack_s", "run_slack_s",
           "run_phase1_it", "run_phase2_it", "run_phase3_it", "run_passes")
TOL = 1e-6                              # agreement with HiGHS the suite expects


@dataclass(frozen=True)
class Case:
    gen: str                            # 'cobb_douglas' | 'dula'
    n: int
    m: int
    s: int
    rts: str
    share: float | None = None
    seed: int = SEED

    def family(self) -> tuple:
        return (self.gen, self.m, self.s, self.rts)

    def data_job(self) -> dict:
        return {"gen": self.gen, "n": self.n, "m": self.m, "s": self.s, "share": self.share, "seed": self.seed,
                "rts": self.rts}


@dataclass
class Row:
    case: Case
    backend: str
    median_s: float | None = None
    repeats: int | None = None
    status: str = "ok"
    peak_rss_mib: float | None = None
    baseline_rss_mib: float | None = None
    ratio: float | None = None
    ratio_reference: str = ""
    max_abs_diff_scores: float | None = None
    max_rel_diff_slack_sums: float | None = None
    frame_size: int | None = None
    frame_s: float | None = None
    notes: list[str] = field(default_factory=list)
    result_path: str | None = None
    check_reference: str = ""
    breakdown: dict = field(default_factory=dict)   # the first timed run: frame_s, lp_s, fallback_s, rest_s

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def record(self) -> dict:
        c = self.case
        return {"n": c.n, "m": c.m, "s": c.s, "rts": c.rts, "backend": self.backend, "median_s": self.median_s,
                "repeats": self.repeats, "ratio": self.ratio, "ratio_reference": self.ratio_reference,
                "max_abs_diff_scores": self.max_abs_diff_scores,
                "max_rel_diff_slack_sums": self.max_rel_diff_slack_sums, "frame_size": self.frame_size,
                "frame_s": self.frame_s, "peak_rss_mib": self.peak_rss_mib, "status": self.status,
                "baseline_rss_mib": self.baseline_rss_mib,
                "share_efficient": "" if c.share is None else c.share, "note": "; ".join(self.notes),
                "check_reference": self.check_reference,
                **{f"run_{k}": self.breakdown.get(k) for k in ("frame_s", "lp_s", "fallback_s", "rest_s",
                                                               "lp_noslack_s", "phase1_it", "phase2_it",
                                                               "phase3_it", "passes")},
                "run_slack_s": (max(0.0, self.breakdown["lp_s"] - self.breakdown["lp_noslack_s"])
                                if "lp_noslack_s" in self.breakdown else None)}


# ----------------------------------------------------------------------------------------- cases

def standard_cases(ns=None, m=None, s=None, rts=("crs", "vrs"), quick=False) -> list[Case]:
    """Cobb-Douglas cases, by n then returns to scale; plus EXTRA_CASE on the default grid."""
    grid = tuple(ns) if ns else (QUICK_N if quick else STANDARD_N)
    mm, ss = m or 3, s or 2
    cases = [Case("cobb_douglas", n, mm, ss, r) for n in sorted(grid) for r in rts]
    n5, m5, s5 = EXTRA_CASE
    if not quick and m is None and s is None and n5 in grid:
        cases += [Case("cobb_douglas", n5, m5, s5, r) for r in rts]
    return cases


def dula_cases(ns=None, dims=DULA_DIMS, shares=DULA_SHARES, rts=("vrs", "crs")) -> list[Case]:
    """Dula cases: by n, returns to scale, efficient share, then dimension (small to large)."""
    return [Case("dula", n, m, s, r, share) for n in sorted(ns or DULA_N) for r in rts
            for share in sorted(shares) for m, s in sorted(dims, key=lambda d: d[0] + d[1])]


# ---------------------------------------------------------------------------------------- workers

def _reader(stream, q: queue.Queue) -> None:
    for line in stream:
        q.put(line)
    q.put(None)


def run_worker(job: dict, first_run_limit: float, total_limit: float) -> tuple[str, dict | str]:
    """Run one job in a fresh ``python -m benchmarks.worker``. The worker is killed when its first
    timed run (from its ``#start`` marker) takes over ``first_run_limit`` seconds or the whole worker
    over ``total_limit``. Returns ('ok', result dict), ('timeout', message) or ('failed', message)."""
    env = dict(os.environ, EFFICIENCY_PROGRESS="0")
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.worker", json.dumps(job)], stdout=subprocess.PIPE,
                                stderr=err, text=True, env=env)
        q: queue.Queue = queue.Queue()
        threading.Thread(target=_reader, args=(proc.stdout, q), daemon=True).start()
        lines, started, runs, t0 = [], None, 0, time.monotonic()
        while True:
            try:
                line = q.get(timeout=0.2)
            except queue.Empty:
                line = ""
            if line is None:
                break
            if line:
                lines.append(line)
                if line.startswith("#start") and runs == 0:
                    started = time.monotonic()
                elif line.startswith("#run"):
                    runs, started = runs + 1, None
            now = time.monotonic()
            if (started is not None and now - started > first_run_limit) or now - t0 > total_limit:
                proc.kill()
                proc.wait()
                if started is not None:
                    return "timeout", f"killed after {now - started:.0f} s (limit {first_run_limit:.0f} s)"
                return "timeout", f"worker killed after {now - t0:.0f} s in all (limit {total_limit:.0f} s)"
        rc = proc.wait()
        if rc != 0:
            err.seek(0)
            tail = [x for x in err.read().strip().splitlines() if x.strip()]
            return "failed", f"worker exit {rc}: {tail[-1] if tail else 'no message'}"
    payload = [x for x in lines if x.startswith("{")]
    if not payload:
        return "failed", "worker printed no result"
    return "ok", json.loads(payload[-1])


# ------------------------------------------------------------------------------------- the suite

@dataclass
class Settings:
    backends: tuple = ALL_BACKENDS
    repeats: int = DEFAULT_REPEATS
    budget: float = DEFAULT_BUDGET
    max_n: dict = field(default_factory=lambda: dict(DEFAULT_MAX_N))
    kill_factor: float = KILL_FACTOR
    long_s: float = LONG_RUN_S


class Runner:
    """Runs cases in order, keeping the history the budget predictions use."""

    def __init__(self, settings: Settings, workdir: Path, log=None):
        self.cfg = settings
        self.workdir = workdir
        self.rows: list[Row] = []
        self.frames: dict[Case, tuple[int | None, float | None, str]] = {}
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))

    # -- budget -------------------------------------------------------------------------------
    def _history(self, case: Case, backend: str) -> list[Row]:
        return [r for r in self.rows if r.backend == backend and r.case.family() == case.family()]

    def predict(self, case: Case, backend: str, frame: int | None) -> tuple[float | None, str]:
        """Predicted seconds and how, from the last measured case of the family (None: unknown)."""
        done = [r for r in self._history(case, backend) if r.ok and r.case.n <= case.n]
        if not done:
            return None, ""
        last = done[-1]
        ratio_n = case.n / last.case.n
        if backend in SCREENED:
            if frame is None or not last.frame_size:
                return None, ""
            pred = last.median_s * ratio_n * frame / last.frame_size
            return pred, f"predicted {pred:.3g} s from n={last.case.n} (~ n * frame)"
        pred = last.median_s * ratio_n ** 2
        return pred, f"predicted {pred:.3g} s from n={last.case.n} (~ n^2)"

    def smaller_over_budget(self, case: Case, backend: str) -> Row | None:
        for r in self._history_any_dim(case, backend):
            c = r.case
            if (r.status.startswith("skipped (budget") or r.status.startswith("skipped (timeout")) and \
                    c.n <= case.n and c.m <= case.m and c.s <= case.s and (c.share or 0) <= (case.share or 0):
                return r
        return None

    def _history_any_dim(self, case: Case, backend: str) -> list[Row]:
        return [r for r in self.rows if r.backend == backend and r.case.gen == case.gen and r.case.rts == case.rts]

    # -- one case -----------------------------------------------------------------------------
    def _job(self, case: Case, kind: str, backend: str | None = None) -> dict:
        job = case.data_job()
        job.update(kind=kind, backend=backend, repeats=self.cfg.repeats, long_s=self.cfg.long_s)
        if kind in ("solve", "sample"):
            job["out"] = str(self.workdir / f"{case.gen}_{case.n}_{case.m}_{case.s}_{case.rts}_{case.share}_"
                                            f"{backend or kind}.npz")
        if kind == "sample":
            job["sample"] = SAMPLE
        return job

    def sample_reference(self, case: Case) -> tuple[str | None, str]:
        """(path of the independent sample's results, description) for a case from SAMPLE_FROM up."""
        if case.n < SAMPLE_FROM:
            return None, ""
        what = f"highs, {min(SAMPLE, case.n)} of {case.n} DMUs against all, no screening"
        job = self._job(case, "sample")
        status, res = run_worker(job, *self._limits(self.cfg.kill_factor * self.cfg.budget))
        if status != "ok":
            self.log(f"  sample check: {status} ({res})")
            return None, f"{what}: {status}"
        self.log(f"  sample check: {what} in {res['median_s']:.1f} s")
        return job["out"], what

    def _limits(self, first: float) -> tuple[float, float]:
        """(first-run limit, whole-worker limit): imports, warm-up and data get 120 s."""
        return first, 120.0 + first + self.cfg.repeats * self.cfg.long_s

    def find_frame(self, case: Case) -> tuple[int | None, float | None, str]:
        prior = [c for c, (size, _, st) in self.frames.items() if st != "ok" and c.gen == case.gen and
                 c.rts == case.rts and c.n <= case.n and c.m <= case.m and c.s <= case.s and
                 (c.share or 0) <= (case.share or 0)]
        if prior:
            return None, None, "skipped (budget): a smaller case's frame went over budget"
        same = [(c, fs) for c, (size, fs, st) in self.frames.items() if st == "ok" and c.family() == case.family()
                and c.share == case.share and c.n < case.n]
        if same:
            c, fs = same[-1]
            pred = fs * (case.n / c.n) ** 2
            if pred > self.cfg.budget:
                return None, None, f"skipped (budget): predicted {pred:.3g} s from n={c.n} (~ n^2)"
        status, res = run_worker(self._job(case, "frame"), *self._limits(self.cfg.budget))
        if status != "ok":
            self.log(f"  frame: {status} ({res})")
            return None, None, "skipped (timeout)" if status == "timeout" else f"failed: {res}"
        self.log(f"  frame: {res['frame_size']} DMUs in {res['median_s']:.3f} s")
        return res["frame_size"], res["median_s"], "ok"

    def run_case(self, case: Case) -> list[Row]:
        what = f"{case.gen} n={case.n} m={case.m} s={case.s} {case.rts}" + \
            ("" if case.share is None else f" share={case.share:g}")
        self.log(f"[{time.strftime('%H:%M:%S')}] {what}")
        size, fs, fstatus = self.find_frame(case)
        self.frames[case] = (size, fs, fstatus)
        rows = []
        order = [b for b in ("highs", "highs+screen", "numba", "scipy", "pulp") if b in self.cfg.backends]
        for backend in order:
            row = Row(case, backend, frame_size=size, frame_s=fs)
            if fstatus != "ok":
                row.notes.append(f"frame: {fstatus}")
            self.measure(row, size, fstatus)
            rows.append(row)
            self.rows.append(row)
            if row.ok:
                self.log(f"  {backend:<13} {row.median_s:9.3f} s  x{row.repeats}  peak {row.peak_rss_mib:.0f} MiB")
            else:
                self.log(f"  {backend:<13} {row.status} {'; '.join(row.notes)}")
        sample, what = self.sample_reference(case)
        self.compare(rows, sample, what)
        for r in rows:
            if case.gen == "dula" and case.rts == "vrs" and size is not None:
                planted = max(1, int(round(case.share * case.n)))
                if size != planted:
                    r.notes.append(f"VRS frame {size} != planted {planted}")
        return rows

    def measure(self, row: Row, frame: int | None, fstatus: str) -> None:
        case, backend, cfg = row.case, row.backend, self.cfg
        limit = cfg.max_n.get(backend)
        if limit is not None and case.n > limit:
            row.status = "skipped (n limit)"
            row.notes.append(f"{backend} runs up to n={limit} by default")
            return
        if backend in SCREENED and fstatus != "ok":
            failed = fstatus.startswith("failed")
            row.status = "failed" if failed else "skipped (budget)"
            if not row.notes:
                row.notes.append("no frame" if failed else "finding the frame alone exceeds the budget")
            return
        prior = self.smaller_over_budget(case, backend)
        if prior is not None:
            c = prior.case
            row.status = "skipped (budget)"
            row.notes.append(f"smaller case already over budget (n={c.n}, m={c.m}, s={c.s}"
                             + ("" if c.share is None else f", share={c.share:g}") + ")")
            return
        pred, how = self.predict(case, backend, frame)
        if pred is not None and pred > cfg.budget:
            row.status = "skipped (budget)"
            row.notes.append(how)
            return
        first, total = self._limits(cfg.kill_factor * cfg.budget)
        job = self._job(case, "solve", backend)
        status, res = run_worker(job, first, total)
        if status == "timeout":
            row.status = "skipped (timeout)"
            row.notes.append(res)
            return
        if status == "failed":
            row.status = "failed"
            row.notes.append(res)
            return
        row.median_s, row.repeats = res["median_s"], res["repeats"]
        row.peak_rss_mib = res["peak_rss_kib"] / 1024
        row.baseline_rss_mib = res["baseline_rss_kib"] / 1024
        row.result_path = job["out"]
        row.breakdown = res.get("breakdown") or {}
        if res.get("not_optimal"):
            row.notes.append(f"{res['not_optimal']} DMUs not optimal")
        for w in res.get("warnings", []):
            row.notes.append(f"warning: {w}")

    @staticmethod
    def compare(rows: list[Row], sample: str | None = None, sample_what: str = "") -> None:
        """Scores and slack sums against the HiGHS reference (the independent sample when given: the
        sample's DMUs only); time ratios to the HiGHS timing reference."""
        by = {r.backend: r for r in rows if r.ok}
        timing = by.get("highs") or by.get("highs+screen")
        if timing is None and sample is None:
            for r in rows:
                if r.ok:
                    r.notes.append("no HiGHS reference in this case")
            return
        check = sample if sample is not None else timing.result_path
        name = f"sample ({sample_what})" if sample is not None else timing.backend
        with np.load(check) as z:
            s0, k0, idx = z["scores"], z["slack_sums"], z["rows"]
            neg0 = z["slack_min"] if "slack_min" in z else np.zeros_like(k0)
        for r in rows:
            if not r.ok:
                continue
            if timing is not None:
                r.ratio, r.ratio_reference = r.median_s / timing.median_s, timing.backend
            r.check_reference = name
            if sample is None and r is timing:
                r.notes.insert(0, "reference")
                continue
            with np.load(r.result_path) as z:
                s1, k1 = z["scores"][idx], z["slack_sums"][idx]
            r.max_abs_diff_scores, bad_s = _maxdiff(s1, s0, relative=False)
            r.max_rel_diff_slack_sums, bad_k = _maxdiff(k1, k0, relative=True)
            if bad_s or bad_k:
                r.notes.append(f"NaN in one result only: {bad_s} scores, {bad_k} slack sums")
            worst = max(r.max_abs_diff_scores, r.max_rel_diff_slack_sums)
            if worst > TOL:
                r.notes.append(f"DISAGREES with {name} (> {TOL:g})")
                off = np.isfinite(k0) & np.isfinite(k1) & (np.abs(k1 - k0) > TOL * np.maximum(1.0, np.abs(k0)))
                if off.any() and np.nanmin(neg0[off]) < 0:
                    # The slack LP at theta* can have duals of 1e6 and more (data exactly on a frontier): a
                    # slack a hair below zero, within the solver's feasibility tolerance, then buys a
                    # visibly larger slack sum. Say so, so that the row is read correctly.
                    r.notes.append(f"{name}'s slack solution is negative down to {np.nanmin(neg0[off]):.1e} "
                                   f"at {int(off.sum())} DMU(s) that differ")


def _maxdiff(a: np.ndarray, b: np.ndarray, relative: bool) -> tuple[float, int]:
    """Max |a - b| (/ max(1, |b|)) over entries finite in both; count of entries NaN in one only."""
    fa, fb = np.isfinite(a), np.isfinite(b)
    both = fa & fb
    d = np.abs(a[both] - b[both])
    if relative:
        d = d / np.maximum(1.0, np.abs(b[both]))
    mismatch = int((fa != fb).sum())
    return (float(d.max()) if d.size else 0.0) if not mismatch else float("inf"), mismatch


# ------------------------------------------------------------------------------------------ output

def environment(settings: Settings, suite: str, argv: list[str] | None) -> list[str]:
    def version(name):
        try:
            from importlib.metadata import version as v
            return v(name)
        except Exception:
            return "not installed"
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        usable = os.cpu_count()
    try:
        import numba
        threads = numba.config.NUMBA_NUM_THREADS
    except Exception:  # pragma: no cover
        threads = "?"
    return [
        f"- date: {_dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {platform.platform()}; CPU: {cpu}; CPU count {os.cpu_count()} (usable {usable})",
        f"- threads: numba core {threads} (DMUs in parallel; the frame search too); highs, highs+screen, scipy "
        "and pulp one thread each (one LP at a time, as their loops run)",
        f"- python {platform.python_version()}; numpy {version('numpy')}; numba {version('numba')}; "
        f"highspy {version('highspy')}; scipy {version('scipy')}; pulp {version('pulp')}; "
        f"pandas {version('pandas')}",
        f"- suite {suite}; backends {','.join(settings.backends)}; repeats {settings.repeats} (1 when a run "
        f"takes over {settings.long_s:g} s); budget {settings.budget:g} s per case and backend (kill at "
        f"{settings.kill_factor:g} x budget); size limits "
        + ", ".join(f"{k} n<={v}" for k, v in settings.max_n.items()),
        "- input orientation, phase II slacks on; time = median wall time of efficiency.dea in a fresh worker "
        "after an untimed warm-up; ratio = median_s / reference median_s (ratio_reference: the highs loop "
        "where it ran, else highs+screen; < 1 is faster); diffs against the same reference; "
        "frame = extreme-efficient DMUs of the case (CRS or VRS), frame_s its own time; "
        "peak_rss = worker's ru_maxrss, baseline = the same worker idle after imports and warm-up",
        f"- command: {' '.join(argv) if argv is not None else '(api)'}",
    ]


def _fmt(v, kind: str) -> str:
    if v is None or v == "":
        return ""
    if kind == "time":
        return f"{v:.3f}" if v < 100 else f"{v:.1f}"
    if kind == "ratio":
        return f"{v:.3g}"
    if kind == "diff":
        return "inf" if v == float("inf") else f"{v:.1e}"
    if kind == "mib":
        return f"{v:.0f}"
    if kind == "count":
        return f"{v:.1f}"
    return str(v)


def markdown(rows: list[Row], header: list[str], title: str) -> str:
    cols = [("n", "n", ""), ("m", "m", ""), ("s", "s", ""), ("rts", "rts", "")]
    if any(r.case.share is not None for r in rows):
        cols.append(("share_efficient", "eff. share", ""))
    cols += [("backend", "backend", ""), ("median_s", "median s", "time"), ("repeats", "rep", ""),
             ("ratio", "ratio", "ratio"), ("ratio_reference", "ratio ref", ""),
             ("max_abs_diff_scores", "max diff scores", "diff"),
             ("max_rel_diff_slack_sums", "max rel diff slack sums", "diff"), ("check_reference", "checked against", ""),
             ("frame_size", "frame", ""),
             ("frame_s", "frame s", "time"), ("run_frame_s", "in run: frame s", "time"),
             ("run_lp_s", "LPs s", "time"), ("run_fallback_s", "HiGHS redo s", "time"),
             ("run_rest_s", "rest s", "time"), ("run_slack_s", "of LPs: slack phase s", "time"),
             ("run_phase1_it", "it. I", "count"), ("run_phase2_it", "it. II", "count"),
             ("run_phase3_it", "it. III", "count"), ("run_passes", "full passes", "count"),
             ("peak_rss_mib", "peak MiB", "mib"),
             ("baseline_rss_mib", "idle MiB", "mib"), ("status", "status", ""), ("note", "note", "")]
    lines = [f"# {title}", "", *header, "",
             "| " + " | ".join(c[1] for c in cols) + " |",
             "|" + "|".join("---:" if c[2] in ("time", "ratio", "diff", "mib", "count") or c[0] in ("n", "m", "s", "frame_size")
                            else "---" for c in cols) + "|"]
    for r in rows:
        rec = r.record()
        lines.append("| " + " | ".join(_fmt(rec[c[0]], c[2]).replace("|", "/") for c in cols) + " |")
    return "\n".join(lines) + "\n"


def write_csv(rows: list[Row], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            rec = r.record()
            w.writerow({k: ("" if rec[k] is None else rec[k]) for k in COLUMNS})


# ---------------------------------------------------------------------------------------- entry

def _parse_list(value, cast=str):
    if value is None:
        return None
    if isinstance(value, str):
        value = [v for v in (x.strip() for x in value.split(",")) if v]
    return [cast(v) for v in value] or None


def run(suite: str = "standard", n=None, m=None, s=None, solvers=None, rts=None, repeats=None, budget=None,
        out=None, quick: bool = False, max_n=None, dims=None, shares=None, kill_factor=None,
        argv: list[str] | None = None, log=None) -> tuple[str, Path, Path]:
    """Run a suite; write ``<out>/<suite>.md`` and ``.csv``; return (markdown, md path, csv path)."""
    if suite not in ("standard", "dula"):
        raise ValueError(f"suite must be 'standard' or 'dula', got {suite!r}")
    ns = _parse_list(n, lambda v: int(float(v)))
    backends = tuple(_parse_list(solvers) or (ALL_BACKENDS if suite == "standard" else ("numba", "highs+screen")))
    unknown = [b for b in backends if b not in ALL_BACKENDS]
    if unknown:
        raise ValueError(f"unknown backend(s) {unknown}; choose from {', '.join(ALL_BACKENDS)}")
    rts_list = tuple(_parse_list(rts) or (("crs", "vrs") if suite == "standard" else ("vrs", "crs")))
    for r in rts_list:
        if r not in ("crs", "vrs"):
            raise ValueError(f"rts must be crs or vrs, got {r!r}")
    limits = dict(DEFAULT_MAX_N)
    for item in _parse_list(max_n) or []:
        k, _, v = item.partition("=")
        limits[k.strip()] = int(float(v))
    cfg = Settings(backends=backends, repeats=int(repeats or DEFAULT_REPEATS),
                   budget=float(budget if budget is not None else DEFAULT_BUDGET), max_n=limits,
                   kill_factor=float(kill_factor or KILL_FACTOR))
    if suite == "standard":
        cases = standard_cases(ns, m, s, rts_list, quick)
    else:
        dd = [tuple(int(x) for x in d.lower().split("x")) for d in _parse_list(dims) or []] or DULA_DIMS
        sh = _parse_list(shares, float) or DULA_SHARES
        cases = dula_cases(ns or (QUICK_N[-1:] if quick else None), dd, sh, rts_list)
    out_dir = Path(out) if out else DEFAULT_OUT
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path, csv_path = out_dir / f"{suite}.md", out_dir / f"{suite}.csv"
    header = environment(cfg, suite, argv)
    title = f"efficiency benchmarks: {suite} suite"
    with tempfile.TemporaryDirectory(prefix="efficiency-bench-") as tmp:
        runner = Runner(cfg, Path(tmp), log)
        t0 = time.monotonic()
        for case in cases:
            runner.run_case(case)
            write_csv(runner.rows, csv_path)
            md_path.write_text(markdown(runner.rows, header, title), encoding="utf-8")
        runner.log(f"done in {time.monotonic() - t0:.0f} s: {md_path}, {csv_path}")
    text = markdown(runner.rows, header, title)
    md_path.write_text(text, encoding="utf-8")
    return text, md_path, csv_path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    p.add_argument("--suite", choices=("standard", "dula"), default="standard")
    p.add_argument("--n", help="comma-separated n grid (standard: 100,1000,5000,20000,100000; dula: 100000)")
    p.add_argument("--m", type=int, help="inputs (standard suite; default 3)")
    p.add_argument("--s", type=int, help="outputs (standard suite; default 2)")
    p.add_argument("--solvers", help=f"comma-separated, from {','.join(ALL_BACKENDS)}")
    p.add_argument("--rts", help="crs,vrs")
    p.add_argument("--repeats", type=int, default=DEFAULT_REPEATS)
    p.add_argument("--budget", type=float, default=DEFAULT_BUDGET, help="seconds per case and backend")
    p.add_argument("--out", help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--quick", action="store_true", help="n in {100, 1000} only (tests, CI)")
    p.add_argument("--max-n", help="size limits, e.g. highs=5000,scipy=1000,pulp=100")
    p.add_argument("--dims", help="dula suite: MxS list, e.g. 2x3,5x5,7x8,10x10")
    p.add_argument("--shares", help="dula suite: efficient shares, e.g. 0.01,0.1,0.25")
    p.add_argument("--kill-factor", type=float, default=KILL_FACTOR,
                   help="kill a worker whose first run exceeds this x budget")
    a = p.parse_args(argv)
    text, _, _ = run(a.suite, a.n, a.m, a.s, a.solvers, a.rts, a.repeats, a.budget, a.out, a.quick, a.max_n, a.dims,
                     a.shares, a.kill_factor, argv=["python -m benchmarks", *argv])
    sys.stdout.write(text)
    return 0
