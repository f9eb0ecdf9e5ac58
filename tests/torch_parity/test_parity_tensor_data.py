"""``Tensor.data`` against PyTorch: the same idioms of ported scripts, written once for both
libraries, give the same values, flags, version counters, gradients and errors."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

START = np.array([[1.0, -2.0, 3.0], [4.0, 0.5, -6.0]])
ROW = [10.0, 20.0, 30.0]


def _pair(values=START, dtype="float32"):
    m = mg.tensor(values, dtype=getattr(mg, dtype), requires_grad=True)
    t = torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True)
    return m, t


def _lib(x):
    return torch if isinstance(x, torch.Tensor) else mg


IDIOMS = {
    "mul_": lambda d: d.mul_(0.5),
    "add_": lambda d: d.add_(1.5),
    "add_ tensor alpha": lambda d: d.add_(_lib(d).tensor(ROW), alpha=-2),
    "sub_": lambda d: d.sub_(0.25),
    "div_": lambda d: d.div_(4.0),
    "clamp_": lambda d: d.clamp_(-1.0, 2.0),
    "clamp_ max": lambda d: d.clamp_(max=0.0),
    "fill_ 0": lambda d: d.fill_(0),
    "fill_": lambda d: d.fill_(3.5),
    "zero_": lambda d: d.zero_(),
    "copy_ broadcast": lambda d: d.copy_(_lib(d).tensor(ROW)),
    "copy_ float64": lambda d: d.copy_(_lib(d).tensor(START[::-1].copy(), dtype=_lib(d).float64)),
    "setitem ellipsis": lambda d: d.__setitem__(Ellipsis, 7.0),
    "setitem row": lambda d: d.__setitem__(0, _lib(d).tensor(ROW)),
    "setitem column": lambda d: d.__setitem__((slice(None), 1), -1.0),
    "chain": lambda d: d.mul_(2.0).add_(1.0).clamp_(min=0.0),
}


def _state(p):
    return (p.detach().numpy().tolist(), str(p.dtype).replace("torch.", ""), tuple(p.shape), p.requires_grad,
            p.is_leaf, p.grad_fn is None, p._version)


@pytest.mark.parametrize("idiom", list(IDIOMS))
def test_in_place_idioms_on_data_match_torch(idiom):
    mp, tp = _pair()
    IDIOMS[idiom](mp.data)
    IDIOMS[idiom](tp.data)
    assert _state(mp) == _state(tp)


def test_data_attributes_match_torch():
    mp, tp = _pair()
    with mg.no_grad():
        mp.add_(1.0)
    with torch.no_grad():
        tp.add_(1.0)
    for p in (mp, tp):
        d = p.data
        assert (d.requires_grad, d.is_leaf, d.grad_fn, d._version, p._version) == (False, True, None, 0, 1)
        assert tuple(d.shape) == (2, 3) and str(d.dtype).replace("torch.", "") == "float32"
    np.testing.assert_array_equal(mp.data.numpy(), tp.data.numpy())
    y_m, y_t = mp * 2.0, tp * 2.0
    assert (y_m.data.is_leaf, y_m.data.requires_grad) == (y_t.data.is_leaf, y_t.data.requires_grad)


def test_update_with_grad_data_matches_torch():
    mp, tp = _pair()
    for p in (mp, tp):
        (p * p * p).sum().backward()
        p.data -= 0.01 * p.grad.data
        p.grad.data.zero_()
    assert _state(mp) == _state(tp)
    np.testing.assert_allclose(mp.numpy(), tp.detach().numpy(), rtol=1e-6)
    np.testing.assert_array_equal(mp.grad.numpy(), tp.grad.numpy())


@pytest.mark.parametrize("how", ["data", "detach"])
def test_saved_tensor_changed_through_data_or_detach_matches_torch(how):
    mp, tp = _pair()
    outcome = []
    for p in (mp, tp):
        y = (p * p.exp()).sum()  # saves p (and exp(p))
        alias = p.data if how == "data" else p.detach()
        alias.mul_(2.0)
        try:
            y.backward()
            outcome.append(("ok", p.grad.numpy().tolist(), p._version))
        except RuntimeError as e:  # minigrad's BackwardError is a RuntimeError
            assert "modified by an inplace operation" in str(e) or "modified in place" in str(e)
            outcome.append(("refused", None, p._version))
    assert outcome[0][0] == outcome[1][0] == ("ok" if how == "data" else "refused")
    assert outcome[0][2] == outcome[1][2]
    if how == "data":
        np.testing.assert_allclose(outcome[0][1], outcome[1][1], rtol=1e-5)


@pytest.mark.parametrize("values, dtype", [(np.arange(4.0), "float64"), (np.ones((3, 1, 2)), "float32"),
                                           (np.array(2.5), "float64")])
def test_assigning_a_tensor_matches_torch(values, dtype):
    mp, tp = _pair()
    for p in (mp, tp):
        (p * p).sum().backward()
        p.data = _lib(p).tensor(values, dtype=getattr(_lib(p), dtype))
    assert _state(mp) == _state(tp)
    np.testing.assert_array_equal(mp.grad.numpy(), tp.grad.numpy())  # the old grad is kept
    for p in (mp, tp):
        p.grad = None
        (p * p).sum().backward()
    np.testing.assert_array_equal(mp.grad.numpy(), tp.grad.numpy())


def test_assigning_after_forward_matches_torch():
    mp, tp = _pair()
    for p in (mp, tp):
        y = (p * p).sum()
        p.data = _lib(p).tensor(START * 10.0, dtype=_lib(p).float32)
        y.backward()
    assert _state(mp) == _state(tp)
    np.testing.assert_allclose(mp.grad.numpy(), tp.grad.numpy(), rtol=1e-6)


def test_assigning_shares_the_source_storage_like_torch():
    mp, tp = _pair()
    for p in (mp, tp):
        src = _lib(p).tensor([1.0, 2.0])
        p.data = src
        src.mul_(3.0)
    assert _state(mp) == _state(tp) and mp.tolist() == [3.0, 6.0]


def test_refusals_match_torch():
    for p in _pair():
        with pytest.raises(RuntimeError, match="floating|floating-point"):
            p.data = _lib(p).tensor([1, 2])
        with pytest.raises(TypeError):
            p.data = 3
    q_m, q_t = mg.tensor([1.5]), torch.tensor([1.5])
    for q in (q_m, q_t):  # no grad: the dtype may change to an integer one
        q.data = _lib(q).tensor([1, 2, 3])
    assert _state(q_m) == _state(q_t)


@pytest.mark.parametrize("kind", ["normal_", "uniform_"])
def test_random_fills_through_data_match_torch_in_distribution(kind):
    mp, tp = mg.zeros(200, 100, requires_grad=True), torch.zeros(200, 100, requires_grad=True)
    mg.manual_seed(1)
    torch.manual_seed(1)
    for p in (mp, tp):
        getattr(p.data, kind)(0.0, 0.02) if kind == "normal_" else p.data.uniform_(-0.3, 0.3)
    assert _state(mp)[1:] == _state(tp)[1:]
    m, t = mp.numpy().astype(np.float64), tp.detach().numpy().astype(np.float64)
    scale = t.std()  # 20,000 draws each: quantiles agree to a few hundredths of a standard deviation
    q = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
    np.testing.assert_allclose(np.quantile(m, q), np.quantile(t, q), atol=0.05 * scale)
