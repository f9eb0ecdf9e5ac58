"""Weight initialisers, in place and seedable (``mg.manual_seed`` or a ``generator=``).

For a weight W[l] of shape (n[l], n[l-1]) = (fan_out, fan_in):

=======================  ===================================  ===================================
function                 values                               course / PyTorch name
=======================  ===================================  ===================================
``zeros_``               0                                    "zeros" (fails to break symmetry)
``scaled_normal_``       randn * scale (0.01, or 10)          "random" / "large random" init
``kaiming_normal_``      randn * gain / sqrt(n[l-1])          He: randn * sqrt(2 / n[l-1]) (ReLU)
``kaiming_uniform_``     U(-b, b), b = gain sqrt(3 / n[l-1])  He uniform; PyTorch's Linear default
                                                              with a = sqrt(5)
``xavier_normal_``       randn * sqrt(2 / (n[l-1] + n[l]))    Glorot; ``mode='fan_in'`` gives the
                                                              course's Xavier sqrt(1 / n[l-1])
``xavier_uniform_``      U(-b, b), b = sqrt(6/(n[l-1]+n[l]))  Glorot uniform
=======================  ===================================  ===================================

Each function fills ``tensor`` in place (without recording a graph) and returns it.

>>> import minigrad as mg, nn
>>> mg.manual_seed(0)
>>> w = nn.init.kaiming_normal_(mg.zeros(256, 512))     # He: std sqrt(2 / 512) = 0.0625
>>> round(float(w.numpy().std()), 2)
0.06
"""
from __future__ import annotations

import math

import minigrad as mg

__all__ = ["calculate_gain", "zeros_", "ones_", "constant_", "normal_", "uniform_", "scaled_normal_",
           "kaiming_normal_", "kaiming_uniform_", "he_normal_", "he_uniform_", "xavier_normal_",
           "xavier_uniform_", "lecun_normal_", "init_linear", "LINEAR_INITS"]


def calculate_gain(nonlinearity, param=None):
    """The gain that keeps activations' variance stable through ``nonlinearity``.

    linear/identity/sigmoid: 1;  tanh: 5/3;  relu: sqrt(2);  leaky_relu with slope a: sqrt(2/(1+a^2)).
    """
    if nonlinearity in ("linear", "identity", "sigmoid", "conv1d", "conv2d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        a = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + a * a))
    if nonlinearity == "selu":
        return 0.75
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; expected linear, identity, "
                     "sigmoid, tanh, relu, leaky_relu or selu")


def _fans(t, op):
    """(fan_in, fan_out) of a weight (out, in, *kernel): n[l-1] * k and n[l] * k."""
    if t.ndim < 2:
        raise ValueError(f"{op}: needs a weight with at least 2 dimensions (out, in), got shape {t.shape}")
    receptive = 1
    for n in t.shape[2:]:
        receptive *= n
    return t.shape[1] * receptive, t.shape[0] * receptive


def _fill(t, values):
    with mg.no_grad():
        t.copy_(values)
    return t


def _check(t, op):
    if not isinstance(t, mg.Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(t).__name__}")
    if not t.dtype.is_floating_point:
        raise TypeError(f"{op}: expected a floating tensor, got {t.dtype}")


def zeros_(tensor):
    """Fill ``tensor`` with 0 in place, unrecorded; returns it.  The course's zero init (fails to break symmetry)."""
    return constant_(tensor, 0.0)


def ones_(tensor):
    """Fill ``tensor`` with 1 in place, unrecorded; returns it (batch norm's gamma starts here)."""
    return constant_(tensor, 1.0)


def constant_(tensor, val):
    """Fill ``tensor`` with ``val`` in place, unrecorded (under ``no_grad``); returns it."""
    _check(tensor, "constant_")
    with mg.no_grad():
        tensor.fill_(val)
    return tensor


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill ``tensor`` in place with draws from N(mean, std^2), unrecorded; returns it."""
    _check(tensor, "normal_")
    if std < 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _fill(tensor, mg.normal(tensor.shape, mean=mean, std=std, dtype=tensor.dtype, device=tensor.device,
                                   generator=generator))


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill ``tensor`` in place with draws from U(a, b), unrecorded; returns it."""
    _check(tensor, "uniform_")
    if a > b:
        raise ValueError(f"uniform_: lower bound {a} is above upper bound {b}")
    return _fill(tensor, mg.uniform(tensor.shape, low=a, high=b, dtype=tensor.dtype, device=tensor.device,
                                    generator=generator))


def scaled_normal_(tensor, scale=0.01, generator=None):
    """The course's ``np.random.randn(n[l], n[l-1]) * scale``: 0.01 ("small random"), 10 ("large")."""
    return normal_(tensor, 0.0, scale, generator)


