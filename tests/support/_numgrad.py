"""The nn tests' gradient check: ``mg.gradcheck`` with the course's reading on top.

Every nn gradient test goes through :func:`assert_grads_match`: the layer or loss runs in
float64, its backward is compared with central differences by ``mg.gradcheck`` (elementwise
``|g - g_num| <= atol + rtol |g_num|``), and the course's relative difference
``||g - g_num|| / (||g|| + ||g_num||)`` must also stay below ``tol`` unless the gradient is so
small that rounding noise dominates it (then the elementwise closeness decides).
"""
from __future__ import annotations

import numpy as np

import minigrad as mg


def relative_difference(g, g_num):
    """The course's ||g - g_num||_2 / (||g||_2 + ||g_num||_2) (0 when both are zero)."""
    num = np.linalg.norm(np.ravel(g) - np.ravel(g_num))
    den = np.linalg.norm(np.ravel(g)) + np.linalg.norm(np.ravel(g_num))
    return 0.0 if den == 0 else float(num / den)


def assert_grads_match(fn, arrays, wrt=None, device="cpu", tol=1e-6, eps=1e-6, seed=0, atol=1e-8):
    """Backward of ``fn`` (float64) matches central differences for the inputs in ``wrt``.

    ``arrays`` are NumPy arrays (floating ones become float64 tensors on ``device``, checked when
    their index is in ``wrt``, default all floating ones; integer ones, such as labels, stay
    constants).  Returns the course's relative difference per checked input.
    """
    arrays = [np.array(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.array(a) for a in arrays]
    wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"] if wrt is None else list(wrt)
    ts = [mg.Tensor(a, device=device, requires_grad=i in wrt) if a.dtype.kind == "f" else mg.Tensor(a, device=device)
          for i, a in enumerate(arrays)]
    with mg.no_grad():
        out = fn(*ts)
    assert out.dtype == "float64", f"expected a float64 result, got {out.dtype}"
    result = mg.gradcheck(fn, ts, eps=eps, atol=atol, rtol=1e-5, seed=seed, raise_exception=False)
    assert result, str(result)
    diffs = []
    for rep in result.inputs:
        diffs.append(rep.rel_diff)
        # central differences in float64 with eps 1e-6 carry rounding noise of ~1e-10 |f|: for
        # small gradients (batch norm of 2 examples: ~1e-4) that alone gives a relative difference
        # above 1e-6, so an error under 1e-9 in every element passes (the elementwise check above
        # still applies); a wrong gradient is off by about its own size
        tiny = np.max(np.abs(rep.numeric), initial=0.0) < 1e-4
        noise = np.max(np.abs(np.asarray(rep.analytic) - np.asarray(rep.numeric)), initial=0.0) < 1e-9
        assert rep.rel_diff < tol or tiny or noise, f"relative difference {rep.rel_diff:.3g} >= {tol:g}\n{result}"
        assert np.all(np.isfinite(rep.analytic)), f"non-finite analytic gradient\n{result}"
    return diffs
