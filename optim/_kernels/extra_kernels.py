"""The update rules of Adagrad, Adamax, NAdam and RAdam for any Array API namespace.

Used by ``XpKernels`` (array-api-strict, and CuPy: no fused kernel for these yet); NumPy has
its own allocation-free versions in ``numpy_extra.py``.  Written with the Array API standard on
the arrays of one parameter (``xp`` is the parameter's namespace: array-api-strict, CuPy, or
NumPy itself) and stored back in place with ``a[...] = value``,
so parameters and state buffers keep their identity.  The equations are in each optimizer's
docstring; the order of the floating-point operations follows PyTorch's single-tensor
implementation, so float64 results agree with PyTorch to rounding.  These make temporaries.
"""
from __future__ import annotations

import math

__all__ = ["adagrad", "adamax", "nadam", "radam"]


def _store(dst, value):
    dst[...] = value


def _decay(p, g, lr, wd, decoupled):
    """Weight decay: shrink ``p`` in place (decoupled) or return ``g + wd p`` (L2)."""
    if not wd:
        return g
    if decoupled:
        _store(p, p * (1.0 - lr * wd))
        return g
    return g + wd * p


def adagrad(xp, p, g, state_sum, step, lr, lr_decay, eps, wd):
    """clr = lr / (1 + (t - 1) lr_decay); G += g^2; p -= clr g / (sqrt(G) + eps)."""
    g = _decay(p, g, lr, wd, False)
    clr = lr / (1.0 + (step - 1) * lr_decay)
    _store(state_sum, state_sum + g * g)
    _store(p, p - clr * (g / (xp.sqrt(state_sum) + eps)))


def adamax(xp, p, g, m, u, step, lr, beta1, beta2, eps, wd):
    """m = b1 m + (1 - b1) g; u = max(b2 u, |g| + eps); p -= lr / (1 - b1^t) * m / u."""
    g = _decay(p, g, lr, wd, False)
    _store(m, m + (g - m) * (1.0 - beta1))
    _store(u, xp.maximum(u * beta2, xp.abs(g) + eps))
    clr = lr / (1.0 - beta1 ** step)
    _store(p, p - clr * (m / u))


def nadam(xp, p, g, m, v, step, mu_product, lr, beta1, beta2, eps, wd, momentum_decay, decoupled):
    """NAdam (Dozat) with PyTorch's momentum schedule; returns the new ``mu_product``."""
    g = _decay(p, g, lr, wd, decoupled)
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
    mu_product = mu_product * mu
    _store(m, m + (g - m) * (1.0 - beta1))
    _store(v, v * beta2 + (1.0 - beta2) * (g * g))
    denom = xp.sqrt(v / (1.0 - beta2 ** step)) + eps
    _store(p, p - (lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom))
    _store(p, p - (lr * mu_next / (1.0 - mu_product * mu_next)) * (m / denom))
    return mu_product


def radam(xp, p, g, m, v, step, lr, beta1, beta2, eps, wd, decoupled):
    """RAdam (Liu et al.): the Adam step rectified by r_t once rho_t > 5, else plain momentum."""
    g = _decay(p, g, lr, wd, decoupled)
    _store(m, m + (g - m) * (1.0 - beta1))
    _store(v, v * beta2 + (1.0 - beta2) * (g * g))
    bc1, bc2 = 1.0 - beta1 ** step, 1.0 - beta2 ** step
    m_hat = m / bc1
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * step * beta2 ** step / bc2
    if rho_t > 5.0:
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        adaptive = bc2 ** 0.5 / (xp.sqrt(v) + eps)
        _store(p, p - m_hat * lr * adaptive * rect)
    else:
        _store(p, p - m_hat * lr)
