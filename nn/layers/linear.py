"""``Linear``, ``Identity``, ``Flatten`` and ``Unflatten``."""
from __future__ import annotations

import math

import minigrad as mg

from .. import functional as F, init as _init
from ..module import Module
from ..parameter import Parameter

__all__ = ["Linear", "Identity", "Flatten", "Unflatten"]


class Linear(Module):
    """Fully connected layer: Z = X W^T + b (the course's Z[l] = W[l] A[l-1] + b[l], examples as rows).

    Parameters
    ----------
    in_features : int
        n[l-1].
    out_features : int
        n[l].
    bias : bool
        Whether to learn b (default True).
    device, dtype : optional
        Where and in which float type the parameters live (default device, float32).
    init : str or callable
        How ``weight`` and ``bias`` start (see :func:`nn.init.init_linear`).  The default,
        ``'pytorch'``, is PyTorch's (kaiming_uniform with a = sqrt(5)): W and b drawn from
        U(-1/sqrt(n[l-1]), 1/sqrt(n[l-1])), so a ported PyTorch script trains as it did.  The
        course's schemes are one argument away: ``init='he'`` (its advice for ReLU networks:
        W = randn * sqrt(2 / n[l-1]), b = 0), ``'xavier'`` (randn * sqrt(1 / n[l-1]), for
        tanh), ``'random'``, ``'zeros'`` ...
    generator : minigrad.Generator, optional
        Draw the initial values from it (default: ``mg.manual_seed``-seeded global stream).

    Attributes
    ----------
    weight : Parameter, shape (out_features, in_features) -- the course's W[l], (n[l], n[l-1])
    bias : Parameter, shape (out_features,) or None -- b[l] (a row here, a column in the course)

    Examples
    --------
    >>> import minigrad as mg, nn
    >>> layer = nn.Linear(3, 2)
    >>> layer(mg.ones(5, 3)).shape
    (5, 2)
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None, init="pytorch", generator=None):
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {n!r}")
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(mg.zeros(out_features, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(mg.zeros(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self._init_scheme = init
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None):
        """Draw the weights again with this layer's ``init`` scheme."""
        _init.init_linear(self.weight, self.bias, self._init_scheme, generator)

    def forward(self, x):
        """(m, in_features) -> (m, out_features).

        The input must have the weight's dtype, as in PyTorch: an integer or bool input, or float32
        data meeting float64 weights, raises (convert first, ``x.to(dtype=...)``).  Only inside
        ``mg.gradcheck(lambda: loss(model(X), y), model.parameters())``, which switches the
        parameters to float64, does float32 data compute in float64 (see ``minigrad.ops.dtype_rules``)."""
        if isinstance(x, mg.Tensor) and x.array.dtype is not self.weight.array.dtype and not x.dtype.is_floating_point:
            raise TypeError(f"Linear: the input has dtype {x.dtype} but the weight has {self.weight.dtype}; an "
                            f"integer or bool input must be converted first (PyTorch raises here too), e.g. "
                            f"x.to(dtype={self.weight.dtype})")
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Flatten(Module):
    """Merges dimensions ``start_dim..end_dim``: (m, 28, 28) -> (m, 784) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return F.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits axis ``dim`` into ``unflattened_size``: ``Unflatten(1, (1, 28, 28))`` maps (m, 784) to
    (m, 1, 28, 28), undoing :class:`Flatten`.  One entry of ``unflattened_size`` may be -1 (inferred)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(dim, int):
            raise TypeError(f"Unflatten: dim must be an int, got {type(dim).__name__}")
        size = tuple(unflattened_size)
        if not size or any(not isinstance(n, int) or (n < 0 and n != -1) for n in size) or size.count(-1) > 1:
            raise ValueError(f"Unflatten: unflattened_size must be a non-empty tuple of ints >= 0 (one may be -1), "
                             f"got {unflattened_size!r}")
        self.dim, self.unflattened_size = dim, size

    def forward(self, x):
        """(..., n, ...) -> (..., *unflattened_size, ...) at axis ``dim``."""
        if not -x.ndim <= self.dim < x.ndim:
            raise ValueError(f"Unflatten: dim {self.dim} is out of range for input of shape {x.shape}")
        d = self.dim % x.ndim
        known = math.prod(n for n in self.unflattened_size if n != -1)
        fits = x.shape[d] % known == 0 if -1 in self.unflattened_size and known else x.shape[d] == known
        if not fits:
            raise ValueError(f"Unflatten: axis {d} of input of shape {x.shape} has size {x.shape[d]}, which cannot be "
                             f"split into {self.unflattened_size}")
        return x.reshape(x.shape[:d] + self.unflattened_size + x.shape[d + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
