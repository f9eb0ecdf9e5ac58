"""The views of each storage, and which tensor a view made without recording was made from.

Views share their base's version counter (``Tensor._vc``).  ``Function.apply`` lists every view an
op makes under that counter (:func:`link`), for two uses by in-place ops in the graph
(:mod:`minigrad.ops.view_inplace`):

* a view made without recording a node -- its input needs no grad, or grad mode is off -- still
  reaches its base: ``buf = mg.zeros(4); buf[1:3].add_(w)`` with ``w`` requiring grad gives ``buf``
  a history through the view (PyTorch's CopySlices), and ``with no_grad(): v = y[0]`` followed by
  an in-place change of ``v`` in grad mode is refused as in PyTorch.  Such a view keeps its input
  alive (as PyTorch's ``Tensor._base``) and the node that made it.  (Not listed: a view made under
  ``no_grad`` of a tensor that needs no grad, pure inference.)
* after an in-place op rebases a base, the views of it taken before get the new history
  (:func:`views_sharing`), as PyTorch regenerates their grad_fn.

Weak references only: a listed view is forgotten when it is collected (swept in batches).  On the
node contract's floor: it imports nothing from minigrad.
"""
from __future__ import annotations

import weakref

__all__ = ["link", "linked_parent", "views_sharing", "view_parent", "mark_multi_output"]

# id(version counter) -> (the counter, {id(view): (weakref to the view, parent, node, grad mode off)}).
# Every view made by an op (recorded or not) is listed under the version counter it shares with its
# base, so that an in-place op that rebases the base can give the views taken before it the new
# history (PyTorch regenerates a view's grad_fn after its base changed).  An entry keeps its counter
# alive (so its id stays unique); dead views are swept out every _SWEEP_EVERY links (no callback per
# view: views are made and dropped in hot loops).
_VIEWS: dict = {}
_SWEEP_EVERY = 1024
_count = [0]


def _sweep():
    for vc_key in list(_VIEWS):
        views = _VIEWS[vc_key][1]
        for key in [k for k, rec in views.items() if rec[0]() is None]:
            del views[key]
        if not views:
            del _VIEWS[vc_key]


def link(view, parent, node, no_grad):
    """List ``view`` under the version counter it shares with its base.  For a view made without
    recording, also remember ``parent`` (the tensor it views) and ``node`` (the op that made it);
    ``no_grad``: it was made with grad mode off.  (A recorded view passes None: its node knows.)"""
    vc = view._vc
    entry = _VIEWS.get(id(vc))
    if entry is None:
        entry = _VIEWS[id(vc)] = (vc, {})
    entry[1][id(view)] = (weakref.ref(view), parent, node, no_grad)
    _count[0] += 1
    if _count[0] % _SWEEP_EVERY == 0:
        _sweep()


def linked_parent(view):
    """``(node, parent, made_with_grad_mode_off)`` for a view made without recording that still
    shares ``parent``'s storage (its version counter), else None."""
    entry = _VIEWS.get(id(view._vc))
    rec = None if entry is None else entry[1].get(id(view))
    if rec is None or rec[1] is None or rec[0]() is not view or view._vc is not rec[1]._vc:
        return None
    return rec[2], rec[1], rec[3]


def views_sharing(t):
    """The live views listed under ``t``'s version counter (its views, and views of its views)."""
    entry = _VIEWS.get(id(t._vc))
    if entry is None or entry[0] is not t._vc:
        return []
    views = [rec[0]() for rec in list(entry[1].values())]
    return [v for v in views if v is not None and v is not t and v._vc is t._vc]


def view_parent(t):
    """``(node, parent, made_under_no_grad)`` when ``t`` is a view of ``parent`` (a recorded view
    node whose output still shares its input's version counter, or a :func:`link`), else None."""
    n = t._node
    if n is not None:
        if n.is_view and n._out_vc is n.inputs[0]._vc:
            return n, n.inputs[0], False
        return None
    return linked_parent(t)


def mark_multi_output(pieces, name):
    """Mark the views returned together by ``split``/``chunk``/``unbind`` (``name``: PyTorch's name
    of the function); PyTorch refuses an in-place change of them in the graph."""
    for i, piece in enumerate(pieces):
        p = view_parent(piece)
        if p is not None:
            p[0].multi_output = (name, i)
