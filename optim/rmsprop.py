"""RMSprop: divide each step by a running root mean square of the gradients."""
from __future__ import annotations

from minigrad import Tensor

from .optimizer import Optimizer, check_beta, check_flag, check_nonnegative

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop, as PyTorch's ``RMSprop`` (and the course's, with ``beta`` for ``alpha``).

    The course's form, with :math:`s_{dW} = 0` before the first step:

    .. math::

        s_{dW} &= \beta s_{dW} + (1 - \beta)\, dW^2 \\
        W &= W - \alpha \frac{dW}{\sqrt{s_{dW}} + \varepsilon}

    (elementwise square, root and division).  PyTorch's extensions, all off by default: with
    ``weight_decay`` :math:`\lambda`, :math:`dW \leftarrow dW + \lambda W` first (the course's
    L2 term ``lambd/m * W``); ``centered`` also keeps :math:`\bar g = \beta \bar g + (1 - \beta) dW`
    and divides by :math:`\sqrt{s_{dW} - \bar g^2} + \varepsilon` instead (a variance, not a raw
    second moment); ``momentum`` :math:`\mu > 0` keeps
    :math:`b = \mu b + dW / (\sqrt{\cdot} + \varepsilon)` (from :math:`b = 0`) and steps
    :math:`W = W - \alpha b`.

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float, default 0.01
        :math:`\alpha`.
    alpha : float, default 0.99
        :math:`\beta` in [0, 1), the decay of the running mean square (PyTorch's name).
    eps : float, default 1e-8
        :math:`\varepsilon`, added outside the square root.
    momentum : float, default 0
    centered : bool, default False
    weight_decay : float, default 0
    beta : float, optional
        The course's name for ``alpha``; give one or the other.

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> w = mg.tensor([1.0], requires_grad=True)
    >>> opt = optim.RMSprop([w], lr=0.1, beta=0.9, eps=0.0)
    >>> w.grad = mg.tensor([2.0])
    >>> opt.step()                        # s = 0.1 * 4; w = 1 - 0.1 * 2 / sqrt(0.4)
    >>> round(w.item(), 4)
    0.6838
    """

    name = "RMSprop"

    def __init__(self, params, lr=0.01, alpha=None, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0,
                 *, beta=None, fused=None):
        if alpha is not None and beta is not None and alpha != beta:
            raise ValueError(f"RMSprop: alpha={alpha!r} and beta={beta!r} are the same setting (beta is the "
                             "course's name for alpha); give only one")
        alpha = alpha if alpha is not None else (beta if beta is not None else 0.99)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, momentum=momentum, centered=centered,
                                      weight_decay=weight_decay), fused=fused)

    def _check(self, group):
        for key in ("lr", "eps", "momentum", "weight_decay"):
            check_nonnegative(self.name, group, key)
        check_beta(self.name, group, "alpha", "alpha (beta)")
        check_flag(self.name, group, "centered")

    def _state_keys(self, group):
        keys = ["step", "square_avg"]
        if group["momentum"]:
            keys.append("momentum_buffer")
        if group["centered"]:
            keys.append("grad_avg")
        return tuple(keys)

    def _update(self, p, grad, state, group, kernels):
        if not state:
            for key in self._state_keys(group)[1:]:
                state[key] = Tensor.wrap(kernels.new_buffer(p.array), device=p.device)
            state["step"] = 0
        state["step"] += 1
        gavg, buf = state.get("grad_avg"), state.get("momentum_buffer")
        kernels.rmsprop(p.array, grad, state["square_avg"].array, None if gavg is None else gavg.array,
                        None if buf is None else buf.array, float(group["lr"]), float(group["alpha"]),
                        float(group["eps"]), float(group["momentum"]), float(group["weight_decay"]))
