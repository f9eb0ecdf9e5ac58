"""A small float64 central-difference gradient checker for the nn tests.

Stand-in for ``minigrad.testing`` / ``mg.gradcheck`` (being built on another branch): every nn
gradient test goes through :func:`assert_grads_match`, so switching means changing this file.

The analytic gradient of L = sum(f(x) * v), for a random cotangent v, is compared with
central differences (L(x + eps e_i) - L(x - eps e_i)) / (2 eps), element by element, using the
course's relative difference ||g - g_num|| / (||g|| + ||g_num||).
"""
from __future__ import annotations

import numpy as np

import minigrad as mg


def relative_difference(g, g_num):
    """The course's ||g - g_num||_2 / (||g||_2 + ||g_num||_2) (0 when both are zero)."""
    num = np.linalg.norm(np.ravel(g) - np.ravel(g_num))
    den = np.linalg.norm(np.ravel(g)) + np.linalg.norm(np.ravel(g_num))
    return 0.0 if den == 0 else float(num / den)


def _run(fn, arrays, wrt, device, requires_grad):
    ts = [mg.Tensor(a, device=device, requires_grad=requires_grad and i in wrt) if a.dtype.kind == "f"
          else mg.Tensor(a, device=device) for i, a in enumerate(arrays)]
    return ts, fn(*ts)


def numerical_gradients(fn, arrays, wrt, v, device="cpu", eps=1e-6):
    """Central differences of sum(fn(*arrays) * v) for each input index in ``wrt``."""
    grads = []
    with mg.no_grad():
        for i in wrt:
            g = np.zeros_like(arrays[i])
            for j in np.ndindex(arrays[i].shape):
                vals = []
                for step in (eps, -eps):
                    shifted = [a.copy() for a in arrays]
                    shifted[i][j] += step
                    _, out = _run(fn, shifted, wrt, device, False)
                    vals.append(float(np.sum(out.numpy() * v)))
                g[j] = (vals[0] - vals[1]) / (2 * eps)
            grads.append(g)
    return grads


def assert_grads_match(fn, arrays, wrt=None, device="cpu", tol=1e-6, eps=1e-6, seed=0, atol=1e-8):
    """Backward of ``fn`` (float64) matches central differences for the inputs in ``wrt``.

    ``arrays`` are NumPy arrays (floating ones become float64 tensors on ``device``; integer
    ones, such as labels, stay constants).  Returns the relative differences.
    """
    arrays = [np.array(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.array(a) for a in arrays]
    wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"] if wrt is None else list(wrt)
    ts, out = _run(fn, arrays, wrt, device, True)
    assert out.dtype == "float64", f"expected a float64 result, got {out.dtype}"
    v = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(mg.Tensor(v, device=device))
    analytic = [ts[i].grad.numpy() if ts[i].grad is not None else np.zeros_like(arrays[i]) for i in wrt]
    numeric = numerical_gradients(fn, arrays, wrt, v, device, eps)
    diffs = [relative_difference(a, n) for a, n in zip(analytic, numeric)]
    for i, d, a, n in zip(wrt, diffs, analytic, numeric):
        # tiny gradients (|g| ~ 1e-7) have a relative difference dominated by the rounding
        # noise of the differences (~1e-10), hence PyTorch-style closeness as the alternative
        ok = d < tol or np.allclose(a, n, rtol=1e-5, atol=atol)
        assert ok, f"input {i}: relative difference {d:.3g} >= {tol:g}\nanalytic:\n{a}\nnumerical:\n{n}"
        assert np.all(np.isfinite(a)), f"input {i}: non-finite analytic gradient {a}"
    return diffs
