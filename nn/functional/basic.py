"""Linear maps, flattening and dropout in their stateless form."""
from __future__ import annotations

import minigrad as mg

__all__ = ["linear", "flatten", "dropout"]


def linear(x, weight, bias=None):
    """Z = x W^T + b: the course's Z[l] = W[l] A[l-1] + b[l], with examples as rows.

    One graph node (:func:`minigrad.linear`): the product and the bias together.

    Parameters
    ----------
    x : Tensor, shape (m, in_features) or (..., in_features)
    weight : Tensor, shape (out_features, in_features) -- the course's W[l], (n[l], n[l-1])
    bias : Tensor, shape (out_features,), optional

    Returns
    -------
    Tensor, shape (m, out_features)
    """
    return mg.linear(x, weight, bias)


def flatten(x, start_dim=1, end_dim=-1):
    """Merge dimensions ``start_dim..end_dim`` (by default all but the batch dimension)."""
    return mg.flatten(x, start_dim, end_dim)


def _drop_probability(p, keep_prob, op):
    if p is not None and keep_prob is not None and abs((1.0 - keep_prob) - p) > 1e-12:
        raise ValueError(f"{op}: p={p} and keep_prob={keep_prob} disagree (p is the drop probability, "
                         "keep_prob = 1 - p); give one of them")
    if p is None:
        p = 0.5 if keep_prob is None else 1.0 - keep_prob
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: drop probability p must be in [0, 1], got {p}")
    return p


def dropout(x, p=None, training=True, *, keep_prob=None, generator=None):
    """Inverted dropout: zero each element with probability ``p``, scale the others by 1/keep_prob.

    With ``keep_prob = 1 - p`` and a mask D drawn from Bernoulli(keep_prob) (the course's
    ``D = rand(...) < keep_prob``)::

        A = x * D / keep_prob          dA/dx = D / keep_prob   (the same mask in backward)

    so the expected value of each element is unchanged and nothing needs rescaling at test
    time.  ``training=False`` (or ``p=0``) returns ``x`` itself; ``p=1`` returns zeros.

    Parameters
    ----------
    x : Tensor (floating)
    p : float, optional
        Drop probability (PyTorch's spelling); default 0.5.
    training : bool
    keep_prob : float, optional
        The course's spelling, ``1 - p``.
    generator : minigrad.Generator, optional
        Draw the mask from this generator (default: the device's, seeded by ``mg.manual_seed``).

    Examples
    --------
    >>> import minigrad as mg, nn.functional as F
    >>> x = mg.ones(2, 4)
    >>> F.dropout(x, p=0.5, training=False) is x
    True
    >>> out = F.dropout(x, keep_prob=0.8, generator=mg.Generator(seed=0))
    >>> set(out.numpy().ravel().tolist()) <= {0.0, 1.25}    # dropped, or scaled by 1 / keep_prob
    True
    """
    p = _drop_probability(p, keep_prob, "dropout")
    if not training or p == 0.0:
        return x
    if not x.dtype.is_floating_point:
        raise TypeError(f"dropout: input must be floating, got {x.dtype}")
    if p == 1.0:
        return x * 0.0
    keep = 1.0 - p
    mask = mg.bernoulli(x.shape, keep, dtype=x.dtype, device=x.device, generator=generator)
    return x * (mask * (1.0 / keep))
