"""The update rules for any Array API namespace (array-api-strict, and CuPy without fusion).

Written as plainly as the equations: expressions make temporaries, and the results are stored
back into the existing arrays with ``a[...] = value``, so parameters and state buffers are
still updated in place (the arrays users and the autograd engine hold keep their identity).
"""
from __future__ import annotations

import math

from . import extra_kernels

__all__ = ["XpKernels"]


def _store(dst, value):
    dst[...] = value


class XpKernels:
    """The update rules for parameters on any device with an Array API namespace ``xp``."""

    def __init__(self, xp):
        self.xp = xp

    def new_buffer(self, like, copy_of=None):
        xp = self.xp
        return xp.zeros_like(like) if copy_of is None else xp.asarray(copy_of, copy=True)

    def sgd(self, p, g, buf, lr, momentum, dampening, nesterov, wd):
        d = g + wd * p if wd else g
        if momentum:
            if buf is None:
                buf = self.new_buffer(p, copy_of=d)
            else:
                _store(buf, momentum * buf + (1.0 - dampening) * d)
            d = d + momentum * buf if nesterov else buf
        _store(p, p - lr * d)
        return buf

    def momentum(self, p, g, v, lr, beta, wd):
        d = g + wd * p if wd else g
        _store(v, beta * v + (1.0 - beta) * d)
        _store(p, p - lr * v)

    def rmsprop(self, p, g, sq, gavg, buf, lr, alpha, eps, momentum, wd):
        xp = self.xp
        d = g + wd * p if wd else g
        _store(sq, alpha * sq + (1.0 - alpha) * (d * d))
        if gavg is not None:
            _store(gavg, alpha * gavg + (1.0 - alpha) * d)
            avg = xp.sqrt(sq - gavg * gavg) + eps
        else:
            avg = xp.sqrt(sq) + eps
        if buf is not None:
            _store(buf, momentum * buf + d / avg)
            _store(p, p - lr * buf)
        else:
            _store(p, p - lr * (d / avg))

    def adam(self, p, g, m, v, vmax, step, lr, beta1, beta2, eps, wd, decoupled):
        xp = self.xp
        if decoupled:
            if wd:
                _store(p, p * (1.0 - lr * wd))
            d = g
        else:
            d = g + wd * p if wd else g
        _store(m, beta1 * m + (1.0 - beta1) * d)
        _store(v, beta2 * v + (1.0 - beta2) * (d * d))
        if vmax is not None:
            _store(vmax, xp.maximum(vmax, v))
            v = vmax
        c2 = math.sqrt(1.0 - beta2 ** step)
        lr_t = lr * c2 / (1.0 - beta1 ** step)
        _store(p, p - lr_t * (m / (xp.sqrt(v) + eps * c2)))

    # the newer optimizers: one Array API rule each (optim/_kernels/extra_kernels.py)
    def adagrad(self, *args):
        extra_kernels.adagrad(self.xp, *args)

    def adamax(self, *args):
        extra_kernels.adamax(self.xp, *args)

    def nadam(self, *args):
        return extra_kernels.nadam(self.xp, *args)

    def radam(self, *args):
        extra_kernels.radam(self.xp, *args)
