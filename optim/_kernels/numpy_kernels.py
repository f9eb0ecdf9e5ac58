"""The update rules on NumPy: in-place ``out=`` ufuncs, no new full-size arrays per step.

Every function updates ``p`` (and its state buffers) in place.  Temporaries come from two
scratch buffers per dtype that the kernel set owns and reuses for every parameter (views of
the front of a flat buffer as large as the largest parameter), so a step allocates nothing
once the first step has run.  Hyperparameters are written into 0-d arrays of the parameter's
dtype (``consts``) rather than passed as Python floats: the result is the same (NumPy casts a
Python float to the array's dtype anyway) but a ufunc call with a 0-d array operand costs a
third of one with a Python scalar, which is most of the update's time on small tensors such
as biases.

The algorithms (the equations are in each optimizer's docstring) are written for the fewest
passes over memory; Adam uses the form of Kingma & Ba (2015, end of section 2),
``p -= lr_t * m / (sqrt(v) + eps_hat)`` with ``lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)`` and
``eps_hat = eps sqrt(1 - beta2^t)``, which is algebraically the bias-corrected update
``lr * m_hat / (sqrt(v_hat) + eps)`` with one pass less.
"""
from __future__ import annotations

import math

import numpy as np

from .numpy_extra import NumpyExtraKernels

__all__ = ["NumpyKernels"]

_mul, _add, _sub, _div, _sqrt = np.multiply, np.add, np.subtract, np.divide, np.sqrt


class NumpyKernels(NumpyExtraKernels):
    """The update rules for parameters on the 'cpu' device (Adagrad, Adamax, NAdam, RAdam in the mixin)."""

    def __init__(self):
        self._flat = {}
        self._consts = {}

    def consts(self, dtype, kernel, *values):
        """``values`` as 0-d arrays of ``dtype``, one set per kernel, rewritten on each call (use
        them before the next call for the same kernel).  Separate 0-d arrays, not views of one
        array: NumPy takes its fast path only for arrays that own their data."""
        arrays = self._consts.get((dtype, kernel))
        if arrays is None:
            arrays = self._consts[(dtype, kernel)] = tuple(np.zeros((), dtype=dtype) for _ in values)
        for a, v in zip(arrays, values):
            a[()] = v
        return arrays

    def scratch(self, like, slot):
        """A temporary array shaped like ``like`` (contents undefined); ``slot`` 0, 1 or 2."""
        key = (like.dtype, slot)
        flat = self._flat.get(key)
        n = like.size
        if flat is None or flat.size < n:
            flat = self._flat[key] = np.empty(n, dtype=like.dtype)
        return flat[:n].reshape(like.shape)

    def new_buffer(self, like, copy_of=None):
        """A state buffer shaped like ``like``: zeros, or a copy of ``copy_of``."""
        return np.zeros_like(like, order="C") if copy_of is None else np.array(copy_of, order="C", copy=True)

    def _decayed(self, p, g, wd):
        """g + wd * p (the L2 term) in scratch slot 0, or g itself when wd == 0."""
        if not wd:
            return g
        d = self.scratch(p, 0)
        (wd,) = self.consts(p.dtype, "decay", wd)
        _mul(p, wd, d)
        _add(d, g, d)
        return d

    def sgd(self, p, g, buf, lr, momentum, dampening, nesterov, wd):
        """PyTorch's SGD; returns the momentum buffer (a new one on the first step)."""
        d = self._decayed(p, g, wd)
        lr, mu, undamped = self.consts(p.dtype, "sgd", lr, momentum, 1.0 - dampening)
        if momentum:
            if buf is None:
                buf = self.new_buffer(p, copy_of=d)
            else:
                _mul(buf, mu, buf)
                if dampening:
                    t = self.scratch(p, 0) if d is g else d
                    _mul(d, undamped, t)
                    _add(buf, t, buf)
                else:
                    _add(buf, d, buf)
            if nesterov:
                t = self.scratch(p, 1)
                _mul(buf, mu, t)
                _add(t, d, t)
                d = t
            else:
                d = buf
        t = self.scratch(p, 1) if d is g or d is buf else d
        _mul(d, lr, t)
        _sub(p, t, p)
        return buf

    def momentum(self, p, g, v, lr, beta, wd):
        """The course's momentum: v = beta v + (1 - beta) dW;  W -= lr v."""
        d = self._decayed(p, g, wd)
        t = self.scratch(p, 0) if d is g else d
        lr, beta, one_minus_beta = self.consts(p.dtype, "momentum", lr, beta, 1.0 - beta)
        _mul(v, beta, v)
        _mul(d, one_minus_beta, t)
        _add(v, t, v)
        _mul(v, lr, t)
        _sub(p, t, p)

    def rmsprop(self, p, g, sq, gavg, buf, lr, alpha, eps, momentum, wd):
        """PyTorch's RMSprop (``gavg`` is None unless centered, ``buf`` None unless momentum)."""
        d = self._decayed(p, g, wd)
        t = self.scratch(p, 1)
        lr, alpha, one_minus_alpha, eps, mu = self.consts(p.dtype, "rmsprop", lr, alpha, 1.0 - alpha, eps, momentum)
        _mul(sq, alpha, sq)                      # s = alpha s + (1 - alpha) g^2
        _mul(d, d, t)
        _mul(t, one_minus_alpha, t)
        _add(sq, t, sq)
        if gavg is not None:                     # centered: sqrt(s - gbar^2)
            _mul(gavg, alpha, gavg)
            _mul(d, one_minus_alpha, t)
            _add(gavg, t, gavg)
            _mul(gavg, gavg, t)
            _sub(sq, t, t)
            _sqrt(t, t)
        else:
            _sqrt(sq, t)
        _add(t, eps, t)
        _div(d, t, t)                            # g / (sqrt(.) + eps)
        if buf is not None:
            _mul(buf, mu, buf)
            _add(buf, t, buf)
            _mul(buf, lr, t)
        else:
            _mul(t, lr, t)
        _sub(p, t, p)

    def adam(self, p, g, m, v, vmax, step, lr, beta1, beta2, eps, wd, decoupled):
        """Adam (L2 ``wd``) or AdamW (``decoupled``); ``vmax`` is the AMSGrad maximum or None."""
        c2 = math.sqrt(1.0 - beta2 ** step)
        b1, c1, b2, c2_, lr_t, eps_hat, shrink = self.consts(
            p.dtype, "adam", beta1, 1.0 - beta1, beta2, 1.0 - beta2, lr * c2 / (1.0 - beta1 ** step), eps * c2,
            1.0 - lr * wd)
        if decoupled:
            if wd:
                _mul(p, shrink, p)               # W = W (1 - lr wd)
            d = g
        else:
            d = self._decayed(p, g, wd)
        t = self.scratch(p, 1)
        _mul(m, b1, m)                           # v = beta1 v + (1 - beta1) dW
        _mul(d, c1, t)
        _add(m, t, m)
        _mul(v, b2, v)                           # s = beta2 s + (1 - beta2) dW^2
        _mul(d, d, t)
        _mul(t, c2_, t)
        _add(v, t, v)
        if vmax is not None:
            np.maximum(vmax, v, out=vmax)
            v = vmax
        _sqrt(v, t)                              # W -= lr_t v / (sqrt(s) + eps_hat)
        _add(t, eps_hat, t)
        _div(m, t, t)
        _mul(t, lr_t, t)
        _sub(p, t, p)
