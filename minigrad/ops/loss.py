"""Cross-entropy: the negative log-likelihood of a target distribution, and the softmax cost.

The one loss layer of the core: the fused differentiable ops (``nll``, ``softmax_cross_entropy``)
and the label checks (``check_labels``).  ``nn.functional`` gives the PyTorch-named losses
(``cross_entropy``, ``nll_loss``, reductions, class weights) on top of these, without checking
the label range again.

With log-probabilities from :func:`log_softmax`, ``nll`` is the course's softmax cost
J = -(1/m) sum_i sum_k y_ik log a_ik in one graph node (product, sums and scale together).
``softmax_cross_entropy`` is the common case in one node from the logits: (m, C) logits and m
integer labels, with the course's gradient dZ = (A - Y) / m.
"""
from __future__ import annotations

from ..device import DeviceError
from ..dtypes import get_default_dtype, to_native
from ..function import Op
from ..tensor import Tensor, as_constant_like
from ..tracing import replayed_whole
from .shape import _device_kw, _normalize_axis

__all__ = ["nll", "softmax_cross_entropy", "one_hot", "check_labels"]


class NLL(Op):
    """Negative log-likelihood of target probabilities Y under log-probabilities L, summed
    along the class axis k:

        per example (scale None):  J_i = -sum_k Y_ik L_ik           (L's shape without axis k)
        reduced:                   J = -scale * sum_i sum_k Y_ik L_ik   (a scalar)

    With upstream gradient g (g_i per example, or g times scale):  dJ/dL = -g Y,  dJ/dY = -g L,
    g broadcast along k.
    """

    def forward(self, log_probs, target, axis, scale):
        self.axis, self.scale = axis, scale
        self.save_for_backward(log_probs, target)
        xp = self.xp
        if scale is None:
            return -xp.sum(log_probs * target, axis=axis)
        return xp.sum(log_probs * target) * -scale

    def backward(self, g):
        log_probs, target = self.saved_tensors
        if self.scale is None:
            shape = tuple(log_probs.shape)
            g = -self.F.reshape(g, shape[:self.axis] + (1,) + shape[self.axis + 1:])
        else:
            g = g * -self.scale
        need_l, need_y = self.needs_input_grad
        return (target * g if need_l else None), (log_probs * g if need_y else None)


class SoftmaxCrossEntropy(Op):
    """The course's softmax cost from logits Z (m, C) and integer labels y (m,), in one node:

        per example (scale None):  J_i = log sum_k e^{Z_ik} - Z_iy_i   (= -log softmax(Z_i)_{y_i})
        reduced:                   J = scale * sum_i J_i               (scale 1/m: the mean)

    dJ/dZ = g (A - Y), with A = softmax(Z), Y the one-hot rows of y and g the upstream gradient
    (times ``scale`` when reduced): the course's dZ = A - Y.  The row maximum is subtracted
    first, so logits of +-1e4 stay finite.  The labels are the second input (no gradient), so
    changing them in place before backward raises.  Forward saves A for a backward on bare
    arrays; a backward that records its graph (``create_graph=True``) recomputes A as a
    recorded softmax of Z, so second derivatives reach Z.
    """

    def forward(self, z, labels, scale, device):
        xp = self.xp
        self.scale = scale
        shifted = z - xp.max(z, axis=1, keepdims=True)
        e = xp.exp(shifted)
        total = xp.sum(e, axis=1, keepdims=True)
        e /= total
        self.save_for_backward(z, labels, e)  # e is A, for a backward on bare arrays
        rows = xp.arange(labels.shape[0], **_device_kw(labels))
        per_example = xp.reshape(xp.log(total), (-1,)) - device.getitem(shifted, (rows, labels))
        return per_example if scale is None else xp.sum(per_example) * scale

    def backward(self, g):
        F = self.F
        z, labels, probs = self.saved_tensors
        if not self._raw:
            probs = F.softmax(z, axis=1)
        labels, xp = F.array_of(labels), self.xp
        hot = xp.reshape(labels, (-1, 1)) == xp.arange(probs.shape[1], **_device_kw(labels))  # Y
        g = F.reshape(g, (-1, 1)) if self.scale is None else g * self.scale
        return F.where(hot, probs - 1.0, probs) * g, None


def nll(log_probs, target, axis=1, scale=None):
    """-sum_k target_k * log_probs_k along ``axis``: per example, or reduced to a scalar.

    Parameters
    ----------
    log_probs : Tensor, shape (N, C, ...) with classes on ``axis`` (e.g. ``log_softmax(z, axis)``)
    target : Tensor, the same shape: probabilities (one-hot rows for labels, times class weights
        if wanted); a target that requires grad gets its gradient -g * log_probs
    axis : int
        The class axis.
    scale : float or None
        None: one value per example (the shape of ``log_probs`` without ``axis``).  A number:
        the scalar ``-scale * sum(target * log_probs)``; ``1/m`` gives the course's mean cost.

    Examples
    --------
    >>> import minigrad as mg
    >>> logp = mg.log_softmax(mg.tensor([[0.0, 0.0]]), axis=1)
    >>> round(nll(logp, mg.tensor([[1.0, 0.0]]), scale=1.0).item(), 4)   # log 2
    0.6931
    """
    for name, t in (("log_probs", log_probs), ("target", target)):
        if not isinstance(t, Tensor) or not t.dtype.is_floating_point:
            what = t.dtype if isinstance(t, Tensor) else type(t).__name__
            raise TypeError(f"nll: {name} must be a floating Tensor, got {what}")
    if log_probs.shape != target.shape:
        raise ValueError(f"nll: log_probs of shape {log_probs.shape} and target of shape {target.shape} differ; "
                         "they must be equal (one target probability per class)")
    if log_probs.ndim == 0:
        raise ValueError("nll: needs a class axis, got 0-d tensors")
    if scale is not None and scale.__class__ is not float:
        scale = float(scale)
    return NLL.apply(log_probs, target, axis=_normalize_axis(axis, log_probs.ndim, "nll"), scale=scale)


