"""Tools for testing differentiable code: Hypothesis strategies and a one-call gradient fuzzer.

For users who write their own ops (``minigrad.Function`` subclasses) or functions of
tensors::

    import minigrad as mg
    from minigrad.testing import check_gradients, tensors

    class Cube(mg.Function):
        def forward(self, x):
            self.save_for_backward(x)
            return x ** 3

        def backward(self, g):
            (x,) = self.saved_tensors
            return g * 3 * x ** 2

    check_gradients(Cube, tensors(domain="real"), second_order=True)

Needs Hypothesis (``pip install hypothesis``, part of the ``test`` extra); ``import minigrad``
alone never imports it.
"""
try:
    import hypothesis  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("minigrad.testing needs the Hypothesis package: pip install hypothesis "
                      "(or pip install \"minigrad[test]\")") from e

from .fuzz import GradientFailures, check_gradients
from .strategies import (DOMAINS, array_shapes, arrays, broadcastable_shapes, elements,
                         mutually_broadcastable_shapes, tensors, valid_axes)

__all__ = ["check_gradients", "GradientFailures", "tensors", "arrays", "elements", "array_shapes",
           "broadcastable_shapes", "mutually_broadcastable_shapes", "valid_axes", "DOMAINS"]
