"""The catalogue of bad inputs, part 2: train, tune and serialization (see ``bad_inputs_catalogue``).

Training rows build a small model and optimizer in a fresh temporary directory; the object
checked for changes is ``{"model", "opt", "dir"}`` (parameters, optimizer state and the files
of the directory).
"""
from __future__ import annotations

import hashlib
import io
import json
import pathlib
import struct
import tempfile

import numpy as np

import minigrad as mg
import optim
from minigrad import tune
from minigrad.data import make_moons
from minigrad.serialization import CheckpointError
from minigrad.train import (Callback, EarlyStopping, LearningRateScheduler, ModelCheckpoint, Trainer, fit)
from bad_inputs_catalogue import Row, _none
from _toolkit_doubles import MLP, cross_entropy

ROWS_2: list = []


def row(area, what, make, act, exc, fragment):
    ROWS_2.append(Row(area, what, make, act, exc, fragment))


# ----- train: fit's arguments, data and callbacks -----------------------------------------------
def _run():
    model = MLP([2, 6, 2], seed=0)
    d = pathlib.Path(tempfile.mkdtemp(prefix="mg-cat-"))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    return {"model": model, "opt": opt, "dir": d, "sched": optim.lr_scheduler.StepLR(opt, 1)}


def _fit(**kw):
    def act(r):
        X, y = make_moons(40, seed=0)
        Xd, yd = make_moons(12, seed=1)
        args = dict(train=(X, y), epochs=2, dev=(Xd, yd), progress=False)
        args.update({k: (v(r, X, y, Xd, yd) if callable(v) and not isinstance(v, type) and k != "loss_fn" else v)
                     for k, v in kw.items()})
        loss = args.pop("loss_fn", cross_entropy)
        fit(r["model"], loss, r["opt"], args.pop("train"), args.pop("epochs"), **args)
    return act


