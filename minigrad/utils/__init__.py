"""``minigrad.utils``: PyTorch's ``torch.utils`` counterpart (``minigrad.utils.data``: datasets and loaders)."""
