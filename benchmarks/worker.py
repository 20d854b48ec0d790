"""One benchmark measurement in a fresh process: ``python -m benchmarks.worker '<json job>'``.

The suite (:mod:`benchmarks.suite`) starts one worker per (case, backend) so that the worker's peak
resident set size (``ru_maxrss``) is that measurement's alone. The worker

1. imports the library and warms the backend up on tiny data (the first numba call in a process
   loads the compiled kernel; HiGHS and PuLP load their libraries), then records the idle baseline
   RSS;
2. generates the case's data from its seed (:mod:`benchmarks.data`);
3. times the call: ``efficiency.dea`` for kind ``solve``, ``solvers.screening.frame`` for kind
   ``frame``; for kind ``sample`` (the independent check of large cases) ``efficiency.dea`` with
   plain HiGHS, no screening, of a seeded random sample of ``sample`` DMUs against all n DMUs as
   the reference set - the same LPs as in the full run; repeated ``repeats`` times (kind ``sample``
   once), once only when the first run takes over ``long_s``;
   Before each timed run it prints ``#start``, after it ``#run SECONDS`` (the parent's watchdog);
   the first timed run of kind ``solve`` also records where its time went (``breakdown``): the frame
   search (``solvers.screening.frame``), the numba core's LPs (``numba_core.run_kernel``: phases I, II
   and the slack phase of every DMU), the LPs it handed to HiGHS (``NumbaSolver._finish``), and the
   rest (data checks, scaling, results) - by wrapping those functions with timers. For the numba core
   also the work per LP that the kernel reports (iterations of phase I, phase II and the slack phase
   III, and full pricing passes over the frame), and the core's LP time in one more run of the same
   call without slacks (``lp_noslack_s``: the LP time without phase III);
4. saves scores and slack sums (``solve``, ``sample``: with the sample's row indices) to ``out``
   (.npz) and prints one JSON line with the times, the RSS figures (KiB, Linux) and the warnings the
   library gave.

Job keys: kind, gen ('cobb_douglas' | 'dula'), n, m, s, share, seed, backend, rts, repeats, long_s,
out, sample.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import warnings

#: backend name in the suite -> keyword arguments of efficiency.dea
BACKENDS = {
    "numba": {"solver": None},
    "highs": {"solver": "highs", "screen": False},
    "highs+screen": {"solver": "highs", "screen": True},
    "scipy": {"solver": "scipy", "screen": False},
    "pulp": {"solver": "pulp", "screen": False},
}


def maxrss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _say(line: str) -> None:
    """A progress marker for the parent (which kills a first run that exceeds its limit)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def make_data(job: dict):
    from benchmarks import data

    if job["gen"] == "dula":
        X, Y, _ = data.dula(job["n"], job["m"], job["s"], job["share"], job["seed"])
    else:
        X, Y = data.cobb_douglas(job["n"], job["m"], job["s"], job["seed"])
    return X, Y


def _scaled(X, Y):
    import numpy as np
    return np.hstack([X / X.mean(0), Y / Y.mean(0)])


class _Timers:
    """Wall time spent inside a few library functions (patched on the module objects) while on."""

    def __init__(self):
        self.on = False
        self.spent = {"frame_s": 0.0, "lp_s": 0.0, "fallback_s": 0.0}
        self.work = [0, 0, 0, 0, 0]     # LPs of the numba core; iterations of phases I, II, III; full passes
        self._depth = {}
        self._undo = []

    def wrap(self, owner, name: str, key: str) -> None:
        fn = getattr(owner, name)

        def timed(*args, **kw):
            if not self.on or self._depth.get(key):     # a nested (recursive) call is in the outer one's time
                return fn(*args, **kw)
            self._depth[key] = 1
            t0 = time.perf_counter()
            try:
                out = fn(*args, **kw)
            finally:
                self.spent[key] += time.perf_counter() - t0
                self._depth[key] = 0
            if name == "run_kernel":
                work = out[2].reshape(-1, 4)
                self.work[0] += work.shape[0]
                for i, v in enumerate(work.sum(axis=0)):
                    self.work[i + 1] += int(v)
            return out
        setattr(owner, name, timed)
        self._undo.append((owner, name, fn))


def _timers() -> _Timers:
    from solvers import numba_core, screening

    t = _Timers()
    t.wrap(screening, "frame", "frame_s")
    t.wrap(numba_core, "run_kernel", "lp_s")
    t.wrap(numba_core.NumbaSolver, "_finish", "fallback_s")
    return t