_FIT_ROWS = [
    ("epochs=-1", dict(epochs=-1), ValueError, "fit: epochs must be an integer >= 0"),
    ("epochs=2.5", dict(epochs=2.5), ValueError, "fit: epochs must be an integer >= 0"),
    ("epochs='3'", dict(epochs="3"), ValueError, "fit: epochs must be an integer"),
    ("epochs=True", dict(epochs=True), ValueError, "fit: epochs must be an integer"),
    ("batch_size=0", dict(batch_size=0), ValueError, "batch_size must be an integer >= 1"),
    ("batch_size=2.5", dict(batch_size=2.5), TypeError, "batch_size must be an integer >= 1"),
    ("eval_batch_size=0", dict(eval_batch_size=0), ValueError, "fit: eval_batch_size must be an integer >= 1"),
    ("eval_batch_size=-4", dict(eval_batch_size=-4), ValueError, "fit: eval_batch_size"),
    ("eval_batch_size=2.5", dict(eval_batch_size=2.5), ValueError, "fit: eval_batch_size"),
    ("eval_batch_size=None", dict(eval_batch_size=None), ValueError, "fit: eval_batch_size"),
    ("progress='yes'", dict(progress="yes"), TypeError, "fit: progress must be True or False"),
    ("drop_last='no'", dict(drop_last="no"), TypeError, "fit: drop_last must be True or False"),
    ("diagnostics=2", dict(diagnostics=2), TypeError, "fit: diagnostics must be True or False"),
    ("eval_train=None", dict(eval_train=None), TypeError, "fit: eval_train must be True or False"),
    ("seed=-1", dict(seed=-1), ValueError, "fit: seed must be None, an integer >= 0"),
    ("seed='x'", dict(seed="x"), ValueError, "fit: seed must be None"),
    ("seed=2.5", dict(seed=2.5), ValueError, "fit: seed must be None"),
    ("on_nonfinite='ignore'", dict(on_nonfinite="ignore"), ValueError, "fit: on_nonfinite must be one of"),
    ("loss_fn a string", dict(loss_fn="mse"), TypeError, "fit: loss_fn must be a callable"),
    ("metrics unknown", dict(metrics=("f1",)), ValueError, "unknown metric 'f1'"),
    ("train a triple", dict(train=lambda r, X, y, Xd, yd: (X, y, y)), ValueError, "got a sequence of 3"),
    ("train a number", dict(train=3), TypeError, "fit: train must be"),
    ("train X and y of different lengths", dict(train=lambda r, X, y, Xd, yd: (X, y[:-1])), ValueError,
     "X has 40 examples"),
    ("train labels 2 for 2 classes", dict(train=lambda r, X, y, Xd, yd: (X, y * 2)), ValueError,
     "fit: the training labels range over [0, 2]"),
    ("train labels -1", dict(train=lambda r, X, y, Xd, yd: (X, y - 1)), ValueError, "range over [-1, 0]"),
    ("train X with NaN", dict(train=lambda r, X, y, Xd, yd: (np.where(X > 1, np.nan, X), y)), ValueError,
     "fit: the training X"),
    ("train X with inf", dict(train=lambda r, X, y, Xd, yd: (np.where(X > 1, np.inf, X), y)), ValueError,
     "holds NaN or Inf"),
    ("train of strings", dict(train=lambda r, X, y, Xd, yd: (X.astype(str), y)), TypeError, "X has dtype <U"),
    ("dev of different lengths", dict(dev=lambda r, X, y, Xd, yd: (Xd, yd[:-2])), ValueError,
     "fit (dev data): X has 12 examples"),
    ("dev labels 7", dict(dev=lambda r, X, y, Xd, yd: (Xd, yd + 6)), ValueError, "fit: the dev labels range"),
    ("dev X with NaN", dict(dev=lambda r, X, y, Xd, yd: (np.where(Xd > 1, np.nan, Xd), yd)), ValueError,
     "fit: the dev X"),
    ("dev X of 3 features", dict(dev=lambda r, X, y, Xd, yd: (np.hstack([Xd, Xd[:, :1]]), yd)), ValueError,
     "dev X has examples of shape (3,)"),
    ("dev a triple", dict(dev=lambda r, X, y, Xd, yd: (Xd, yd, yd)), ValueError, "dev must be an (X, y) pair"),
    ("eval_train with a plain iterable", dict(train=lambda r, X, y, Xd, yd: map(tuple, [(X, y)]), eval_train=True),
     ValueError, "eval_train=True needs"),
    ("callbacks a single callback", dict(callbacks=lambda r, *a: EarlyStopping()), TypeError,
     "wrap a single callback in a list"),
    ("callbacks a string", dict(callbacks="early"), TypeError, "fit: callbacks must be a list"),
    ("callbacks holding a string", dict(callbacks=["early"]), TypeError, "callbacks[0] is a str, not a callback"),
    ("callbacks holding a class", dict(callbacks=lambda r, *a: [ModelCheckpoint]), TypeError,
     "callbacks[0] is the class ModelCheckpoint"),
    ("callbacks holding a dict", dict(callbacks=lambda r, *a: [{}]), TypeError, "is a dict, not a callback"),
    ("EarlyStopping on dev_cost without dev", dict(dev=None, callbacks=lambda r, *a: [EarlyStopping()]),
     ValueError, "monitors 'dev_cost', which this run does not record"),
    ("EarlyStopping on a misspelled key", dict(callbacks=lambda r, *a: [EarlyStopping(monitor="dev_cots")]),
     ValueError, "did you mean 'dev_cost'"),
    ("EarlyStopping on train_acc", dict(callbacks=lambda r, *a: [EarlyStopping(monitor="train_acc")]),
     ValueError, "monitors 'train_acc'"),
    ("ModelCheckpoint(best=) on an unknown key",
     dict(callbacks=lambda r, *a: [ModelCheckpoint(best=r["dir"] / "b.mg", monitor="val_loss")]), ValueError,
     "monitors 'val_loss'"),
    ("ModelCheckpoint in a missing directory",
     dict(callbacks=lambda r, *a: [ModelCheckpoint(last=r["dir"] / "no" / "c.mg")]), FileNotFoundError,
     "does not exist"),
    ("ModelCheckpoint best= in a missing directory",
     dict(callbacks=lambda r, *a: [ModelCheckpoint(best=str(r["dir"] / "x" / "{epoch}.mg"))]), FileNotFoundError,
     "create it first"),
    ("LearningRateScheduler monitoring an unknown key",
     dict(callbacks=lambda r, *a: [LearningRateScheduler(r["sched"], monitor="loss")]), ValueError,
     "monitors 'loss'"),
    ("scheduler without step()", dict(scheduler=object()), TypeError, "fit: scheduler must be"),
    ("resume of a missing file", dict(resume=lambda r, *a: str(r["dir"] / "none.mg")), FileNotFoundError,
     "none.mg"),
]
for _what, _kw, _exc, _frag in _FIT_ROWS:
    row("train", f"fit {_what}", _run, _fit(**_kw), _exc, _frag)
