"""In-place ops through views, recorded in the graph as PyTorch does (its CopySlices).

A view ``v`` of a tensor ``base`` -- made by reshape/view/flatten/(un)squeeze, permute/transpose/
t/T/mT/movedim, expand, basic indexing/narrow/select/split/unbind/chunk, diagonal, or a chain of
them -- shares ``base``'s storage and version counter.  Without the graph (grad mode off, or
nothing requires grad) an in-place op on ``v`` is a plain array update that ``base`` sees.  In the
graph (``v``, ``base`` or the operand requires grad, grad mode on), :func:`record_through_view`:

1. finds the chain of views from ``v`` up to the tensor that owns the storage (the *root*:
   recorded view nodes, or :mod:`minigrad.view_links` for views made without recording);
2. replays that chain on ``arange(root.size)`` to get ``idx``: for each element of ``v``, its
   flat position in the root (the index form of PyTorch's ``as_strided`` view);
3. computes the op's result ``r`` out of place from a snapshot of ``v`` (with ``v``'s history)
   and rebases the root onto ``CopySlices(root_old, r, idx)``: root_new = root_old with
   root_new.flat[idx] = r;  d/droot_old = g with zeros at idx (those values were overwritten),
   d/dr = g.flat[idx];
4. gives ``v`` (and every view between it and the root) the history of a view of the new root
   (:class:`ViewOf`: z = root.flat[idx];  dz/droot = g scattered (added) back at idx).

The root's version counter is bumped once, so a node that saved the root or any view of it
refuses backward afterwards, as in PyTorch.  Refused before anything changes, with PyTorch's
messages: a view of a leaf that requires grad; an output of ``split``/``chunk``/``unbind`` (a
multi-output view function); a view made under ``no_grad`` of a tensor that requires grad,
changed in grad mode; and a view in which several elements share one memory location
(``expand``).  For the last, PyTorch runs ``fill_``/``zero_``/``v[i] = x`` forward and refuses the
backward of ``fill_`` with this message: minigrad refuses all of them up front, in the graph.
(Without the graph an ``expand`` view is read-only: NumPy's ValueError, see the issue's table.)

Every other live view of the root (``b = y.view(-1)`` taken before ``y[0].mul_(3)``, or before
``y.add_(w)``) gets the history of a view of the root's new value too (:func:`refresh_views`), as
PyTorch regenerates its grad_fn: a use of ``b`` after the change back-propagates through it, a use
recorded before keeps the old history.  (A view made under ``no_grad`` is not refreshed.)
"""
from __future__ import annotations

import numpy as np

from ..device import _host_numpy
from ..function import Op
from ..tensor import Tensor
from ..view_links import view_parent, views_sharing
from .elementwise import Cast
from .indexing import arange_on
from .shape import BroadcastTo, GetItem, Permute, Reshape
from .views import Diagonal

__all__ = ["CopySlices", "ViewOf", "view_chain", "record_through_view", "refresh_views"]


class CopySlices(Op):
    """z = base with z.flat[idx] = src (src cast to base's dtype);
    dz/dbase = g with zeros at idx;  dz/dsrc = g.flat[idx] (src's shape)."""

    def forward(self, base, src, idx, device):
        xp = self.xp
        flat_idx = xp.reshape(idx, (-1,))
        self.key, self.src_shape, self.dev = (flat_idx,), src.shape, device
        out = xp.reshape(xp.asarray(base, copy=True), (-1,))
        device.setitem(out, self.key, xp.reshape(xp.astype(src, base.dtype), (-1,)))
        mask = xp.zeros(out.shape, dtype=xp.bool)
        device.setitem(mask, self.key, True)
        self.save_for_backward(xp.reshape(mask, base.shape))
        return xp.reshape(out, base.shape)

    def backward(self, g):
        (mask,) = self.saved_tensors
        need_base, need_src = self.needs_input_grad
        F = self.F
        gs = F.reshape(F.getitem(F.reshape(g, (-1,)), self.key, self.dev), self.src_shape) if need_src else None
        return (F.where(mask, 0.0, g) if need_base else None), gs


class ViewOf(Op):
    """z = base.flat[idx] (the values of a view of ``base``, idx from :func:`view_chain`);
    dz/dbase = zeros with g added at idx (repeated positions accumulate)."""

    is_view = True

    def forward(self, base, idx, device):
        xp = self.xp
        self.key, self.in_shape, self.idx, self.dev = (xp.reshape(idx, (-1,)),), base.shape, idx, device
        return xp.reshape(device.getitem(xp.reshape(base, (-1,)), self.key), idx.shape)

    def backward(self, g):
        F = self.F
        size = 1
        for n in self.in_shape:
            size *= n
        return F.reshape(F.index_add(F.reshape(g, (-1,)), (size,), self.key, self.dev), self.in_shape)


# ----- the chain of views -------------------------------------------------------------------------
def view_chain(t):
    """``[(node, parent, child), ...]`` from ``t`` up to the tensor owning its storage (empty when
    ``t`` is not a view)."""
    chain, cur = [], t
    while True:
        p = view_parent(cur)
        if p is None:
            return chain
        chain.append((p[0], p[1], cur, p[2]))
        cur = p[1]


def _replay(node, arr, shape):
    """``arr`` viewed the way ``node`` viewed its input (``shape``: the view's shape)."""
    xp = node.xp
    if isinstance(node, (Reshape, BroadcastTo)):
        return xp.reshape(arr, shape) if isinstance(node, Reshape) else xp.broadcast_to(arr, shape)
    if isinstance(node, Permute):
        return xp.permute_dims(arr, node.axes)
    if isinstance(node, GetItem):
        return node.dev.getitem(arr, node.key)
    if isinstance(node, Diagonal):
        return node.dev.getitem(xp.permute_dims(arr, node.perm), node.key)
    if isinstance(node, ViewOf):
        return xp.reshape(node.dev.getitem(xp.reshape(arr, (-1,)), node.key), shape)
    raise RuntimeError(f"in-place change through a view made by {node.name}: not supported; clone() the view first")


