"""The training loop: mini-batch gradient descent with evaluation, callbacks and checkpoints.

One epoch, as in the course::

    for each mini-batch (X_t, Y_t):          # a fresh shuffle every epoch
        A = model(X_t)                       # forward propagation
        J_t = loss_fn(A, Y_t)                # cost of the mini-batch
        optimizer.zero_grad(); J_t.backward()  # backward propagation
        optimizer.step()                     # update the parameters
    J_train = mean of J_t weighted by batch size;  J_dev = cost on the dev set

It is duck-typed: a model is anything with ``parameters()`` and ``__call__`` (``train()`` /
``eval()``, ``named_parameters()``, ``named_modules()``, ``state_dict()`` /
``load_state_dict()`` used when present); an optimizer has ``step()``, ``zero_grad()``,
``param_groups`` and ``state_dict()`` / ``load_state_dict()``; a scheduler ``step()``.
"""
from __future__ import annotations

import math
import time

from ..data.rows import as_data, example_shape, slice_rows
from ..data.loader import DataLoader
from ..device import DeviceError
from ..modes import no_grad
from ..tensor import Tensor
from .callbacks import LearningRateScheduler
from .ema import ExponentialMovingAverage
from .evaluation import evaluate, loss_value, model_mode, model_placement, to_tensor
from .history import History
from .metrics import resolve_metrics
from .monitor import (GradNormTracker, activation_stats, check_activations, check_gradients, named_parameters,
                      warn_once)
from .progress import ProgressBar
from .state import as_int, copy_state, device_rng_states, load_file, set_device_rng_states

__all__ = ["Trainer", "fit", "NonFiniteLossError"]


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite during :func:`fit`."""


def _make_loader(train, batch_size, seed, drop_last):
    if isinstance(train, (tuple, list)):
        if len(train) != 2:
            raise ValueError(f"fit: train must be an (X, y) pair or a loader, got a sequence of {len(train)}")
        try:
            loader = DataLoader(train[0], train[1], batch_size=batch_size, shuffle=True, drop_last=drop_last,
                                seed=seed)
        except (TypeError, ValueError) as e:
            raise type(e)(f"fit (training data): {e}") from None
    elif hasattr(train, "__iter__"):
        loader = train
    else:
        raise TypeError(f"fit: train must be an (X, y) pair or an iterable of batches, got {type(train).__name__}")
    if hasattr(loader, "__len__") and len(loader) == 0:
        raise ValueError(f"fit: the training data gives no batch ({loader!r}); with drop_last=True a data set "
                         "smaller than batch_size gives none")
    return loader


def _xy(data):
    """(X, y) of an (X, y) pair or of a loader that keeps them (else (None, None))."""
    if isinstance(data, (tuple, list)):
        if len(data) != 2:
            raise ValueError(f"fit: dev must be an (X, y) pair or a loader, got a sequence of {len(data)}")
        return as_data(data[0], "fit", "dev X"), as_data(data[1], "fit", "dev y")
    return getattr(data, "X", None), getattr(data, "y", None)


def _check_dev(loader, dev, device):
    """Dev examples shaped like the training examples; Tensor data on the model's device."""
    train_xy, dev_xy = _xy(loader), _xy(dev)
    for part, data in (("train", train_xy), ("dev", dev_xy)):
        for t in data:
            if isinstance(t, Tensor) and t.device != device:
                raise DeviceError(f"fit: the {part} data is on {t.device} but the model's parameters are on "
                                  f"{device}; move one with .to(device)")
    for name, tr, dv in zip("Xy", train_xy, dev_xy):
        if tr is not None and dv is not None and example_shape(tr) != example_shape(dv):
            raise ValueError(f"fit: dev {name} has examples of shape {example_shape(dv)} (array {tuple(dv.shape)}) "
                             f"but the training {name} has {example_shape(tr)} (array {tuple(tr.shape)}); the dev "
                             "set must be shaped and preprocessed like the training set")


