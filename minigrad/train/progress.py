"""The per-epoch progress bar: tqdm when it is installed and stderr is a terminal, else nothing.

tqdm is an optional dependency; without it training runs silently.
"""
from __future__ import annotations

import sys

__all__ = ["ProgressBar"]


class ProgressBar:
    """A bar over the examples of one epoch showing the smoothed loss and samples/s.

    It is quiet (draws nothing) when ``enabled`` is False, when tqdm is missing, or when
    stderr is not attached to a terminal (logs, CI, captured output).
    """

    def __init__(self, total, desc, enabled=True):
        self._bar = None
        stream = sys.stderr
        if not enabled or not getattr(stream, "isatty", lambda: False)():
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return
        self._bar = tqdm(total=total, desc=desc, unit="samples", unit_scale=True, leave=True, file=stream,
                         dynamic_ncols=True)

    def update(self, n, loss):
        if self._bar is not None:
            self._bar.set_postfix_str(f"loss={loss:.4g}", refresh=False)
            self._bar.update(n)

    def close(self, summary=None):
        if self._bar is not None:
            if summary:
                self._bar.set_postfix_str(summary, refresh=False)
            self._bar.close()
            self._bar = None

    @property
    def active(self):
        return self._bar is not None