def _positions(chain, root, start=None):
    """For each tensor on the chain, the flat positions in ``root`` of its elements (``start``:
    ``arange(root.size)`` shaped like ``root``, when the caller has it already)."""
    dev = root._device
    arr = dev.xp.reshape(arange_on(dev, root.numel()), root.shape) if start is None else start
    out = []
    for node, _, child, _ in reversed(chain):
        arr = _replay(node, arr, child.shape)
        out.append((child, arr))
    return out[::-1]


def refresh_views(root):
    """After ``root`` was rebased in the graph: give each live view of it (listed in
    :mod:`minigrad.view_links`) the history of a view of the new value, as PyTorch regenerates a
    view's grad_fn; uses of a view recorded before keep the old history.  Views made under
    ``no_grad`` are left alone.  Returns the ids of the views refreshed."""
    done = set()
    views = views_sharing(root)
    if not views or root._node is None:
        return done
    dev = root._device
    start = dev.xp.reshape(arange_on(dev, root.numel()), root.shape)
    for v in views:
        chain = view_chain(v)
        if not chain or chain[-1][1] is not root or any(no_grad for *_, no_grad in chain):
            continue
        _view_of_root(v, root, _positions(chain, root, start)[0][1], dev)
        done.add(id(v))
    return done


# ----- checks -------------------------------------------------------------------------------------
def _check(t, op, chain, root):
    for node, parent, child, no_grad in chain:
        multi = getattr(node, "multi_output", None)
        if multi is not None:
            raise RuntimeError(
                f"{op}: Output {multi[1]} of {multi[0]} is a view and is being modified inplace. This view is the "
                "output of a function that returns multiple views. Such functions do not allow the output views to "
                "be modified inplace. You should replace the inplace operation by an out-of-place one (or clone() "
                "the piece first)")
        if no_grad and (parent._rg or root._rg):
            raise RuntimeError(
                f"{op}: A view was created in no_grad mode and is being modified inplace with grad mode enabled "
                f"(view of shape {tuple(t.shape)}). This use is ambiguous and forbidden, as in PyTorch: make the view "
                "and change it both inside the no_grad block (not tracked) or both outside it (tracked)")


def _overlap_error(op, t):
    return RuntimeError(
        f"{op}: unsupported operation: more than one element of the written-to tensor (a view of shape "
        f"{tuple(t.shape)}, made by expand) refers to a single memory location. Please clone() the tensor before "
        "performing the operation")


def _has_repeats(idx, xp):
    flat = xp.sort(xp.reshape(idx, (-1,)))
    return flat.shape[0] > 1 and bool(xp.any(flat[1:] == flat[:-1]))


# ----- recording ----------------------------------------------------------------------------------
def record_through_view(t, op, compute, chain, rebase, leaf_error):
    """The recorded in-place op ``op`` on the view ``t`` (see the module docstring): ``compute(old)``
    gives the new values of ``t`` as a Tensor from ``old``, a snapshot of ``t`` with its history;
    ``rebase(root, op, compute)`` records an in-place op on a tensor that is no view, and
    ``leaf_error(op, True, root)`` is the error for a view of a leaf requiring grad
    (both from :mod:`minigrad.ops.inplace`)."""
    root = chain[-1][1]
    _check(t, op, chain, root)  # (PyTorch names a view made under no_grad before a view of a leaf)
    if root._node is None and root._rg:
        raise leaf_error(op, True, root)
    positions = _positions(chain, root)
    idx = positions[0][1]
    dev = t._device
    xp = dev.xp
    if any(isinstance(n, BroadcastTo) for n, *_ in chain) and _has_repeats(idx, xp):
        raise _overlap_error(op, t)
    old = Tensor._make(xp.asarray(t.array, copy=True), dev, t._rg, t._node)
    res = compute(old)
    if res.array.dtype != t.array.dtype:
        res = Cast.apply(res, dtype=t.array.dtype)
    if res._node is None:  # nothing in it requires grad after all: write the values through the root
        dev.setitem(root.array, (xp.reshape(idx, (-1,)),), xp.reshape(res.array, (-1,)))
        root._vc[0] += 1
        return t
    rebase(root, op, lambda old_root: CopySlices.apply(old_root, res, idx=idx, device=dev))  # refreshes its views
    for child, child_idx in positions:
        if child._node is None or not isinstance(child._node, ViewOf) or child._node.inputs[0] is not root:
            _view_of_root(child, root, child_idx, dev)  # (a view not listed: made before it could be)
    return t


def _view_of_root(child, root, idx, dev):
    """Give ``child`` (a view sharing ``root``'s storage) the history of a view of the new root,
    keeping its own array; refresh its values where the backend made it a copy."""
    v = ViewOf.apply(root, idx=idx, device=dev)
    node = v._node
    node._out_vc = child._vc
    if not _shares(child.array, root.array, dev):
        child.array[...] = v.array
    child._node, child._rg = node, True


def _shares(a, b, dev):
    """Whether the view's array ``a`` shares memory with the root's ``b`` (True when unknown: a
    read-only array cannot be refreshed, and is a view)."""
    if dev.type == "cuda":
        return bool(dev.xp.shares_memory(a, b))
    try:
        return bool(np.may_share_memory(_host_numpy(a), _host_numpy(b)))
    except (BufferError, TypeError, ValueError):
        return True
