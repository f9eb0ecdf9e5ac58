"""The one place where the update rules are chosen per backend.

* 'cpu' (NumPy): :class:`NumpyKernels`, in-place ``out=`` ufuncs over reused scratch buffers.
* 'cuda' (CuPy): :class:`CupyKernels`, one fused ``ElementwiseKernel`` launch per parameter
  (falling back to the generic rules if CuPy's kernel machinery cannot be loaded).
* anything else (array-api-strict, ...): :class:`XpKernels`, the equations written with the
  Array API standard and stored back in place.

Every optimizer calls ``kernels.adam(...)``, ``kernels.sgd(...)`` etc. on the raw arrays of one
parameter; each kernel set keeps its own scratch memory, so an optimizer holds one per device.
"""
from __future__ import annotations

from .numpy_kernels import NumpyKernels
from .xp_kernels import XpKernels

__all__ = ["kernels_for", "NumpyKernels", "XpKernels"]


def kernels_for(device):
    """A new kernel set for parameters on ``device`` (a ``minigrad.Device``)."""
    if device.type == "cpu":
        return NumpyKernels()
    if device.type == "cuda":
        from .cupy_kernels import CupyKernels

        try:
            return CupyKernels(device)
        except ImportError:  # pragma: no cover - a 'cuda' device without the cupy package itself
            return XpKernels(device.xp)
    return XpKernels(device.xp)
