"""``pad`` (minigrad/ops/padding.py) at its boundaries, against ``np.pad`` (reflect = 'reflect',
replicate = 'edge', circular = 'wrap') and a gradient built independently from ``np.pad`` of unit
vectors: every mode at its largest width, negative widths (cropping), every form of the widths,
and each refusal with its message (issue 18)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

NP_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _np_pad(a, widths, mode, value=0.0):
    """np.pad with negative widths cropping first (per-axis (before, after) widths)."""
    crop = tuple(slice(max(0, -lo), n - max(0, -hi)) for n, (lo, hi) in zip(a.shape, widths))
    grow = [(max(0, lo), max(0, hi)) for lo, hi in widths]
    kw = {"constant_values": value} if mode == "constant" else {}
    return np.pad(a[crop], grow, mode=NP_MODE[mode], **kw)


def _np_grad(a, widths, mode, g):
    """d sum(pad(a) * g) / da, one unit vector of ``a`` at a time (pad is linear)."""
    out = np.zeros(a.shape)
    for i in np.ndindex(*a.shape):
        e = np.zeros(a.shape)
        e[i] = 1.0
        out[i] = (_np_pad(e, widths, mode) * g).sum()
    return out


def _check(device, a, widths, mode, **kw):
    flat = tuple(v for w in reversed(widths) for v in w)  # PyTorch's order: last axis first
    x = mg.tensor(a, device=device, requires_grad=True)
    out = mg.pad(x, flat, mode=mode, **kw)
    expected = _np_pad(a, widths, mode, kw.get("value") or 0.0)
    np.testing.assert_array_equal(out.numpy(), expected)
    g = np.random.default_rng(0).standard_normal(expected.shape)
    out.backward(mg.tensor(g, device=device))
    np.testing.assert_allclose(x.grad.numpy(), _np_grad(a, widths, mode, g), rtol=1e-12, atol=1e-12)


A = np.arange(1.0, 13.0).reshape(3, 4)


@pytest.mark.parametrize("widths", [((2, 0), (0, 3)), ((0, 2), (3, 1)), ((1, 1), (3, 3)), ((2, 2), (0, 0))])
def test_reflect_up_to_length_minus_one(device, widths):
    _check(device, A, widths, "reflect")


@pytest.mark.parametrize("widths", [((3, 0), (0, 4)), ((0, 3), (4, 2)), ((1, 2), (4, 4)), ((3, 3), (1, 0))])
def test_circular_up_to_the_length(device, widths):
    _check(device, A, widths, "circular")


@pytest.mark.parametrize("widths", [((4, 0), (0, 5)), ((0, 1), (2, 0)), ((3, 3), (1, 6))])
def test_replicate_any_width(device, widths):
    _check(device, A, widths, "replicate")


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("widths", [((-1, 0), (0, -2)), ((0, -2), (-1, 2)), ((-1, 1), (1, -2)), ((1, -1), (-1, -1))])
def test_negative_widths_crop_first(device, mode, widths):
    _check(device, A, widths, mode)


def test_constant_value_and_default(device):
    _check(device, A, ((1, 0), (2, 1)), "constant", value=-2.5)
    _check(device, A, ((0, 1), (1, 0)), "constant")
    _check(device, A, ((0, 0), (0, 0)), "reflect")  # nothing to do: the input's values


def test_zero_widths_return_the_input_itself(device):
    x = mg.tensor(A, device=device)
    assert mg.pad(x, (0, 0)) is x and mg.pad(x, 0, mode="circular") is x


def test_padding_only_the_first_axis(device):
    _check(device, A, ((1, 2), (0, 0)), "replicate")
    _check(device, A, ((2, 1), (0, 0)), "circular")


def test_flat_widths_name_the_last_axis_first():
    x = mg.tensor(np.arange(6.0).reshape(1, 2, 3))
    np.testing.assert_array_equal(mg.pad(x, (1, 2)).numpy(), np.pad(x.numpy(), ((0, 0), (0, 0), (1, 2))))
    np.testing.assert_array_equal(mg.pad(x, (1, 0, 0, 2), mode="replicate").numpy(),
                                  np.pad(x.numpy(), ((0, 0), (0, 2), (1, 0)), mode="edge"))
    np.testing.assert_array_equal(mg.pad(x, (0, 1, 2, 0, 1, 1)).numpy(),
                                  np.pad(x.numpy(), ((1, 1), (2, 0), (0, 1))))


@pytest.mark.parametrize("form", ["int", "one pair", "pairs", "pad_width", "lists"])
def test_numpy_forms_of_the_widths(form):
    a = np.arange(6.0).reshape(2, 3)
    kw = {"int": {"pad": 2}, "one pair": {"pad": ((1, 2),)}, "pairs": {"pad": ((1, 0), (0, 2))},
          "pad_width": {"pad_width": ((0, 1), (2, 0))}, "lists": {"pad": [[2, 1], [1, 0]]}}[form]
    spec = kw.get("pad", kw.get("pad_width"))
    widths = ((spec, spec),) * 2 if isinstance(spec, int) else tuple(map(tuple, spec)) * (2 if len(spec) == 1 else 1)
    out = mg.pad(mg.tensor(a), mode="reflect" if form == "pairs" else "constant", **kw)
    np.testing.assert_array_equal(out.numpy(), np.pad(a, widths, mode="reflect" if form == "pairs" else "constant"))


def test_pad_width_wins_over_pad_one_pair_on_a_vector():
    x = mg.tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(mg.pad(x, (5, 5), pad_width=((1, 0),)).numpy(), [0.0, 1.0, 2.0, 3.0])


@pytest.mark.parametrize("call, error, msg", [
    (lambda x: mg.pad(x), TypeError, r"^pad: give the widths \(pad=\.\.\. or pad_width=\.\.\.\)$"),
    (lambda x: mg.pad(x, (1, 1), mode="wrap"), ValueError, "^pad: mode must be one of .*, got 'wrap'$"),
    (lambda x: mg.pad(x, (1, 1), mode="reflect", value=2), ValueError,
     "^pad: value=2 only applies to mode 'constant', not 'reflect'$"),
    (lambda x: mg.pad(x, (1, 1), mode="circular", value=1), ValueError, "^pad: value=1 only applies"),
    (lambda x: mg.pad(x, ((1, 1), (1, 1), (0, 0))), ValueError,
     r"^pad: pad_width .* does not give \(before, after\) for each of the 2 axes of a tensor of shape \(2, 3\)$"),
    (lambda x: mg.pad(x, ((1, 1, 1), (1, 1))), ValueError, "does not give"),
    (lambda x: mg.pad(x, (1.5, 1)), TypeError, r"^pad: widths must be ints, got \(1.5, 1\)$"),
    (lambda x: mg.pad(x, (1, 1, 1)), ValueError,
     r"^pad: the flat padding \(1, 1, 1\) must have an even length of at most 2 \* 2 "
     r"\(two per axis, last axis first\) for a tensor of shape \(2, 3\)$"),
    (lambda x: mg.pad(x, (1, 1, 1, 1, 1, 1)), ValueError, "must have an even length"),
    (lambda x: mg.pad(x, (0, 0, -1, -2)), ValueError,
     r"^pad: cropping \(-1, -2\) is more than the length 2 of axis 0$"),
    (lambda x: mg.pad(x, (3, 0), mode="reflect"), ValueError,
     r"^pad: reflect padding \(3, 0\) must be smaller than the length 3 of axis 1 \(shape \(2, 3\)\)$"),
    (lambda x: mg.pad(x, (0, 3), mode="reflect"), ValueError, "must be smaller"),
    (lambda x: mg.pad(x, (0, 4), mode="circular"), ValueError,
     r"^pad: circular padding \(0, 4\) must be at most the length 3 of axis 1 \(shape \(2, 3\)\)$"),
    (lambda x: mg.pad(x, (4, 0), mode="circular"), ValueError, "must be at most"),
    (lambda x: mg.pad(x, (-3, 1), mode="replicate"), ValueError,
     r"^pad: replicate padding of the empty axis 1 \(shape \(2, 0\)\)$"),
    (lambda x: mg.pad(x, (1, -3), mode="circular"), ValueError, "^pad: circular padding of the empty axis 1"),
])
def test_refusals(call, error, msg):
    with pytest.raises(error, match=msg):
        call(mg.ones(2, 3))


def test_cropping_to_nothing_is_allowed():
    assert mg.pad(mg.ones(2, 3), (-1, -2)).shape == (2, 0)
    assert mg.pad(mg.ones(2, 3), (-3, 0, 0, 1)).shape == (3, 0)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_an_empty_axis_that_is_not_padded_is_fine(device, mode):
    out = mg.pad(mg.ones(0, 3, device=device), (1, 1), mode=mode)  # only the last axis grows
    assert out.shape == (0, 5)
