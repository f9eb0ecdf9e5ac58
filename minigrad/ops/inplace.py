"""In-place ops recorded in the graph, as PyTorch does (issue 14 §4).

``x.add_(y)``, ``x += y``, ``x.mul_(2)``, ``x.relu_()``, ``x.clamp_(0, 1)``, ``x.fill_(v)``,
``x.copy_(src)``, ``x.normal_()``, ``x[idx] = v`` ... on a tensor that is part of a graph (it, or
the operand, requires grad while grad mode is on) run here; everything else takes the fast path
of :mod:`minigrad.tensor` (a bare in-place array update and a version bump, as cheap as before).

What recording does (PyTorch's "rebase history"):

* the new value is computed out of place from a snapshot ``old`` of the tensor that carries its
  previous history, then written into the tensor's own array (so views and ``detach()``-ed
  aliases see it) and the version counter is bumped;
* the tensor's ``grad_fn`` becomes the node of that computation (its input is ``old``), so a
  later use back-propagates through the in-place op into the earlier history.  Nodes recorded
  before the change keep their edge to the earlier history (``Function._in_nodes``), so a
  use of the value before the change still gets the gradient of that value;
* a node that saved the overwritten value refuses backward (the version check, as before).

Errors, raised before anything changes:

* a leaf that requires grad, or a view of one, outside ``no_grad``: PyTorch's "a leaf Variable
  that requires grad is being used in an in-place operation";
* the other refusals of an in-place op through a view (a multi-output view of ``split``/``unbind``,
  a view made under ``no_grad``, ``expand`` views): see :mod:`minigrad.ops.view_inplace`.

Through a view (``x.view(-1).add_(1)``, ``x.t().mul_(2)``, ``x[0].fill_(1)``, ``x.diagonal()
.zero_()``, any chain of view ops) the *base* is rebased, as in PyTorch (CopySlices): see
:mod:`minigrad.ops.view_inplace`.
"""
from __future__ import annotations

from ..function import Op
from ..modes import STATE
from ..random import default_generator
from ..tensor import Tensor
from .. import dtypes
from . import binary_math, elementwise
from .shape import normalize_key
from .view_inplace import record_through_view, refresh_views, view_chain

__all__ = ["Overwrite", "SetItem", "inplace_in_graph", "setitem_in_graph", "rebase", "clamp_", "relu_", "normal_",
           "uniform_"]


class Overwrite(Op):
    """z = src broadcast to x's shape, in x's dtype (``fill_``, ``zero_``, ``copy_``, ``normal_``).

    dz/dx = 0 (the old values are gone: a zero gradient, as PyTorch's FillBackward / CopyBackwards);
    dz/dsrc = the gradient summed over the broadcast axes (cast back to src's dtype).
    """

    def forward(self, x, src):
        self.shape, self.dtype = x.shape, x.dtype
        xp = self.xp
        if src.__class__ in (int, float, bool):
            return xp.full(x.shape, src, dtype=x.dtype)
        out = xp.empty_like(x)
        out[...] = xp.astype(src, x.dtype) if src.dtype != x.dtype else src
        return out

    def backward(self, g):
        return self.xp.zeros(self.shape, dtype=self.dtype), g


class SetItem(Op):
    """z = x with z[key] = v (``x[key] = v`` recorded; PyTorch's CopySlices / index_put_).

    dz/dx = the gradient with zeros at ``key`` (those values were overwritten);
    dz/dv = the gradient at ``key`` (``g[key]``), summed over the axes v was broadcast along.
    With repeated indices in ``key`` the last write wins (NumPy's rule) and each copy of a repeated
    index sends the gradient back to v.
    """

    def forward(self, x, v, key, device):
        xp = self.xp
        self.key, self.dev = key, device
        out = xp.asarray(x, copy=True)
        if v.__class__ not in (int, float, bool) and v.dtype != x.dtype:
            v = xp.astype(v, x.dtype)
        device.setitem(out, key, v)
        mask = xp.zeros(x.shape, dtype=xp.bool)
        device.setitem(mask, key, True)
        self.save_for_backward(mask)
        return out

    def backward(self, g):
        (mask,) = self.saved_tensors
        need_x, need_v = self.needs_input_grad
        F = self.F
        return (F.where(mask, 0.0, g) if need_x else None,
                F.getitem(g, self.key, self.dev) if need_v else None)


# ----- recording ------------------------------------------------------------------------------------
def _leaf_error(op, view, t):
    what = "a view of a leaf Variable" if view else "a leaf Variable"
    return RuntimeError(f"{op}: {what} that requires grad is being used in an in-place operation (shape "
                        f"{t.shape}, grad mode on; its gradient would be lost). Wrap it in minigrad.no_grad() "
                        "(a parameter update), or work on a clone()")


def _record(t, op, compute):
    """Run ``compute(old)`` -- the new value of ``t`` as a Tensor, computed out of place from
    ``old``, a snapshot of ``t`` carrying its history -- and make it ``t``'s value and history;
    through its base when ``t`` is a view (:mod:`minigrad.ops.view_inplace`)."""
    if t._node is None and t._rg:
        raise _leaf_error(op, False, t)
    chain = view_chain(t)
    if chain:
        return record_through_view(t, op, compute, chain, rebase, _leaf_error)
    return rebase(t, op, compute)


