"""Callbacks: code the training loop calls at the start and end of the run, of each epoch,
and after each step.  Early stopping, checkpoints and learning-rate schedules are callbacks.

A callback receives the :class:`~minigrad.train.Trainer` (``trainer.model``,
``trainer.optimizer``, ``trainer.history``, ``trainer.epoch``...) and may set
``trainer.stop_training = True``.  Its ``state_dict()`` goes into training checkpoints, so a
resumed run continues exactly where the interrupted one stopped.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from ._callback_checks import (check_best_state, check_early_stopping_state, check_flag, check_path_template,
                               refuse_nonfinite_model)
from .state import copy_state, save_file

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler", "monitor_mode"]


class Callback:
    """Base class; override the hooks you need.  ``runs_last = True`` callbacks (checkpoints)
    run after all others, so they save the state the others have just updated."""

    runs_last = False

    def on_train_begin(self, trainer):
        """Called once when training starts (also when it resumes); does nothing here."""
        pass

    def on_epoch_begin(self, trainer, epoch):
        """Called before each epoch (``epoch`` counts from 1); does nothing here."""
        pass

    def on_batch_end(self, trainer, step, logs):
        """Called after each optimizer step (``step`` 1, 2, ... in the epoch; ``logs``: loss, batch_size); no-op."""
        pass

    def on_epoch_end(self, trainer, epoch, logs):
        """Called after each epoch with its ``logs`` (train/dev costs and metrics); does nothing here."""
        pass

    def on_train_end(self, trainer):
        """Called once when training stops (finished or stopped early); does nothing here."""
        pass

    def on_train_error(self, trainer, exc):
        """Called when training ends with the exception ``exc`` (which then propagates); may
        return a sentence that is added to the exception as a note."""

    def state_dict(self):
        """The callback's state for a checkpoint (a dict; empty here)."""
        return {}

    def load_state_dict(self, state):
        """Restore the state from :meth:`state_dict` (nothing to restore here)."""
        pass


