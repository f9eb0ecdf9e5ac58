"""Gradient descent: ``SGD`` (PyTorch's, with its momentum) and ``Momentum`` (the course's)."""
from __future__ import annotations

from minigrad import Tensor

from .optimizer import Optimizer, check_beta, check_finite, check_flag, check_nonnegative

__all__ = ["SGD", "Momentum"]


def _wrap(array, p):
    return Tensor.wrap(array, device=p.device)


class SGD(Optimizer):
    r"""Gradient descent with optional momentum and weight decay, exactly as PyTorch's ``SGD``.

    Batch, mini-batch and stochastic gradient descent are the same update; they differ only in
    how many examples the gradient was averaged over (all ``m``, a mini-batch, or one).

    With gradient :math:`g_t` of parameter :math:`\theta` at step :math:`t = 1, 2, \dots`:

    .. math::

        g_t &\leftarrow g_t + \lambda \theta_{t-1}                      &\text{(weight_decay } \lambda\text{)}\\
        b_t &= g_t \text{ if } t = 1 \text{ else } \mu b_{t-1} + (1 - \tau) g_t  &\text{(momentum } \mu
               \text{, dampening } \tau\text{)}\\
        g_t &\leftarrow g_t + \mu b_t \text{ if nesterov else } b_t \\
        \theta_t &= \theta_{t-1} - \gamma g_t                            &\text{(lr } \gamma\text{)}

    so a PyTorch user's hyperparameters give the same trajectory, first step included.  Note
    that this momentum is *not* the course's ``v = beta v + (1 - beta) dW`` (see
    :class:`Momentum`): its buffer starts at the first gradient rather than at 0, and it has
    no ``(1 - beta)`` factor, so the same ``lr`` takes steps about ``1/(1 - mu)`` times larger.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters, or parameter groups (dicts with ``"params"`` and their own settings).
    lr : float, default 1e-3
        Learning rate :math:`\gamma` (the course's ``alpha``).
    momentum : float, default 0
        :math:`\mu`; 0 is plain gradient descent.
    dampening : float, default 0
        :math:`\tau`, the part of each new gradient left out of the momentum buffer.
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    weight_decay : float, default 0
        :math:`\lambda`, adds :math:`\lambda\theta` to the gradient: the course's L2
        regularisation, whose gradient term is ``lambd/m * W``, is ``weight_decay = lambd / m``
        (``m`` the number of training examples).  Unlike the course it also applies to biases
        unless they are put in a group with ``weight_decay=0``.

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> w = mg.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()          # dL/dw = 2w
    >>> opt.step()
    >>> w
    tensor([ 0.8, -1.6], dtype=float32, device='cpu', requires_grad=True)
    """

    name = "SGD"

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, *, fused=None):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                                      weight_decay=weight_decay), fused=fused)

    def _check(self, group):
        for key in ("lr", "weight_decay"):
            check_nonnegative(self.name, group, key)
        check_beta(self.name, group, "momentum")  # momentum >= 1 makes the buffer grow without bound
        check_flag(self.name, group, "nesterov")
        check_finite(self.name, group, "dampening")
        damp = group["dampening"]
        if group["nesterov"] and (group["momentum"] <= 0 or damp != 0):
            raise ValueError(f"{self.name}: nesterov=True needs momentum > 0 and dampening == 0, got "
                             f"momentum={group['momentum']!r}, dampening={damp!r}")

    def _state_keys(self, group):
        return ("momentum_buffer",) if group["momentum"] else ()

    def _update(self, p, grad, state, group, kernels):
        mu = float(group["momentum"])
        buf = state.get("momentum_buffer")
        new = kernels.sgd(p.array, grad, None if buf is None else buf.array, float(group["lr"]), mu,
                          float(group["dampening"]), group["nesterov"], float(group["weight_decay"]))
        if mu and buf is None:
            state["momentum_buffer"] = _wrap(new, p)


class Momentum(Optimizer):
    r"""The course's gradient descent with momentum: an exponentially weighted average of the
    gradients, started at zero.

    .. math::

        v_{dW} &= \beta v_{dW} + (1 - \beta)\, dW, \qquad v_{dW} = 0 \text{ before the first step}\\
        W &= W - \alpha\, v_{dW}

    (with ``weight_decay`` :math:`\lambda`, :math:`dW` is first replaced by
    :math:`dW + \lambda W`, the course's L2 term with :math:`\lambda` = ``lambd/m``).  No bias
    correction, as in the course.  This is not PyTorch's ``SGD(momentum=beta)`` (see
    :class:`SGD`), which starts its buffer at the first gradient and drops the
    :math:`(1 - \beta)`; the two agree after the first step only if ``SGD``'s learning rate is
    scaled by :math:`(1 - \beta)` and its first step is ignored.

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float, default 0.01
        :math:`\alpha`.
    beta : float, default 0.9
        :math:`\beta` in [0, 1): the average covers about :math:`1/(1 - \beta)` gradients.
    weight_decay : float, default 0

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> w = mg.tensor([1.0], requires_grad=True)
    >>> opt = optim.Momentum([w], lr=1.0, beta=0.9)
    >>> w.grad = mg.tensor([1.0])
    >>> opt.step()                        # v = 0.1, w = 1 - 0.1
    >>> w
    tensor([0.9], dtype=float32, device='cpu', requires_grad=True)
    """

    name = "Momentum"

    def __init__(self, params, lr=0.01, beta=0.9, weight_decay=0.0, *, fused=None):
        super().__init__(params, dict(lr=lr, beta=beta, weight_decay=weight_decay), fused=fused)

    def _check(self, group):
        check_nonnegative(self.name, group, "lr")
        check_nonnegative(self.name, group, "weight_decay")
        check_beta(self.name, group, "beta")

    def _state_keys(self, group):
        return ("velocity",)

    def _update(self, p, grad, state, group, kernels):
        v = state.get("velocity")
        if v is None:
            v = state["velocity"] = _wrap(kernels.new_buffer(p.array), p)
        kernels.momentum(p.array, grad, v.array, float(group["lr"]), float(group["beta"]),
                         float(group["weight_decay"]))