def run(job: dict) -> dict:
    import numpy as np

    import efficiency
    from benchmarks import data
    from solvers import screening

    crs = job["rts"] == "crs"
    Xw, Yw = data.cobb_douglas(100, job["m"], job["s"], seed=12345)
    caught: list[str] = []
    rows = None
    if job["kind"] in ("frame", "solve"):     # the frame search's thinning pass too (it runs from 20 000 DMUs)
        from solvers import numba_core
        Pw = np.ascontiguousarray(_scaled(Xw, Yw))
        numba_core.kernel().outside(Pw, job["m"], 0 if crs else 1, Pw[:5], screening.TOL)
    if job["kind"] == "frame":
        screening.frame(_scaled(Xw, Yw), job["m"], crs)
        call = lambda X, Y: screening.frame(_scaled(X, Y), job["m"], crs)  # noqa: E731
    elif job["kind"] == "sample":
        rng = np.random.default_rng(job["seed"] + 1)
        rows = np.sort(rng.choice(job["n"], size=min(job["sample"], job["n"]), replace=False))
        call = lambda X, Y: efficiency.dea(inputs=X[rows], outputs=Y[rows], reference=(X, Y),  # noqa: E731
                                           rts=job["rts"], orientation="input", slacks=True, solver="highs",
                                           screen=False)
        job = dict(job, repeats=1)
    else:
        kw = BACKENDS[job["backend"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            efficiency.dea(inputs=Xw, outputs=Yw, rts=job["rts"], orientation="input", slacks=True, **kw)
        call = lambda X, Y: efficiency.dea(inputs=X, outputs=Y, rts=job["rts"], orientation="input",  # noqa: E731
                                           slacks=True, **kw)
        call_noslack = lambda X, Y: efficiency.dea(inputs=X, outputs=Y, rts=job["rts"],  # noqa: E731
                                                   orientation="input", slacks=False, **kw)
    baseline = maxrss_kib()
    timers = _timers() if job["kind"] == "solve" else None

    X, Y = make_data(job)
    times, result = [], None
    for i in range(max(1, job["repeats"])):
        _say("#start")
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            if timers is not None:
                timers.on = i == 0
            t0 = time.perf_counter()
            result = call(X, Y)
            times.append(time.perf_counter() - t0)
            if timers is not None:
                timers.on = False
        _say(f"#run {times[-1]:.6f}")
        if i == 0:
            caught = sorted({str(x.message) for x in w})
        if times[0] > job["long_s"]:
            break
    out = {"times": times, "median_s": float(np.median(times)), "repeats": len(times),
           "baseline_rss_kib": baseline, "peak_rss_kib": maxrss_kib(), "warnings": caught}
    if timers is not None:
        spent = dict(timers.spent)
        spent["rest_s"] = max(0.0, times[0] - sum(spent.values()))
        lps = timers.work[0]
        if lps:
            spent["lps"] = lps
            for key, v in zip(("phase1_it", "phase2_it", "phase3_it", "passes"), timers.work[1:]):
                spent[key] = v / lps
            # the same call without slacks: the LPs' time without the slack phase (phase III)
            timers.spent["lp_s"] = 0.0
            timers.on = True
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                call_noslack(X, Y)
            timers.on = False
            spent["lp_noslack_s"] = timers.spent["lp_s"]
        out["breakdown"] = spent
    if job["kind"] == "frame":
        out["frame_size"] = int(len(result))
    else:
        r = result
        out["solver_name"] = r.solver if hasattr(r, "solver") else job["backend"]
        out["not_optimal"] = int((r.status != "optimal").sum())
        scores = r.scores.to_numpy(dtype=float)
        slacks = r.slacks.to_numpy(dtype=float)
        slack_sums = slacks.sum(axis=1)
        slack_min = np.minimum(slacks.min(axis=1, initial=0.0), 0.0)
        np.savez(job["out"], scores=scores, slack_sums=slack_sums, slack_min=slack_min,
                 rows=np.arange(len(scores)) if rows is None else rows)
    try:
        import numba
        out["threads"] = int(numba.get_num_threads())
    except Exception:  # pragma: no cover
        pass
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(argv[0])
    os.environ.setdefault("EFFICIENCY_PROGRESS", "0")
    res = run(job)
    sys.stdout.write("\n" + json.dumps(res) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
