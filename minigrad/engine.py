"""The backward pass: order the graph once, walk it in reverse, accumulate gradients.

The floor above the ops: everything about running backward lives here -- the order of the
walk, the two run modes (bare arrays, or Tensors that record a graph with ``create_graph``),
calling each node's ``backward`` with the helper functions ``F`` of its mode, and fitting each
gradient to its input's shape and dtype.

The walk is iterative (an explicit stack, no recursion), so a chain of 10^5+ ops works, and it
touches each node and edge once: time linear in the size of the graph.
"""
from __future__ import annotations

import weakref

from .function import BackwardError
from .function_support import check_finite
from .modes import STATE
from .ops.backward_ops import _ARRAY_OPS, TENSOR_OPS, array_ops
from .tensor import Tensor

__all__ = ["backward", "grad"]


def _topological_order(roots):
    """Nodes reachable from ``roots``, each after every node that consumes its output."""
    order, visited = [], set()  # nodes hash by identity
    for root in roots:
        if root is None or root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root._in_nodes))]
        while stack:
            node, it = stack[-1]
            for child in it:  # the inputs' nodes as they were when node was recorded
                if child is not None and child not in visited:
                    visited.add(child)
                    stack.append((child, iter(child._in_nodes)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def _run(roots, root_grads, retain_graph, create_graph, targets=None):
    """Propagate ``root_grads`` from ``roots`` (Tensors) back through the graph.

    With ``targets`` None, gradients of leaves are accumulated into ``leaf.grad``; otherwise the
    gradients of the given tensors are returned (``grad()``) and no ``.grad`` is touched.

    Without ``create_graph`` the gradients travel as bare arrays (each op's backward runs on
    arrays, see ``Function.raw_backward``) and become Tensors only where they land; with it
    they are Tensors and every step of the walk is recorded.
    """
    raw = not create_graph
    mode = ARRAYS if raw else TENSORS
    pending = {}  # node -> gradient of its output (array if raw, else Tensor)
    leaf_grads = {}  # id(leaf) -> [leaf, gradient]
    passed = _Held()  # gradient arrays someone else holds or held: never stolen by a leaf
    wanted = None if targets is None else {id(t): i for i, t in enumerate(targets)}
    found = [None] * (0 if targets is None else len(targets))
    owned = set()  # ids of sums this pass allocated: safe to add into in place

    def add(a, b):
        """a + b for two gradients of one tensor: recorded with create_graph, else in place
        into a buffer this pass owns."""
        if not raw:
            return a + b
        if id(a) in owned:
            a += b
            return a
        s = a + b
        owned.add(id(s))
        return s

    def deliver(t, node, g):
        """Hand ``g`` to tensor ``t``, made by ``node`` (None for a leaf) when it was used."""
        if wanted is not None and id(t) in wanted and node is t._node:  # not an overwritten value
            i = wanted[id(t)]
            found[i] = g if found[i] is None else add(found[i], g)
            if node is None:
                return
        if node is None:
            if wanted is None and t._rg:
                entry = leaf_grads.get(id(t))
                if entry is None:
                    leaf_grads[id(t)] = [t, g]
                else:
                    entry[1] = add(entry[1], g)
            return
        prev = pending.get(node)
        pending[node] = g if prev is None else add(prev, g)

    for r, g in zip(roots, root_grads):
        _mark(passed, g.array, with_base=True)  # the caller's: no leaf buffer may view its memory
        deliver(r, r._node, g.array if raw else g)
    order = _topological_order([r._node for r in roots])
    prev_mode = STATE.grad
    STATE.grad = create_graph
    try:
        for node in order:
            g = pending.pop(node, None)
            if g is None:
                continue
            if owned:
                owned.discard(id(g))  # its backward may hand g itself to several inputs (add: g, g)
            if node._retained is not None:
                _retain(node, g, raw)
            grads = node_gradients(node, g, mode)
            if not retain_graph:
                node._saved = None  # frees what the node saved; a second backward raises
            for t, child, gi in zip(node.inputs, node._in_nodes, grads):
                if gi is None:
                    continue
                if gi is g:  # handed on as it is (add, clone): may reach several holders
                    passed.add(g if raw else g.array)
                if child is not None and wanted is None:  # the common case, inlined
                    prev = pending.get(child)
                    pending[child] = gi if prev is None else add(prev, gi)
                else:
                    deliver(t, child, gi)
    finally:
        STATE.grad = prev_mode
    if wanted is not None:
        return [_tensor_like(t, g) if raw and g is not None else g for t, g in zip(targets, found)]
    for leaf, g in leaf_grads.values():
        _accumulate(leaf, g, passed, create_graph)
    return None


# ----- one node's backward, in either mode ----------------------------------------------------
class Mode:
    """How gradients travel in one run of the engine, and how each is fitted to its input.

    ``ARRAYS`` (``create_graph=False``): bare arrays; built-in ops (``raw_backward``) run
    their backward on them with the array functions ``F`` of the inputs' namespace.
    ``TENSORS`` (``create_graph=True``, and any Function without ``raw_backward``): Tensors,
    with ``F`` the Tensor functions, so the backward is recorded.  ``fit(node, g, t)`` makes a
    gradient ``g`` returned for input ``t`` match it: the mode's kind, summed over broadcast
    axes, cast to ``t``'s dtype.
    """

    __slots__ = ("raw", "fit")

    def __init__(self, raw):
        self.raw = raw
        self.fit = self._fit

    def _fit(self, node, g, t):
        data, raw = t.array, self.raw
        if raw and g.__class__ is not data.__class__:
            g = t._device.asarray(g)
        elif not raw and not isinstance(g, Tensor):
            g = Tensor._make(t._device.asarray(g), t._device, False, None)
        F = array_ops(node.xp) if raw else TENSOR_OPS
        shape = (g if raw else g.array).shape
        if shape != data.shape:
            if len(data.shape) > len(shape) or not all(s in (1, n) for s, n in zip(data.shape[::-1], shape[::-1])):
                raise BackwardError(
                    f"{node.name}.backward returned a gradient of shape {tuple(shape)} for an input "
                    f"of shape {tuple(data.shape)}; they are not broadcast-compatible")
            g = F.sum_to(g, data.shape)
        if (g if raw else g.array).dtype != data.dtype:
            g = F.cast(g, data.dtype)
        return g

    def copy(self, node, g):
        """A gradient that is an array the graph holds, as a copy of it."""
        if self.raw:
            return node.xp.asarray(g, copy=True)
        return Tensor._make(node.xp.asarray(g.array, copy=True), g._device, False, None) if not g._rg else g * 1.0


ARRAYS, TENSORS = Mode(True), Mode(False)


def node_gradients(node, g, mode):
    """The gradient for each input of ``node`` (None where none is needed) from the gradient
    ``g`` of its output, each fitted to its input; arrays or Tensors as ``mode`` says.

    The node's ``F`` is the mode's functions during the call of ``backward``; anomaly checks stay
    off inside it (they check this op's gradients afterwards, not the ops its backward runs).
    """
    if node._saved is None:
        node.saved_tensors  # raises the "second time" error
    inputs = node.inputs
    raw = mode.raw
    if raw and node.raw_backward:
        try:
            node._raw = _ARRAY_OPS[node.xp]  # also its F (see Function.F)
        except KeyError:
            node._raw = array_ops(node.xp)
        try:
            if inputs[0]._device.type == "cuda":
                with inputs[0]._device.native:
                    grads = node.backward(g)
            else:
                grads = node.backward(g)
        finally:
            node._raw = False
        needs = node.needs_input_grad
    elif raw:  # written for Tensors: wrap, run, unwrap
        grads = node_gradients(node, Tensor._make(g, inputs[0]._device, False, None), TENSORS)
        return [None if x is None else x.array for x in grads]
    else:
        grads = _tensor_backward(node, g)
        needs = node._input_needs if node._ctx_form else node.needs_input_grad
    if grads.__class__ is not tuple or len(grads) != len(inputs):
        grads = node._one_per_input(grads)
    anomaly = STATE.anomaly
    out = []
    for t, need, gi in zip(inputs, needs, grads):
        if not need or gi is None:
            out.append(None)
            continue
        data = t.array
        d = gi if raw else gi.array if gi.__class__ is Tensor else None
        if d is None or d.__class__ is not data.__class__ or d.shape != data.shape or d.dtype != data.dtype:
            gi = mode.fit(node, gi, t)
            d = gi if raw else gi.array
        for held in inputs:  # a gradient must never be an array the graph holds
            if d is held.array:
                gi = mode.copy(node, gi)
                d = gi if raw else gi.array
                break
        if anomaly:
            check_finite(node, d, "backward", inputs)
        out.append(gi)
    return out


def _tensor_backward(node, g):
    """``backward`` on Tensors (``F`` = the Tensor functions), either form of Function."""
    node._tensor_fns = TENSOR_OPS
    anomaly = STATE.anomaly
    if anomaly:
        STATE.anomaly = False
    try:
        return node._ctx_backward(g) if node._ctx_form else node.backward(g)
    finally:
        if anomaly:
            STATE.anomaly = True


def _tensor_like(t, array):
    return Tensor._make(array, t._device, False, None)


def _retain(node, g, raw):
    """Add ``g`` to ``.grad`` of the non-leaf tensor that called ``retain_grad()``."""
    t = node._retained()
    if t is None:
        return
    if raw:
        g = Tensor._make(g, t._device, False, None)
    t.grad = t.grad + g if t.grad is not None else _copy(g) if raw else g


class _Held:
    """A set of arrays by identity that does not keep them alive (an id alone could be
    reused by a new array once the old one is freed, making a fresh gradient look held)."""

    __slots__ = ("refs",)

    def __init__(self):
        self.refs = {}

    def add(self, array):
        try:
            self.refs[id(array)] = weakref.ref(array)
        except TypeError:  # an array type without weak references: hold it
            self.refs[id(array)] = (lambda a: lambda: a)(array)

    def __contains__(self, array):
        ref = self.refs.get(id(array))
        return ref is not None and ref() is array


def _mark(passed, array, with_base=False):
    """Remember that ``array`` (and, with ``with_base``, the memory it views) has a holder.

    Marked: the root gradients (the caller keeps them), gradients a node hands on unchanged
    (``add`` gives its one upstream gradient to both inputs), and, with their base, arrays kept
    as leaf buffers or retained grads (no second buffer may view the same memory).  Any other
    gradient reaches exactly one place -- the node that consumes it -- so one view of it may
    become a leaf's buffer without a copy.
    """
    passed.add(array)
    if with_base:
        base = getattr(array, "base", None)
        if base is not None:
            passed.add(base)


def _copy(g):
    """A gradient the user may keep and modify: it must not alias one handed elsewhere."""
    return Tensor._make(g._device.xp.asarray(g.array, copy=True), g._device, False, None)


def _accumulate(leaf, g, passed, create_graph):
    """leaf.grad += g, into a buffer the engine owns (never an alias of another gradient).

    ``g`` is a Tensor with ``create_graph``, else a bare array.
    """
    if create_graph:
        leaf.grad = g if leaf.grad is None else leaf.grad + g
        return
    if leaf.grad is None:
        data = g
        base = getattr(data, "base", None)
        owner = data if base is None else base
        if (data in passed or owner in passed or leaf._device.type == "strict"
                or 0 in data.strides or not getattr(data.flags, "writeable", True)):  # broadcast views
            data = leaf._device.xp.asarray(data, copy=True)  # (strict arrays hide whether they are views)
        _mark(passed, data, with_base=True)
        leaf.grad = Tensor._make(data, leaf._device, False, None)
    else:
        buf = leaf.grad
        if buf._rg or buf.array.shape != g.shape or buf.array.dtype != g.dtype:
            leaf.grad = buf + _tensor_like(leaf, g)
        else:
            buf.array += g
            buf._vc[0] += 1


def _seed_gradients(tensors, gradients, op):
    if len(gradients) != len(tensors):  # PyTorch refuses too; zip would silently drop outputs
        raise BackwardError(f"{op}: {len(tensors)} tensors but {len(gradients)} gradient"
                            f"{'' if len(gradients) == 1 else 's'}; pass one gradient per tensor (None for a scalar)")
    out = []
    for t, g in zip(tensors, gradients):
        if not t._rg:
            raise BackwardError(
                f"{op}: tensor of shape {tuple(t.shape)} does not require grad and has no grad_fn; "
                "nothing to differentiate (did you forget requires_grad=True, or run under no_grad?)")
        if g is None:
            if t.array.size != 1:
                raise BackwardError(
                    f"{op}: grad can be implicitly created only for scalar outputs, but the tensor "
                    f"has shape {tuple(t.shape)}; pass gradient= with that shape (e.g. ones_like)")
            g = Tensor._make(t._device.xp.ones_like(t.array), t._device, False, None)
        else:
            if not isinstance(g, Tensor):
                g = Tensor._make(t._device.asarray(g, dtype=t.array.dtype), t._device, False, None)
            if tuple(g.shape) != tuple(t.shape):
                raise BackwardError(
                    f"{op}: gradient has shape {tuple(g.shape)} but the tensor has shape {tuple(t.shape)}")
            if g._device is not t._device:
                raise BackwardError(
                    f"{op}: gradient is on {g._device} but the tensor is on {t._device}")
            if g.array.dtype != t.array.dtype:  # as every op's gradient: cast to the tensor's dtype
                g = g.to(dtype=t.array.dtype)
        out.append(g)
    return out


def backward(tensors, gradients=None, retain_graph=False, create_graph=False):
    """Accumulate d(tensors)/d(leaf) * gradients into ``leaf.grad`` for every leaf that requires grad."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
        gradients = [gradients]
    tensors = list(tensors)
    gradients = [None] * len(tensors) if gradients is None else list(gradients)
    seeds = _seed_gradients(tensors, gradients, "backward")
    _run(tensors, seeds, retain_graph or create_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` untouched).

    Like ``torch.autograd.grad``: with ``create_graph=True`` the result is differentiable.
    """
    single = isinstance(outputs, Tensor)
    outputs = [outputs] if single else list(outputs)
    inputs_list = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    seeds = _seed_gradients(outputs, list(grad_outputs), "grad")
    retain = create_graph if retain_graph is None else retain_graph
    unique = list({id(t): t for t in inputs_list}.values())  # a tensor listed twice is one target
    found = dict(zip(map(id, unique), _run(outputs, seeds, retain, create_graph, targets=unique)))
    found = [found[id(t)] for t in inputs_list]  # ... and gets its gradient in every slot, as in PyTorch
    for t, g in zip(inputs_list, found):
        if g is None and not allow_unused:
            raise BackwardError(
                f"grad: an input of shape {tuple(t.shape)} was not used to compute the outputs; "
                "pass allow_unused=True to get None for it")
    return tuple(found)