row("train", "fit with an optimizer lacking zero_grad", _run,
    lambda r: fit(r["model"], cross_entropy, object(), make_moons(20, seed=0), 1), TypeError,
    "fit: optimizer must be an optimizer with step() and zero_grad()")
row("train", "fit of a model without parameters()", _run,
    lambda r: fit(object(), cross_entropy, r["opt"], make_moons(20, seed=0), 1), TypeError,
    "fit: model must be callable and have parameters()")

for _bad, _exc in ((2.7, ValueError), (-1, ValueError), ("3", ValueError), (None, ValueError)):
    row("train", f"EarlyStopping(patience={_bad!r})", _none, lambda _, b=_bad: EarlyStopping(patience=b), _exc,
        "EarlyStopping: patience must be an integer >= 0")
for _bad in (float("nan"), -0.1, float("inf"), "0.1"):
    row("train", f"EarlyStopping(min_delta={_bad!r})", _none, lambda _, b=_bad: EarlyStopping(min_delta=b),
        ValueError, "EarlyStopping: min_delta must be a finite number >= 0")
row("train", "EarlyStopping(mode='up')", _none, lambda _: EarlyStopping(mode="up"), ValueError,
    "mode must be 'auto', 'min' or 'max'")
row("train", "EarlyStopping(monitor=3)", _none, lambda _: EarlyStopping(monitor=3), TypeError,
    "EarlyStopping: monitor must be a History key")
row("train", "EarlyStopping(restore_best='yes')", _none, lambda _: EarlyStopping(restore_best="yes"), TypeError,
    "restore_best must be True or False")
row("train", "ModelCheckpoint()", _none, lambda _: ModelCheckpoint(), ValueError, "give a path")
row("train", "ModelCheckpoint(every=0)", _none, lambda _: ModelCheckpoint(last="a.mg", every=0), ValueError,
    "every must be an integer >= 1")
row("train", "ModelCheckpoint(every=1.5)", _none, lambda _: ModelCheckpoint(last="a.mg", every=1.5), ValueError,
    "every must be an integer >= 1")
row("train", "ModelCheckpoint(last='{step}.mg')", _none, lambda _: ModelCheckpoint(last="{step}.mg"), ValueError,
    "has a placeholder that cannot be filled")
row("train", "ModelCheckpoint(last='{0}.mg')", _none, lambda _: ModelCheckpoint(last="{0}.mg"), ValueError,
    "placeholder")
row("train", "ModelCheckpoint(last='{epoch:q}')", _none, lambda _: ModelCheckpoint(last="c{epoch:q}.mg"),
    ValueError, "placeholder")
row("train", "ModelCheckpoint(last=3)", _none, lambda _: ModelCheckpoint(last=3), TypeError,
    "last must be a path")
row("train", "ModelCheckpoint(min_delta=nan)", _none,
    lambda _: ModelCheckpoint(last="a.mg", min_delta=float("nan")), ValueError, "ModelCheckpoint: min_delta")
row("train", "LearningRateScheduler(interval='batch')", _none,
    lambda _: LearningRateScheduler(optim.lr_scheduler.StepLR(optim.SGD([mg.zeros(1, requires_grad=True)]), 1),
                                    interval="batch"), ValueError, "interval must be 'epoch' or 'step'")
row("train", "LearningRateScheduler of an object", _none, lambda _: LearningRateScheduler(object()), TypeError,
    "has no step() method")