class Trainer:
    """The state of one training run; :func:`fit` builds one and calls :meth:`run`.

    Callbacks see it: ``model``, ``optimizer``, ``scheduler``, ``loader``, ``history``,
    ``epoch`` (epochs completed), ``epochs`` (target), ``stop_training`` (set it to stop).
    """

    def __init__(self, model, loss_fn, optimizer, train, epochs, batch_size=64, dev=None, scheduler=None,
                 callbacks=(), metrics=("accuracy",), progress=True, seed=None, drop_last=False,
                 diagnostics=True, eval_batch_size=256, eval_train=False):
        if not callable(loss_fn):
            raise TypeError(f"fit: loss_fn must be a callable loss_fn(outputs, targets), got {type(loss_fn).__name__}")
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"fit: epochs must be an integer >= 0, got {epochs!r}")
        self.model, self.loss_fn, self.optimizer, self.scheduler = model, loss_fn, optimizer, scheduler
        self.epochs, self.progress, self.eval_batch_size = epochs, progress, eval_batch_size
        self.device, self.float_dtype = model_placement(model)
        self.loader = _make_loader(train, batch_size, seed, drop_last)
        _check_dev(self.loader, dev, self.device)
        if eval_train and not hasattr(self.loader, "X"):
            raise ValueError("fit: eval_train=True needs train as (X, y) or a minigrad DataLoader")
        self.dev, self.eval_train, self.metrics = dev, eval_train, resolve_metrics(metrics)
        self.callbacks = sorted(callbacks, key=lambda cb: bool(getattr(cb, "runs_last", False)))
        self._hooks = ([LearningRateScheduler(scheduler)] if scheduler is not None else []) + self.callbacks
        self.history, self.epoch, self.stop_training = History(), 0, False
        self._grads = GradNormTracker(named_parameters(model)) if diagnostics else None
        self._probe, self._warned = None, set()

    # ----- the loop ---------------------------------------------------------------------
    def run(self, resume=None):
        """Train until ``epochs`` epochs are done or a callback stops; returns the History."""
        if resume is not None:
            self.resume(resume)
        self._call("on_train_begin")
        while self.epoch < self.epochs and not self.stop_training:
            epoch = self.epoch + 1
            self._call("on_epoch_begin", epoch)
            start, lr = time.perf_counter(), self.learning_rate()
            train_logs = self._train_epoch(epoch)
            self.epoch = epoch
            self._end_epoch(epoch, train_logs, lr, start)
        self._call("on_train_end")
        return self.history

    def _train_epoch(self, epoch):
        sums, count = dict.fromkeys(["cost", *self.metrics], 0.0), 0
        smoothed = ExponentialMovingAverage(0.9)
        bar = ProgressBar(getattr(self.loader, "num_examples", None), f"epoch {epoch}/{self.epochs}", self.progress)
        try:
            with model_mode(self.model, True):
                for step, (xb, yb) in enumerate(self.loader, 1):
                    n, values = self._train_step(xb, yb, epoch, step)
                    for k, v in values.items():
                        sums[k] += v * n
                    count += n
                    bar.update(n, smoothed.update(values["cost"]))
                    self._call("on_batch_end", step, {"loss": values["cost"], "batch_size": n})
        finally:
            bar.close(f"loss={smoothed.value:.4g}")
        if count == 0:
            raise ValueError(f"fit: the training data gave no batch in epoch {epoch}")
        return {f"train_{k}": v / count for k, v in sums.items()}

    def _train_step(self, xb, yb, epoch, step):
        x, y = to_tensor(xb, self.device, self.float_dtype), to_tensor(yb, self.device, self.float_dtype)
        out = self.model(x)
        loss = self.loss_fn(out, y)
        value = loss_value(loss)
        if not math.isfinite(value):
            raise self._nonfinite(value, epoch, step)
        self.optimizer.zero_grad()
        loss.backward()
        if self._grads is not None:
            self._grads.record()
        self.optimizer.step()
        values = {"cost": value}
        with no_grad():
            out = out.detach()
            values.update({name: float(fn(out, y)) for name, fn in self.metrics.items()})
        return len(x), values

    def _end_epoch(self, epoch, logs, lr, start):
        if self.eval_train:
            data = (self.loader.X, self.loader.y)
            logs.update({f"train_{k}": v for k, v in self._evaluate(data).items()})
        if self.dev is not None:
            logs.update({f"dev_{k}": v for k, v in self._evaluate(self.dev).items()})
        logs["lr"] = lr
        if self._grads is not None:
            logs.update(self._diagnostics(epoch))
        logs["time"] = time.perf_counter() - start
        self.history.append(logs)
        self._call("on_epoch_end", epoch, logs)

    def _evaluate(self, data):
        return evaluate(self.model, self.loss_fn, data, batch_size=self.eval_batch_size, metrics=self.metrics)

    def _call(self, hook, *args):
        for cb in self._hooks:
            getattr(cb, hook)(self, *args)

    def learning_rate(self):
        """The learning rate of the optimizer's first parameter group (nan if it has none)."""
        groups = getattr(self.optimizer, "param_groups", None)
        return float(groups[0]["lr"]) if groups else math.nan

    # ----- diagnostics ------------------------------------------------------------------
    def _diagnostics(self, epoch):
        norms = self._grads.epoch_means()
        logs = {f"grad_norm:{name}": v for name, v in norms.items()}
        acts = {}
        probe = self._probe_batch()
        if probe is not None:
            with model_mode(self.model, False):
                acts = activation_stats(self.model, probe)
        for name, (mean, std) in acts.items():
            logs[f"act_mean:{name}"], logs[f"act_std:{name}"] = mean, std
        warn_once(check_gradients(norms) + check_activations(acts), self._warned, epoch)
        return logs

    def _probe_batch(self):
        """The first examples of the training set: a fixed batch for activation statistics."""
        if self._probe is None and hasattr(self.model, "named_modules") and hasattr(self.loader, "X"):
            n = min(getattr(self.loader, "batch_size", 64), self.loader.X.shape[0])
            self._probe = to_tensor(slice_rows(self.loader.X, 0, n), self.device, self.float_dtype)
        return self._probe

    def _nonfinite(self, value, epoch, step):
        saved = [cb.last_saved for cb in self.callbacks if getattr(cb, "last_saved", None)]
        where = "no checkpoint had been written"
        if saved:
            path, at = max(saved, key=lambda s: s[1])
            where = f"the last checkpoint, {path!r} (epoch {at}), is intact"
        of = f" of {len(self.loader)}" if hasattr(self.loader, "__len__") else ""
        return NonFiniteLossError(
            f"fit: the loss is {value} at epoch {epoch}, step {step}{of}; training stopped before this step "
            f"changed the parameters, and {where}. Try a smaller learning rate, normalised inputs, or look for "
            "nan/inf in the data (minigrad.detect_anomaly() names the op that makes the first nan).")

    # ----- checkpoints ------------------------------------------------------------------
    def _devices(self):
        return sorted({str(p.device) for p in self.model.parameters()})

    def _callback_key(self, i, cb):
        return f"{i}:{type(cb).__name__}"

    def state_dict(self):
        """Everything needed to resume: model, optimizer, scheduler, epoch, the loader's and the
        devices' random generators, the history and the callbacks' states."""
        state = {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                 "epoch": self.epoch, "stop_training": int(self.stop_training),
                 "rng": device_rng_states(self._devices()), "history": self.history.state_dict(),
                 "callbacks": {self._callback_key(i, cb): cb.state_dict() for i, cb in enumerate(self.callbacks)}}
        if self.scheduler is not None and hasattr(self.scheduler, "state_dict"):
            state["scheduler"] = self.scheduler.state_dict()
        if hasattr(self.loader, "state_dict"):
            state["loader"] = self.loader.state_dict()
        return state

    def resume(self, path):
        """Load a checkpoint written by :class:`~minigrad.train.ModelCheckpoint`."""
        state = load_file(path)
        if not isinstance(state, dict) or not {"model", "optimizer", "epoch"} <= set(state):
            keys = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"fit: {str(path)!r} is not a training checkpoint (it holds {keys}; expected model, "
                             "optimizer, epoch, ...)")
        self.load_state_dict(state)

    def load_state_dict(self, state):
        """Restore :meth:`state_dict`; on failure the model and optimizer are left as they were."""
        backup = copy_state(self.model.state_dict()), copy_state(self.optimizer.state_dict())
        try:
            self._load(state)
        except Exception:
            self.model.load_state_dict(backup[0])
            self.optimizer.load_state_dict(backup[1])
            raise

    def _load(self, state):
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and hasattr(self.scheduler, "load_state_dict"):
            if "scheduler" not in state:
                raise ValueError("fit: the checkpoint has no scheduler state but a scheduler was given")
            self.scheduler.load_state_dict(state["scheduler"])
        if "loader" in state and hasattr(self.loader, "load_state_dict"):
            self.loader.load_state_dict(state["loader"])
        saved = state.get("callbacks", {})
        for i, cb in enumerate(self.callbacks):
            if self._callback_key(i, cb) in saved:
                cb.load_state_dict(saved[self._callback_key(i, cb)])
        if "history" in state:
            self.history.load_state_dict(state["history"])
        set_device_rng_states(state.get("rng", {}))
        self.epoch, self.stop_training = as_int(state["epoch"]), bool(as_int(state.get("stop_training", 0)))


