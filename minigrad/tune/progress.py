"""A progress bar over trials: tqdm when installed, shown when stderr is a terminal (or on request)."""
from __future__ import annotations

import math
import sys

__all__ = ["Progress"]


class Progress:
    """Counts finished trials and shows the best objective so far.

    ``enabled=None`` shows the bar only when stderr is a terminal; ``True`` always (a plain
    one-line counter if tqdm is not installed); ``False`` never.
    """

    def __init__(self, total, initial, objective, enabled=None, desc="trials", mode="min"):
        self.objective, self.mode, self.best, self.failed = objective, mode, math.nan, 0
        if enabled is None:
            enabled = bool(getattr(sys.stderr, "isatty", lambda: False)())
        self._bar, self._plain = None, False
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                self._plain = True
            else:
                self._bar = tqdm(total=total, initial=initial, desc=desc, unit="trial", leave=True)
        self.total, self.n, self.desc = total, initial, desc

    def _track(self, rec):
        if rec.get("status") != "ok":
            self.failed += 1
            return
        v = rec["metrics"][self.objective]
        better = v < self.best if self.mode == "min" else v > self.best
        self.best = v if math.isnan(self.best) or better else self.best

    def seen(self, rec):
        """A trial taken from the results file (already counted in ``initial``)."""
        self._track(rec)

    def update(self, rec):
        """A trial that just finished."""
        self._track(rec)
        self.n += 1
        info = f"best {self.objective}={self.best:.4g}" if not math.isnan(self.best) else ""
        info += f" failed={self.failed}" if self.failed else ""
        if self._bar is not None:
            self._bar.set_postfix_str(info, refresh=False)
            self._bar.update(1)
        elif self._plain:
            sys.stderr.write(f"\r{self.desc}: {self.n}/{self.total} {info}")
            sys.stderr.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.close()
        elif self._plain:
            sys.stderr.write("\n")
        return False
