"""Parity with PyTorch: each module and loss built in both libraries with the same weights gives the same
outputs and gradients, hooks see the same gradients, and a few SGD steps land on the same weights.

Runs where PyTorch is installed (skipped cleanly elsewhere); everything in float64, so the tolerances
are rounding-level (rtol 1e-10 unless a comment says otherwise).
"""
import numpy as np
import pytest

import minigrad as mg
import nn
import nn.functional as F
import optim

torch = pytest.importorskip("torch")
tnn, tF = torch.nn, torch.nn.functional

RTOL, ATOL = 1e-10, 1e-12


def _copy_weights(tmod, mmod):
    """torch state dict -> minigrad module, by key: the key names must agree too."""
    mmod.load_state_dict({k: v.detach().numpy() for k, v in tmod.state_dict().items()})


def _close(m, t, rtol=RTOL, atol=ATOL):
    t = t.detach().numpy() if isinstance(t, torch.Tensor) else t
    np.testing.assert_allclose(m.numpy() if isinstance(m, mg.Tensor) else m, t, rtol=rtol, atol=atol)


def _compare_module(tmod, mmod, x, device, integer_input=False):
    """Same output, same input gradient, same parameter gradients for L = sum(out * R)."""
    _copy_weights(tmod, mmod)
    mmod.to(device)
    tx = torch.tensor(x, requires_grad=not integer_input)
    mx = mg.Tensor(x, device=device, requires_grad=not integer_input)
    tout, mout = tmod(tx), mmod(mx)
    assert tuple(tout.shape) == mout.shape
    _close(mout, tout)
    r = np.random.default_rng(99).standard_normal(tuple(tout.shape))
    (tout * torch.tensor(r)).sum().backward()
    (mout * mg.Tensor(r, device=device)).sum().backward()
    if not integer_input:
        _close(mx.grad, tx.grad)
    tgrads = {k: p.grad for k, p in tmod.named_parameters()}
    mgrads = {k: p.grad for k, p in mmod.named_parameters()}
    assert set(tgrads) == set(mgrads)
    for k in tgrads:
        _close(mgrads[k], tgrads[k])


def _rng(seed=0):
    return np.random.default_rng(seed)


