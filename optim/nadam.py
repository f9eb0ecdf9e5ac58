"""NAdam: Adam with Nesterov momentum and a warming momentum schedule."""
from __future__ import annotations

from .adam import _betas
from .adamax import check_adam_like, init_state
from .optimizer import check_flag, check_nonnegative, Optimizer

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), exactly as PyTorch's ``NAdam``.

    With :math:`m = v = 0`, :math:`\Pi = 1` before the first step, :math:`t = 1, 2, \dots`
    counting steps and :math:`\psi` = ``momentum_decay``:

    .. math::

        \mu_t &= \beta_1 (1 - \tfrac12\, 0.96^{t\psi}), \qquad
            \mu_{t+1} = \beta_1 (1 - \tfrac12\, 0.96^{(t+1)\psi}), \qquad \Pi = \Pi\, \mu_t \\
        m &= \beta_1 m + (1 - \beta_1)\, g, \qquad v = \beta_2 v + (1 - \beta_2)\, g^2 \\
        \hat m &= \frac{\mu_{t+1}\, m}{1 - \Pi \mu_{t+1}} + \frac{(1 - \mu_t)\, g}{1 - \Pi},
            \qquad \hat v = v / (1 - \beta_2^t) \\
        \theta &= \theta - \gamma\, \hat m / (\sqrt{\hat v} + \varepsilon)

    Weight decay :math:`\lambda`: :math:`g \leftarrow g + \lambda\theta` first (L2), or with
    ``decoupled_weight_decay=True`` :math:`\theta \leftarrow \theta (1 - \gamma\lambda)` first
    (NAdamW).  The state keeps ``mu_product`` (:math:`\Pi`) as a Python float.

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float, default 2e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum_decay : float, default 4e-3
    decoupled_weight_decay : bool, default False

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> w = mg.tensor([0.0], dtype="float64", requires_grad=True)
    >>> opt = optim.NAdam([w], lr=0.1)
    >>> w.grad = mg.tensor([5.0], dtype="float64")
    >>> opt.step()                        # about lr: (1 - mu_1) / (1 - Pi) + mu_2 * 0.1 / (1 - Pi mu_2)
    >>> round(w.item(), 6)
    -0.105645
    """

    name = "NAdam"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, fused=None):
        betas = _betas(self.name, betas, None, None)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay), fused=fused)

    def _check(self, group):
        check_adam_like(self.name, group)
        check_nonnegative(self.name, group, "momentum_decay")
        check_flag(self.name, group, "decoupled_weight_decay")

    def _state_keys(self, group):
        return ("step", "mu_product", "exp_avg", "exp_avg_sq")

    def _update(self, p, grad, state, group, kernels):
        if not state:
            init_state(state, p, kernels, ("exp_avg", "exp_avg_sq"), mu_product=1.0)
        state["step"] += 1
        beta1, beta2 = group["betas"]
        state["mu_product"] = kernels.nadam(
            p.array, grad, state["exp_avg"].array, state["exp_avg_sq"].array, state["step"],
            float(state["mu_product"]), float(group["lr"]), float(beta1), float(beta2), float(group["eps"]),
            float(group["weight_decay"]), float(group["momentum_decay"]), group["decoupled_weight_decay"])
