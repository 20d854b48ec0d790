"""Thread pools: numba's parallel kernels next to numpy's BLAS."""

from __future__ import annotations

import functools


def single_threaded_blas(fn):
    """Run ``fn`` with BLAS on one thread. The SFA likelihood kernel is numba-parallel and the code
    around it makes small BLAS calls (products with n x k matrices): OpenBLAS threads keep spinning
    after each call and take the cores numba's threads need (kernel calls 2-40x slower on 2 cores)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits
        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)
    return wrapper
