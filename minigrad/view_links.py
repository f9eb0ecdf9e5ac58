"""Which tensor a view was made from, for views made without recording a node.

A view op (reshape, permute, expand, basic indexing, diagonal ...) that records a node keeps its
input in ``node.inputs[0]``.  One run without recording -- its input needs no grad, or grad mode
is off -- records nothing, yet an in-place op on the view must still reach the tensor it views:
``buf = mg.zeros(4); buf[1:3].add_(w)`` with ``w`` requiring grad gives ``buf`` a history through
the view (PyTorch's CopySlices), and ``with no_grad(): v = w[0]`` followed by an in-place change
of ``v`` in grad mode is refused as in PyTorch.  So ``Function.apply`` calls :func:`link` for
such a view: the view keeps its input alive (as PyTorch's ``Tensor._base``) and the node that
made it, until the view itself is collected.

On the Tensor's floor: it imports nothing from minigrad.
"""
from __future__ import annotations

import weakref

__all__ = ["link", "linked_parent", "view_parent", "mark_multi_output"]

_LINKS: dict = {}  # id(view) -> (weakref to the view, the tensor it views, the node that made it, grad mode off)


def link(view, parent, node, no_grad):
    """Remember that ``view`` (made by ``node``, not recorded in the graph) views ``parent``;
    ``no_grad``: it was made with grad mode off."""
    key = id(view)
    _LINKS[key] = (weakref.ref(view, lambda _, k=key: _LINKS.pop(k, None)), parent, node, no_grad)


def linked_parent(view):
    """``(node, parent, made_with_grad_mode_off)`` for a view remembered by :func:`link` that still
    shares ``parent``'s storage (its version counter), else None."""
    entry = _LINKS.get(id(view))
    if entry is None or entry[0]() is not view or view._vc is not entry[1]._vc:
        return None
    return entry[2], entry[1], entry[3]


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
