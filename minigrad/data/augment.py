"""Data augmentation for image batches of shape (N, C, H, W) or (N, H, W).

The course lists augmentation among the regularisers: flipped, shifted or slightly noisy
copies of the training images are new examples almost for free.  Each transform draws its
random choices (one per image) on the host from a seeded NumPy generator and applies them on
the batch's own device, so results are reproducible everywhere.  Transforms compose with
:class:`Compose` and plug into :class:`~minigrad.data.DataLoader` as ``transform=``.
Augmentation is for training batches only (not dev/test) and is not differentiable.
"""
from __future__ import annotations

import numpy as np

from ..dtypes import is_floating, name_of
from ..tensor import Tensor
from .rng import make_rng, rng_state, set_rng_state
from .rows import as_data

__all__ = ["Transform", "Compose", "RandomHorizontalFlip", "RandomCrop", "RandomShift", "GaussianNoise"]


def _pair(v, op):
    try:
        pair = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    except TypeError:  # not iterable: a float, None
        pair = ()
    if len(pair) != 2 or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0 for n in pair):
        raise ValueError(f"{op}: expected a non-negative int or a pair (height, width), got {v!r}")
    return tuple(int(n) for n in pair)


class Transform:
    """Base class: a seeded random transform of a batch of images.

    Subclasses write ``apply(data, xp, rng)`` on raw arrays; calling the transform checks the
    batch, picks the generator (the one passed in, e.g. by :class:`Compose`, else its own)
    and wraps the result like the input (NumPy array or Tensor on the same device).
    """

    def __init__(self, seed=None):
        self.generator = make_rng(seed)

    def __call__(self, x, rng=None):
        x = as_data(x, type(self).__name__)
        if x.ndim not in (3, 4):
            raise ValueError(f"{type(self).__name__}: expected a batch of images of shape (N, C, H, W) or "
                             f"(N, H, W), got shape {tuple(x.shape)}")
        rng = self.generator if rng is None else rng
        if isinstance(x, Tensor):
            return Tensor(self.apply(x.array, x.device.xp, rng, x.device.asarray), device=x.device)
        return self.apply(x, np, rng, np.asarray)

    def apply(self, data, xp, rng, asarray):  # pragma: no cover - abstract
        """The transform on a raw batch ``data`` (N, C, H, W) or (N, H, W) of namespace ``xp``.

        ``rng`` is the NumPy generator to draw from, ``asarray`` moves host arrays to ``data``'s device.
        Subclasses define it; calling the transform checks the batch and calls it.
        """
        raise NotImplementedError

    def state_dict(self):
        """The generator's state (a dict), so a resumed run draws the same transforms."""
        return {"generator": rng_state(self.generator)}

    def load_state_dict(self, state):
        """Restore the generator's state from :meth:`state_dict`."""
        set_rng_state(self.generator, state["generator"])


class Compose(Transform):
    """Apply ``transforms`` in order, all drawing from one generator seeded with ``seed``.

    Examples
    --------
    >>> import numpy as np
    >>> aug = Compose([RandomHorizontalFlip(), RandomShift(2), GaussianNoise(0.01)], seed=0)
    >>> aug(np.zeros((8, 3, 16, 16), dtype=np.float32)).shape
    (8, 3, 16, 16)
    """

    def __init__(self, transforms, seed=None):
        super().__init__(seed)
        self.transforms = list(transforms)

    def __call__(self, x, rng=None):
        rng = self.generator if rng is None else rng
        for t in self.transforms:
            x = t(x, rng)
        return x

    def __repr__(self):
        return "Compose([" + ", ".join(repr(t) for t in self.transforms) + "])"


class RandomHorizontalFlip(Transform):
    """Mirror each image left-right (along W, the last axis) with probability ``p``."""

    def __init__(self, p=0.5, seed=None):
        super().__init__(seed)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p}")
        self.p = float(p)

    def apply(self, data, xp, rng, asarray):
        """Flip each image along W (the last axis) where a uniform draw is below ``p``."""
        flags = rng.random(data.shape[0]) < self.p
        mask = xp.reshape(asarray(flags), (data.shape[0],) + (1,) * (data.ndim - 1))
        return xp.where(mask, xp.flip(data, axis=-1), data)

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"


class RandomCrop(Transform):
    """Pad each image by ``padding`` pixels of ``fill`` and cut a random ``size`` window from it.

    Parameters
    ----------
    size : int or (int, int)
        Output (height, width); None keeps the input's (then it is a random shift).
    padding : int or (int, int)
        Pixels added above/below and left/right before cropping.
    fill : float
        Value of the padding.
    """

    def __init__(self, size=None, padding=0, fill=0.0, seed=None):
        super().__init__(seed)
        self.size = None if size is None else _pair(size, "RandomCrop")
        self.padding = _pair(padding, "RandomCrop")
        self.fill = fill

    def apply(self, data, xp, rng, asarray):
        """Pad by ``padding`` with ``fill``, then cut a uniformly placed ``size`` window from each image."""
        (ph, pw), (h, w) = self.padding, data.shape[-2:]
        out_h, out_w = self.size or (h, w)
        if out_h > h + 2 * ph or out_w > w + 2 * pw or 0 in (out_h, out_w):
            raise ValueError(f"{type(self).__name__}: cannot crop {(out_h, out_w)} from images of size {(h, w)} "
                             f"padded by {self.padding}")
        padded = data
        if ph or pw:
            padded = xp.full(data.shape[:-2] + (h + 2 * ph, w + 2 * pw), self.fill, dtype=data.dtype,
                             **_device_kw(data))
            padded[..., ph:ph + h, pw:pw + w] = data
        tops = rng.integers(0, h + 2 * ph - out_h + 1, size=data.shape[0])
        lefts = rng.integers(0, w + 2 * pw - out_w + 1, size=data.shape[0])
        crops = [padded[i, ..., t:t + out_h, l:l + out_w] for i, (t, l) in enumerate(zip(tops, lefts))]
        return xp.stack(crops, axis=0)

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, padding={self.padding}, fill={self.fill})"


class RandomShift(RandomCrop):
    """Shift each image by up to ``max_shift`` pixels in each direction (the uncovered border
    is ``fill``): a :class:`RandomCrop` of the original size from the padded image."""

    def __init__(self, max_shift, fill=0.0, seed=None):
        super().__init__(None, padding=max_shift, fill=fill, seed=seed)


class GaussianNoise(Transform):
    """Add independent N(0, std^2) noise to every pixel (floating-point images only)."""

    def __init__(self, std, seed=None):
        super().__init__(seed)
        if not std >= 0:
            raise ValueError(f"GaussianNoise: std must be >= 0, got {std}")
        self.std = float(std)

    def apply(self, data, xp, rng, asarray):
        """data + std * N(0, 1) noise, drawn independently per pixel, in ``data``'s dtype."""
        if not is_floating(data.dtype):
            raise TypeError(f"GaussianNoise: images must be floating point, got {name_of(data.dtype)}; "
                            "convert them first")
        noise = rng.standard_normal(tuple(data.shape)) * self.std
        return data + xp.astype(asarray(noise), data.dtype)

    def __repr__(self):
        return f"GaussianNoise(std={self.std})"


def _device_kw(a):
    return {"device": a.device} if type(a).__module__.startswith("array_api_strict") else {}