def _fan(t, mode, op):
    fan_in, fan_out = _fans(t, op)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"{op}: mode must be 'fan_in' or 'fan_out', got {mode!r}")


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="relu", generator=None):
    """He initialisation: N(0, std^2) with std = gain / sqrt(fan), gain = calculate_gain(nonlinearity, a).

    For ReLU (the default) and ``mode='fan_in'`` this is the course's
    ``W = np.random.randn(n[l], n[l-1]) * np.sqrt(2 / n[l-1])``.
    """
    _check(tensor, "kaiming_normal_")
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode, "kaiming_normal_"))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="relu", generator=None):
    """He initialisation, uniform: U(-b, b) with b = gain * sqrt(3 / fan) (the same variance as
    :func:`kaiming_normal_`).  PyTorch's Linear default is ``a=sqrt(5), nonlinearity='leaky_relu'``,
    which gives b = 1 / sqrt(n[l-1])."""
    _check(tensor, "kaiming_uniform_")
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode, "kaiming_uniform_"))
    return uniform_(tensor, -bound, bound, generator)


he_normal_ = kaiming_normal_
he_uniform_ = kaiming_uniform_


def xavier_normal_(tensor, gain=1.0, mode="fan_avg", generator=None):
    """Xavier/Glorot: N(0, std^2), std = gain * sqrt(2 / (n[l-1] + n[l])) (``mode='fan_avg'``).

    ``mode='fan_in'`` gives std = gain * sqrt(1 / n[l-1]), what the course calls Xavier
    initialisation (suited to tanh layers); also available as :func:`lecun_normal_`.
    """
    _check(tensor, "xavier_normal_")
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    if mode == "fan_avg":
        std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    elif mode == "fan_in":
        std = gain * math.sqrt(1.0 / fan_in)
    else:
        raise ValueError(f"xavier_normal_: mode must be 'fan_avg' or 'fan_in', got {mode!r}")
    return normal_(tensor, 0.0, std, generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Xavier/Glorot uniform: U(-b, b), b = gain * sqrt(6 / (n[l-1] + n[l]))."""
    _check(tensor, "xavier_uniform_")
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def lecun_normal_(tensor, generator=None):
    """N(0, 1 / n[l-1]): the course's "Xavier" sqrt(1 / n[l-1])."""
    return xavier_normal_(tensor, 1.0, "fan_in", generator)


# ----- whole-layer schemes, by name (used by ``nn.Linear(init=...)``) ------------------------
def _pytorch(weight, bias, generator):
    kaiming_uniform_(weight, a=math.sqrt(5.0), nonlinearity="leaky_relu", generator=generator)
    if bias is not None:
        bound = 1.0 / math.sqrt(_fans(weight, "init")[0]) if weight.shape[1] else 0.0
        uniform_(bias, -bound, bound, generator)


def _with_zero_bias(weight_init):
    def scheme(weight, bias, generator):
        weight_init(weight, generator)
        if bias is not None:
            zeros_(bias)

    return scheme


LINEAR_INITS = {
    "he": _with_zero_bias(lambda w, g: kaiming_normal_(w, generator=g)),
    "he_uniform": _with_zero_bias(lambda w, g: kaiming_uniform_(w, generator=g)),
    "xavier": _with_zero_bias(lambda w, g: xavier_normal_(w, mode="fan_in", generator=g)),
    "glorot": _with_zero_bias(lambda w, g: xavier_normal_(w, generator=g)),
    "glorot_uniform": _with_zero_bias(lambda w, g: xavier_uniform_(w, generator=g)),
    "random": _with_zero_bias(lambda w, g: scaled_normal_(w, 0.01, generator=g)),
    "large": _with_zero_bias(lambda w, g: scaled_normal_(w, 10.0, generator=g)),
    "zeros": _with_zero_bias(lambda w, g: zeros_(w)),
    "pytorch": _pytorch,
}


def init_linear(weight, bias, init="pytorch", generator=None):
    """Initialise a layer's ``weight`` (n[l], n[l-1]) and ``bias`` (n[l],) by scheme name.

    Schemes: 'he' (the course's advice for ReLU nets: randn * sqrt(2/n[l-1]), b = 0), 'he_uniform',
    'xavier' (randn * sqrt(1/n[l-1]), b = 0), 'glorot' (randn * sqrt(2/(n[l-1]+n[l]))),
    'glorot_uniform', 'random' (randn * 0.01), 'large' (randn * 10), 'zeros', 'pytorch'
    (the default, as ``nn.Linear``'s in PyTorch: W, b ~ U(-1/sqrt(n[l-1]), 1/sqrt(n[l-1])))  A callable is called as
    ``init(weight)`` and the bias is zeroed.
    """
    if weight.numel() == 0:  # Linear(0, n): nothing to draw; PyTorch's bias bound 1/sqrt(0) is taken as 0
        if bias is not None:
            zeros_(bias)
        return
    if callable(init):
        init(weight)
        if bias is not None:
            zeros_(bias)
        return
    scheme = LINEAR_INITS.get(init)
    if scheme is None:
        raise ValueError(f"init: unknown scheme {init!r}; expected a callable or one of {', '.join(LINEAR_INITS)}")
    scheme(weight, bias, generator)