MODULES = {
    "Linear": (lambda: tnn.Linear(5, 3), lambda: nn.Linear(5, 3), (4, 5)),
    "Linear-3d": (lambda: tnn.Linear(5, 3, bias=False), lambda: nn.Linear(5, 3, bias=False), (2, 4, 5)),
    "LayerNorm": (lambda: tnn.LayerNorm(5), lambda: nn.LayerNorm(5), (4, 5)),
    "LayerNorm-2axes": (lambda: tnn.LayerNorm((3, 5), eps=1e-3), lambda: nn.LayerNorm((3, 5), eps=1e-3), (2, 3, 5)),
    "LayerNorm-nobias": (lambda: tnn.LayerNorm(5, bias=False), lambda: nn.LayerNorm(5, bias=False), (4, 5)),
    "GroupNorm": (lambda: tnn.GroupNorm(2, 4), lambda: nn.GroupNorm(2, 4), (3, 4, 5)),
    "GroupNorm-nobias": (lambda: tnn.GroupNorm(2, 4, bias=False), lambda: nn.GroupNorm(2, 4, bias=False), (3, 4, 5)),
    "GroupNorm-4d": (lambda: tnn.GroupNorm(3, 6), lambda: nn.GroupNorm(3, 6), (2, 6, 2, 3)),
    "Unflatten": (lambda: tnn.Unflatten(1, (2, 3)), lambda: nn.Unflatten(1, (2, 3)), (4, 6)),
    "Flatten": (lambda: tnn.Flatten(), lambda: nn.Flatten(), (2, 3, 4)),
    "Identity": (lambda: tnn.Identity(), lambda: nn.Identity(), (2, 3)),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_parity(device, name):
    make_t, make_m, shape = MODULES[name]
    torch.manual_seed(0)
    tmod = make_t().double()
    mmod = make_m().double()
    x = _rng(1).standard_normal(shape) * 2 + 0.5
    with torch.no_grad():  # non-trivial affine parameters
        for p in tmod.parameters():
            p.copy_(torch.tensor(_rng(2).standard_normal(tuple(p.shape))))
    _compare_module(tmod, mmod, x, device)


def test_embedding_parity_with_padding(device):
    torch.manual_seed(0)
    tmod = tnn.Embedding(10, 4, padding_idx=3).double()
    mmod = nn.Embedding(10, 4, padding_idx=3, dtype=mg.float64)
    idx = np.array([[3, 1, 1], [9, 3, 0]])
    _compare_module(tmod, mmod, idx, device, integer_input=True)
    assert np.all(mmod.weight.grad.numpy()[3] == 0)
    pre = torch.tensor(_rng(3).standard_normal((5, 2)))
    t2, m2 = tnn.Embedding.from_pretrained(pre), nn.Embedding.from_pretrained(mg.Tensor(pre.numpy(), device=device))
    assert t2.weight.requires_grad == m2.weight.requires_grad is False
    _close(m2(mg.Tensor(np.array([4, 0]), device=device)), t2(torch.tensor([4, 0])))


def test_lazy_linear_parity(device):
    tmod, mmod = tnn.LazyLinear(3).double(), nn.LazyLinear(3, dtype=mg.float64)
    x = _rng(4).standard_normal((4, 6))
    tmod(torch.tensor(x)), mmod(mg.Tensor(x))
    assert type(tmod).__name__ == type(mmod).__name__ == "Linear" and mmod.in_features == tmod.in_features == 6
    _compare_module(tmod, mmod, x, device)


def test_linear_default_init_has_pytorchs_distribution():
    """Same interval U(-1/sqrt(n_in), 1/sqrt(n_in)) for weight and bias: compare quantiles of many draws."""
    torch.manual_seed(0)
    mg.manual_seed(0)
    tl, ml = tnn.Linear(256, 512), nn.Linear(256, 512)
    qs = np.linspace(0.01, 0.99, 25)
    bound = 1 / 16
    for tp, mp in ((tl.weight, ml.weight), (tl.bias, ml.bias)):
        tq, mq = np.quantile(tp.detach().numpy(), qs), np.quantile(mp.numpy(), qs)
        noise = 2 * bound * np.sqrt(0.25 / mp.numel())  # standard error of a quantile of U(-b, b), at most
        np.testing.assert_allclose(mq, tq, atol=6 * noise)
        np.testing.assert_allclose(mq, -bound + 2 * bound * qs, atol=6 * noise)  # and the exact uniform one
        assert np.abs(mp.numpy()).max() <= bound


# ----- losses -------------------------------------------------------------------------------------------------
def _ce_case(**kw):
    def make(r):
        z, y = r.standard_normal((6, 4)) * 2, np.array([0, 3, -100, 1, 2, 3])
        return [z, y], kw
    return make


def _loss_cases():
    r = _rng
    w = r(5).uniform(0.5, 2, 4)
    cases = {
        "ce": ("cross_entropy", _ce_case()),
        "ce-weight": ("cross_entropy", _ce_case(weight=w)),
        "ce-smooth": ("cross_entropy", _ce_case(label_smoothing=0.2)),
        "ce-weight-smooth-sum": ("cross_entropy", _ce_case(weight=w, label_smoothing=0.1, reduction="sum")),
        "ce-ignore-in-range": ("cross_entropy", lambda r: ([r.standard_normal((5, 3)), np.array([0, 1, 2, 1, 1])],
                                                           dict(ignore_index=1, label_smoothing=0.3))),
        "ce-unbatched": ("cross_entropy", lambda r: ([r.standard_normal(4), np.array(2)], dict(label_smoothing=0.1))),
        "ce-probs-smooth": ("cross_entropy", lambda r: ([r.standard_normal((3, 4)), r.dirichlet(np.ones(4), 3)],
                                                        dict(label_smoothing=0.2, weight=w))),
        "ce-spatial": ("cross_entropy", lambda r: ([r.standard_normal((2, 4, 3)), r.integers(0, 4, (2, 3))],
                                                   dict(weight=w, ignore_index=2))),
        "ce-spatial-smooth": ("cross_entropy", lambda r: ([r.standard_normal((2, 4, 3)), r.integers(0, 4, (2, 3))],
                                                          dict(weight=w, ignore_index=0, label_smoothing=0.15))),
        "nll-unbatched": ("nll_loss", lambda r: ([np.log(r.dirichlet(np.ones(4))), np.array(1)], dict(weight=w))),
        "nll": ("nll_loss", lambda r: ([np.log(r.dirichlet(np.ones(4), 5)), np.array([0, 3, -100, 1, 1])],
                                       dict(weight=w, reduction="mean"))),
        "bce-pos-weight": ("binary_cross_entropy_with_logits",
                           lambda r: ([r.standard_normal((4, 3)) * 3, r.integers(0, 2, (4, 3)).astype(float)],
                                      dict(pos_weight=np.array([0.5, 2.0, 3.0])))),
        "huber": ("huber_loss", lambda r: ([r.standard_normal((3, 4)) * 2, r.standard_normal((3, 4))],
                                           dict(delta=0.6))),
        "huber-weight": ("huber_loss", lambda r: ([r.standard_normal((3, 4)) * 2, r.standard_normal((3, 4))],
                                                  dict(delta=0.8, weight=r.uniform(0, 2, (3, 4))))),
        "smooth-l1": ("smooth_l1_loss", lambda r: ([r.standard_normal((3, 4)) * 2, r.standard_normal((3, 4))],
                                                   dict(beta=0.4, reduction="sum"))),
        "smooth-l1-beta0": ("smooth_l1_loss", lambda r: ([r.standard_normal(5), r.standard_normal(5)],
                                                         dict(beta=0.0))),
        "kl-batchmean": ("kl_div", lambda r: ([np.log(r.dirichlet(np.ones(4), 3)), r.dirichlet(np.ones(4), 3)],
                                              dict(reduction="batchmean"))),
        "kl-log-target": ("kl_div", lambda r: ([np.log(r.dirichlet(np.ones(4), 3)),
                                                np.log(r.dirichlet(np.ones(4), 3))],
                                               dict(reduction="sum", log_target=True))),
        "cosine-similarity": ("cosine_similarity", lambda r: ([r.standard_normal((4, 5)), r.standard_normal((4, 5))],
                                                              dict(dim=1))),
        "cosine-embedding": ("cosine_embedding_loss",
                             lambda r: ([r.standard_normal((6, 3)), r.standard_normal((6, 3)),
                                         np.array([1, -1, 1, -1, -1, 1])], dict(margin=0.2))),
    }
    return cases


LOSSES = _loss_cases()


LOSS_RUNS = [(case, red) for case in sorted(LOSSES) for red in (None, "none")
             if red is None or LOSSES[case][0] != "cosine_similarity"]  # it has no reduction


@pytest.mark.parametrize("case, reduction", LOSS_RUNS, ids=[f"{c}-{r or 'default'}" for c, r in LOSS_RUNS])
def test_loss_parity(device, case, reduction):
    fname, make = LOSSES[case]
    arrays, kw = make(_rng(7))
    if reduction is not None:
        kw = dict(kw, reduction=reduction)
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    mkw = {k: mg.Tensor(v, device=device) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    floats = [a.dtype.kind == "f" for a in arrays]
    ts = [torch.tensor(a, requires_grad=f) for a, f in zip(arrays, floats)]
    ms = [mg.Tensor(a, device=device, requires_grad=f) for a, f in zip(arrays, floats)]
    tout, mout = getattr(tF, fname)(*ts, **tkw), getattr(F, fname)(*ms, **mkw)
    assert tuple(tout.shape) == mout.shape, case
    _close(mout, tout)
    r = _rng(8).standard_normal(tuple(tout.shape))
    (tout * torch.tensor(r)).sum().backward()
    (mout * mg.Tensor(r, device=device)).sum().backward()
    for t, m, f in zip(ts, ms, floats):
        if f:
            _close(m.grad, t.grad)


def test_loss_modules_match_torch_defaults():
    """Constructor defaults and attributes: what a ported script relies on."""
    assert nn.CrossEntropyLoss().ignore_index == tnn.CrossEntropyLoss().ignore_index == -100
    assert nn.CrossEntropyLoss().label_smoothing == tnn.CrossEntropyLoss().label_smoothing == 0.0
    assert nn.NLLLoss().ignore_index == tnn.NLLLoss().ignore_index
    assert nn.HuberLoss().delta == tnn.HuberLoss().delta and nn.SmoothL1Loss().beta == tnn.SmoothL1Loss().beta
    assert nn.KLDivLoss().reduction == tnn.KLDivLoss().reduction and nn.KLDivLoss().log_target is False
    assert nn.CosineEmbeddingLoss().margin == tnn.CosineEmbeddingLoss().margin
    assert nn.BCEWithLogitsLoss().pos_weight is None and tnn.BCEWithLogitsLoss().pos_weight is None


# ----- hooks ------------------------------------------------------------------------------------------------------
def test_backward_hook_parity(device):
    torch.manual_seed(0)
    tmodel = tnn.Sequential(tnn.Linear(3, 4), tnn.Tanh(), tnn.Linear(4, 2)).double()
    mmodel = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    _copy_weights(tmodel, mmodel)
    mmodel.to(device)
    seen = {"t": [], "m": []}
    for key, model in (("t", tmodel), ("m", mmodel)):
        for i in range(3):
            model[i].register_full_backward_hook(
                lambda mod, gi, go, key=key, i=i: seen[key].append((i, gi, go)))
        model[0].register_forward_hook(lambda mod, args, out: out * 1.5)
        model[1].register_full_backward_pre_hook(lambda mod, go: (go[0] * 2.0,))
    x = _rng(9).standard_normal((5, 3))
    tx, mx = torch.tensor(x, requires_grad=True), mg.Tensor(x, device=device, requires_grad=True)
    tout, mout = tmodel(tx), mmodel(mx)
    _close(mout, tout)
    (tout ** 2).sum().backward()
    (mout ** 2).sum().backward()
    assert [c[0] for c in seen["t"]] == [c[0] for c in seen["m"]] == [2, 1, 0]
    for (_, tgi, tgo), (_, mgi, mgo) in zip(seen["t"], seen["m"]):
        assert len(tgi) == len(mgi) and len(tgo) == len(mgo)
        for t, m in zip(tgi + tgo, mgi + mgo):
            assert (t is None) == (m is None)
            if t is not None:
                _close(m, t)
    _close(mx.grad, tx.grad)


# ----- containers, module API, nn.utils ---------------------------------------------------------------------------
def _structured(lib):
    class Model(lib.Module):
        def __init__(self):
            super().__init__()
            self.blocks = lib.ModuleDict({"enc": lib.Linear(3, 4), "norm": lib.LayerNorm(4)})
            self.scales = lib.ParameterList([lib.Parameter(torch.ones(4) if lib is tnn else mg.ones(4))])
            self.extra = lib.ParameterDict({"shift": lib.Parameter(torch.zeros(4) if lib is tnn else mg.zeros(4))})
            self.emb = lib.Embedding(5, 3, padding_idx=0)
            self.seq = lib.Sequential(lib.Unflatten(1, (2, 2)), lib.Flatten(), lib.GroupNorm(2, 4))

    return Model()


def test_state_dict_keys_and_named_modules_match_torch():
    t, m = _structured(tnn), _structured(nn)
    assert list(m.state_dict()) == list(t.state_dict())
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert type(m.get_submodule("seq.2")).__name__ == type(t.get_submodule("seq.2")).__name__ == "GroupNorm"
    _copy_weights(t, m)
    tv = torch.nn.utils.parameters_to_vector(t.parameters())
    _close(nn.utils.parameters_to_vector(m.parameters()), tv, rtol=1e-6, atol=1e-7)  # float32 both


def test_clip_grad_norm_parity():
    torch.manual_seed(0)
    t = tnn.Linear(4, 3).double()
    m = nn.Linear(4, 3).double()
    _copy_weights(t, m)
    x = _rng(10).standard_normal((6, 4)) * 10
    (t(torch.tensor(x)) ** 2).sum().backward()
    (m(mg.Tensor(x)) ** 2).sum().backward()
    tn, mn = torch.nn.utils.clip_grad_norm_(t.parameters(), 1.0), nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    np.testing.assert_allclose(float(mn), float(tn), rtol=1e-6)  # minigrad returns the norm as float32
    for tp, mp in zip(t.parameters(), m.parameters()):
        _close(mp.grad, tp.grad)


# ----- a few SGD steps through the new layers and losses ---------------------------------------------------------
def _train(lib, F_, opt_mod, steps, device=None):
    emb = lib.Embedding(12, 4, padding_idx=0)
    model = lib.Sequential(lib.Flatten(), lib.Linear(12, 8), lib.LayerNorm(8), lib.Tanh(), lib.Unflatten(1, (2, 4)),
                           lib.GroupNorm(2, 2), lib.Flatten(), lib.Linear(8, 3))
    return emb, model


def test_sgd_steps_parity(device):
    torch.manual_seed(0)
    temb, tmodel = _train(tnn, tF, torch.optim, 5)
    memb, mmodel = _train(nn, F, optim, 5)
    temb.double(), tmodel.double(), memb.double(), mmodel.double()
    _copy_weights(temb, memb)
    _copy_weights(tmodel, mmodel)
    memb.to(device), mmodel.to(device)
    r = _rng(11)
    idx, y = r.integers(0, 12, (16, 3)), r.integers(0, 3, 16)
    y[:3] = -100
    tparams = list(temb.parameters()) + list(tmodel.parameters())
    mparams = list(memb.parameters()) + list(mmodel.parameters())
    topt = torch.optim.SGD(tparams, lr=0.1, momentum=0.9, weight_decay=1e-3)
    mopt = optim.SGD(mparams, lr=0.1, momentum=0.9, weight_decay=1e-3)
    tloss_fn = tnn.CrossEntropyLoss(label_smoothing=0.1)
    mloss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    for step in range(5):
        topt.zero_grad()
        mopt.zero_grad()
        tl = tloss_fn(tmodel(temb(torch.tensor(idx))), torch.tensor(y))
        ml = mloss_fn(mmodel(memb(mg.Tensor(idx, device=device))), mg.Tensor(y, device=device))
        np.testing.assert_allclose(ml.item(), tl.item(), rtol=1e-10)
        tl.backward()
        ml.backward()
        topt.step()
        mopt.step()
    for tp, mp in zip(tparams, mparams):
        _close(mp, tp, rtol=1e-9, atol=1e-11)
    np.testing.assert_array_equal(memb.weight.numpy()[0], temb.weight.detach().numpy()[0])


# ----- signatures: a ported call binds its arguments the same way ---------------------------------------------------
EXTENSIONS = {"init", "generator"}  # minigrad's additions, always after PyTorch's parameters
SIGNED = ["Linear", "LazyLinear", "LayerNorm", "GroupNorm", "Embedding", "Unflatten", "ModuleDict", "ParameterList",
          "ParameterDict", "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "HuberLoss", "SmoothL1Loss",
          "KLDivLoss", "CosineEmbeddingLoss", "CosineSimilarity"]
F_SIGNED = ["cross_entropy", "nll_loss", "binary_cross_entropy_with_logits", "huber_loss", "smooth_l1_loss", "kl_div",
            "cosine_embedding_loss", "layer_norm", "group_norm", "embedding"]


def _params(fn):
    import inspect
    return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("name", SIGNED)
def test_module_signature_matches_torch(name):
    ours = [p for p in _params(getattr(nn, name).__init__) if p[0] not in EXTENSIONS]
    assert ours == _params(getattr(tnn, name).__init__)
    extra = [p[0] for p in _params(getattr(nn, name).__init__)][len(ours):]
    assert set(extra) <= EXTENSIONS  # the additions come last, so positional calls bind as in PyTorch


@pytest.mark.parametrize("name", F_SIGNED)
def test_functional_signature_matches_torch(name):
    assert _params(getattr(F, name)) == _params(getattr(tF, name))