def monitor_mode(monitor, mode="auto"):
    """'min' or 'max': with 'auto', accuracies are maximised and everything else minimised."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        return "max" if "acc" in monitor else "min"
    return mode


def read_monitor(logs, monitor, who):
    """``logs[monitor]`` as a float, or a KeyError listing what is recorded."""
    if monitor not in logs:
        raise KeyError(f"{who}: monitor {monitor!r} is not recorded; available: {sorted(logs)} "
                       "(dev_* values need a dev set)")
    return float(logs[monitor])


class _Best:
    """The best value of a monitored quantity; ``improves(v)`` by more than ``min_delta``."""

    def __init__(self, monitor, mode, min_delta, who="EarlyStopping"):
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"{who}: monitor must be a History key such as 'dev_cost', got {monitor!r}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, Real) or not math.isfinite(min_delta) \
                or min_delta < 0:
            raise ValueError(f"{who}: min_delta must be a finite number >= 0, got {min_delta!r}")
        self.monitor, self.mode, self.min_delta = monitor, monitor_mode(monitor, mode), float(min_delta)
        self.who = who
        self.reset()

    def reset(self):
        self.value, self.epoch = (math.inf if self.mode == "min" else -math.inf), None

    def read(self, logs, who):
        return read_monitor(logs, self.monitor, who)

    def improves(self, value):
        if math.isnan(value):
            return False
        if self.mode == "min":
            return value < self.value - self.min_delta
        return value > self.value + self.min_delta

    def update(self, value, epoch):
        self.value, self.epoch = value, epoch

    def state_dict(self):
        return {"value": np.asarray(self.value), "epoch": np.asarray(-1 if self.epoch is None else self.epoch)}

    def load_state_dict(self, state):
        value, epoch = check_best_state(state, self.who)
        self.value, self.epoch = value, None if epoch < 0 else epoch


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs (the course's early
    stopping: keep the parameters from where the dev error was lowest).

    Parameters
    ----------
    monitor : str
        A History key, e.g. ``"dev_cost"`` (default) or ``"dev_accuracy"``.
    patience : int
        Epochs without improvement before stopping.
    min_delta : float
        An improvement must be larger than this.
    mode : 'auto', 'min' or 'max'
        'auto' maximises names containing "acc" and minimises the rest.
    restore_best : bool
        At the end of training (stopped early or not) load the parameters of the best epoch
        back into the model.
    """

    def __init__(self, monitor="dev_cost", patience=5, min_delta=0.0, mode="auto", restore_best=True):
        if isinstance(patience, bool) or not isinstance(patience, Integral) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an integer >= 0, got {patience!r}")
        check_flag("EarlyStopping", "restore_best", restore_best)
        self.best = _Best(monitor, mode, min_delta)
        self.patience, self.restore_best = int(patience), bool(restore_best)
        self.wait, self.stopped_epoch, self.best_state = 0, None, None

    def on_train_begin(self, trainer):
        """Reset the best value and the wait counter for a fresh run (not for a resumed one)."""
        if trainer.epoch == 0:  # a fresh run (a resumed one has its state from the checkpoint)
            self.best.reset()
            self.wait, self.stopped_epoch, self.best_state = 0, None, None

    def on_epoch_end(self, trainer, epoch, logs):
        """Record an improvement of ``monitor`` (and the parameters, if ``restore_best``), or count one
        more epoch without; after ``patience`` of them set ``trainer.stop_training``.
        """
        value = self.best.read(logs, "EarlyStopping")
        if self.best.improves(value):
            self.best.update(value, epoch)
            self.wait = 0
            trainer.history.best_epoch = epoch
            if self.restore_best:
                self.best_state = copy_state(trainer.model.state_dict())
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = trainer.history.stopped_epoch = epoch
                trainer.stop_training = True

    def on_train_end(self, trainer):
        """If ``restore_best``, load the best epoch's parameters back into the model."""
        if self.restore_best and self.best_state is not None and self.best.epoch != trainer.epoch:
            trainer.model.load_state_dict(self.best_state)

    def on_train_error(self, trainer, exc):
        """Restore the best weights (with ``restore_best``) also when training fails; returns a note."""
        if self.restore_best and self.best_state is not None:
            trainer.model.load_state_dict(self.best_state)
            return (f"EarlyStopping(restore_best=True) then restored the parameters of the best epoch, "
                    f"{self.best.epoch} ({self.best.monitor}={self.best.value:.6g}).")
        return None

    def state_dict(self):
        """Best value and epoch, wait counter, stopped epoch and the best parameters, for a checkpoint."""
        state = {"best": self.best.state_dict(), "wait": np.asarray(self.wait),
                 "stopped_epoch": np.asarray(-1 if self.stopped_epoch is None else self.stopped_epoch)}
        if self.best_state is not None:
            state["best_state"] = self.best_state
        return state

    def load_state_dict(self, state):
        """Restore :meth:`state_dict`; everything is checked first (on error nothing changes)."""
        best, wait, stopped = check_early_stopping_state(state)
        self.best.value, self.best.epoch = best[0], None if best[1] < 0 else best[1]
        self.wait, self.stopped_epoch = wait, None if stopped < 0 else stopped
        self.best_state = copy_state(state["best_state"]) if "best_state" in state else None

    def __repr__(self):
        return (f"EarlyStopping(monitor={self.best.monitor!r}, patience={self.patience}, "
                f"min_delta={self.best.min_delta}, restore_best={self.restore_best})")