def fit(model, loss_fn, optimizer, train, epochs, batch_size=64, dev=None, scheduler=None, callbacks=(),
        metrics=("accuracy",), progress=True, *, seed=None, drop_last=False, resume=None, diagnostics=True,
        eval_batch_size=256, eval_train=False):
    """Train ``model`` with mini-batch gradient descent and return its :class:`History`.

    Parameters
    ----------
    model
        Callable on a batch Tensor, with ``parameters()``; ``train()``/``eval()`` are called
        when present (dropout on for training, off for evaluation).
    loss_fn : callable
        ``loss_fn(outputs, targets) -> scalar Tensor`` (the mini-batch cost J_t).
    optimizer
        ``zero_grad()``, ``step()``, ``param_groups`` (for the recorded ``lr``), ``state_dict()``.
    train : (X, y) or iterable of (X_batch, y_batch)
        NumPy arrays or Tensors with examples on the first axis.  A pair is served by a
        :class:`~minigrad.data.DataLoader` (a fresh shuffle each epoch, seeded by ``seed``);
        NumPy batches go to the model's device, floating ones in its float dtype.
    epochs : int
        Epochs to train (in total: a resumed run continues up to this number).
    batch_size : int
        Mini-batch size for a (X, y) pair.
    dev : (X, y) or iterable of batches, optional
        Evaluated after every epoch in eval mode under ``no_grad()`` (``dev_cost``, ``dev_<metric>``).
    scheduler : optional
        Learning-rate scheduler stepped after every epoch and saved in checkpoints (for other
        intervals use a :class:`~minigrad.train.LearningRateScheduler` callback).
    callbacks : sequence of Callback
        E.g. :class:`EarlyStopping`, :class:`ModelCheckpoint`.
    metrics : names or callables
        ``"accuracy"``, ``"error"`` or ``fn(outputs, targets) -> float``; recorded for train
        (running average over the epoch's batches) and dev.
    progress : bool
        A tqdm bar per epoch with the smoothed loss (an exponentially weighted average, beta 0.9)
        and samples/s; drawn only when stderr is a terminal and tqdm is installed.
    seed : int, optional
        Seed of the shuffling generator (its state is checkpointed).
    drop_last : bool
        Drop the smaller last mini-batch of each epoch.
    resume : path, optional
        A checkpoint written by :class:`ModelCheckpoint`: model, optimizer, scheduler, epoch,
        random generators, history and callbacks are restored and training continues; the
        result equals that of an uninterrupted run.
    diagnostics : bool
        Record per-parameter gradient norms (and layer activation statistics when the model
        has ``named_modules()``), warning with :class:`GradientWarning` when they vanish or
        explode.
    eval_batch_size : int
        Batch size for evaluation.
    eval_train : bool
        Also evaluate the whole training set in eval mode after each epoch (then ``train_*``
        values are those, not the running averages; useful with dropout).

    Returns
    -------
    History

    Raises
    ------
    NonFiniteLossError
        When the loss is NaN or infinite; the message names the epoch and step, the parameters
        are those before that step and checkpoints already written are intact.
    """
    trainer = Trainer(model, loss_fn, optimizer, train, epochs, batch_size=batch_size, dev=dev,
                      scheduler=scheduler, callbacks=callbacks, metrics=metrics, progress=progress, seed=seed,
                      drop_last=drop_last, diagnostics=diagnostics, eval_batch_size=eval_batch_size,
                      eval_train=eval_train)
    return trainer.run(resume=resume)
