"""The update rules on NumPy: in-place ``out=`` ufuncs, no new full-size arrays per step.

Every function updates ``p`` (and its state buffers) in place.  Temporaries come from two
scratch buffers per dtype that the kernel set owns and reuses for every parameter (views of
the front of a flat buffer as large as the largest parameter), so a step allocates nothing
once the first step has run.  Hyperparameters arrive as Python floats, which NumPy treats as
"weak" scalars: float32 parameters are updated in float32.

The algorithms (the equations are in each optimizer's docstring) are written for the fewest
passes over memory; Adam uses the form of Kingma & Ba (2015, end of section 2),
``p -= lr_t * m / (sqrt(v) + eps_hat)`` with ``lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)`` and
``eps_hat = eps sqrt(1 - beta2^t)``, which is algebraically the bias-corrected update
``lr * m_hat / (sqrt(v_hat) + eps)`` with one pass less.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["NumpyKernels"]

_mul, _add, _sub, _div, _sqrt = np.multiply, np.add, np.subtract, np.divide, np.sqrt


class NumpyKernels:
    """The update rules for parameters on the 'cpu' device."""

    def __init__(self):
        self._flat = {}

    def scratch(self, like, slot):
        """A temporary array shaped like ``like`` (contents undefined); ``slot`` 0 or 1."""
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
        """g + wd * p (the L2 term) in a scratch buffer, or g itself when wd == 0."""
        if not wd:
            return g
        d = self.scratch(p, 0)
        _mul(p, wd, out=d)
        _add(d, g, out=d)
        return d

    def sgd(self, p, g, buf, lr, momentum, dampening, nesterov, wd):
        """PyTorch's SGD; returns the momentum buffer (a new one on the first step)."""
        d = self._decayed(p, g, wd)
        if momentum:
            if buf is None:
                buf = self.new_buffer(p, copy_of=d)
            else:
                _mul(buf, momentum, out=buf)
                if dampening:
                    t = self.scratch(p, 0) if d is g else d
                    _mul(d, 1.0 - dampening, out=t)
                    _add(buf, t, out=buf)
                else:
                    _add(buf, d, out=buf)
            if nesterov:
                t = self.scratch(p, 1)
                _mul(buf, momentum, out=t)
                _add(t, d, out=t)
                d = t
            else:
                d = buf
        t = self.scratch(p, 1) if d is g or d is buf else d
        _mul(d, lr, out=t)
        _sub(p, t, out=p)
        return buf

    def momentum(self, p, g, v, lr, beta, wd):
        """The course's momentum: v = beta v + (1 - beta) dW;  W -= lr v."""
        d = self._decayed(p, g, wd)
        t = self.scratch(p, 0) if d is g else d
        _mul(v, beta, out=v)
        _mul(d, 1.0 - beta, out=t)
        _add(v, t, out=v)
        _mul(v, lr, out=t)
        _sub(p, t, out=p)

    def rmsprop(self, p, g, sq, gavg, buf, lr, alpha, eps, momentum, wd):
        """PyTorch's RMSprop (``gavg`` is None unless centered, ``buf`` None unless momentum)."""
        d = self._decayed(p, g, wd)
        t = self.scratch(p, 1)
        _mul(sq, alpha, out=sq)
        _mul(d, d, out=t)
        _mul(t, 1.0 - alpha, out=t)
        _add(sq, t, out=sq)
        if gavg is not None:
            _mul(gavg, alpha, out=gavg)
            _mul(d, 1.0 - alpha, out=t)
            _add(gavg, t, out=gavg)
            _mul(gavg, gavg, out=t)
            _sub(sq, t, out=t)
            _sqrt(t, out=t)
        else:
            _sqrt(sq, out=t)
        _add(t, eps, out=t)
        _div(d, t, out=t)
        if buf is not None:
            _mul(buf, momentum, out=buf)
            _add(buf, t, out=buf)
            _mul(buf, lr, out=t)
        else:
            _mul(t, lr, out=t)
        _sub(p, t, out=p)

    def adam(self, p, g, m, v, vmax, step, lr, beta1, beta2, eps, wd, decoupled):
        """Adam (L2 ``wd``) or AdamW (``decoupled``); ``vmax`` is the AMSGrad maximum or None."""
        if decoupled:
            if wd:
                _mul(p, 1.0 - lr * wd, out=p)
            d = g
        else:
            d = self._decayed(p, g, wd)
        c2 = math.sqrt(1.0 - beta2 ** step)
        lr_t = lr * c2 / (1.0 - beta1 ** step)
        t = self.scratch(p, 1)
        _mul(m, beta1, out=m)
        _mul(d, 1.0 - beta1, out=t)
        _add(m, t, out=m)
        _mul(v, beta2, out=v)
        _mul(d, d, out=t)
        _mul(t, 1.0 - beta2, out=t)
        _add(v, t, out=v)
        if vmax is not None:
            np.maximum(vmax, v, out=vmax)
            v = vmax
        _sqrt(v, out=t)
        _add(t, eps * c2, out=t)
        _div(m, t, out=t)
        _mul(t, lr_t, out=t)
        _sub(p, t, out=p)