class ModelCheckpoint(Callback):
    """Save the full training state (model, optimizer, scheduler, epoch, generators, history,
    callbacks) with ``minigrad.save``, which writes atomically: an interrupted save leaves the
    previous file intact.  Resume with ``fit(..., resume=path)``.

    Parameters
    ----------
    last : str or path, optional
        Written after every ``every``-th epoch.  ``{epoch}`` in the name is replaced by the
        epoch number (``"ckpt-{epoch:03d}.mg"`` keeps one file per epoch).
    best : str or path, optional
        Written whenever ``monitor`` improves.
    monitor, mode, min_delta
        As in :class:`EarlyStopping`.

    Attributes
    ----------
    last_saved : (path, epoch) or None
        The most recent file written and the epoch it holds.
    """

    runs_last = True

    def __init__(self, last=None, best=None, monitor="dev_cost", mode="auto", min_delta=0.0, every=1):
        if last is None and best is None:
            raise ValueError("ModelCheckpoint: give a path for last=..., best=..., or both")
        if isinstance(every, bool) or not isinstance(every, Integral) or every < 1:
            raise ValueError(f"ModelCheckpoint: every must be an integer >= 1, got {every!r}")
        for name, path in (("last", last), ("best", best)):
            check_path_template("ModelCheckpoint", name, path)
        self.last, self.best_path, self.every = last, best, int(every)
        self.best = _Best(monitor, mode, min_delta, "ModelCheckpoint")
        self.last_saved = None

    def on_train_begin(self, trainer):
        """Reset the best value for a fresh run (not for a resumed one)."""
        if trainer.epoch == 0:
            self.best.reset()

    def on_epoch_end(self, trainer, epoch, logs):
        """Save the trainer's full state to ``best`` if ``monitor`` improved, and to ``last`` every
        ``every`` epochs.
        """
        improved = False
        if self.best_path is not None:
            value = self.best.read(logs, "ModelCheckpoint")
            improved = self.best.improves(value)
            if improved:
                self.best.update(value, epoch)
        write_last = self.last is not None and epoch % self.every == 0
        if not (improved or write_last):
            return
        state = trainer.state_dict()
        refuse_nonfinite_model(state["model"], epoch)
        for path, wanted in ((self.best_path, improved), (self.last, write_last)):
            if wanted:
                path = str(path).format(epoch=epoch)
                save_file(state, path)
                self.last_saved = (path, epoch)

    def state_dict(self):
        """The best value so far and its epoch, for a checkpoint."""
        return {"best": self.best.state_dict()}

    def load_state_dict(self, state):
        """Restore the best value and epoch saved by :meth:`state_dict`."""
        if not isinstance(state, dict) or "best" not in state:
            raise ValueError(f"ModelCheckpoint.load_state_dict: expected a dict with 'best', got {state!r}")
        self.best.load_state_dict(state["best"])

    def __repr__(self):
        return f"ModelCheckpoint(last={self.last!r}, best={self.best_path!r}, monitor={self.best.monitor!r})"


class LearningRateScheduler(Callback):
    """Step a learning-rate scheduler (PyTorch's protocol: ``step()``, ``get_last_lr()``).

    Parameters
    ----------
    scheduler
        Any object with ``step()`` (and ``state_dict()``/``load_state_dict()`` to be
        checkpointed), e.g. the course's decays in ``optim``.
    interval : 'epoch' or 'step'
        Step after every epoch (the course's decay: alpha = alpha0 / (1 + decay_rate * epoch))
        or after every mini-batch step.
    monitor : str, optional
        Pass ``logs[monitor]`` to ``step`` (for schedulers that react to a metric, such as
        reduce-on-plateau); epoch interval only.
    """

    def __init__(self, scheduler, interval="epoch", monitor=None):
        if interval not in ("epoch", "step"):
            raise ValueError(f"LearningRateScheduler: interval must be 'epoch' or 'step', got {interval!r}")
        if monitor is not None and interval != "epoch":
            raise ValueError("LearningRateScheduler: a monitored metric is only known at the end of an epoch")
        if not callable(getattr(scheduler, "step", None)):
            raise TypeError(f"LearningRateScheduler: {type(scheduler).__name__} has no step() method")
        self.scheduler, self.interval, self.monitor = scheduler, interval, monitor

    def on_batch_end(self, trainer, step, logs):
        """``scheduler.step()`` after every optimizer step, if ``interval='step'``."""
        if self.interval == "step":
            self.scheduler.step()

    def on_epoch_end(self, trainer, epoch, logs):
        """``scheduler.step()`` (or ``step(logs[monitor])``) after every epoch, if ``interval='epoch'``."""
        if self.interval == "epoch":
            if self.monitor is None:
                self.scheduler.step()
            else:
                self.scheduler.step(read_monitor(logs, self.monitor, "LearningRateScheduler"))

    def state_dict(self):
        """The scheduler's ``state_dict()`` (if it has one), for a checkpoint."""
        return {"scheduler": self.scheduler.state_dict()} if hasattr(self.scheduler, "state_dict") else {}

    def load_state_dict(self, state):
        """Restore the scheduler's state saved by :meth:`state_dict`."""
        if "scheduler" in state:
            self.scheduler.load_state_dict(state["scheduler"])
