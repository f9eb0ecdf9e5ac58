"""``Parameter``: a Tensor that a :class:`~nn.Module` registers as learnable.

Assigning a Parameter to a module attribute (``self.weight = Parameter(...)``) registers it;
``module.parameters()`` then yields it to the optimizer.
"""
from __future__ import annotations

import minigrad as mg

__all__ = ["Parameter", "is_parameter", "replace_data"]


class Parameter(mg.Tensor):
    """A learnable tensor: requires grad by default and is registered by modules.

    Parameters
    ----------
    data : Tensor or array-like, optional
        The initial values; a Tensor's array is shared (not copied).  ``None`` gives an empty
        float tensor.
    requires_grad : bool
        Default True.

    Examples
    --------
    >>> import minigrad as mg, nn
    >>> w = nn.Parameter(mg.zeros(2, 3))
    >>> w.requires_grad, w.shape
    (True, (2, 3))
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = mg.zeros(0)
        if isinstance(data, mg.Tensor):
            super().__init__(data.detach(), requires_grad=False)
        else:
            super().__init__(data)
        if requires_grad:
            self.requires_grad = True

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        copied = mg.Tensor.__deepcopy__(self, memo)
        p = Parameter(copied, requires_grad=self.requires_grad)
        p.grad = copied.grad
        memo[id(self)] = p
        return p


def is_parameter(obj) -> bool:
    return isinstance(obj, Parameter)


def replace_data(t, new):
    """Make tensor ``t`` hold ``new``'s array (any device/dtype), keeping ``t``'s identity.

    Used by ``Module.to`` so optimizers that already hold the parameter keep seeing it.
    The version counter is bumped, so a graph that saved the old values cannot backward.
    """
    t.set_data_(new)
