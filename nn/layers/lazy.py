"""``LazyLinear``: a Linear layer whose ``in_features`` is read from its first input."""
from __future__ import annotations

import minigrad as mg

from ..parameter import replace_data
from .linear import Linear

__all__ = ["LazyLinear"]


class LazyLinear(Linear):
    """``Linear(in_features, out_features)`` with ``in_features`` taken from the first input's last axis.

    Until the first call ``weight`` has shape (out_features, 0) and ``in_features`` is 0; the
    first call gives the weight its shape (out_features, x.shape[-1]), draws weight and bias
    with ``init`` (PyTorch's default, as :class:`Linear`) and turns the module into a plain
    :class:`Linear`, as PyTorch does.  The Parameter objects stay the same, so an optimizer
    built before the first call keeps working (but build it after a dry run if it keeps
    per-parameter state shaped like the weight).  Load a state dict only after the first call.
    """

    def __init__(self, out_features, bias=True, device=None, dtype=None, init="pytorch", generator=None):
        super().__init__(0, out_features, bias=bias, init=init, device=device, dtype=dtype, generator=generator)
        self._generator = generator

    def reset_parameters(self, generator=None):
        """Nothing to draw before the first call (the bound depends on in_features)."""
        if self.in_features:
            super().reset_parameters(generator)

    def initialize_parameters(self, x):
        """Give ``weight`` the shape (out_features, x.shape[-1]), draw it and become a Linear."""
        if not isinstance(x, mg.Tensor) or x.ndim < 1:
            raise ValueError(f"LazyLinear: the first input must be a Tensor with a feature axis, got "
                             f"{getattr(x, 'shape', type(x).__name__)}")
        n_in = x.shape[-1]
        w = self.weight
        replace_data(w, mg.zeros(self.out_features, n_in, device=w.device, dtype=w.dtype))
        self.in_features = n_in
        self.__class__ = Linear
        Linear.reset_parameters(self, self.__dict__.pop("_generator", None))

    def forward(self, x):
        """The first call sets ``in_features``; then (m, in_features) -> (m, out_features)."""
        self.initialize_parameters(x)
        return Linear.forward(self, x)

    def has_uninitialized_params(self):
        """True until the first call gives the weight its shape (then the module is a Linear)."""
        return True

    def extra_repr(self):
        return f"in_features=<lazy>, out_features={self.out_features}, bias={self.bias is not None}"

