"""``Dropout``: inverted dropout, the course's regularisation by randomly dropping units."""
from __future__ import annotations

from .. import functional as F
from ..functional.basic import _drop_probability
from ..module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Inverted dropout: in training, A = X * D / keep_prob with D ~ Bernoulli(keep_prob).

    Each element is kept with probability ``keep_prob = 1 - p`` and scaled by 1/keep_prob,
    so expectations are unchanged; the mask drawn in forward is the one used in backward.
    In ``eval()`` mode the layer is the identity.  ``p=0`` is always the identity and ``p=1``
    always outputs zeros in training.

    Parameters
    ----------
    p : float, optional
        Drop probability (PyTorch's spelling), default 0.5.
    keep_prob : float, optional
        The course's spelling; ``Dropout(keep_prob=0.8)`` is ``Dropout(p=0.2)``.
    generator : minigrad.Generator, optional
        Draw masks from it; by default from the device's generator (``mg.manual_seed``).
    """

    def __init__(self, p=None, *, keep_prob=None, generator=None):
        super().__init__()
        self.p = _drop_probability(p, keep_prob, "Dropout")
        self.generator = generator

    @property
    def keep_prob(self):
        """The course's keep probability, 1 - p (read-only; set ``p``)."""
        return 1.0 - self.p

    def forward(self, x):
        """In training: x * D / keep_prob with a fresh Bernoulli(keep_prob) mask D; in ``eval()``: x itself."""
        return F.dropout(x, self.p, self.training, generator=self.generator)

    def extra_repr(self):
        return f"p={self.p}"
