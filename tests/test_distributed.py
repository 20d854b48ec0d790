"""Dask execution (efficiency.distributed): an in-process LocalCluster gives exactly the local results."""

from __future__ import annotations

import distributed  # a hard dependency (pyproject: dask[distributed]): a broken install fails here
import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from benchmarks.data import cobb_douglas
from efficiency.distributed import map_chunks, row_chunks


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def _frame(n, seed=3):
    X, Y = cobb_douglas(n, 3, 2, seed=seed)
    return pd.DataFrame(np.hstack([X, Y]), columns=["x1", "x2", "x3", "y1", "y2"],
                        index=pd.Index([f"d{i}" for i in range(n)], name="dmu"))


def test_map_chunks_keeps_order_and_broadcasts(client):
    def f(chunk, offset):
        return [c + offset for c in chunk]
    chunks = [list(range(i, i + 3)) for i in range(0, 30, 3)]
    out = map_chunks(client, f, chunks, {"offset": 100})
    assert out == [[c + 100 for c in ch] for ch in chunks]
    assert map_chunks(None, f, chunks, {"offset": 100}) == out


def test_row_chunks_cover_all_rows(client):
    parts = row_chunks(5000, client)
    assert len(parts) > 1
    np.testing.assert_array_equal(np.concatenate(parts), np.arange(5000))
    aligned = row_chunks(5000, client, align=256)
    assert len(aligned) > 1 and all(c[0] % 256 == 0 for c in aligned)
    np.testing.assert_array_equal(np.concatenate(aligned), np.arange(5000))


@pytest.mark.parametrize("rts,orientation", [("vrs", "input"), ("crs", "output")])
def test_dea_on_cluster_equals_local(client, rts, orientation):
    df = _frame(1500)
    kw = dict(inputs=["x1", "x2", "x3"], outputs=["y1", "y2"], rts=rts, orientation=orientation)
    local = ef.dea(df, **kw).to_frame()
    with distributed.get_task_stream(client) as tasks:
        remote = ef.dea(df, client=client, **kw).to_frame()
    assert len(tasks.data) >= 2                     # the LPs really ran on the cluster
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    assert local["efficiency"].between(0, 1 + 1e-9).all() and (local["efficiency"] > 1 - 1e-9).sum() >= 3


def test_bootstrap_on_cluster_equals_local(client):
    df = _frame(60, seed=5)
    kw = dict(inputs=["x1", "x2", "x3"], outputs=["y1", "y2"], rts="vrs", orientation="input", B=120, seed=11)
    local = ef.bootstrap(df, **kw)
    with distributed.get_task_stream(client) as tasks:
        remote = ef.bootstrap(df, client=client, **kw)
    assert len(tasks.data) >= 3                     # B = 120 in chunks of 50 replications
    np.testing.assert_array_equal(local.replicates, remote.replicates)
    pd.testing.assert_frame_equal(local.to_frame(), remote.to_frame(), check_exact=True)


def test_malmquist_on_cluster_equals_local(client):
    rng = np.random.default_rng(2)
    frames = []
    for t, year in enumerate((2019, 2020, 2021)):
        X, Y = cobb_douglas(700, 2, 1, seed=10 + t)
        f = pd.DataFrame({"unit": np.arange(700), "year": year, "x1": X[:, 0], "x2": X[:, 1],
                          "y": Y[:, 0] * (1 + 0.05 * t) * rng.uniform(0.95, 1.05, 700)})
        frames.append(f)
    panel = pd.concat(frames, ignore_index=True)
    kw = dict(id="unit", period="year", inputs=["x1", "x2"], outputs=["y"], rts="vrs")
    local = ef.malmquist(panel, **kw).to_frame()
    remote = ef.malmquist(panel, client=client, **kw).to_frame()
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    assert np.isfinite(local["malmquist"]).mean() > 0.95


def test_client_must_be_a_client():
    with pytest.raises(ef.SpecError, match="client"):
        ef.dea(_frame(20), inputs=["x1", "x2", "x3"], outputs=["y1", "y2"], client="tcp://nowhere:1")


def test_dea_beyond_one_chunk_scatters_once_and_equals_local(client, monkeypatch):
    """Above the in-process chunk of the numba backend (8 192 DMUs) the distributed backend takes the whole
    batch (it declares ``chunks_itself``): one scatter of the problem, the same numbers as in-process."""
    from efficiency import distributed as dist
    from efficiency.dea.envelopment import CHUNK

    n = CHUNK["numba"] + 1000
    df = _frame(n, seed=5)
    kw = dict(inputs=["x1", "x2", "x3"], outputs=["y1", "y2"], rts="vrs", orientation="input")
    local = ef.dea(df, **kw).to_frame()
    calls = []
    real = dist.map_chunks
    monkeypatch.setattr(dist, "map_chunks", lambda *a, **k: calls.append(len(a[2])) or real(*a, **k))
    remote = ef.dea(df, client=client, **kw).to_frame()
    assert len(calls) == 1 and calls[0] >= 2           # one batch, split into tasks on the cluster
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
