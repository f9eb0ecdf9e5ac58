"""Every loss, functional and module form, under every reduction ('mean', 'sum', 'none') and the legacy
size_average / reduce spellings, against PyTorch: values and input gradients (float64, rounding-level)."""
import warnings

import numpy as np
import pytest

import minigrad as mg
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
tnn, tF = torch.nn, torch.nn.functional


def _r(seed):
    return np.random.default_rng(seed)


# name: (functional name, module class name, arrays maker, kwargs); float arrays get gradients
CASES = {
    "mse": ("mse_loss", "MSELoss", lambda r: [r.standard_normal((3, 4)), r.standard_normal((3, 4))], {}),
    "l1": ("l1_loss", "L1Loss", lambda r: [r.standard_normal((5,)), r.standard_normal((5,))], {}),
    "bce": ("binary_cross_entropy", "BCELoss",
            lambda r: [r.uniform(0.05, 0.95, (4, 2)), r.integers(0, 2, (4, 2)).astype(float)], {}),
    "bce-weight": ("binary_cross_entropy", "BCELoss",
                   lambda r: [r.uniform(0.05, 0.95, (4, 2)), r.uniform(0, 1, (4, 2))],
                   {"weight": np.array([0.5, 2.0])}),
    "bce-logits": ("binary_cross_entropy_with_logits", "BCEWithLogitsLoss",
                   lambda r: [r.standard_normal((4, 3)) * 3, r.uniform(0, 1, (4, 3))], {}),
    "bce-logits-weight": ("binary_cross_entropy_with_logits", "BCEWithLogitsLoss",
                          lambda r: [r.standard_normal((4, 3)), r.integers(0, 2, (4, 3)).astype(float)],
                          {"weight": np.array([1.5, 0.2, 1.0]), "pos_weight": np.array([2.0, 1.0, 0.5])}),
    "ce": ("cross_entropy", "CrossEntropyLoss", lambda r: [r.standard_normal((5, 3)) * 2, r.integers(0, 3, 5)], {}),
    "ce-probs": ("cross_entropy", "CrossEntropyLoss",
                 lambda r: [r.standard_normal((4, 3)), r.dirichlet(np.ones(3), 4)], {}),
    "ce-weight": ("cross_entropy", "CrossEntropyLoss", lambda r: [r.standard_normal((6, 3)), r.integers(0, 3, 6)],
                  {"weight": np.array([0.2, 1.0, 3.0])}),
    "ce-spatial": ("cross_entropy", "CrossEntropyLoss",
                   lambda r: [r.standard_normal((2, 3, 4)), r.integers(0, 3, (2, 4))], {}),
    "nll": ("nll_loss", "NLLLoss", lambda r: [np.log(r.dirichlet(np.ones(4), 5)), r.integers(0, 4, 5)], {}),
    "nll-spatial-weight": ("nll_loss", "NLLLoss",
                           lambda r: [np.log(r.dirichlet(np.ones(3), (2, 2)).transpose(0, 2, 1)),
                                      r.integers(0, 3, (2, 2))], {"weight": np.array([1.0, 2.0, 0.5])}),
    "huber": ("huber_loss", "HuberLoss", lambda r: [r.standard_normal(6) * 2, r.standard_normal(6)], {}),
    "smooth-l1": ("smooth_l1_loss", "SmoothL1Loss", lambda r: [r.standard_normal(6) * 2, r.standard_normal(6)], {}),
    "kl": ("kl_div", "KLDivLoss", lambda r: [np.log(r.dirichlet(np.ones(3), 2)), r.dirichlet(np.ones(3), 2)], {}),
    "cos-emb": ("cosine_embedding_loss", "CosineEmbeddingLoss",
                lambda r: [r.standard_normal((4, 3)), r.standard_normal((4, 3)), np.array([1, -1, -1, 1])], {}),
}
RUNS = [(c, red) for c in sorted(CASES) for red in ("mean", "sum", "none", None)]


def _both(arrays):
    floats = [a.dtype.kind == "f" for a in arrays]
    ts = [torch.tensor(a, requires_grad=f) for a, f in zip(arrays, floats)]
    ms = [mg.Tensor(a, requires_grad=f) for a, f in zip(arrays, floats)]
    return floats, ts, ms


def _check(tout, mout, floats, ts, ms):
    assert tuple(tout.shape) == mout.shape
    np.testing.assert_allclose(mout.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    r = _r(1).standard_normal(tuple(tout.shape))
    (tout * torch.tensor(r)).sum().backward()
    (mout * mg.Tensor(r)).sum().backward()
    for t, m, f in zip(ts, ms, floats):
        if f:
            np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case, reduction", RUNS, ids=[f"{c}-{r}" for c, r in RUNS])
def test_functional_and_module_losses_under_every_reduction(case, reduction):
    fname, cname, make, kw = CASES[case]
    arrays = make(_r(3))
    red = {} if reduction is None else {"reduction": reduction}
    tkw = {k: torch.tensor(v) for k, v in kw.items()}
    mkw = {k: mg.Tensor(v) for k, v in kw.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # KLDiv's reduction='mean' warning (both libraries)
        floats, ts, ms = _both(arrays)
        _check(getattr(tF, fname)(*ts, **tkw, **red), getattr(F, fname)(*ms, **mkw, **red), floats, ts, ms)
        floats, ts, ms = _both(arrays)
        tmod, mmod = getattr(tnn, cname)(**tkw, **red), getattr(nn, cname)(**mkw, **red)
        _check(tmod(*ts), mmod(*ms), floats, ts, ms)


LEGACY = [(sa, rd) for sa in (None, True, False) for rd in (None, True, False)]


@pytest.mark.parametrize("size_average, reduce", LEGACY, ids=[f"sa{a}-red{b}" for a, b in LEGACY])
@pytest.mark.parametrize("case", ["bce-weight", "ce", "kl"])
def test_legacy_size_average_and_reduce(case, size_average, reduce):
    fname, cname, make, kw = CASES[case]
    arrays = make(_r(4))
    tkw = {k: torch.tensor(v) for k, v in kw.items()}
    mkw = {k: mg.Tensor(v) for k, v in kw.items()}
    legacy = {"size_average": size_average, "reduce": reduce}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's deprecation warnings, and KLDiv's 'mean' warning
        floats, ts, ms = _both(arrays)
        tmod, mmod = getattr(tnn, cname)(**tkw, **legacy), getattr(nn, cname)(**mkw, **legacy)
        _check(tmod(*ts), mmod(*ms), floats, ts, ms)
