"""Data tools: train/dev/test splits, mini-batches, standardisation, augmentation, toy data sets.

Everything here works on NumPy arrays and on Tensors on any device, with examples on the first
axis (X is (m, ...)).

>>> import minigrad.data as mgd
>>> X, y = mgd.make_moons(200, noise=0.2, seed=0)
>>> train, dev, test = mgd.train_dev_test_split(X, y, seed=0)
>>> norm = mgd.Normalizer().fit(train[0])
>>> loader = mgd.DataLoader(norm.transform(train[0]), train[1], batch_size=32, seed=0)
>>> len(loader)
4
"""
from .augment import Compose, GaussianNoise, RandomCrop, RandomHorizontalFlip, RandomShift, Transform
from .datasets import make_blobs, make_circles, make_moons
from .loader import DataLoader, minibatches
from .normalize import Normalizer
from .split import Split, default_split_sizes, train_dev_test_split

__all__ = ["DataLoader", "minibatches", "train_dev_test_split", "default_split_sizes", "Split", "Normalizer",
           "Transform", "Compose", "RandomHorizontalFlip", "RandomCrop", "RandomShift", "GaussianNoise",
           "make_moons", "make_circles", "make_blobs"]
