"""Adagrad, Adamax, NAdam and RAdam on NumPy: in-place ``out=`` ufuncs over the kernel set's
scratch buffers (slots 0-2), so a step allocates nothing once the first step has run.

A mixin of :class:`~optim._kernels.numpy_kernels.NumpyKernels` (it uses its ``scratch``,
``consts`` and ``_decayed``).  The equations are in each optimizer's docstring; the operations
follow PyTorch's order (``m`` as the lerp ``m + (g - m)(1 - beta1)``), so float64 results agree
with PyTorch to rounding.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["NumpyExtraKernels"]

_mul, _add, _sub, _div, _sqrt = np.multiply, np.add, np.subtract, np.divide, np.sqrt


class NumpyExtraKernels:
    """The update rules of the newer optimizers for parameters on the 'cpu' device."""

    def _moments(self, p, d, m, v, beta1, beta2):
        """m = lerp(m, d, 1 - beta1); v = beta2 v + (1 - beta2) d^2 (v skipped when None)."""
        t = self.scratch(p, 1)
        c1, b2, c2 = self.consts(p.dtype, "moments", 1.0 - beta1, beta2, 1.0 - beta2)
        _sub(d, m, t)
        _mul(t, c1, t)
        _add(m, t, m)
        if v is not None:
            _mul(v, b2, v)
            _mul(d, d, t)
            _mul(t, c2, t)
            _add(v, t, v)
        return t

    def _decoupled(self, p, g, lr, wd, decoupled):
        if decoupled:
            if wd:
                (shrink,) = self.consts(p.dtype, "shrink", 1.0 - lr * wd)
                _mul(p, shrink, p)
            return g
        return self._decayed(p, g, wd)

    def adagrad(self, p, g, state_sum, step, lr, lr_decay, eps, wd):
        d = self._decayed(p, g, wd)
        t = self.scratch(p, 1)
        clr, eps = self.consts(p.dtype, "adagrad", lr / (1.0 + (step - 1) * lr_decay), eps)
        _mul(d, d, t)
        _add(state_sum, t, state_sum)
        _sqrt(state_sum, t)
        _add(t, eps, t)
        _div(d, t, t)
        _mul(t, clr, t)
        _sub(p, t, p)

    def adamax(self, p, g, m, u, step, lr, beta1, beta2, eps, wd):
        d = self._decayed(p, g, wd)
        t = self._moments(p, d, m, None, beta1, beta2)
        b2, eps, clr = self.consts(p.dtype, "adamax", beta2, eps, lr / (1.0 - beta1 ** step))
        _mul(u, b2, u)
        np.abs(d, t)
        _add(t, eps, t)
        np.maximum(u, t, out=u)
        _div(m, u, t)
        _mul(t, clr, t)
        _sub(p, t, p)

    def nadam(self, p, g, m, v, step, mu_product, lr, beta1, beta2, eps, wd, momentum_decay, decoupled):
        d = self._decoupled(p, g, lr, wd, decoupled)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        mu_product = mu_product * mu
        t = self._moments(p, d, m, v, beta1, beta2)
        w = self.scratch(p, 2)
        a1, a2 = lr * (1.0 - mu) / (1.0 - mu_product), lr * mu_next / (1.0 - mu_product * mu_next)
        bc2, eps, a1, a2 = self.consts(p.dtype, "nadam", 1.0 - beta2 ** step, eps, a1, a2)
        _div(v, bc2, t)                          # denom = sqrt(v / (1 - beta2^t)) + eps
        _sqrt(t, t)
        _add(t, eps, t)
        _mul(d, a1, w)                           # p -= a1 g / denom + a2 m / denom
        _div(w, t, w)
        _sub(p, w, p)
        _mul(m, a2, w)
        _div(w, t, w)
        _sub(p, w, p)
        return mu_product

    def radam(self, p, g, m, v, step, lr, beta1, beta2, eps, wd, decoupled):
        d = self._decoupled(p, g, lr, wd, decoupled)
        t = self._moments(p, d, m, v, beta1, beta2)
        bc1, bc2 = 1.0 - beta1 ** step, 1.0 - beta2 ** step
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho_t = rho_inf - 2.0 * step * beta2 ** step / bc2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            eps, scale = self.consts(p.dtype, "radam", eps, lr / bc1 * bc2 ** 0.5 * rect)
            _sqrt(v, t)
            _add(t, eps, t)
            _div(m, t, t)
        else:
            (scale,) = self.consts(p.dtype, "radam_sgd", lr / bc1)
            np.copyto(t, m)
        _mul(t, scale, t)
        _sub(p, t, p)