def softmax_cross_entropy(logits, labels, scale=None):
    """-log softmax(logits)[i, labels[i]] per row: the course's softmax cost, in one node.

    Parameters
    ----------
    logits : Tensor, shape (m, C) -- the course's Z[L] with examples as rows
    labels : Tensor of integers in [0, C), shape (m,)
    scale : float or None
        None: the m costs J_i.  A number: the scalar ``scale * sum_i J_i``; ``1/m`` gives the
        course's J = -(1/m) sum_i log a_{i, y_i}.

    The gradient is ``scale * (softmax(logits) - Y)`` with Y the one-hot rows of ``labels``.
    For class weights, soft targets or (N, C, d1, ...) logits use ``log_softmax`` and :func:`nll`.

    Examples
    --------
    >>> import minigrad as mg
    >>> round(softmax_cross_entropy(mg.zeros(3, 2), mg.tensor([0, 1, 1]), scale=1 / 3).item(), 4)  # log 2
    0.6931
    """
    op = "softmax_cross_entropy"
    if not isinstance(logits, Tensor) or not logits.dtype.is_floating_point:
        raise TypeError(f"{op}: logits must be a floating Tensor, got "
                        f"{logits.dtype if isinstance(logits, Tensor) else type(logits).__name__}")
    if not isinstance(labels, Tensor):
        labels = as_constant_like(labels, logits, op)
    if labels.dtype.is_floating_point or labels.dtype == "bool":
        raise TypeError(f"{op}: labels must be integers, got {labels.dtype}")
    if logits.ndim != 2 or labels.shape != logits.shape[:1] or logits.shape[1] == 0:
        raise ValueError(f"{op}: logits of shape {logits.shape} and labels of shape {labels.shape} do not fit: "
                         "expected (m, C) logits with C >= 1 and (m,) labels")
    if labels.device != logits.device:
        raise DeviceError(f"{op}: logits are on {logits.device} but labels on {labels.device}; move one with .to()")
    check_labels(labels, logits.shape[1], op)
    if scale is not None and scale.__class__ is not float:
        scale = float(scale)
    return SoftmaxCrossEntropy.apply(logits, labels, scale=scale, device=logits.device)


def one_hot(labels, num_classes, axis=-1, dtype=None):
    """The course's ``convert_to_one_hot``: Y[..., k, ...] = 1 where k == label, else 0.

    Parameters
    ----------
    labels : Tensor of integers in [0, num_classes), any shape
    num_classes : int
    axis : int
        Where the new class axis goes in the result (-1: last, 1: PyTorch's (N, C, ...) layout).
    dtype : minigrad dtype, optional
        Default: the default float dtype.

    Examples
    --------
    >>> import minigrad as mg
    >>> one_hot(mg.tensor([2, 0]), 3).numpy().tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    if not isinstance(labels, Tensor) or labels.dtype.is_floating_point or labels.dtype == "bool":
        what = labels.dtype if isinstance(labels, Tensor) else type(labels).__name__
        raise TypeError(f"one_hot: labels must be an integer Tensor, got {what}")
    check_labels(labels, num_classes, "one_hot")
    dev, data = labels.device, labels.array
    xp = dev.xp
    axis = _normalize_axis(axis, data.ndim + 1, "one_hot")
    native = to_native(dtype or get_default_dtype(), xp)
    with dev.context():  # new arrays go to the labels' GPU, not the current one
        classes = xp.reshape(xp.arange(num_classes, **_device_kw(data)), (num_classes,) + (1,) * (data.ndim - axis))
        hot = xp.expand_dims(data, axis=axis) == classes
        return Tensor._make(xp.astype(hot, native), dev, False, None)


@replayed_whole
def check_labels(labels, num_classes, op):
    """Raise a ValueError naming ``op`` unless every class label is in [0, num_classes).

    ``labels`` is an integer Tensor of any shape.  The one range check of the library: the
    fused losses here and ``one_hot`` call it, and ``nn.functional``'s label losses reach it
    through them (prefixing their own name).  Costs one reduction and one host read (read as
    unsigned integers, negative labels are huge).

    >>> import minigrad as mg
    >>> check_labels(mg.tensor([0, 2]), 3, "my_loss")          # fine: returns None
    >>> check_labels(mg.tensor([0, 3]), 3, "my_loss")
    Traceback (most recent call last):
    ...
    ValueError: my_loss: class labels must be in [0, 3), got values from 0 to 3
    """
    dev, data = labels.device, labels.array
    xp = dev.xp
    if not labels.numel():
        return
    with dev.context():
        if int(dev.to_numpy(xp.max(xp.astype(data, xp.uint64)))) < num_classes:
            return
        lo, hi = (int(dev.to_numpy(f(data))) for f in (xp.min, xp.max))
    raise ValueError(f"{op}: class labels must be in [0, {num_classes}), got values from {lo} to {hi}")