def rebase(t, op, compute):
    """``_record`` for a tensor that is no view: the new value is written into ``t``'s own array,
    its version bumped, and ``t`` rebased onto the node that computed it."""
    dev = t._device
    old = Tensor._make(dev.xp.asarray(t.array, copy=True), dev, t._rg, t._node)
    res = compute(old)
    if res.array.dtype != t.array.dtype:
        res = elementwise.Cast.apply(res, dtype=t.array.dtype)
    if res._node is None:  # nothing in the computation requires grad after all
        t.array[...] = res.array
        t._vc[0] += 1
        return t
    t.array[...] = res.array
    t._vc[0] += 1
    res._node._rebase_output(t._vc)
    prev = t._node
    if prev is not None and prev._retained is not None and prev._retained() is t:
        res._node._retained, prev._retained = prev._retained, None  # retain_grad follows the tensor
    t._node, t._rg = res._node, True
    refresh_views(t)  # views of t taken before the change: the new history (PyTorch regenerates them)
    return t


def setitem_in_graph(t, key, value):
    """``t[key] = value`` recorded: ``t`` is rebased onto a :class:`SetItem` node."""
    key = normalize_key(key, t)
    dev = t._device
    return _record(t, "__setitem__", lambda old: SetItem.apply(old, value, key=key, device=dev))


def _scaled(other, alpha):
    return other if alpha == 1 else elementwise.mul(other, alpha) if isinstance(other, Tensor) else other * alpha


_COMPUTE = {
    "add_": lambda old, other, alpha=1: elementwise.add(old, _scaled(other, alpha)),
    "sub_": lambda old, other, alpha=1: elementwise.sub(old, _scaled(other, alpha)),
    "mul_": lambda old, other: elementwise.mul(old, other),
    "div_": lambda old, other: elementwise.div(old, other),
    "pow_": lambda old, other: elementwise.pow(old, other),
    "copy_": lambda old, src: Overwrite.apply(old, src),
    "fill_": lambda old, value: Overwrite.apply(old, value),
}


def inplace_in_graph(t, op, *args):
    """The recorded form of the in-place method ``op`` (``"add_"``, ``"mul_"``, ``"fill_"`` ...) of
    :class:`Tensor`, called by it when ``t`` or an operand is in the graph."""
    compute = _COMPUTE[op]
    return _record(t, op, lambda old: compute(old, *args))


def clamp_(self, min=None, max=None):
    """Clamp each element to [min, max] in place (``torch.Tensor.clamp_``); the gradient rule is
    ``clamp``'s.  Recorded in the graph when ``self`` is part of one (see this module)."""
    if STATE.grad and (self._rg or _needs(min) or _needs(max)):
        return _record(self, "clamp_", lambda old: binary_math.clamp(old, min, max))
    out = binary_math.clamp(self, min, max)  # checks the bounds, then the values land in place
    self.array[...] = out.array
    self._vc[0] += 1
    return self


def relu_(self):
    """max(self, 0) in place (``torch.Tensor.relu_``); the gradient rule is ``relu``'s (0 at 0).
    Recorded in the graph when ``self`` is part of one."""
    if STATE.grad and self._rg:
        return _record(self, "relu_", lambda old: old.relu())
    if self._device.type == "cpu":
        self.array[self.array < 0] = 0  # no array of the result; NaN stays NaN as in relu
    else:
        self.array[...] = self.relu().array
    self._vc[0] += 1
    return self


def _needs(x):
    return isinstance(x, Tensor) and x._rg


def _draw_(self, op, kind, generator, **kw):
    gen = default_generator(self._device) if generator is None else generator
    if gen.device is not self._device:
        raise ValueError(f"{op}: generator is for {gen.device}, the tensor is on {self._device}")
    if not dtypes.is_floating(self.array.dtype):
        raise TypeError(f"{op}: expected a floating-point tensor, got {self.dtype} with shape {self.shape}")
    if STATE.grad and self._rg:  # checked before the draw: a refusal leaves the generator alone
        if self._node is None:
            raise _leaf_error(op, False, self)
        sample = Tensor._make(gen.draw(kind, self.shape, self.array.dtype, **kw), self._device, False, None)
        return _record(self, op, lambda old: Overwrite.apply(old, sample))
    self.array[...] = gen.draw(kind, self.shape, self.array.dtype, **kw)
    self._vc[0] += 1
    return self


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with draws from N(mean, std^2) in place (``torch.Tensor.normal_``); returns ``self``.

    ``generator``: a :class:`minigrad.Generator` of this tensor's device (default: the device's
    default one).  The draws are reproducible from the seed, not equal to PyTorch's numbers.  In
    the graph, the old values get a zero gradient (as ``fill_``)."""
    return _draw_(self, "normal_", "normal", generator, mean=mean, std=std)


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with draws from the uniform distribution on [a, b) in place (``torch.Tensor.uniform_``);
    returns ``self``.  ``generator`` as in :func:`normal_`."""
    return _draw_(self, "uniform_", "uniform", generator, low=a, high=b)
