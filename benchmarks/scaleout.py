"""Scale-out of the DEA core through Dask: ``python -m benchmarks.scaleout`` (issue 17).

Dula-style data with a known frame (:func:`benchmarks.data.dula`; default n = 1 000 000 DMUs, 2 inputs
and 3 outputs, 1% on the frontier), input-oriented radial DEA under VRS (``--rts``) with slacks, scored twice in the same
run: in this process (the numba core on its threads) and on a ``dask.distributed`` LocalCluster of
``--workers`` worker processes with one thread each. Reported: wall time of each, the peak resident
memory of this process and of every worker (``ru_maxrss``), how often data went to the cluster (the
number of ``map_chunks`` calls, each scattering its shared arrays once to every worker, and their size),
and the largest difference between the two runs' scores and slacks (they must be identical: the same
kernel on the same rows). The time includes the frame search, which runs in the calling process in
both runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

import numpy as np


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _nbytes(obj) -> int:
    """Bytes of the numpy arrays reachable from a broadcast value (its attributes, one level down)."""
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    total = 0
    for v in getattr(obj, "__dict__", {}).values():
        if isinstance(v, np.ndarray):
            total += v.nbytes
    return total


def run(n: int = 1_000_000, m: int = 2, s: int = 3, share: float = 0.01, rts: str = "vrs", workers: int = 2,
        seed: int = 0) -> dict:
    os.environ.setdefault("EFFICIENCY_PROGRESS", "0")
    import efficiency as ef
    from efficiency import distributed
    from benchmarks.data import dula

    X, Y, frame = dula(n, m, s, share, seed=seed)
    kw = dict(inputs=X, outputs=Y, rts=rts, orientation="input")
    ef.dea(inputs=X[:2000], outputs=Y[:2000], rts=rts, orientation="input")          # compile / warm up
    t = time.perf_counter()
    local = ef.dea(**kw)
    t_local = time.perf_counter() - t
    rss_local = _rss_mib()

    calls: list[int] = []
    original = distributed.map_chunks

    def counting(client, fn, chunks, broadcast=None, progress=None):
        calls.append(sum(_nbytes(v) for v in (broadcast or {}).values()))
        return original(client, fn, chunks, broadcast, progress)

    from distributed import Client, LocalCluster

    distributed.map_chunks = counting
    try:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          memory_limit=0) as cluster, Client(cluster) as client:
            ef.dea(inputs=X[:20000], outputs=Y[:20000], rts=rts, orientation="input", client=client)  # warm
            calls.clear()
            t = time.perf_counter()
            remote = ef.dea(**kw, client=client)
            t_dask = time.perf_counter() - t
            worker_rss = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    finally:
        distributed.map_chunks = original
    a, b = local.to_frame(), remote.to_frame()
    eff_diff = float(np.max(np.abs(a["efficiency"].to_numpy() - b["efficiency"].to_numpy())))
    slack_cols = [c for c in a.columns if c.startswith("slack")]
    slack_diff = float(np.max(np.abs(a[slack_cols].to_numpy() - b[slack_cols].to_numpy()))) if slack_cols else 0.0
    on_frame = a["efficiency"].to_numpy()[frame]
    return {"n": n, "m": m, "s": s, "share": share, "rts": rts, "workers": workers, "local_s": t_local,
            "dask_s": t_dask, "ratio": t_dask / t_local, "rss_local_mib": rss_local,
            "worker_rss_mib": sorted(worker_rss.values()), "broadcasts": len(calls),
            "broadcast_mib": [c / 2**20 for c in calls], "max_diff_efficiency": eff_diff,
            "max_diff_slacks": slack_diff, "frame_size": int(len(frame)),
            "frame_min_score": float(on_frame.min()), "status_ok": bool((a["status"] == "optimal").all())}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--m", type=int, default=2)
    ap.add_argument("--s", type=int, default=3)
    ap.add_argument("--share", type=float, default=0.01)
    ap.add_argument("--rts", default="vrs")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args(argv)
    r = run(a.n, a.m, a.s, a.share, a.rts, a.workers)
    print(f"# Scale-out through Dask: n = {r['n']:,}, m = {r['m']}, s = {r['s']}, {100 * r['share']:g}% efficient, "
          f"{r['rts'].upper()} input, slacks")
    print(f"- machine: {platform.platform()}; {os.cpu_count()} CPUs; command: python -m benchmarks.scaleout "
          + " ".join(argv or []))
    print("| run | seconds | peak MiB | note |\n|---|---:|---:|---|")
    print(f"| in-process (numba core) | {r['local_s']:.1f} | {r['rss_local_mib']:.0f} | |")
    print(f"| Dask LocalCluster, {r['workers']} workers x 1 thread | {r['dask_s']:.1f} | "
          f"{' / '.join(f'{v:.0f}' for v in r['worker_rss_mib'])} (per worker) | ratio {r['ratio']:.2f} |")
    print(f"\n- data sent: {r['broadcasts']} broadcast(s) of "
          f"{', '.join(f'{v:.1f} MiB' for v in r['broadcast_mib'])} (scattered once to every worker)")
    print(f"- identical results: max |difference| efficiency {r['max_diff_efficiency']:.1e}, slacks "
          f"{r['max_diff_slacks']:.1e}; all LPs optimal: {r['status_ok']}")
    if r["rts"] == "vrs":      # Dula's frame is the VRS frame (benchmarks.data.dula)
        print(f"- known frame: {r['frame_size']:,} DMUs, smallest score among them {r['frame_min_score']:.12f}")


if __name__ == "__main__":
    main()
