"""``pad``: PyTorch's ``nn.functional.pad`` form and NumPy's, with modes constant, reflect,
replicate and circular, and negative widths (cropping).

Widths: PyTorch's flat tuple ``(left_last, right_last, left_2nd_last, right_2nd_last, ...)`` (last
axis first, as many axes as pairs), or NumPy's per-axis ``((before, after), ...)`` /
``pad_width=`` / one int for every side of every axis.

Modes, for an axis of length n padded by (lo, hi), out[p] for p in [-lo, n + hi):

* ``constant``: ``value`` (default 0) outside [0, n);
* ``reflect``: input[|p|] mirrored at the edges without repeating them (lo, hi < n);
* ``replicate``: input[clip(p, 0, n - 1)], the edge repeated;
* ``circular``: input[p mod n] (lo, hi <= n).

A negative width removes that many entries from that side first.  Gradients: the central
block of g (constant); each input entry gets the sum of g over the places that copy it
(reflect, replicate, circular), through an integer-array index whose gradient scatter-adds.
"""
from __future__ import annotations

import operator

from .shape import GetItem, Pad, getitem

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def _widths(a, pad, pad_width):
    """Per-axis (before, after) widths, negative allowed, from either form."""
    spec = pad if pad_width is None else pad_width
    nd = a.ndim
    if isinstance(spec, int):
        return ((spec, spec),) * nd
    spec = tuple(spec)
    if spec and all(isinstance(w, (tuple, list)) for w in spec):  # NumPy's ((before, after), ...)
        widths = tuple(tuple(operator.index(v) for v in w) for w in spec)
        if len(widths) == 1 and nd > 1:
            widths = widths * nd
        if len(widths) != nd or any(len(w) != 2 for w in widths):
            raise ValueError(f"pad: pad_width {spec!r} does not give (before, after) for each of the "
                             f"{nd} axes of a tensor of shape {a.shape}")
        return widths
    try:
        flat = [operator.index(v) for v in spec]
    except TypeError:
        raise TypeError(f"pad: widths must be ints, got {spec!r}") from None
    if len(flat) % 2 or len(flat) // 2 > nd:
        raise ValueError(f"pad: the flat padding {spec!r} must have an even length of at most 2 * {nd} "
                         f"(two per axis, last axis first) for a tensor of shape {a.shape}")
    pairs = [(flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)]
    return ((0, 0),) * (nd - len(pairs)) + tuple(reversed(pairs))


def _source_index(mode, n, lo, hi):
    """Input positions copied to each output position of one padded axis."""
    out = []
    for p in range(-lo, n + hi):
        if mode == "reflect":
            q = -p if p < 0 else 2 * (n - 1) - p if p >= n else p
        elif mode == "replicate":
            q = min(max(p, 0), n - 1)
        else:  # circular
            q = p % n
        out.append(q)
    return out


def _check_mode(mode, a, widths):
    for ax, (lo, hi) in enumerate(widths):
        n = a.shape[ax]
        if lo <= 0 and hi <= 0:
            continue
        if mode == "reflect" and (lo >= n or hi >= n):
            raise ValueError(f"pad: reflect padding ({lo}, {hi}) must be smaller than the length {n} of axis "
                             f"{ax} (shape {tuple(a.shape)})")
        if mode in ("replicate", "circular") and n == 0:
            raise ValueError(f"pad: {mode} padding of the empty axis {ax} (shape {tuple(a.shape)})")
        if mode == "circular" and (lo > n or hi > n):
            raise ValueError(f"pad: circular padding ({lo}, {hi}) must be at most the length {n} of axis {ax} "
                             f"(shape {tuple(a.shape)})")


def pad(input, pad=None, mode="constant", value=None, *, pad_width=None):
    """Pad (or, with negative widths, crop) ``input``.

    ``pad``: PyTorch's flat tuple, last axis first (``(1, 2)`` pads the last axis by 1 before and
    2 after), or NumPy's per-axis pairs, or an int (every side of every axis); ``pad_width=`` is
    NumPy's name.  ``mode``: 'constant' (with ``value``, default 0), 'reflect', 'replicate',
    'circular'.  See the module docstring for each mode's formula and gradient.
    """
    if pad is None and pad_width is None:
        raise TypeError("pad: give the widths (pad=... or pad_width=...)")
    if mode not in _MODES:
        raise ValueError(f"pad: mode must be one of {_MODES}, got {mode!r}")
    if mode != "constant" and value not in (None, 0, 0.0):
        raise ValueError(f"pad: value={value!r} only applies to mode 'constant', not {mode!r}")
    widths = _widths(input, pad, pad_width)
    out = input
    crop = tuple(slice(max(0, -lo), n - max(0, -hi)) for n, (lo, hi) in zip(input.shape, widths))
    if any(lo < 0 or hi < 0 for lo, hi in widths):
        for ax, (lo, hi) in enumerate(widths):
            if max(0, -lo) + max(0, -hi) > input.shape[ax]:
                raise ValueError(f"pad: cropping ({lo}, {hi}) is more than the length {input.shape[ax]} of axis "
                                 f"{ax}")
        out = getitem(out, crop)
    grow = tuple((max(0, lo), max(0, hi)) for lo, hi in widths)
    if not any(lo or hi for lo, hi in grow):
        return out
    if mode == "constant":
        return Pad.apply(out, pad_width=grow, value=0.0 if value is None else value, device=input._device)
    _check_mode(mode, out, grow)
    dev = input._device
    for ax, (lo, hi) in enumerate(grow):
        if lo or hi:
            idx = dev.asarray(_source_index(mode, out.shape[ax], lo, hi), dtype=dev.xp.int64)
            out = GetItem.apply(out, key=(slice(None),) * ax + (idx,), device=dev)
    return out
