"""PyTorch-style utilities: ``minigrad.utils.data`` (``Dataset``, ``DataLoader``, ``random_split``, ...).

A real subpackage, loaded on first use (``minigrad.utils`` is in ``minigrad._LAZY``), so that
``import minigrad as torch`` ports ``torch.utils.data`` unchanged.  The course's array-based
mini-batch tools stay in :mod:`minigrad.data`.
"""
from . import data

__all__ = ["data"]
