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
import warnings

from ..data.rows import as_data, example_shape, slice_rows
from ..data.loader import DataLoader
from ..device import DeviceError
from ..modes import is_anomaly_enabled, no_grad
from ..tensor import Tensor
from .callbacks import LearningRateScheduler
from .compiled_step import compiled_forward_backward
from .ema import ExponentialMovingAverage
from .evaluation import evaluate, loss_value, model_mode, model_placement, to_tensor
from .history import History
from .metrics import resolve_metrics
from .monitor import (GradNormTracker, activation_stats, check_activations, check_gradients, named_parameters,
                      warn_once)
from .guard import NonFiniteGradientError, NonFiniteLossError, grads_finite, nonfinite_names
from .progress import ProgressBar
from .resume import checkpoint_note, load_trainer_state, trainer_state
from .state import load_file
from .validate import check_arguments, check_callbacks, check_data, check_labels, dev_pair

__all__ = ["Trainer", "fit", "NonFiniteLossError", "NonFiniteGradientError"]


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
    return dev_pair(data) if isinstance(data, (tuple, list)) else (getattr(data, "X", None), getattr(data, "y", None))


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
    return train_xy, dev_xy


class Trainer:
    """The state of one training run; :func:`fit` builds one and calls :meth:`run`.

    Callbacks see it: ``model``, ``optimizer``, ``scheduler``, ``loader``, ``history``,
    ``epoch`` (epochs completed), ``epochs`` (target), ``stop_training`` (set it to stop).
    Everything is validated here, before the first step (see :mod:`minigrad.train.validate`).
    """

    def __init__(self, model, loss_fn, optimizer, train, epochs, batch_size=64, dev=None, scheduler=None,
                 callbacks=(), metrics=("accuracy",), progress=True, seed=None, drop_last=False,
                 diagnostics=True, eval_batch_size=256, eval_train=False, on_nonfinite="stop", compile=False):
        if not isinstance(compile, bool):
            raise TypeError(f"fit: compile must be True or False, got {compile!r}")
        check_arguments(model, loss_fn, optimizer, scheduler, eval_batch_size=eval_batch_size, progress=progress,
                        drop_last=drop_last, diagnostics=diagnostics, eval_train=eval_train, seed=seed,
                        on_nonfinite=on_nonfinite)
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"fit: epochs must be an integer >= 0, got {epochs!r}")
        self.model, self.loss_fn, self.optimizer, self.scheduler = model, loss_fn, optimizer, scheduler
        self.epochs, self.progress, self.eval_batch_size = epochs, progress, eval_batch_size
        self.on_nonfinite = on_nonfinite
        self.device, self.float_dtype = model_placement(model)
        if not callable(model):
            raise TypeError(f"fit: model must be callable on a batch Tensor, got {type(model).__name__}")
        self.loader = _make_loader(train, batch_size, seed, drop_last)
        self.dev, self.eval_train, self.metrics = dev, eval_train, resolve_metrics(metrics)
        self._check_data()
        if eval_train and not hasattr(self.loader, "X"):
            raise ValueError("fit: eval_train=True needs train as (X, y) or a minigrad DataLoader")
        callbacks = check_callbacks(callbacks, self.recorded_keys(), diagnostics)
        self.callbacks = sorted(callbacks, key=lambda cb: bool(getattr(cb, "runs_last", False)))
        self._hooks = ([LearningRateScheduler(scheduler)] if scheduler is not None else []) + self.callbacks
        self.history, self.epoch, self.stop_training = History(), 0, False
        self._named = named_parameters(model)
        self._grads = GradNormTracker(self._named) if diagnostics else None
        self._probe, self._warned, self._skipped = None, set(), 0
        self._compiled = compiled_forward_backward(model, loss_fn, optimizer) if compile else None

    def _check_data(self):
        (train_x, train_y), (dev_x, dev_y) = _check_dev(self.loader, self.dev, self.device)
        check_data("dev", dev_x, dev_y)
        check_data("training", train_x, train_y)
        check_labels(self.model, train_x, [("training", train_y), ("dev", dev_y)],
                     lambda x: to_tensor(x, self.device, self.float_dtype))

    def recorded_keys(self):
        """The History keys every epoch of this run records (besides the diagnostics)."""
        keys = {"train_cost", "lr", "time", *(f"train_{m}" for m in self.metrics)}
        if self.dev is not None:
            keys |= {"dev_cost", *(f"dev_{m}" for m in self.metrics)}
        if self.on_nonfinite == "skip_step":
            keys.add("skipped_steps")
        return keys

    # ----- the loop ---------------------------------------------------------------------
    def run(self, resume=None):
        """Train until ``epochs`` epochs are done or a callback stops; returns the History.

        If training ends with an exception, every callback's ``on_train_error(trainer, exc)``
        runs (e.g. :class:`EarlyStopping` restores its best weights) and the exception propagates.
        """
        if resume is not None:
            self.resume(resume)
        try:
            self._call("on_train_begin")
            while self.epoch < self.epochs and not self.stop_training:
                epoch = self.epoch + 1
                self._call("on_epoch_begin", epoch)
                start, lr = time.perf_counter(), self.learning_rate()
                train_logs = self._train_epoch(epoch)
                self.epoch = epoch
                self._end_epoch(epoch, train_logs, lr, start)
        except BaseException as exc:
            self._on_error(exc)
            raise
        self._call("on_train_end")
        return self.history

    def _on_error(self, exc):
        for cb in self._hooks:
            hook = getattr(cb, "on_train_error", None)
            if callable(hook):
                note = hook(self, exc)
                if note and hasattr(exc, "add_note"):
                    exc.add_note(note)

    def _train_epoch(self, epoch):
        sums, count = dict.fromkeys(["cost", *self.metrics], 0.0), 0
        smoothed, self._skipped = ExponentialMovingAverage(0.9), 0
        bar = ProgressBar(getattr(self.loader, "num_examples", None), f"epoch {epoch}/{self.epochs}", self.progress)
        try:
            with model_mode(self.model, True):
                for step, (xb, yb) in enumerate(self.loader, 1):
                    n, values = self._train_step(xb, yb, epoch, step)
                    if values is None:  # a skipped step (on_nonfinite="skip_step")
                        continue
                    for k, v in values.items():
                        sums[k] += v * n
                    count += n
                    bar.update(n, smoothed.update(values["cost"]))
                    self._call("on_batch_end", step, {"loss": values["cost"], "batch_size": n})
        finally:
            bar.close(f"loss={smoothed.value:.4g}")
        if count == 0:
            raise self._nothing_trained(epoch)
        logs = {f"train_{k}": v / count for k, v in sums.items()}
        if self.on_nonfinite == "skip_step":
            logs["skipped_steps"] = self._skipped
        return logs

    def _nothing_trained(self, epoch):
        if self._skipped:
            return NonFiniteGradientError(
                f"fit: every step of epoch {epoch} ({self._skipped}) had a non-finite loss or gradient and was "
                "skipped (on_nonfinite='skip_step'); the parameters are those from before the epoch")
        return ValueError(f"fit: the training data gave no batch in epoch {epoch}")

    def _train_step(self, xb, yb, epoch, step):
        x, y = to_tensor(xb, self.device, self.float_dtype), to_tensor(yb, self.device, self.float_dtype)
        compiled = self._compiled is not None and not is_anomaly_enabled()  # anomaly mode checks each op
        if compiled:
            loss, out = self._compiled(x, y)  # forward, loss and backward replayed; checks and step below
        else:
            out = self.model(x)
            loss = self.loss_fn(out, y)
        value = loss_value(loss)
        if not math.isfinite(value):
            return self._skip_or_raise(self._nonfinite(value, epoch, step), len(x))
        if not compiled:
            self.optimizer.zero_grad()
            try:
                loss.backward()
            except FloatingPointError as e:  # anomaly mode names the op whose backward made the NaN
                if not is_anomaly_enabled():
                    raise
                return self._skip_or_raise(self._nonfinite_grad(epoch, step, (), str(e)), len(x), e)
        params = [p for _, p in self._named]
        if not grads_finite(params):
            return self._skip_or_raise(self._nonfinite_grad(epoch, step, nonfinite_names(self._named)), len(x))
        if self._grads is not None:
            self._grads.record()
        self.optimizer.step()
        values = {"cost": value}
        with no_grad():
            out = out.detach()
            values.update({name: float(fn(out, y)) for name, fn in self.metrics.items()})
        return len(x), values

    def _skip_or_raise(self, error, n, cause=None):
        if self.on_nonfinite == "stop":
            raise error from cause
        self.optimizer.zero_grad()
        self._skipped += 1
        if self._skipped == 1:  # once per epoch; the count goes to History["skipped_steps"]
            text = str(error).replace("training stopped before this step changed", "the step was skipped, so it "
                                      "did not change").split(", and ")[0]
            warnings.warn(f"{text} (on_nonfinite='skip_step'; skipped steps are counted in "
                          "History['skipped_steps'])", RuntimeWarning, stacklevel=4)
        return n, None

    def _end_epoch(self, epoch, logs, lr, start):
        if self.eval_train:
            data = (self.loader.X, self.loader.y)
            logs.update({f"train_{k}": v for k, v in self._evaluate(data).items()})
        if self.dev is not None:
            logs.update({f"dev_{k}": v for k, v in self._evaluate(self.dev).items()})
            if not math.isfinite(logs["dev_cost"]):
                raise NonFiniteLossError(
                    f"fit: dev_cost is {logs['dev_cost']} after epoch {epoch} although the training cost was "
                    f"{logs['train_cost']:.4g} (the dev data was checked to be finite: the model's dev outputs "
                    f"overflow); the model holds the parameters after epoch {epoch}, this epoch was not recorded, "
                    f"and {checkpoint_note(self.callbacks)}")
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

    def _where(self, epoch, step):
        of = f" of {len(self.loader)}" if hasattr(self.loader, "__len__") else ""
        return f"epoch {epoch}, step {step}{of}"

    def _nonfinite(self, value, epoch, step):
        return NonFiniteLossError(
            f"fit: the loss is {value} at {self._where(epoch, step)}; training stopped before this step "
            f"changed the parameters or the optimizer state, and {checkpoint_note(self.callbacks)}. Try a smaller "
            "learning rate, normalised inputs, or look for nan/inf in the data (minigrad.detect_anomaly() names "
            "the op that makes the first nan).")

    def _nonfinite_grad(self, epoch, step, names, anomaly=None):
        what = (f"the gradient of {', '.join(names)} holds NaN or Inf" if names else
                f"anomaly mode stopped the backward pass ({anomaly})")
        hint = ("" if anomaly else " Run under minigrad.detect_anomaly() to name the op whose backward makes it "
                "(e.g. sqrt or log of an exact 0).")
        return NonFiniteGradientError(
            f"fit: the loss is finite but {what} at {self._where(epoch, step)}; training stopped before this step "
            f"changed the parameters or the optimizer state, and {checkpoint_note(self.callbacks)}.{hint}", names)

    # ----- checkpoints ------------------------------------------------------------------
    def state_dict(self):
        """Everything needed to resume: model, optimizer, scheduler, epoch, the loader's and the
        devices' random generators, the history and the callbacks' states."""
        return trainer_state(self)

    def resume(self, path):
        """Load a checkpoint written by :class:`~minigrad.train.ModelCheckpoint`."""
        state = load_file(path)
        if not isinstance(state, dict) or not {"model", "optimizer", "epoch"} <= set(state):
            keys = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"fit: {str(path)!r} is not a training checkpoint (it holds {keys}; expected model, "
                             "optimizer, epoch, ...)")
        self.load_state_dict(state)

    def load_state_dict(self, state):
        """Restore :meth:`state_dict`, all or nothing: the state is checked first, and if loading
        any part fails, the model, optimizer, scheduler, loader, callbacks, history, epoch and
        random generators are put back exactly as they were before the error propagates."""
        load_trainer_state(self, state)


