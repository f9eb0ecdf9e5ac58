"""The layer modules; each holds its state and calls ``nn.functional`` in ``forward``."""
