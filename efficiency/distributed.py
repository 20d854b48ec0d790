"""Dask execution of large jobs (DESIGN section 8): DEA scoring, bootstrap replications, Malmquist.

Three pieces, all with ``dask.distributed`` imported lazily (``import efficiency`` stays fast):

* :func:`map_chunks` - broadcast the shared data once (``client.scatter(..., broadcast=True)``), map a
  function over chunks (``client.map``) and gather the results *in chunk order*;
* :func:`distribute` - wrap an LP backend so that every batch of envelopment LPs (one per evaluated
  DMU, all against one reference set) is split into row chunks solved on the cluster. Each DMU's LP
  is solved by the same kernel with the same data as in-process, so the scores are bitwise identical
  to a local run. ``efficiency.dea(..., client=)`` and ``efficiency.malmquist(..., client=)`` use it;
* :func:`cluster` - the CLI's ``--scheduler ADDRESS`` (connect to a running scheduler) or
  ``--workers N`` (start a ``LocalCluster``) as a context manager yielding a Client, or ``None``.

The bootstrap (:mod:`efficiency.bootstrap`) maps chunks of replications: each replication draws its
random numbers from its own stream, seeded by (seed, replication index), so the numbers do not
depend on how the replications are chunked or on how many workers run them.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

import numpy as np

from .errors import SpecError

__all__ = ["map_chunks", "distribute", "cluster", "row_chunks", "DEFAULT_CHUNKS_PER_WORKER"]

#: Chunks per worker thread: enough to balance the load, few enough to keep the overhead small.
DEFAULT_CHUNKS_PER_WORKER = 4
#: Smallest number of DMUs worth a task of their own.
MIN_ROWS = 256

#: numba's parallel kernels are launched one at a time per process: the workqueue threading layer is
#: not thread-safe, and the kernel is itself parallel over DMUs, so concurrent launches gain nothing.
_KERNEL_LOCK = threading.Lock()


def _require_distributed():
    try:
        import distributed  # noqa: F401
    except ImportError as exc:                                   # pragma: no cover - optional dependency
        raise SpecError("client: dask.distributed is not installed (pip install 'dask[distributed]')") from exc
    return distributed


def _check_client(client):
    if client is None:
        return None
    distributed = _require_distributed()
    if not isinstance(client, distributed.Client):
        raise SpecError(f"client: expected a dask.distributed.Client, got {type(client).__name__}")
    return client


def n_threads(client) -> int:
    """Worker threads of the cluster (at least 1)."""
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:                                           # pragma: no cover - defensive
        return 1


def row_chunks(n: int, client, min_rows: int = MIN_ROWS, align: int = 1) -> list[np.ndarray]:
    """Consecutive index chunks of 0..n-1, about DEFAULT_CHUNKS_PER_WORKER per worker thread, each
    starting at a multiple of ``align`` (a backend's ``run_length``: then its answers do not depend
    on the chunks)."""
    align = max(1, int(align))
    units = -(-n // align)
    parts = max(1, min(n_threads(client) * DEFAULT_CHUNKS_PER_WORKER, -(-n // max(min_rows, align))))
    return [c for c in (np.arange(u[0] * align, min(n, (u[-1] + 1) * align))
                        for u in np.array_split(np.arange(units), parts) if u.size) if c.size]


def _call(fn, chunk, shared):
    with _KERNEL_LOCK:
        return fn(chunk, **shared)


def map_chunks(client, fn, chunks, broadcast: dict | None = None, progress=None) -> list:
    """``[fn(chunk, **broadcast) for chunk in chunks]``, on the cluster of ``client``.

    ``broadcast`` values are scattered once to every worker; ``chunks`` are mapped one task each and
    the results are returned in the order of ``chunks``. ``progress`` (a :class:`~efficiency.progress.
    Progress` bar or None) is advanced by ``len(chunk)`` as tasks finish. ``client=None`` runs in
    this process, in order.
    """
    chunks = list(chunks)
    shared = dict(broadcast or {})
    if client is None:
        out = []
        for chunk in chunks:
            out.append(fn(chunk, **shared))
            if progress is not None:
                progress.advance(len(chunk))
        return out
    _check_client(client)
    from distributed import as_completed

    # Scatter a list (a dict's keys would become the data's keys and collide between calls).
    names = list(shared)
    scattered = client.scatter([shared[k] for k in names], broadcast=True, hash=False) if names else []
    futures_shared = dict(zip(names, scattered))
    futures = [client.submit(_call, fn, chunk, futures_shared, pure=False) for chunk in chunks]
    sizes = {f.key: len(c) for f, c in zip(futures, chunks)}
    for done in as_completed(futures):
        if done.status == "error":
            done.result()                                       # raises the task's exception here
        if progress is not None:
            progress.advance(sizes[done.key])
    return client.gather(futures)


# --------------------------------------------------------------------------------------------------
# A distributed LP backend
# --------------------------------------------------------------------------------------------------

def _solve_envelopment_rows(rows, problem, solver):
    from solvers.envelopment import solve_envelopment
    return solve_envelopment(solver, problem.rows(rows))


def _solve_batch_rows(rows, batch, solver):
    return solver.solve_batch(batch.rows(rows))


@dataclass
class DistributedSolver:
    """An LP backend that solves its batches on a Dask cluster, chunked by DMU (row).

    Keeps the wrapped backend's ``name`` (so model code makes the same choices, e.g. screening) and
    forwards anything else to it. The shared part of each batch (the reference rows, the frame) is
    broadcast once per batch; the per-DMU rows are chunked.
    """

    inner: object
    client: object
    #: it splits a batch into chunks itself (one task per chunk; the batch is scattered to the workers
    #: once), so callers hand it whole batches, not chunks of their own
    chunks_itself = True

    @property
    def name(self) -> str:
        return getattr(self.inner, "name", "")

    def __getattr__(self, item):
        if item in ("inner", "client"):
            raise AttributeError(item)
        return getattr(self.inner, item)

    def solve_batch(self, batch):
        from solvers.base import stack
        n = len(batch)
        if n < 2 * MIN_ROWS:
            return self.inner.solve_batch(batch)
        parts = map_chunks(self.client, _solve_batch_rows, row_chunks(n, self.client),
                           {"batch": batch, "solver": self.inner})
        return stack(parts)


class DistributedEnvelopmentSolver(DistributedSolver):
    """As :class:`DistributedSolver`, for backends with their own envelopment method (numba)."""

    def solve_envelopment(self, problem):
        from solvers.envelopment import concat, solve_envelopment
        if problem.n < 2 * MIN_ROWS:
            return solve_envelopment(self.inner, problem)
        chunks = row_chunks(problem.n, self.client, align=getattr(self.inner, "run_length", 1))
        parts = map_chunks(self.client, _solve_envelopment_rows, chunks,
                           {"problem": problem, "solver": self.inner})
        return concat(parts)


def distribute(solver, client):
    """``solver`` itself without a client, else a wrapper that solves its batches on the cluster."""
    if client is None:
        return solver
    _check_client(client)
    if getattr(solver, "solve_envelopment", None) is not None:
        return DistributedEnvelopmentSolver(solver, client)
    return DistributedSolver(solver, client)


# --------------------------------------------------------------------------------------------------
# Clusters for the CLI
# --------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def cluster(scheduler: str | None = None, workers: int | None = None):
    """Yield a Client connected to ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``), or to
    a LocalCluster of ``workers`` processes, or ``None`` (run in-process) when neither is given."""
    if scheduler is not None and workers is not None:
        raise SpecError("give either a scheduler address or a number of local workers, not both")
    if scheduler is None and workers is None:
        yield None
        return
    _require_distributed()
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise SpecError(f"scheduler: cannot connect to {scheduler!r} ({exc})") from None
        with client:
            yield client
        return
    if workers < 1:
        raise SpecError("workers: must be at least 1")
    with LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                      dashboard_address=None) as lc, Client(lc) as client:
        yield client
