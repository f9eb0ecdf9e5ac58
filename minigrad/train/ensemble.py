"""Model ensembles: average the predictions of several independently trained models.

Averaging K models with uncorrelated errors reduces the variance of the prediction; it costs
K forward passes at test time.  With ``transform`` (e.g. softmax or sigmoid) the ensemble
averages probabilities, the usual choice; without, it averages the raw outputs (logits).
"""
from __future__ import annotations

from ..ops import stack

__all__ = ["Ensemble"]


class Ensemble:
    """A model whose output is the weighted mean of its members' outputs.

    ``out(x) = sum_k w_k * f(model_k(x)) / sum_k w_k`` where ``f`` is ``transform`` (identity
    by default).  It has ``parameters()``, ``train()``, ``eval()``, ``state_dict()`` and
    ``load_state_dict()``, so it can be passed to :func:`~minigrad.train.predict`,
    :func:`~minigrad.train.evaluate` and :func:`~minigrad.train.plot_decision_boundary`.

    Parameters
    ----------
    models : sequence of models (callable on the same input, same output shape)
    weights : sequence of floats, optional (default: equal)
    transform : callable, optional
        Applied to each member's output before averaging, e.g. ``lambda z: z.softmax(axis=1)``.
    """

    def __init__(self, models, weights=None, transform=None):
        self.models = list(models)
        if not self.models:
            raise ValueError("Ensemble: needs at least one model")
        weights = [1.0] * len(self.models) if weights is None else [float(w) for w in weights]
        if len(weights) != len(self.models) or any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError(f"Ensemble: weights must be {len(self.models)} non-negative numbers with a positive sum, "
                             f"got {weights}")
        total = sum(weights)
        self.weights = [w / total for w in weights]
        self.transform = transform
        self.training = True

    def __call__(self, x):
        outs = []
        for k, model in enumerate(self.models):
            out = model(x)
            out = self.transform(out) if self.transform is not None else out
            if outs and out.shape != outs[0].shape:
                raise ValueError(f"Ensemble: model {k} gives outputs of shape {out.shape}, model 0 {outs[0].shape}")
            outs.append(out * self.weights[k])
        return stack(outs, axis=0).sum(axis=0)

    def parameters(self):
        """Every member's parameters, member by member (a list)."""
        return [p for model in self.models for p in model.parameters()]

    def named_parameters(self):
        """(``"k.name"``, parameter) for each member k's parameters."""
        for k, model in enumerate(self.models):
            named = model.named_parameters() if hasattr(model, "named_parameters") else (
                (f"param{i}", p) for i, p in enumerate(model.parameters()))
            yield from ((f"{k}.{name}", p) for name, p in named)

    def train(self, mode=True):
        """Set every member to training mode (``mode=False``: evaluation); returns self."""
        self.training = bool(mode)
        for model in self.models:
            method = getattr(model, "train" if mode else "eval", None)
            if callable(method):
                method()
        return self

    def eval(self):
        """Set every member to evaluation mode (dropout off, batch norm running stats); returns self."""
        return self.train(False)

    def state_dict(self):
        """``{"0": state of member 0, "1": ...}``."""
        return {str(k): model.state_dict() for k, model in enumerate(self.models)}

    def load_state_dict(self, state):
        """Load each member's state from a dict made by :meth:`state_dict`."""
        for k, model in enumerate(self.models):
            model.load_state_dict(state[str(k)])

    def __len__(self):
        return len(self.models)

    def __repr__(self):
        return f"Ensemble({len(self.models)} models, weights={[round(w, 4) for w in self.weights]})"