# ----- train: loading a training state ----------------------------------------------------------
def _trainer():
    X, y = make_moons(40, seed=0)
    model = MLP([2, 6, 2], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    sched = optim.lr_scheduler.StepLR(opt, 2)
    t = Trainer(model, cross_entropy, opt, (X, y), 3, scheduler=sched, callbacks=[EarlyStopping(monitor="train_cost")],
                progress=False, seed=0)
    t.run()
    return t


def _trainer_load(mutate):
    def act(t):
        state = t.state_dict()
        state = {**state, "history": dict(state["history"]), "callbacks": dict(state["callbacks"])}
        mutate(state)
        t.load_state_dict(state)
    return act


def _es(state):
    return state["callbacks"]["0:EarlyStopping"]


_TRAINER_ROWS = [
    ("epoch -1", lambda s: s.update(epoch=-1), "epoch must be an integer >= 0"),
    ("epoch 2.5", lambda s: s.update(epoch=2.5), "epoch must be an integer"),
    ("stop_training 5", lambda s: s.update(stop_training=5), "stop_training must be 0 or 1"),
    ("no model", lambda s: s.pop("model"), "lacks ['model']"),
    ("history records of another length", lambda s: s["history"].update(records={"train_cost": np.zeros(7)}),
     "one value per epoch"),
    ("history records 2-D", lambda s: s["history"].update(records={"train_cost": np.zeros((3, 1))}),
     "1-D array of numbers"),
    ("history best_epoch 'x'", lambda s: s["history"].update(best_epoch="x"), "history best_epoch"),
    ("callbacks of another class", lambda s: s["callbacks"].update({"0:ModelCheckpoint": {}}), "callback 0"),
    ("callbacks key malformed", lambda s: s["callbacks"].update({"first": {}}), "malformed key 'first'"),
    ("EarlyStopping wait -2", lambda s: _es(s).update(wait=-2), "wait must be an integer >= 0"),
    ("EarlyStopping best NaN", lambda s: _es(s).update(best={"value": float("nan"), "epoch": 1}),
     "the best value is NaN"),
    ("EarlyStopping best a string", lambda s: _es(s).update(best="low"), "best-so-far record must be a dict"),
    ("rng not a dict", lambda s: s.update(rng=[1, 2]), "rng entry must map device names"),
    ("rng garbage", lambda s: s.update(rng={"cpu": np.zeros(4, np.uint8)}), "rng entry cannot be loaded"),
    ("rng of an unknown device", lambda s: s.update(rng={"tpu": s["rng"]["cpu"]}), "rng entry cannot be loaded"),
    ("scheduler missing", lambda s: s.pop("scheduler"), "no scheduler state"),
    ("scheduler of another class", lambda s: s.update(scheduler={**s["scheduler"], "T_max": 3}),
     "scheduler entry cannot be loaded"),
    ("optimizer of another class", lambda s: s.update(optimizer=optim.Adam(
        [mg.zeros(6, 2, requires_grad=True)]).state_dict()), "optimizer entry cannot be loaded"),
    ("loader state garbage", lambda s: s.update(loader={"generator": np.zeros(2, np.uint8), "epoch": 1}),
     "loader entry cannot be loaded"),
    ("model of another shape", lambda s: s.update(model={k: np.zeros((1, 1)) for k in s["model"]}),
     "model entry cannot be loaded"),
]
for _what, _mutate, _frag in _TRAINER_ROWS:
    row("train", f"Trainer.load_state_dict: {_what}", _trainer, _trainer_load(_mutate), ValueError, _frag)


# ----- tune ---------------------------------------------------------------------------------------
def _objective(config):
    return {"dev_cost": (config["lr"] - 0.01) ** 2}


SPACE = {"lr": tune.log_uniform(1e-4, 1)}


def _search(fn=tune.random_search, *args, **kw):
    return lambda _: fn(_objective, SPACE, *args, executor="sequential", progress=False, **kw)


for _bad in (0, -1, 2.5):
    row("tune", f"random_search(n_trials={_bad})", _none, _search(tune.random_search, _bad), ValueError,
        "random_search: n_trials must be a positive integer")
for _bad in (0, -2, float("nan"), "10", float("inf")):
    row("tune", f"random_search(trial_timeout={_bad!r})", _none, _search(tune.random_search, 2, trial_timeout=_bad),
        ValueError, "random_search: trial_timeout must be None or a number of seconds > 0")
row("tune", "grid_search(trial_timeout=0)", _none, _search(tune.grid_search, 2, trial_timeout=0), ValueError,
    "grid_search: trial_timeout")
row("tune", "coarse_to_fine(trial_timeout=-1)", _none, _search(tune.coarse_to_fine, trial_timeout=-1), ValueError,
    "coarse_to_fine: trial_timeout")
row("tune", "random_search(seed='x')", _none, _search(tune.random_search, 2, "x"), TypeError, "seed must be an int")
row("tune", "random_search(mode='up')", _none, _search(tune.random_search, 2, mode="up"), ValueError, "mode")
row("tune", "grid_search(points_per_dim=0)", _none, _search(tune.grid_search, 0), ValueError,
    "points_per_dim must be a positive integer")
row("tune", "coarse_to_fine(rounds=0)", _none, _search(tune.coarse_to_fine, 0), ValueError, "rounds")
row("tune", "coarse_to_fine(top_k=0)", _none, _search(tune.coarse_to_fine, top_k=0), ValueError, "top_k")
row("tune", "executor='threads'", _none,
    lambda _: tune.random_search(_objective, SPACE, 2, executor="threads", progress=False), TypeError,
    "executor must be")
row("tune", "log_uniform(0, 1)", _none, lambda _: tune.log_uniform(0, 1), ValueError, "log_uniform")
row("tune", "a space that is not a dict", _none, lambda _: tune.random_search(_objective, [1], 2), Exception,
    "space")

_GOOD = {"trial_id": 0, "config": {"lr": 0.1}, "metrics": {"dev_cost": 1.0}, "status": "ok", "error": None,
         "time": 0.1, "round": 0}


def _journal(record):
    def make():
        d = pathlib.Path(tempfile.mkdtemp(prefix="mg-cat-"))
        path = d / "r.jsonl"
        path.write_text(json.dumps({**_GOOD, "trial_id": 1}) + "\n" + json.dumps(record) + "\n")
        return path
    return make


_JOURNAL = [
    ("no metrics", {k: v for k, v in _GOOD.items() if k != "metrics"}, "lacks 'metrics'"),
    ("no trial_id", {k: v for k, v in _GOOD.items() if k != "trial_id"}, "lacks 'trial_id'"),
    ("no status", {k: v for k, v in _GOOD.items() if k != "status"}, "lacks 'status'"),
    ("trial_id a string", {**_GOOD, "trial_id": "0"}, "'trial_id' must be Integral"),
    ("trial_id negative", {**_GOOD, "trial_id": -1}, "must be >= 0"),
    ("metrics a list", {**_GOOD, "metrics": [1]}, "'metrics' must be dict"),
    ("config a string", {**_GOOD, "config": "lr=0.1"}, "'config' must be dict"),
    ("status 'done'", {**_GOOD, "status": "done"}, "'status' must be 'ok' or 'failed'"),
    ("error a number", {**_GOOD, "error": 3}, "'error' must be str or NoneType"),
    ("time a string", {**_GOOD, "time": "1s"}, "'time' must be Real"),
    ("round a float", {**_GOOD, "round": 0.5}, "'round' must be Integral"),
    ("a list, not an object", [1, 2], "must hold a JSON object"),
]
for _what, _record, _frag in _JOURNAL:
    row("tune", f"load_results with a record: {_what}", _journal(_record), lambda p: tune.load_results(p),
        ValueError, f"line 2 is not a trial record")
    row("tune", f"resume a search from a record: {_what}", _journal(_record),
        lambda p, f=_frag: tune.random_search(_objective, SPACE, 2, executor="sequential", results_file=p,
                                              progress=False), ValueError, _frag)


# ----- serialization -------------------------------------------------------------------------------
def _dir():
    return pathlib.Path(tempfile.mkdtemp(prefix="mg-cat-"))


def _deep_list(depth):
    out = []
    for _ in range(depth):
        out = [out]
    return out


_UNSAVABLE = [("an object", object(), "cannot store an object of type object"),
              ("a set", {1, 2}, "cannot store an object of type set"),
              ("a function", len, "builtin_function_or_method"),
              ("a complex array", np.ones(2, np.complex64), "unsupported dtype complex64"),
              ("an object array", np.array([None]), "unsupported dtype object"),
              ("a string array", np.array(["a"]), "unsupported dtype"),
              ("a dict with an object key", {object(): 1}, "dict key"),
              ("a 70-deep list", _deep_list(70), "nested deeper than 64")]
for _what, _obj, _frag in _UNSAVABLE:
    row("serialization", f"save {_what}", _dir, lambda d, o=_obj: mg.save({"x": o}, d / "c.mg"), CheckpointError,
        _frag)


def _bytes(mutate_header=None, raw=None):
    """A checkpoint of one float32 array, with its header changed by ``mutate_header``."""
    buf = io.BytesIO()
    mg.save({"a": np.arange(4, dtype=np.float32)}, buf)
    data = bytearray(buf.getvalue())
    if mutate_header is None:
        return raw(data) if raw else bytes(data)
    prefix = struct.Struct("<8sIQ")
    magic, version, hlen = prefix.unpack(data[:prefix.size])
    header = json.loads(data[prefix.size:prefix.size + hlen])
    start = prefix.size + hlen
    payload = data[start + (-start % 64):-32]
    mutate_header(header)
    h = json.dumps(header).encode()
    start = prefix.size + len(h)
    body = prefix.pack(magic, version, len(h)) + h + b"\0" * (-start % 64) + payload
    return body + hashlib.sha256(body).digest()


def _entry(key, value):
    def mutate(h):
        h["root"]["v"][0][key] = value
    return mutate


def _flip(data):
    data[-40] ^= 0xFF
    return bytes(data)


_HOSTILE = [
    ("truncated", lambda: _bytes()[:-50], "checksum mismatch"),
    ("cut to 10 bytes", lambda: _bytes()[:10], "truncated"),
    ("a flipped byte", lambda: _bytes(raw=_flip), "checksum mismatch"),
    ("empty", lambda: b"", "the file is empty"),
    ("a pickle", lambda: b"\x80\x04\x95" + b"\0" * 40, "a Python pickle"),
    ("a zip (torch.save)", lambda: b"PK\x03\x04" + b"\0" * 40, "a zip archive"),
    ("a .npy file", lambda: b"\x93NUMPY" + b"\0" * 40, "a NumPy .npy file"),
    ("version 2", lambda: _bytes(raw=lambda d: bytes(d[:8]) + struct.pack("<I", 2) + bytes(d[12:])),
     "format version 2 is not supported"),
    ("a shape whose size overflows", lambda: _bytes(_entry("shape", [2 ** 62, 2 ** 62, 0])), "too large"),
    ("a dimension of 2**70", lambda: _bytes(_entry("shape", [2 ** 70, 0])), "bad array shape"),
    ("a negative dimension", lambda: _bytes(_entry("shape", [-4])), "bad array shape"),
    ("a shape of strings", lambda: _bytes(_entry("shape", ["4"])), "bad array shape"),
    ("a shape of 40 axes", lambda: _bytes(_entry("shape", [1] * 40)), "bad array shape"),
    ("a shape that does not match the bytes", lambda: _bytes(_entry("shape", [5])), "needs 20 bytes"),
    ("dtype object", lambda: _bytes(_entry("dtype", "object")), "unsupported dtype"),
    ("an offset outside the data", lambda: _bytes(_entry("offset", 10 ** 9)), "points outside the data"),
    ("a negative offset", lambda: _bytes(_entry("offset", -64)), "points outside the data"),
    ("an unknown tag", lambda: _bytes(_entry("$t", "pickle")), "unknown entry type"),
    ("a bad float", lambda: _bytes(lambda h: h["root"]["v"].__setitem__(0, {"$t": "float", "v": "1e999x"})),
     "bad float value"),
    ("keys and values of different lengths", lambda: _bytes(lambda h: h["root"]["k"].append("b")),
     "different numbers of keys and values"),
    ("a header 100 levels deep",
     lambda: _bytes(lambda h: h.update(root=json.loads('{"$t":"list","v":[' * 100 + "]}" * 100))),
     "nested deeper than 64"),
    ("a data size that lies", lambda: _bytes(lambda h: h.update(data_size=12345)), "data size in the header"),
    ("no root", lambda: _bytes(lambda h: h.pop("root")), "no 'root' entry"),
    ("another format", lambda: _bytes(lambda h: h.update(format="other")), "does not describe a minigrad"),
    ("a tensor on a device that does not exist", lambda: _bytes(lambda h: h["root"]["v"][0].update(
        {"$t": "tensor", "device": "cuda:9"})), "cannot be used here"),
]
for _what, _content, _frag in _HOSTILE:
    def _make(c=_content):
        d = _dir()
        (d / "c.mg").write_bytes(c())
        return d
    row("serialization", f"load {_what}", _make, lambda d: mg.load(d / "c.mg"), CheckpointError, _frag)
def _saved():
    d = _dir()
    mg.save({"w": mg.ones(2)}, d / "ok.mg")
    return d


row("serialization", "load with map_location='tpu'", _saved, lambda d: mg.load(d / "ok.mg", map_location="tpu"),
    CheckpointError, "cannot be used here")
row("serialization", "load with map_location={'cpu': 'cuda:9'}", _saved,
    lambda d: mg.load(d / "ok.mg", map_location={"cpu": "cuda:9"}), CheckpointError, "cannot be used here")
