"""Adam (momentum + RMSprop with bias correction) and AdamW (decoupled weight decay)."""
from __future__ import annotations

from minigrad import Tensor

from .optimizer import Optimizer, check_beta, check_flag, check_nonnegative

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam, as in the course and PyTorch's ``Adam``.

    With :math:`v = s = 0` before the first step and :math:`t = 1, 2, \dots` counting steps:

    .. math::

        v_{dW} &= \beta_1 v_{dW} + (1 - \beta_1)\, dW \\
        s_{dW} &= \beta_2 s_{dW} + (1 - \beta_2)\, dW^2 \\
        \hat v_{dW} &= v_{dW} / (1 - \beta_1^t), \qquad \hat s_{dW} = s_{dW} / (1 - \beta_2^t) \\
        W &= W - \alpha \frac{\hat v_{dW}}{\sqrt{\hat s_{dW}} + \varepsilon}

    (the course's equations, and PyTorch's: :math:`\varepsilon` outside the square root).
    ``amsgrad`` uses :math:`\max` of all :math:`s_{dW}` so far in place of :math:`s_{dW}`.
    On NumPy the last line is computed as Kingma & Ba's equivalent
    :math:`W = W - \alpha_t v / (\sqrt{s} + \hat\varepsilon)` with
    :math:`\alpha_t = \alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)`,
    :math:`\hat\varepsilon = \varepsilon\sqrt{1-\beta_2^t}` (the same values up to rounding, one
    pass less); on CuPy the whole update is one fused kernel.

    ``weight_decay`` :math:`\lambda` adds :math:`\lambda W` to :math:`dW` first (L2
    regularisation: the course's ``lambd/m * W`` term is ``weight_decay = lambd / m``); the
    decay is then rescaled by Adam like the rest of the gradient, see :class:`AdamW` for the
    decoupled form.

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float, default 1e-3
        :math:`\alpha`.
    betas : (float, float), default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps : float, default 1e-8
        :math:`\varepsilon`.
    weight_decay : float
        :math:`\lambda` (see above).
    amsgrad : bool, default False
    beta1, beta2 : float, optional
        The course's names; each overrides its half of ``betas``.

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> w = mg.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = optim.Adam([w], lr=0.1)
    >>> w.grad = mg.tensor([3.0, -0.001])
    >>> opt.step()                        # the first step moves every weight by about lr
    >>> w
    tensor([ 0.9, -0.9], dtype=float32, device='cpu', requires_grad=True)
    """

    name = "Adam"
    _decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, *,
                 beta1=None, beta2=None, fused=None):
        betas = _betas(self.name, betas, beta1, beta2)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad),
                         fused=fused)

    def _check(self, group):
        for key in ("lr", "eps", "weight_decay"):
            check_nonnegative(self.name, group, key)
        check_flag(self.name, group, "amsgrad")
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{self.name}: betas must be a pair (beta1, beta2), got {betas!r}")
        check_beta(self.name, {"betas[0] (beta1)": betas[0]}, "betas[0] (beta1)")
        check_beta(self.name, {"betas[1] (beta2)": betas[1]}, "betas[1] (beta2)")

    def _state_keys(self, group):
        keys = ("step", "exp_avg", "exp_avg_sq")
        return keys + ("max_exp_avg_sq",) if group["amsgrad"] else keys

    def _update(self, p, grad, state, group, kernels):
        if not state:
            for key in self._state_keys(group)[1:]:
                state[key] = Tensor.wrap(kernels.new_buffer(p.array), device=p.device)
            state["step"] = 0
        state["step"] += 1
        beta1, beta2 = group["betas"]
        vmax = state.get("max_exp_avg_sq")
        kernels.adam(p.array, grad, state["exp_avg"].array, state["exp_avg_sq"].array,
                     None if vmax is None else vmax.array, state["step"], float(group["lr"]), float(beta1),
                     float(beta2), float(group["eps"]), float(group["weight_decay"]), self._decoupled)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter), as PyTorch's ``AdamW``.

    Each step first shrinks the weights, :math:`W = W (1 - \alpha\lambda)`, then takes the
    Adam step below on the plain gradient, so the decay is not rescaled by
    :math:`1/\sqrt{\hat s}` as L2 regularisation inside :class:`Adam` is.

    With :math:`v = s = 0` before the first step and :math:`t = 1, 2, \dots` counting steps:

    .. math::

        v_{dW} &= \beta_1 v_{dW} + (1 - \beta_1)\, dW \\
        s_{dW} &= \beta_2 s_{dW} + (1 - \beta_2)\, dW^2 \\
        \hat v_{dW} &= v_{dW} / (1 - \beta_1^t), \qquad \hat s_{dW} = s_{dW} / (1 - \beta_2^t) \\
        W &= W - \alpha \frac{\hat v_{dW}}{\sqrt{\hat s_{dW}} + \varepsilon}

    (the course's equations, and PyTorch's: :math:`\varepsilon` outside the square root).
    ``amsgrad`` uses :math:`\max` of all :math:`s_{dW}` so far in place of :math:`s_{dW}`.
    On NumPy the last line is computed as Kingma & Ba's equivalent
    :math:`W = W - \alpha_t v / (\sqrt{s} + \hat\varepsilon)` with
    :math:`\alpha_t = \alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)`,
    :math:`\hat\varepsilon = \varepsilon\sqrt{1-\beta_2^t}` (the same values up to rounding, one
    pass less); on CuPy the whole update is one fused kernel.

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float, default 1e-3
        :math:`\alpha`.
    betas : (float, float), default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps : float, default 1e-8
        :math:`\varepsilon`.
    weight_decay : float, default 0.01
        :math:`\lambda` (see above).
    amsgrad : bool, default False
    beta1, beta2 : float, optional
        The course's names; each overrides its half of ``betas``.

    Examples
    --------
    >>> import minigrad as mg, optim
    >>> w = mg.tensor([1.0], requires_grad=True)
    >>> opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = mg.tensor([0.0])
    >>> opt.step()                        # a zero gradient still decays: w = 1 * (1 - 0.05)
    >>> w
    tensor([0.95], dtype=float32, device='cpu', requires_grad=True)
    """

    name = "AdamW"
    _decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 beta1=None, beta2=None, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         beta1=beta1, beta2=beta2, fused=fused)


def _betas(name, betas, beta1, beta2):
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
    return (betas[0] if beta1 is None else beta1, betas[1] if beta2 is None else beta2)
