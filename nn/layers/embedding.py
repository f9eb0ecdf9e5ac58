"""``Embedding``: a learned lookup table of vectors, indexed by integers."""
from __future__ import annotations

import minigrad as mg

from .. import init as _init
from ..functional.embedding import _padding_index, embedding
from ..module import Module
from ..parameter import Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``; ``emb(idx)`` picks rows.

    out[..., :] = weight[idx[...], :] for integer ``idx`` of any shape: (*idx.shape, embedding_dim).
    ``weight`` starts as N(0, 1) draws (PyTorch's default), with the ``padding_idx`` row zeroed;
    positions holding ``padding_idx`` pass no gradient, so that row stays as it is in training.

    Parameters
    ----------
    num_embeddings, embedding_dim : int
    padding_idx : int, optional
        A row that is neither learned nor (initially) non-zero; negative counts from the end.
    max_norm, norm_type, scale_grad_by_freq, sparse :
        PyTorch's options; only their defaults (None, 2.0, False, False) are supported here.
    _weight : Tensor, optional
        Initial values (num_embeddings, embedding_dim) instead of the random draw.
    _freeze : bool
        ``weight.requires_grad = not _freeze``.
    device, dtype, generator : optional
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None,
                 generator=None):
        super().__init__()
        for name, n in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise ValueError(f"Embedding: {name} must be a non-negative int, got {n!r}")
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: max_norm, scale_grad_by_freq and sparse are not supported; "
                                      "leave them at None / False")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _padding_index(padding_idx, num_embeddings, "Embedding")
        self.max_norm, self.norm_type, self.scale_grad_by_freq, self.sparse = None, float(norm_type), False, False
        if _weight is None:
            self.weight = Parameter(mg.zeros(num_embeddings, embedding_dim, device=device, dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters(generator)
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {tuple(_weight.shape)}, expected "
                                 f"({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self, generator=None):
        """weight ~ N(0, 1), then the ``padding_idx`` row set to 0."""
        _init.normal_(self.weight, generator=generator)
        if self.padding_idx is not None:
            with mg.no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input):
        """Integer indices (any shape) -> (*input.shape, embedding_dim)."""
        return embedding(input, self.weight, self.padding_idx)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is ``embeddings`` (2-D; shared, not copied), frozen by default."""
        if not isinstance(embeddings, mg.Tensor) or embeddings.ndim != 2:
            raise ValueError("Embedding.from_pretrained: embeddings must be a 2-D Tensor, got "
                             f"{getattr(embeddings, 'shape', type(embeddings).__name__)}")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, _weight=embeddings, _freeze=freeze)

    def extra_repr(self):
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"
