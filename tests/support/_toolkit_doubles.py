"""TEST DOUBLES for the toolkit tests (minigrad.data / minigrad.train).

``nn`` and ``optim`` are written elsewhere; the toolkit is duck-typed, so its tests use these
minimal stand-ins built from raw ``minigrad.Tensor`` parameters.  They are not part of the
library and are deliberately small: a linear layer, an MLP (optional dropout, optional
``named_modules``), SGD with the course's momentum (so the optimizer has state to
checkpoint), a step-decay scheduler, two losses written with Tensor ops, and a test-only
stand-in for ``minigrad.save`` / ``minigrad.load`` used while the real ones are missing.
"""
from __future__ import annotations

import os
import tempfile

import numpy as np

import minigrad as mg


class Linear:
    """TEST DOUBLE: z = x @ W.T + b, W (out, in) ~ N(0, 2/in) (He), b = 0."""

    def __init__(self, n_in, n_out, gen, device="cpu", scale=None, dtype=None):
        std = np.sqrt(2.0 / n_in) if scale is None else scale
        self.W = mg.normal(n_out, n_in, std=std, generator=gen, device=device, dtype=dtype, requires_grad=True)
        self.b = mg.zeros(n_out, device=device, dtype=dtype, requires_grad=True)

    def forward(self, x):
        return x @ self.W.T + self.b

    def __call__(self, x):
        return self.forward(x)


class Activation:
    """TEST DOUBLE: an elementwise activation as a 'module' (for named_modules)."""

    def __init__(self, name):
        self.name = name

    def forward(self, x):
        return getattr(x, self.name)()

    def __call__(self, x):
        return self.forward(x)


class MLP:
    """TEST DOUBLE: Linear -> act -> [dropout] -> ... -> Linear (logits)."""

    def __init__(self, sizes, seed=0, device="cpu", act="relu", dropout=0.0, scale=None, modules=True,
                 dtype=None):
        gen = mg.Generator(device, seed=seed)
        self.layers = [Linear(a, b, gen, device, scale, dtype) for a, b in zip(sizes[:-1], sizes[1:])]
        self.acts = [Activation(act) for _ in self.layers[:-1]]
        self.dropout, self.training, self.device = dropout, True, device
        if modules:  # else: a model that does not expose its layers
            self.named_modules = self._named_modules

    def __call__(self, x):
        for layer, act in zip(self.layers, self.acts):
            x = act(layer(x))
            if self.training and self.dropout:
                keep = 1.0 - self.dropout
                x = x * mg.bernoulli(x.shape, keep, device=x.device, dtype=x.dtype) / keep
        return self.layers[-1](x)

    def named_parameters(self):
        return [(f"layers.{i}.{n}", getattr(l, n)) for i, l in enumerate(self.layers) for n in ("W", "b")]

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def _named_modules(self):
        out = [("", self)]
        for i, (layer, act) in enumerate(zip(self.layers, self.acts + [None])):
            out.append((f"layers.{i}", layer))
            if act is not None:
                out.append((f"acts.{i}", act))
        return out

    def train(self, mode=True):
        self.training = mode
        return self

    def eval(self):
        return self.train(False)

    def state_dict(self):  # shares memory with the parameters, like PyTorch's
        return {n: p.detach() for n, p in self.named_parameters()}

    def load_state_dict(self, state):
        params = dict(self.named_parameters())
        for n, p in params.items():  # check everything before changing anything
            if n not in state or tuple(np.shape(state[n])) != p.shape:
                raise KeyError(f"MLP double: bad state for {n}")
        with mg.no_grad():
            for n, p in params.items():
                v = state[n]
                p.copy_(v if isinstance(v, mg.Tensor) else np.asarray(v))


