"""Adagrad: each weight's step divided by the root of its summed squared gradients."""
from __future__ import annotations

from minigrad import Tensor

from .optimizer import Optimizer, check_nonnegative

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), exactly as PyTorch's ``Adagrad``.

    With :math:`G = G_0` (``initial_accumulator_value``, everywhere) before the first step and
    :math:`t = 1, 2, \dots` counting steps:

    .. math::

        \tilde\gamma &= \gamma / (1 + (t - 1)\,\eta)     &\text{(lr } \gamma\text{, lr\_decay } \eta\text{)}\\
        g &\leftarrow g + \lambda \theta                 &\text{(weight\_decay } \lambda\text{, L2)}\\
        G &= G + g^2 \\
        \theta &= \theta - \tilde\gamma\, g / (\sqrt{G} + \varepsilon)

    (elementwise; :math:`\varepsilon` outside the square root, as in PyTorch).

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float, default 0.01
    lr_decay : float, default 0
    weight_decay : float, default 0
    initial_accumulator_value : float, default 0
    eps : float, default 1e-10

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> w = mg.tensor([1.0], dtype="float64", requires_grad=True)
    >>> opt = optim.Adagrad([w], lr=0.5, eps=0.0)
    >>> w.grad = mg.tensor([2.0], dtype="float64")
    >>> opt.step()                        # G = 4; w = 1 - 0.5 * 2 / 2
    >>> w.item()
    0.5
    """

    name = "Adagrad"

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, *,
                 fused=None):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps), fused=fused)

    def _check(self, group):
        for key in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_nonnegative(self.name, group, key)

    def _state_keys(self, group):
        return ("step", "sum")

    def _update(self, p, grad, state, group, kernels):
        if not state:
            buf = kernels.new_buffer(p.array)
            if group["initial_accumulator_value"]:
                buf[...] = float(group["initial_accumulator_value"])
            state["step"] = 0
            state["sum"] = Tensor.wrap(buf, device=p.device)
        state["step"] += 1
        kernels.adagrad(p.array, grad, state["sum"].array, state["step"], float(group["lr"]),
                float(group["lr_decay"]), float(group["eps"]), float(group["weight_decay"]))
