"""Factories: tensors from data, constant fills, ranges and random draws.

Every factory takes ``dtype`` (float32 by default for floating values), ``device`` (the
default device when omitted) and ``requires_grad``; random ones also take ``generator``.
"""
from __future__ import annotations

import operator as _operator

import numpy as _np

from . import dtypes
from .device import device as _get_device, get_default_device
from .random import default_generator
from .tensor import Tensor

__all__ = ["tensor", "as_tensor", "from_numpy", "from_dlpack", "zeros", "ones", "full", "empty", "arange", "linspace",
           "eye", "zeros_like", "ones_like", "full_like", "rand", "randn", "randint", "rand_like", "randn_like",
           "uniform", "normal", "bernoulli"]


def _dev(device):
    return _get_device(device) if device is not None else get_default_device()


def _float(dtype, xp):
    return dtypes.to_native(dtype if dtype is not None else dtypes.get_default_dtype(), xp)


def _shape(shape, op="shape"):
    """A tuple of ints >= 0 from ``(2, 3)``, ``((2, 3),)`` or ``([2, 3],)``; floats, bools and
    strings are refused (``zeros(2.5)`` is an error, as in PyTorch), integer NumPy scalars and
    0-d integer arrays accepted."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    dims = []
    for n in shape:
        try:
            if isinstance(n, (bool, _np.bool_)):
                raise TypeError
            dims.append(_operator.index(n))
        except TypeError:
            raise TypeError(f"{op}: a shape holds integers, got {n!r} ({type(n).__name__}) in {shape!r}") from None
    shape = tuple(dims)
    if any(n < 0 for n in shape):
        raise ValueError(f"{op}: negative dimension in shape {shape}")
    return shape


def _wrap(array, dev, requires_grad):
    t = Tensor._make(array, dev, False, None)
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding (a copy of) ``data``.

    Without ``device``, host data (Python numbers and lists, NumPy arrays) goes to the default
    device, as in PyTorch; tensors and GPU / strict arrays stay where they are.  Use
    :func:`from_numpy` to share a NumPy array's memory instead.
    """
    if device is None and isinstance(data, _np.ndarray):
        device = get_default_device()
    t = Tensor(data, requires_grad=False, dtype=dtype, device=device)
    if isinstance(data, Tensor) or hasattr(data, "__dlpack__"):
        t = Tensor._make(t._device.xp.asarray(t.array, copy=True), t._device, False, None)
    if requires_grad:
        t.requires_grad = True
    return t


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing its memory where it can (PyTorch's ``torch.as_tensor``).

    A Tensor already of ``dtype`` on ``device`` (or with none given) comes back as itself; a NumPy
    array for the CPU of the same dtype is shared, as :func:`from_numpy`; anything else is copied
    and converted as :func:`tensor` does (Python floats give the default float dtype).
    """
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    if isinstance(data, _np.ndarray) and _dev(device).type == "cpu" and (
            dtype is None or dtypes.name_of(data.dtype) == dtypes.name_of(dtype)) and data.dtype.kind in "biuf":
        return Tensor._make(data, _get_device("cpu"), False, None)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    """A CPU tensor sharing memory with the NumPy array ``array`` (no copy; dtype kept), as ``torch.from_numpy``."""
    if not isinstance(array, _np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor._make(array, _get_device("cpu"), False, None)


def from_dlpack(obj, device=None):
    """A tensor sharing memory (no copy) with any DLPack-capable array (NumPy, CuPy, PyTorch...)."""
    kind, index = obj.__dlpack_device__()
    if kind == 1 and (device is None or _get_device(device).type == "cpu"):  # kDLCPU
        return Tensor._make(_np.from_dlpack(obj), _get_device("cpu"), False, None)
    if kind == 2:  # kDLCUDA
        dev = _get_device(f"cuda:{index}")
        with dev.native:
            return Tensor._make(dev.xp.from_dlpack(obj), dev, False, None)
    dev = _dev(device)
    return Tensor._make(dev.xp.from_dlpack(obj) if dev.type != "cpu" else _np.from_dlpack(obj), dev, False, None)


def full(*shape, fill_value=None, dtype=None, device=None, requires_grad=False):
    """A tensor of shape ``shape`` with every element ``fill_value``: PyTorch's ``mg.full((2, 3), 7.0)``,
    or ``mg.full(2, 3, fill_value=7.0)``.

    ``shape``: one tuple or list (then ``fill_value`` may follow it positionally, as in
    ``torch.full(size, fill_value)``), or ints with ``fill_value=`` as a keyword.  ``dtype`` by
    default follows ``fill_value``: bool -> bool, int -> int64, float -> the default float dtype
    (as ``torch.full``).  ``device``: default the default device.
    """
    if fill_value is None and len(shape) == 2 and isinstance(shape[0], (tuple, list)):
        shape, fill_value = shape[:1], shape[1]
    if fill_value is None:
        raise TypeError("full: missing fill_value; call full(size, fill_value) or full(*size, fill_value=...)")
    dev = _dev(device)
    if dtype is None:
        dtype = dtypes.bool_ if isinstance(fill_value, bool) else (
            dtypes.int64 if isinstance(fill_value, int) else dtypes.get_default_dtype())
    native = dtypes.to_native(dtype, dev.xp)
    with dev.context():
        arr = dev.xp.full(_shape(shape, "full"), fill_value, dtype=native, **_kw(dev))
    return _wrap(arr, dev, requires_grad)


def _kw(dev):
    return {"device": dev.native} if dev.type == "strict" else {}


def zeros(*shape, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros of shape ``shape``: ``mg.zeros(2, 3)`` or ``mg.zeros((2, 3))``.

    ``dtype``: default float32 (``mg.get_default_dtype()``); ``device``: default the default device.
    As ``torch.zeros``.
    """
    dev = _dev(device)
    with dev.context():
        arr = dev.xp.zeros(_shape(shape, "zeros"), dtype=_float(dtype, dev.xp), **_kw(dev))
    return _wrap(arr, dev, requires_grad)


def ones(*shape, dtype=None, device=None, requires_grad=False):
    """A tensor of ones of shape ``shape``: ``mg.ones(2, 3)`` or ``mg.ones((2, 3))``.

    ``dtype``: default float32 (``mg.get_default_dtype()``); ``device``: default the default device.
    As ``torch.ones``.
    """
    dev = _dev(device)
    with dev.context():
        arr = dev.xp.ones(_shape(shape, "ones"), dtype=_float(dtype, dev.xp), **_kw(dev))
    return _wrap(arr, dev, requires_grad)


def empty(*shape, dtype=None, device=None, requires_grad=False):
    """A tensor of shape ``shape`` for the caller to fill: ``mg.empty(2, 3)``.

    Unlike ``torch.empty`` its contents are defined: it is :func:`zeros`.
    ``dtype``: default float32 (``mg.get_default_dtype()``); ``device``: default the default device.
    """
    return zeros(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` to ``stop`` (excluded) by ``step``: ``mg.arange(5)``, ``mg.arange(1, 2, 0.25)``.

    Shape (ceil((stop - start) / step),).  ``dtype`` by default int64 if all of start, stop, step are
    ints, else the default float dtype (as ``torch.arange``).
    """
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError(f"arange: step must be nonzero, got {step!r}")
    dev = _dev(device)
    if dtype is None:
        dtype = dtypes.int64 if all(isinstance(v, int) for v in (start, stop, step)) else dtypes.get_default_dtype()
    with dev.context():
        arr = dev.xp.arange(start, stop, step, dtype=dtypes.to_native(dtype, dev.xp), **_kw(dev))
    return _wrap(arr, dev, requires_grad)


def linspace(start, stop, num, dtype=None, device=None, requires_grad=False):
    """``num`` evenly spaced values from ``start`` to ``stop``, both included: shape (num,).

    start + k (stop - start) / (num - 1) for k = 0..num-1.
    ``dtype``: default float32 (``mg.get_default_dtype()``); ``device``: default the default device.
    As ``torch.linspace(start, end, steps)``.
    """
    (num,) = _shape((num,), "linspace")
    dev = _dev(device)
    with dev.context():
        arr = dev.xp.linspace(start, stop, num, dtype=_float(dtype, dev.xp), **_kw(dev))
    return _wrap(arr, dev, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The identity matrix: shape (n, m) (m = n by default), ones on the diagonal, zeros elsewhere.

    ``dtype``: default float32 (``mg.get_default_dtype()``); ``device``: default the default device.
    As ``torch.eye``.
    """
    n, m = _shape((n,) if m is None else (n, m), "eye") + ((None,) if m is None else ())
    dev = _dev(device)
    with dev.context():
        arr = dev.xp.eye(n, m, dtype=_float(dtype, dev.xp), **_kw(dev))
    return _wrap(arr, dev, requires_grad)


def _like(t, dtype, device):
    return (t.dtype if dtype is None else dtype), (t.device if device is None else device)


def zeros_like(t, dtype=None, device=None, requires_grad=False):
    """Zeros with ``t``'s shape, and its dtype and device unless given: as ``torch.zeros_like``."""
    d, dev = _like(t, dtype, device)
    return zeros(t.shape, dtype=d, device=dev, requires_grad=requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False):
    """Ones with ``t``'s shape, and its dtype and device unless given: as ``torch.ones_like``."""
    d, dev = _like(t, dtype, device)
    return ones(t.shape, dtype=d, device=dev, requires_grad=requires_grad)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False):
    """``fill_value`` everywhere, with ``t``'s shape, and its dtype and device unless given: as ``torch.full_like``."""
    d, dev = _like(t, dtype, device)
    return full(t.shape, fill_value=fill_value, dtype=d, device=dev, requires_grad=requires_grad)


# ----- random -----------------------------------------------------------------------------
def _draw(kind, shape, dtype, device, generator, requires_grad, **kw):
    if generator is not None:
        dev = generator.device if device is None else _get_device(device)
        if dev is not generator.device:
            raise ValueError(f"{kind}: generator is for {generator.device}, the tensor for {dev}")
    else:
        dev = _dev(device)
        generator = default_generator(dev)
    native = dtypes.to_native(dtype, dev.xp) if dtype is not None else _float(None, dev.xp)
    return _wrap(generator.draw(kind, _shape(shape, kind), native, **kw), dev, requires_grad)


def rand(*shape, dtype=None, device=None, generator=None, requires_grad=False):
    """Draws uniform on [0, 1), of shape ``shape``: ``mg.rand(2, 3)``.

    ``dtype``: default float32 (``mg.get_default_dtype()``); ``device``: default the default device.
    ``generator``: a :class:`Generator` (default: the device's default one, seeded by
    ``mg.manual_seed``); the draw is reproducible from the seed, not equal to PyTorch's numbers.
    """
    return _draw("uniform", shape, dtype, device, generator, requires_grad)


def uniform(*shape, low=0.0, high=1.0, dtype=None, device=None, generator=None, requires_grad=False):
    """Draws uniform on [low, high), of shape ``shape``: ``mg.uniform(2, 3, low=-1.0, high=1.0)``.

    ``dtype``: default float32 (``mg.get_default_dtype()``); ``device``: default the default device.
    ``generator``: a :class:`Generator` (default: the device's default one, seeded by
    ``mg.manual_seed``); the draw is reproducible from the seed, not equal to PyTorch's numbers.
    """
    return _draw("uniform", shape, dtype, device, generator, requires_grad, low=low, high=high)


def randn(*shape, dtype=None, device=None, generator=None, requires_grad=False):
    """Draws from the standard normal N(0, 1), of shape ``shape``: ``mg.randn(2, 3)``.

    The course's ``np.random.randn``; for its initialisations use ``nn.init``.
    ``dtype``: default float32 (``mg.get_default_dtype()``); ``device``: default the default device.
    ``generator``: a :class:`Generator` (default: the device's default one, seeded by
    ``mg.manual_seed``); the draw is reproducible from the seed, not equal to PyTorch's numbers.
    """
    return _draw("normal", shape, dtype, device, generator, requires_grad)


def normal(*args, mean=0.0, std=1.0, size=None, dtype=None, device=None, generator=None, requires_grad=False):
    """Draws from N(mean, std^2): PyTorch's ``mg.normal(mean, std, size)``, or
    ``mg.normal(2, 3, mean=0.0, std=0.01)`` (ints: the shape; ``mean``/``std`` keywords).

    Forms: ``normal(mean, std, size)`` / ``normal(mean, std, size=...)`` with numbers;
    ``normal(mean, std)`` with a Tensor ``mean`` and/or ``std`` (the other a Tensor or number):
    one draw per element of their broadcast shape, with that element's mean and std, on their
    device, in ``mean``'s dtype when it is a Tensor, else ``std``'s (as PyTorch); integer Tensors are
    refused (not differentiable: PyTorch's gradient of a draw is not defined here either).
    ``dtype``: default float32 (``mg.get_default_dtype()``); ``device``: default the default device.
    ``generator``: a :class:`Generator` (default: the device's default one, seeded by
    ``mg.manual_seed``); the draw is reproducible from the seed, not equal to PyTorch's numbers.
    """
    if any(isinstance(a, Tensor) for a in args[:2]):
        return _normal_tensors(args, size, generator, requires_grad)
    if size is not None or (len(args) == 3 and isinstance(args[2], (tuple, list))):
        if len(args) > 3 or (size is not None and len(args) > 2):
            raise TypeError("normal: expected normal(mean, std, size)")
        mean, std = (tuple(args[:2]) + (mean, std)[len(args[:2]):])[:2]
        args = tuple(size if size is not None else args[2])
    return _draw("normal", args, dtype, device, generator, requires_grad, mean=mean, std=std)


def _normal_tensors(args, size, generator, requires_grad):
    """normal(mean, std) with Tensor mean and/or std: elementwise draws of their broadcast shape."""
    if len(args) not in (1, 2) or size is not None:
        raise TypeError("normal: with a Tensor mean or std, call normal(mean, std) (no size)")
    mean, std = (args + (1.0,))[:2]
    for name, value in (("mean", mean), ("std", std)):
        if isinstance(value, Tensor) and not value.dtype.is_floating_point:
            raise TypeError(f"normal: {name} must be a floating-point Tensor, got {value.dtype} (as PyTorch)")
    like = mean if isinstance(mean, Tensor) else std
    m = mean.to(like.dtype).array if isinstance(mean, Tensor) else mean  # the result has like's dtype
    s = std.to(like.dtype).array if isinstance(std, Tensor) else std
    shape = _np.broadcast_shapes(tuple(getattr(m, "shape", ())), tuple(getattr(s, "shape", ())))
    z = randn(shape, dtype=like.dtype, device=like.device, generator=generator)
    return _wrap(z.array * s + m, like.device, requires_grad)


def randint(low, high, shape, dtype=None, device=None, generator=None):
    """Integers drawn uniformly from [low, high) (``high`` excluded), of shape ``shape`` (a tuple).

    ``dtype`` default int64, as ``torch.randint(low, high, size)``.
    ``generator``: a :class:`Generator` (default: the device's default one, seeded by
    ``mg.manual_seed``); the draw is reproducible from the seed, not equal to PyTorch's numbers.
    """
    return _draw("integers", tuple(shape), dtype or dtypes.int64, device, generator, False, low=low, high=high)


def bernoulli(input, p=None, dtype=None, device=None, generator=None):
    """Draws of 1 with some probability, else 0 (U < p for U uniform on [0, 1)).

    PyTorch's forms take a Tensor: ``mg.bernoulli(probs)`` draws element i with probability
    ``probs[i]``; ``mg.bernoulli(t, p)`` draws with probability ``p`` in ``t``'s shape.  Both give
    ``input``'s shape, floating dtype and device (integer inputs are refused, as PyTorch).
    minigrad's older form takes a shape: ``mg.bernoulli((m, n), keep_prob)`` is a dropout mask;
    ``dtype``: default the default float dtype.
    ``generator``: a :class:`Generator` (default: the device's default one, seeded by
    ``mg.manual_seed``); the draw is reproducible from the seed, not equal to PyTorch's numbers.
    """
    if not isinstance(input, Tensor):
        if p is None:
            raise TypeError("bernoulli: with a shape, give the probability p: bernoulli(shape, p)")
        return _draw("bernoulli", tuple(input), dtype, device, generator, False, p=p)
    if not input.dtype.is_floating_point:
        raise TypeError(f"bernoulli: input must be a floating-point Tensor, got {input.dtype} (as PyTorch)")
    u = _draw("uniform", input.shape, input.dtype, input.device, generator, False)
    probs = input.array if p is None else p
    return _wrap(u.array < probs, input.device, False).to(input.dtype)


def rand_like(t, dtype=None, generator=None):
    """Draws uniform on [0, 1) with ``t``'s shape, device and (unless given) dtype, as ``torch.rand_like``.

    ``generator``: a :class:`Generator` (default: the device's default one, seeded by
    ``mg.manual_seed``); the draw is reproducible from the seed, not equal to PyTorch's numbers.
    """
    return rand(t.shape, dtype=dtype or t.dtype, device=t.device, generator=generator)


def randn_like(t, dtype=None, generator=None):
    """Draws from N(0, 1) with ``t``'s shape, device and (unless given) dtype, as ``torch.randn_like``.

    ``generator``: a :class:`Generator` (default: the device's default one, seeded by
    ``mg.manual_seed``); the draw is reproducible from the seed, not equal to PyTorch's numbers.
    """
    return randn(t.shape, dtype=dtype or t.dtype, device=t.device, generator=generator)