def fit(model, loss_fn, optimizer, train, epochs, batch_size=64, dev=None, scheduler=None, callbacks=(),
        metrics=("accuracy",), progress=True, *, seed=None, drop_last=False, resume=None, diagnostics=True,
        eval_batch_size=256, eval_train=False, on_nonfinite="stop", compile=False):
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
    on_nonfinite : 'stop' or 'skip_step'
        What a NaN/Inf loss or gradient does.  Every gradient is checked before each
        ``optimizer.step()`` (one fused finite-check).  ``"stop"`` raises
        :class:`NonFiniteLossError` / :class:`NonFiniteGradientError` before the step, so the
        parameters, the optimizer state and every checkpoint stay as after the last good step;
        ``"skip_step"`` drops that mini-batch (no update, a ``RuntimeWarning`` the first time
        in an epoch, the count in ``History["skipped_steps"]``) and trains on.
    compile : bool
        Run each step's forward, loss and backward under :func:`minigrad.compile` (traced on the
        first two batches of each batch shape, replayed afterwards; the results are those of
        eager training, bit for bit).  The finite checks, the diagnostics, ``optimizer.step()``
        and the metrics stay eager, in the same order, so nothing above changes.  A model that
        reads values into Python in its forward trains eagerly (with a RuntimeWarning).

    Every argument, the data (lengths, finite values, class labels) and the callbacks
    (hook methods, monitored names, checkpoint paths) are checked before the first step.

    Returns
    -------
    History

    Raises
    ------
    NonFiniteLossError
        When the loss, or the dev cost after an epoch, is NaN or infinite; the message names the
        epoch and step and what the model and the last checkpoint hold (the checkpoint is read
        back to confirm it).
    NonFiniteGradientError
        (A NonFiniteLossError.) When a gradient is NaN or infinite; it names the parameters
        (``.parameters``), or the op when :func:`minigrad.detect_anomaly` is on.
    """
    trainer = Trainer(model, loss_fn, optimizer, train, epochs, batch_size=batch_size, dev=dev,
                      scheduler=scheduler, callbacks=callbacks, metrics=metrics, progress=progress, seed=seed,
                      drop_last=drop_last, diagnostics=diagnostics, eval_batch_size=eval_batch_size,
                      eval_train=eval_train, on_nonfinite=on_nonfinite, compile=compile)
    return trainer.run(resume=resume)
