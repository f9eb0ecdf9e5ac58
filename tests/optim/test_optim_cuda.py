"""The fused CuPy kernels: the same trajectory as the NumPy kernels (GPU machines only).

Skipped where CuPy or a GPU is missing.  The equation tests also run on CuPy with
``MINIGRAD_TEST_DEVICES=cuda``.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import optim

CASES = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.05, weight_decay=0.01),
    "SGD-momentum": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "SGD-nesterov": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "Momentum": lambda ps: optim.Momentum(ps, lr=0.05, beta=0.8, weight_decay=0.01),
    "RMSprop": lambda ps: optim.RMSprop(ps, lr=0.01, weight_decay=0.01),
    "RMSprop-centered-momentum": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "Adam": lambda ps: optim.Adam(ps, lr=0.01, weight_decay=0.01),
    "Adam-amsgrad": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
    "AdamW": lambda ps: optim.AdamW(ps, lr=0.01),
}


def test_cuda_kernels_follow_the_numpy_trajectory(cuda_available):
    if not cuda_available:
        pytest.skip("needs CuPy and a GPU")
    from optim._kernels import kernels_for
    from optim._kernels.cupy_kernels import CupyKernels

    assert isinstance(kernels_for(mg.device("cuda")), CupyKernels)
    for name in CASES:
        for dtype in ("float32", "float64"):
            _compare(name, dtype)


def _compare(name, dtype):
    rng = np.random.default_rng(0)
    init = [rng.standard_normal((33, 17)), rng.standard_normal(5)]
    grads = [[rng.standard_normal(a.shape) for a in init] for _ in range(6)]
    results = {}
    for dev in ("cpu", "cuda"):
        params = [mg.tensor(a, dtype=dtype, device=dev, requires_grad=True) for a in init]
        opt = CASES[name](params)
        for step in grads:
            for p, g in zip(params, step):
                p.grad = mg.tensor(g, dtype=dtype, device=dev)
            opt.step()
        results[dev] = [p.numpy() for p in params]
    tol = 1e-5 if dtype == "float32" else 1e-12
    for got, want in zip(results["cuda"], results["cpu"]):
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=f"{name} {dtype}")
