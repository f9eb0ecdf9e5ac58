"""Adamax: Adam with the infinity norm of past gradients in place of their root mean square."""
from __future__ import annotations

from minigrad import Tensor

from .adam import _betas
from .optimizer import Optimizer, check_beta, check_nonnegative

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, section 7), exactly as PyTorch's ``Adamax``.

    With :math:`m = u = 0` before the first step and :math:`t = 1, 2, \dots` counting steps:

    .. math::

        g &\leftarrow g + \lambda \theta                         &\text{(weight\_decay } \lambda\text{, L2)}\\
        m &= \beta_1 m + (1 - \beta_1)\, g \\
        u &= \max(\beta_2 u,\ |g| + \varepsilon) \\
        \theta &= \theta - \frac{\gamma}{1 - \beta_1^t} \frac{m}{u}

    (elementwise; PyTorch adds :math:`\varepsilon` inside the maximum, so :math:`u > 0`).

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float, default 2e-3
        :math:`\gamma`.
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> w = mg.tensor([1.0], dtype="float64", requires_grad=True)
    >>> opt = optim.Adamax([w], lr=0.1, eps=0.0)
    >>> w.grad = mg.tensor([-3.0], dtype="float64")
    >>> opt.step()                        # m = -0.3, u = 3: w = 1 + 0.1 / 0.1 * 0.1
    >>> round(w.item(), 12)
    1.1
    """

    name = "Adamax"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *, fused=None):
        betas = _betas(self.name, betas, None, None)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay), fused=fused)

    def _check(self, group):
        check_adam_like(self.name, group)

    def _state_keys(self, group):
        return ("step", "exp_avg", "exp_inf")

    def _update(self, p, grad, state, group, kernels):
        if not state:
            init_state(state, p, kernels, ("exp_avg", "exp_inf"))
        state["step"] += 1
        beta1, beta2 = group["betas"]
        kernels.adamax(p.array, grad, state["exp_avg"].array, state["exp_inf"].array, state["step"],
               float(group["lr"]), float(beta1), float(beta2), float(group["eps"]), float(group["weight_decay"]))


def check_adam_like(name, group):
    """lr, eps, weight_decay >= 0 and betas a pair in [0, 1) (shared by Adamax, NAdam, RAdam)."""
    for key in ("lr", "eps", "weight_decay"):
        check_nonnegative(name, group, key)
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
    check_beta(name, {"betas[0] (beta1)": betas[0]}, "betas[0] (beta1)")
    check_beta(name, {"betas[1] (beta2)": betas[1]}, "betas[1] (beta2)")


def init_state(state, p, kernels, buffers, **scalars):
    """A fresh state: ``step`` 0, zero buffers named ``buffers`` shaped like ``p``, ``scalars``."""
    state["step"] = 0
    state.update(scalars)
    for key in buffers:
        state[key] = Tensor.wrap(kernels.new_buffer(p.array), device=p.device)
