"""The catalogue of bad inputs (issue 16 section 7), part 1: tensor ops, nn, optim and data.

Each row is ``Row(area, what, make, act, exc, fragment)``: ``make()`` builds the object under
test (fresh for every row), ``act(obj)`` feeds it the bad input, which must raise ``exc`` with
``fragment`` in the message (naming the op and what was wrong), and afterwards the object
must be exactly as ``make()`` built it (see ``test_bad_inputs_catalogue.freeze``).  Part 2
(train, tune, serialization) is ``bad_inputs_catalogue_train``; ``ROWS`` holds both.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

import minigrad as mg
import nn
import optim
from minigrad.data import DataLoader, Normalizer, make_moons, minibatches, train_dev_test_split


class Row(NamedTuple):
    area: str
    what: str
    make: Callable[[], Any]
    act: Callable[[Any], Any]
    exc: type
    fragment: str


def _none():
    return None


ROWS_1: list = []


def row(area, what, make, act, exc, fragment):
    ROWS_1.append(Row(area, what, make, act, exc, fragment))


# ----- tensor ops: creation ------------------------------------------------------------------
_CREATORS = {"zeros": mg.zeros, "ones": mg.ones, "empty": mg.empty, "rand": mg.rand, "randn": mg.randn}
_BAD_SHAPES = [((2.5,), TypeError, "got 2.5 (float)"), (("3",), TypeError, "got '3' (str)"),
               ((None,), TypeError, "got None"), ((True,), TypeError, "got True (bool)"),
               ((2, 2.0), TypeError, "got 2.0 (float)"), (((2, 1.5),), TypeError, "got 1.5"),
               ((-1,), ValueError, "negative dimension"), ((3, -2), ValueError, "negative dimension")]
for _name, _fn in _CREATORS.items():
    for _shape, _exc, _frag in _BAD_SHAPES:
        row("tensor", f"{_name}{_shape!r}", _none, lambda _, f=_fn, s=_shape: f(*s), _exc, _frag)
row("tensor", "full(2.5, fill_value=1)", _none, lambda _: mg.full(2.5, fill_value=1), TypeError, "full: a shape")
row("tensor", "uniform(2.5)", _none, lambda _: mg.uniform(2.5), TypeError, "a shape holds integers")
row("tensor", "arange(0, 5, 0)", _none, lambda _: mg.arange(0, 5, 0), ValueError, "arange: step must be nonzero")
row("tensor", "linspace(0, 1, -1)", _none, lambda _: mg.linspace(0, 1, -1), ValueError, "linspace: negative")
row("tensor", "linspace(0, 1, 2.5)", _none, lambda _: mg.linspace(0, 1, 2.5), TypeError, "linspace: a shape")
row("tensor", "eye(2.5)", _none, lambda _: mg.eye(2.5), TypeError, "eye: a shape holds integers")
row("tensor", "eye(-1)", _none, lambda _: mg.eye(-1), ValueError, "eye: negative dimension")
row("tensor", "eye(2, 'x')", _none, lambda _: mg.eye(2, "x"), TypeError, "eye: a shape holds integers")
row("tensor", "dtype float8", _none, lambda _: mg.ones(2, dtype="float8"), TypeError, "unknown dtype 'float8'")
row("tensor", "device tpu", _none, lambda _: mg.randn(2, device="tpu"), ValueError, "unknown device 'tpu'")
row("tensor", "tensor of a ragged list", _none, lambda _: mg.tensor([[1, 2], [3]]), ValueError, "tensor: cannot make")
row("tensor", "tensor of a string", _none, lambda _: mg.tensor("abc"), TypeError, "tensor: cannot make a tensor")
row("tensor", "int tensor requires grad", _none, lambda _: mg.ones(2, dtype=mg.int64).requires_grad_(),
    TypeError, "only floating-point tensors can require grad")


# ----- tensor ops: shapes, axes, devices (the input tensors stay unchanged) -----------------------
def _ab():
    return {"a": mg.tensor(np.arange(6.0).reshape(2, 3)), "b": mg.ones(4, 5), "v": mg.ones(2)}


_OPS = [
    ("a @ b", lambda d: d["a"] @ d["b"], ValueError, "matmul: shapes (2, 3) and (4, 5) do not align"),
    ("a @ v", lambda d: d["a"].matmul(d["v"]), ValueError, "matmul: shapes (2, 3) and (2,)"),
    ("a + b", lambda d: d["a"] + d["b"], ValueError, "cannot be broadcast together"),
    ("a * b", lambda d: d["a"] * d["b"], ValueError, "cannot be broadcast together"),
    ("a - b", lambda d: d["a"] - d["b"], ValueError, "cannot be broadcast together"),
    ("a / b", lambda d: d["a"] / d["b"], ValueError, "cannot be broadcast together"),
    ("a ** b", lambda d: d["a"].pow(d["b"]), ValueError, "cannot be broadcast together"),
    ("where", lambda d: mg.where(d["a"] > 0, d["a"], d["b"]), ValueError, "cannot be broadcast together"),
    ("reshape(4, 2)", lambda d: d["a"].reshape(4, 2), ValueError, "reshape: cannot reshape a tensor of shape (2, 3)"),
    ("view(7)", lambda d: d["a"].view(7), ValueError, "into shape (7,)"),
    ("sum(axis=2)", lambda d: d["a"].sum(axis=2), ValueError, "sum: axis 2 is out of range"),
    ("mean(axis=5)", lambda d: d["a"].mean(axis=5), ValueError, "mean: axis 5 is out of range"),
    ("max(axis=4)", lambda d: d["a"].max(axis=4), ValueError, "max: axis 4 is out of range"),
    ("softmax(axis=3)", lambda d: d["a"].softmax(axis=3), ValueError, "softmax: axis 3 is out of range"),
    ("log_softmax(axis=-3)", lambda d: d["a"].log_softmax(axis=-3), ValueError, "log_softmax: axis -3"),
    ("transpose(0, 2)", lambda d: d["a"].transpose(0, 2), ValueError, "transpose: axis 2 is out of range"),
    ("permute(0, 0)", lambda d: d["a"].permute(0, 0), ValueError, "is not a permutation"),
    ("squeeze(0)", lambda d: d["a"].squeeze(0), ValueError, "squeeze: axis 0 of a tensor of shape (2, 3)"),
    ("unsqueeze(5)", lambda d: d["a"].unsqueeze(5), ValueError, "unsqueeze: axis 5 is out of range"),
    ("expand(3, 3)", lambda d: d["a"].expand(3, 3), ValueError, "cannot broadcast a tensor of shape (2, 3)"),
    ("flatten(start_dim=3)", lambda d: d["a"].flatten(start_dim=3), ValueError, "flatten: axis 3"),
    ("concatenate", lambda d: mg.concatenate([d["a"], d["b"]]), ValueError, "concatenate: shapes (2, 3), (4, 5)"),
    ("stack", lambda d: mg.stack([d["a"], d["b"]]), ValueError, "stack: all tensors must have the same shape"),
    ("a[5]", lambda d: d["a"][5], IndexError, "index 5 is out of bounds for axis 0 with size 2"),
    ("item of 2 elements", lambda d: d["v"].item(), ValueError, "item: only one-element tensors"),
    ("clamp with a string bound", lambda d: d["a"].clamp(min="1"), TypeError, "clamp"),
    ("add_ of another shape", lambda d: d["a"].add_(d["b"]), ValueError, "add_: operand of shape (4, 5)"),
    ("backward without grad", lambda d: d["a"].backward(), Exception, "does not require grad"),
    ("add across devices", lambda d: d["a"] + mg.ones(3, device="strict"), mg.DeviceError,
     "all inputs must be on the same device"),
    ("matmul across devices", lambda d: d["a"] @ mg.ones(3, 2, device="strict"), mg.DeviceError,
     "all inputs must be on the same device"),
]
for _what, _act, _exc, _frag in _OPS:
    row("tensor", _what, _ab, _act, _exc, _frag)
row("tensor", "in-place change of a leaf that requires grad", lambda: mg.ones(3, requires_grad=True),
    lambda t: t.add_(mg.ones(3)), RuntimeError, "a leaf Variable that requires grad is being used in an in-place operation")


# ----- nn ----------------------------------------------------------------------------------
for _bad in (2.5, -1, "3", None, True):
    row("nn", f"Linear({_bad!r}, 3)", _none, lambda _, b=_bad: nn.Linear(b, 3), ValueError,
        "Linear: in_features must be a non-negative int")
    row("nn", f"Linear(3, {_bad!r})", _none, lambda _, b=_bad: nn.Linear(3, b), ValueError,
        "Linear: out_features must be a non-negative int")
for _bad in (0, -1e-5, float("nan"), float("inf"), "1e-5", None):
    row("nn", f"BatchNorm1d(eps={_bad!r})", _none, lambda _, b=_bad: nn.BatchNorm1d(3, eps=b), ValueError,
        "BatchNorm1d: eps must be a finite number > 0")
row("nn", "BatchNorm2d(eps=0)", _none, lambda _: nn.BatchNorm2d(3, eps=0.0), ValueError, "BatchNorm2d: eps")
for _bad in (1.5, -0.1):
    row("nn", f"BatchNorm1d(momentum={_bad})", _none, lambda _, b=_bad: nn.BatchNorm1d(3, momentum=b), ValueError,
        "momentum must be in [0, 1]")
for _bad in (0, 2.5, -3):
    row("nn", f"BatchNorm1d({_bad!r})", _none, lambda _, b=_bad: nn.BatchNorm1d(b), ValueError,
        "num_features must be a positive int")


def _lin():
    gen = mg.Generator("cpu", seed=0)
    return nn.Linear(3, 2, generator=gen)


row("nn", "Linear on an int64 input", _lin, lambda m: m(mg.ones(4, 3, dtype=mg.int64)), TypeError,
    "Linear: the input has dtype int64 but the weight has float32")
row("nn", "Linear on an int32 input", _lin, lambda m: m(mg.ones(4, 3, dtype=mg.int32)), TypeError,
    "the input has dtype int32")
row("nn", "Linear on a bool input", _lin, lambda m: m(mg.ones(4, 3, dtype="bool")), TypeError,
    "the input has dtype bool")
row("nn", "Linear on 4 features", _lin, lambda m: m(mg.ones(4, 4)), ValueError,
    "linear: input of shape (4, 4) does not fit weight of shape (2, 3)")
row("nn", "load_state_dict with a wrong shape", _lin,
    lambda m: m.load_state_dict({"weight": mg.zeros(3, 3), "bias": mg.zeros(2)}), Exception, "shape")
row("nn", "load_state_dict with a missing key", _lin, lambda m: m.load_state_dict({"weight": mg.zeros(2, 3)}),
    Exception, "bias")
row("nn", "load_state_dict with an unexpected key", _lin,
    lambda m: m.load_state_dict({"weight": mg.zeros(2, 3), "bias": mg.zeros(2), "gamma": mg.zeros(2)}),
    Exception, "gamma")
row("nn", "Sequential of a non-module", _none, lambda _: nn.Sequential(nn.ReLU(), "relu"), TypeError, "Sequential")
row("nn", "Module attribute name with a dot", _lin, lambda m: m.add_module("a.b", nn.ReLU()), KeyError, "no '.'")
for _bad in (1.5, -0.1):
    row("nn", f"Dropout(p={_bad})", _none, lambda _, b=_bad: nn.Dropout(b), ValueError, "Dropout")


# ----- optim --------------------------------------------------------------------------------
def _params():
    return [mg.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True), mg.tensor([0.1, -0.1], requires_grad=True)]


_HYPER = [
    (optim.SGD, "lr", (-1.0, float("nan"), float("inf"), "0.1", None), "invalid lr"),
    (optim.SGD, "momentum", (-0.1, 1.0, 1.5, float("nan")), "invalid momentum"),
    (optim.SGD, "weight_decay", (-1.0, float("inf")), "invalid weight_decay"),
    (optim.SGD, "dampening", (float("nan"),), "invalid dampening"),
    (optim.SGD, "nesterov", ("yes",), "nesterov must be True or False"),
    (optim.Adam, "lr", (-1.0, float("nan")), "invalid lr"),
    (optim.Adam, "betas", ((1.0, 0.9), (0.9, 1.0), (-0.1, 0.9)), "invalid beta"),
    (optim.Adam, "eps", (-1.0, float("nan")), "invalid eps"),
    (optim.Adam, "weight_decay", (-0.5,), "invalid weight_decay"),
    (optim.RMSprop, "alpha", (1.5, -0.1), "invalid alpha"),
    (optim.RMSprop, "eps", (-1.0,), "invalid eps"),
    (optim.RMSprop, "momentum", (-1.0,), "invalid momentum"),
    (optim.Momentum, "beta", (1.0, -0.1), "invalid beta"),
]
for _cls, _key, _values, _frag in _HYPER:
    for _bad in _values:
        row("optim", f"{_cls.__name__}({_key}={_bad!r})", _params,
            lambda ps, c=_cls, k=_key, b=_bad: c(ps, **{k: b}), ValueError, _frag)
row("optim", "SGD(nesterov=True, momentum=0)", _params, lambda ps: optim.SGD(ps, nesterov=True), ValueError,
    "nesterov=True needs momentum > 0")
row("optim", "SGD of an empty list", _none, lambda _: optim.SGD([]), ValueError, "empty parameter list")
row("optim", "SGD of a single tensor", _params, lambda ps: optim.SGD(ps[0]), TypeError, "wrap it in a list")
row("optim", "SGD of a set", _params, lambda ps: optim.SGD(set(ps)), TypeError, "not a set")
row("optim", "SGD of an int tensor", _none, lambda _: optim.SGD([mg.ones(2, dtype=mg.int64)]), TypeError,
    "only floating-point tensors can be optimized")
row("optim", "SGD of a non-leaf", _params, lambda ps: optim.SGD([ps[0] * 2]), ValueError, "not a leaf tensor")
row("optim", "SGD with a parameter twice", _params, lambda ps: optim.SGD([ps[0], ps[0]]), ValueError,
    "given more than once")
row("optim", "SGD of a number", _none, lambda _: optim.SGD([3.0]), TypeError, "expected a minigrad Tensor")


def _stepped(cls=optim.Adam, **kw):
    def make():
        ps = _params()
        opt = cls(ps, **kw)
        for _ in range(2):
            opt.zero_grad()
            ((ps[0] * ps[0]).sum() + (ps[1] * 3).sum()).backward()
            opt.step()
        return opt
    return make


def _load(mutate):
    def act(opt):
        sd = opt.state_dict()
        mutate(sd)
        opt.load_state_dict(sd)
    return act


def _set(path, value):
    def mutate(sd):
        node = sd
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
    return mutate


_STATE_ROWS = [
    ("step -1", ("state", 0, "step"), -1, "non-negative integer"),
    ("step 2.5", ("state", 0, "step"), 2.5, "non-negative integer"),
    ("step '2'", ("state", 0, "step"), "2", "non-negative integer"),
    ("step True", ("state", 1, "step"), True, "non-negative integer"),
    ("step as a float array", ("state", 1, "step"), np.asarray(2.0), "non-negative integer"),
    ("exp_avg a string", ("state", 0, "exp_avg"), "zeros", "must be a Tensor"),
    ("exp_avg a list", ("state", 0, "exp_avg"), [[0.0, 0.0], [0.0, 0.0]], "must be a Tensor"),
    ("exp_avg wrong shape", ("state", 0, "exp_avg"), mg.zeros(4), "(4,), float32, but the parameter is (2, 2)"),
    ("exp_avg float64", ("state", 0, "exp_avg"), mg.zeros(2, 2, dtype=mg.float64), "float64"),
    ("exp_avg_sq negative", ("state", 0, "exp_avg_sq"), -mg.ones(2, 2), "second moment"),
    ("exp_avg_sq NaN", ("state", 1, "exp_avg_sq"), mg.tensor([np.nan, 1.0]), "NaN or Inf"),
    ("exp_avg inf", ("state", 1, "exp_avg"), mg.tensor([np.inf, 1.0]), "NaN or Inf"),
    ("state for parameter 5", ("state", 5), {}, "parameter 5"),
    ("state key 'x'", ("state", "x"), {}, "state keys are parameter indices"),
    ("state entry a list", ("state", 0), [1, 2], "must be a dict"),
    ("lr a string", ("param_groups", 0, "lr"), "fast", "invalid lr"),
    ("lr negative", ("param_groups", 0, "lr"), -0.1, "invalid lr"),
    ("betas out of range", ("param_groups", 0, "betas"), [0.9, 1.5], "invalid beta"),
    ("params of another length", ("param_groups", 0, "params"), [0], "1 parameter(s) in the state_dict"),
    ("params not indices", ("param_groups", 0, "params"), ["a", "b"], "must list parameter indices"),
    ("param_groups a string", ("param_groups",), "all", "param_groups"),
    ("state a list", ("state",), [], "'state' (a dict)"),
]
for _what, _path, _value, _frag in _STATE_ROWS:
    row("optim", f"Adam.load_state_dict: {_what}", _stepped(), _load(_set(_path, _value)), ValueError, _frag)
row("optim", "Adam.load_state_dict of an SGD state", _stepped(),
    lambda opt: opt.load_state_dict(_stepped(optim.SGD, lr=0.1)().state_dict()), ValueError, "not written by Adam")
row("optim", "SGD.load_state_dict of an Adam state", _stepped(optim.SGD, lr=0.1, momentum=0.9),
    lambda opt: opt.load_state_dict(_stepped()().state_dict()), ValueError, "not written by SGD")
row("optim", "RMSprop.load_state_dict of a Momentum state", _stepped(optim.RMSprop),
    lambda opt: opt.load_state_dict(_stepped(optim.Momentum, lr=0.1)().state_dict()), ValueError,
    "not written by RMSprop")
row("optim", "load_state_dict of a list", _stepped(), lambda opt: opt.load_state_dict([]), ValueError,
    "expected a dict with 'state'")
row("optim", "step with a gradient of another shape", _stepped(),
    lambda opt: (setattr(opt.param_groups[0]["params"][1], "grad", mg.ones(3)), opt.step()), ValueError,
    "the gradient of a parameter of shape (2,)")


def _sched(cls=optim.lr_scheduler.StepLR, **kw):
    def make():
        opt = optim.SGD([mg.zeros(2, requires_grad=True)], lr=0.1)
        s = cls(opt, **(kw or {"step_size": 2}))
        s.step()
        return s
    return make


for _bad in (0, -1, 2.5):
    row("optim", f"StepLR(step_size={_bad})", _none,
        lambda _, b=_bad: optim.lr_scheduler.StepLR(optim.SGD([mg.zeros(1, requires_grad=True)]), b), ValueError,
        "step_size")
row("optim", "scheduler of a non-optimizer", _none, lambda _: optim.lr_scheduler.StepLR("sgd", 2), TypeError,
    "expected an optimizer")
_SCHED_ROWS = [
    ("of an ExponentialLR state", lambda s: _sched(optim.lr_scheduler.ExponentialLR, gamma=0.9)().state_dict(),
     "lacks ['step_size']"),
    ("last_epoch '3'", lambda s: {**s.state_dict(), "last_epoch": "3"}, "must be an integer"),
    ("last_epoch 2.5", lambda s: {**s.state_dict(), "last_epoch": 2.5}, "must be an integer"),
    ("last_epoch -7", lambda s: {**s.state_dict(), "last_epoch": -7}, "last_epoch must be an integer >= -1"),
    ("step_size a string", lambda s: {**s.state_dict(), "step_size": "2"}, "['step_size'] must be an integer"),
    ("gamma None", lambda s: {**s.state_dict(), "gamma": None}, "['gamma'] must be a number"),
    ("base_lrs of 2", lambda s: {**s.state_dict(), "base_lrs": [0.1, 0.1]}, "must be a list of 1"),
    ("base_lrs NaN", lambda s: {**s.state_dict(), "base_lrs": [float("nan")]}, "must be a number"),
    ("base_lrs negative", lambda s: {**s.state_dict(), "base_lrs": [-0.1]}, "finite learning rates >= 0"),
    ("an extra field", lambda s: {**s.state_dict(), "optimizer": None}, "unknown ['optimizer']"),
    ("a missing field", lambda s: {k: v for k, v in s.state_dict().items() if k != "gamma"}, "lacks ['gamma']"),
    ("a list", lambda s: list(s.state_dict().items()), "must be a dict"),
]
for _what, _make_state, _frag in _SCHED_ROWS:
    row("optim", f"StepLR.load_state_dict {_what}", _sched(),
        lambda s, m=_make_state: s.load_state_dict(m(s)), ValueError, _frag)


# ----- data ---------------------------------------------------------------------------------
def _xy():
    return make_moons(20, seed=0)


for _bad in (0, -1):
    row("data", f"DataLoader(batch_size={_bad})", _xy, lambda d, b=_bad: DataLoader(*d, batch_size=b), ValueError,
        "DataLoader: batch_size must be an integer >= 1")
for _bad in (2.5, "8", True, None):
    row("data", f"DataLoader(batch_size={_bad!r})", _xy, lambda d, b=_bad: DataLoader(*d, batch_size=b), TypeError,
        "DataLoader: batch_size must be an integer >= 1")
row("data", "DataLoader of strings", _none, lambda _: DataLoader(np.array([["a", "b"]] * 4), np.zeros(4)),
    TypeError, "DataLoader: X has dtype <U1")
row("data", "DataLoader of objects", _none, lambda _: DataLoader(np.array([{}, {}], dtype=object), np.zeros(2)),
    TypeError, "expected numbers")
row("data", "DataLoader of string labels", _xy, lambda d: DataLoader(d[0], d[1].astype(str)), TypeError,
    "DataLoader: y has dtype")
row("data", "DataLoader of dates", _none,
    lambda _: DataLoader(np.array(["2020-01-01"] * 3, dtype="datetime64[D]"), np.zeros(3)), TypeError, "datetime64")
row("data", "DataLoader X and y of different lengths", _xy, lambda d: DataLoader(d[0], d[1][:-1]), ValueError,
    "X has 20 examples")
row("data", "DataLoader of an empty set", _none, lambda _: DataLoader(np.zeros((0, 2)), np.zeros(0)), ValueError,
    "the data set is empty")
row("data", "DataLoader of a 0-d array", _none, lambda _: DataLoader(np.float32(3.0)), ValueError,
    "must have a first axis of examples")
row("data", "DataLoader(seed='x')", _xy, lambda d: DataLoader(*d, seed="x"), TypeError, "seed must be None")
row("data", "minibatches(batch_size=0)", _xy, lambda d: list(minibatches(*d, batch_size=0)), ValueError,
    "minibatches: batch_size")
row("data", "minibatches of different lengths", _xy, lambda d: list(minibatches(d[0][:5], d[1])), ValueError,
    "minibatches: X has 5 examples")


def _norm_data():
    X = np.random.default_rng(0).normal(size=(10, 3))
    return {"norm": Normalizer(), "X": X}


for _what, _poison in (("NaN", np.nan), ("inf", np.inf), ("-inf", -np.inf)):
    row("data", f"Normalizer.fit with {_what}", _norm_data,
        lambda d, v=_poison: d["norm"].fit(np.where(np.arange(30).reshape(10, 3) == 7, v, d["X"])), ValueError,
        "Normalizer.fit: X (shape (10, 3)) holds 1 NaN or infinite")
row("data", "Normalizer.fit of a NaN Tensor", _norm_data,
    lambda d: d["norm"].fit(mg.tensor(np.full((4, 3), np.nan))), ValueError, "holds 12 NaN")
row("data", "Normalizer.fit of an empty set", _norm_data, lambda d: d["norm"].fit(np.zeros((0, 3))), ValueError,
    "the training set is empty")
row("data", "Normalizer.transform before fit", _norm_data, lambda d: d["norm"].transform(d["X"]), Exception, "fit")
row("data", "make_moons(0)", _none, lambda _: make_moons(0), ValueError, "make_moons")
row("data", "train_dev_test_split of ratios summing to 2", _xy,
    lambda d: train_dev_test_split(*d, ratios=(1.0, 0.5, 0.5)), ValueError, "train_dev_test_split")