class SGD:
    """TEST DOUBLE: the course's momentum, v = beta v + (1 - beta) dW;  W -= lr v (beta=0: plain SGD)."""

    def __init__(self, params, lr=0.1, beta=0.0):
        self.params = list(params)
        self.param_groups = [{"params": self.params, "lr": lr}]
        self.beta = beta
        self.v = [None] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        lr = self.param_groups[0]["lr"]
        with mg.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is None:
                    continue
                g = p.grad.detach()
                if self.beta:
                    v = self.v[i] if self.v[i] is not None else mg.zeros_like(g)
                    g = self.v[i] = v * self.beta + g * (1 - self.beta)
                p.sub_(g * lr)

    def state_dict(self):
        state = {"lr": self.param_groups[0]["lr"], "beta": self.beta}
        state["v"] = {str(i): v.numpy() for i, v in enumerate(self.v) if v is not None}
        return state

    def load_state_dict(self, state):
        self.param_groups[0]["lr"] = float(np.asarray(state["lr"]))
        saved = state.get("v", {})
        self.v = [None if str(i) not in saved else mg.Tensor(np.asarray(saved[str(i)]), device=p.device, dtype=p.dtype)
                  for i, p in enumerate(self.params)]


class StepDecay:
    """TEST DOUBLE scheduler: lr = lr0 * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer, step_size=2, gamma=0.5):
        self.optimizer, self.step_size, self.gamma = optimizer, step_size, gamma
        self.base = optimizer.param_groups[0]["lr"]
        self.last_epoch = 0

    def step(self):
        self.last_epoch += 1
        self.optimizer.param_groups[0]["lr"] = self.base * self.gamma ** (self.last_epoch // self.step_size)

    def get_last_lr(self):
        return [self.optimizer.param_groups[0]["lr"]]

    def state_dict(self):
        return {"last_epoch": self.last_epoch, "base": self.base}

    def load_state_dict(self, state):
        self.last_epoch, self.base = int(np.asarray(state["last_epoch"])), float(np.asarray(state["base"]))


def bce_with_logits(z, y):
    """TEST DOUBLE loss: mean of max(z, 0) - z y + log(1 + exp(-|z|)) (z logits, y in {0, 1})."""
    y = y.reshape(z.shape).to(dtype=z.dtype)
    return (z.relu() - z * y + ((-z.abs()).exp() + 1.0).log()).mean()


def cross_entropy(z, y):
    """TEST DOUBLE loss: -mean_i log softmax(z_i)[y_i] (z logits (m, C), y class indices (m,))."""
    onehot = (y.reshape(-1, 1) == mg.arange(z.shape[1], device=z.device)).to(dtype=z.dtype)
    return -(onehot * z.log_softmax(axis=1)).sum(axis=1).mean()


# ----- test-only stand-in for minigrad.save / minigrad.load -----------------------------------
def _flatten(obj, prefix, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            _flatten(v, f"{prefix}{k}/", out)
    else:
        out[prefix[:-1]] = obj.numpy() if isinstance(obj, mg.Tensor) else np.asarray(obj)
    return out


def standin_save(obj, path):
    """TEST DOUBLE: nested dicts -> np.savez with '/'-joined keys, atomically (temp file + os.replace)."""
    flat = _flatten(obj, "", {})
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **flat)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def standin_load(path):
    """TEST DOUBLE: inverse of standin_save (numbers come back as 0-d arrays)."""
    out = {}
    with np.load(path) as data:
        for key in data.files:
            node, parts = out, key.split("/")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = data[key]
    return out


# ----- fixtures shared by the toolkit tests ------------------------------------------------------
import pytest  # noqa: E402


@pytest.fixture
def checkpoint_io(monkeypatch):
    """Use the real minigrad.save/load when they exist, else the test-only stand-in above."""
    if not (hasattr(mg, "save") and hasattr(mg, "load")):
        monkeypatch.setattr(mg, "save", standin_save, raising=False)
        monkeypatch.setattr(mg, "load", standin_load, raising=False)
    return mg.save, mg.load


def params_numpy(model):
    """TEST HELPER: host copies of a model's parameters, by name."""
    return {n: p.numpy() for n, p in model.named_parameters()}


def host(x):
    """TEST HELPER: NumPy values of an array or Tensor."""
    return x.numpy() if isinstance(x, mg.Tensor) else np.asarray(x)
