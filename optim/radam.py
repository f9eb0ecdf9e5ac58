"""RAdam: Adam whose adaptive step is switched on gradually, as its variance estimate settles."""
from __future__ import annotations

from .adam import _betas
from .adamax import check_adam_like, init_state
from .optimizer import check_flag, Optimizer

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al., 2019), exactly as PyTorch's ``RAdam``.

    With :math:`m = v = 0` before the first step, :math:`t = 1, 2, \dots` counting steps and
    :math:`\rho_\infty = 2 / (1 - \beta_2) - 1`:

    .. math::

        m &= \beta_1 m + (1 - \beta_1)\, g, \qquad v = \beta_2 v + (1 - \beta_2)\, g^2,
            \qquad \hat m = m / (1 - \beta_1^t) \\
        \rho_t &= \rho_\infty - 2 t \beta_2^t / (1 - \beta_2^t) \\
        \theta &= \theta - \gamma\, \hat m\, r_t\, \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v} + \varepsilon}
            \quad\text{if } \rho_t > 5, \qquad \text{else } \theta = \theta - \gamma\, \hat m \\
        r_t &= \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}

    Weight decay :math:`\lambda`: :math:`g \leftarrow g + \lambda\theta` first (L2), or with
    ``decoupled_weight_decay=True`` :math:`\theta \leftarrow \theta (1 - \gamma\lambda)` first.
    With the default :math:`\beta_2 = 0.999` the first 5 steps are plain momentum steps.

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    decoupled_weight_decay : bool, default False

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> w = mg.tensor([0.0], dtype="float64", requires_grad=True)
    >>> opt = optim.RAdam([w], lr=0.1)
    >>> w.grad = mg.tensor([5.0], dtype="float64")
    >>> opt.step()                        # rho_1 = 1 <= 5: w = 0 - 0.1 * m_hat = -0.1 * 5
    >>> round(w.item(), 12)
    -0.5
    """

    name = "RAdam"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False, *, fused=None):
        betas = _betas(self.name, betas, None, None)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay), fused=fused)

    def _check(self, group):
        check_adam_like(self.name, group)
        check_flag(self.name, group, "decoupled_weight_decay")

    def _state_keys(self, group):
        return ("step", "exp_avg", "exp_avg_sq")

    def _update(self, p, grad, state, group, kernels):
        if not state:
            init_state(state, p, kernels, ("exp_avg", "exp_avg_sq"))
        state["step"] += 1
        beta1, beta2 = group["betas"]
        kernels.radam(p.array, grad, state["exp_avg"].array, state["exp_avg_sq"].array, state["step"],
              float(group["lr"]), float(beta1), float(beta2), float(group["eps"]), float(group["weight_decay"]),
              group["decoupled_weight_decay"])
