"""The update rules on CuPy as fused elementwise kernels: one GPU launch per parameter.

Each kernel reads the gradient and updates the parameter and its state buffers in the same
pass (``ElementwiseKernel`` outputs are read-write).  ``T`` is the parameter's dtype; Python
float arguments are cast to it.  Variants without a kernel here (SGD's first momentum step,
centered RMSprop or RMSprop with momentum) use the generic Array API rules of ``XpKernels``.
Only imported on a machine with CuPy; the CPU test suite never loads it.
"""
from __future__ import annotations

import math

from .xp_kernels import XpKernels

try:
    import cupy
except ImportError:  # the module stays importable (doctests, docs) on machines without CuPy
    cupy = None

__all__ = ["CupyKernels"]

_ADAM_IN = "T g, T lr_t, T beta1, T beta2, T eps_hat, T l2, T decay"
_ADAM_BODY = """
    T d = g + l2 * p;
    m = beta1 * m + (1 - beta1) * d;
    v = beta2 * v + (1 - beta2) * d * d;
    {amsgrad}
    p = p * decay - lr_t * m / (sqrt({s}) + eps_hat);
"""

# name: (inputs, read-write outputs, body): the equations of each optimizer's docstring
_SPECS = {
    "sgd": ("T g, T lr, T wd", "T p", "p = p - lr * (g + wd * p);"),
    "sgd_momentum": ("T g, T lr, T wd, T mu, T damp, T nesterov", "T p, T buf", """
        T d = g + wd * p;
        buf = mu * buf + (1 - damp) * d;
        p = p - lr * (nesterov != 0 ? d + mu * buf : buf);
    """),
    "momentum": ("T g, T lr, T beta, T wd", "T p, T v", """
        v = beta * v + (1 - beta) * (g + wd * p);
        p = p - lr * v;
    """),
    "rmsprop": ("T g, T lr, T alpha, T eps, T wd", "T p, T sq", """
        T d = g + wd * p;
        sq = alpha * sq + (1 - alpha) * d * d;
        p = p - lr * d / (sqrt(sq) + eps);
    """),
    "adam": (_ADAM_IN, "T p, T m, T v", _ADAM_BODY.format(amsgrad="", s="v")),
    "amsgrad": (_ADAM_IN, "T p, T m, T v, T vmax", _ADAM_BODY.format(amsgrad="vmax = max(vmax, v);", s="vmax")),
}
_KERNELS = {}


def _kernels():
    """The ``ElementwiseKernel`` objects (each compiled by CuPy on first use), built once."""
    if cupy is None:
        raise ImportError("optim: fused CuPy kernels need CuPy")
    if not _KERNELS:
        for name, (inputs, outputs, body) in _SPECS.items():
            _KERNELS[name] = cupy.ElementwiseKernel(inputs, outputs, body, f"minigrad_{name}")
    return _KERNELS


class CupyKernels(XpKernels):
    """Fused kernels for parameters on a 'cuda' device."""

    def __init__(self, device):
        super().__init__(device.xp)
        self.native = device.native  # the cupy.cuda.Device to launch on
        self.k = _kernels()

    def sgd(self, p, g, buf, lr, momentum, dampening, nesterov, wd):
        if not momentum:
            with self.native:
                self.k["sgd"](g, lr, wd, p)
            return None
        if buf is None:  # first step: buf = d, once
            return super().sgd(p, g, buf, lr, momentum, dampening, nesterov, wd)
        with self.native:
            self.k["sgd_momentum"](g, lr, wd, momentum, dampening, 1.0 if nesterov else 0.0, p, buf)
        return buf

    def momentum(self, p, g, v, lr, beta, wd):
        with self.native:
            self.k["momentum"](g, lr, beta, wd, p, v)

    def rmsprop(self, p, g, sq, gavg, buf, lr, alpha, eps, momentum, wd):
        if gavg is not None or buf is not None:
            return super().rmsprop(p, g, sq, gavg, buf, lr, alpha, eps, momentum, wd)
        with self.native:
            self.k["rmsprop"](g, lr, alpha, eps, wd, p, sq)

    def adam(self, p, g, m, v, vmax, step, lr, beta1, beta2, eps, wd, decoupled):
        c2 = math.sqrt(1.0 - beta2 ** step)
        lr_t = lr * c2 / (1.0 - beta1 ** step)
        l2, decay = (0.0, 1.0 - lr * wd) if decoupled else (wd, 1.0)
        args = (g, lr_t, beta1, beta2, eps * c2, l2, decay, p, m, v)
        with self.native:
            if vmax is None:
                self.k["adam"](*args)
            else:
                self.k["amsgrad"](*args, vmax)
