"""What a gradient check reports: per input, the course's relative difference with its reading,
the worst element and PyTorch-style ``allclose``; overall, the problems found."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["GradcheckError", "GradcheckResult", "InputReport", "compare", "reading"]


class GradcheckError(AssertionError):
    """A gradient check failed; ``.result`` holds the :class:`GradcheckResult`."""

    def __init__(self, result):
        super().__init__(str(result))
        self.result = result


def reading(rel_diff):
    """The course's reading of a relative difference."""
    if not np.isfinite(rel_diff):
        return "not finite: a bug"
    if rel_diff < 1e-7:
        return "fine (< 1e-7)"
    if rel_diff <= 1e-3:
        return "look closer (1e-7 .. 1e-3)"
    return "likely a bug (> 1e-3)"


@dataclass
class InputReport:
    """The comparison for one checked input (arrays on the host, float64).

    In fast mode ``analytic`` and ``numeric`` are the directional derivatives (0-d arrays)
    and ``worst_index`` is None.
    """

    position: int
    shape: tuple
    analytic: np.ndarray
    numeric: np.ndarray
    rel_diff: float
    max_abs_diff: float
    worst_index: tuple | None
    worst_analytic: float
    worst_numeric: float
    allclose: bool
    label: str = ""

    def __str__(self):
        where = "" if self.worst_index is None else f" at {self.worst_index}"
        what = "<grad, v>" if self.worst_index is None else "worst element"
        return (f"{self.label or f'input {self.position}'} (shape {self.shape}): relative difference {self.rel_diff:.3g}, "
                f"{reading(self.rel_diff)}; {what}{where}: analytic {self.worst_analytic:.10g}, numeric "
                f"{self.worst_numeric:.10g}; max |diff| {self.max_abs_diff:.3g}; allclose: "
                f"{'yes' if self.allclose else 'NO'}")


@dataclass
class GradcheckResult:
    """What a gradient check found; truthy when it passed.  ``str()`` gives the report."""

    title: str
    settings: dict
    inputs: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def passed(self):
        return not self.problems and all(r.allclose for r in self.inputs)

    def __bool__(self):
        return self.passed

    def __str__(self):
        s = self.settings
        head = (f"{self.title} {'passed' if self.passed else 'FAILED'} for {s['fn']} on {s['device']}: "
                f"{len(self.inputs)} input(s), {s['mode']}, eps={s['eps']:g}, float64, "
                f"atol={s['atol']:g}, rtol={s['rtol']:g}, upstream gradient {s['upstream']}")
        lines = [head] + ["  " + str(r) for r in self.inputs]
        lines += ["  problem: " + p for p in self.problems]
        lines += ["  note: " + n for n in self.notes]
        return "\n".join(lines)


def compare(position, label, shape, a, n, atol, rtol, fast):
    """InputReport for input ``position`` of ``shape``: analytic ``a`` and numeric ``n`` (host
    float64 arrays of one shape: the gradients, or 0-d directional derivatives in fast mode)."""
    diff = np.abs(a - n)
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    num = np.linalg.norm(a - n)
    rel = float(num / denom) if denom > 0 else (0.0 if num == 0 else float("inf"))
    if not np.isfinite(rel):
        rel = float("nan") if not (np.all(np.isfinite(a)) and np.all(np.isfinite(n))) else rel
    bound = atol + rtol * np.abs(n)
    ok = bool(np.all(diff <= bound)) and bool(np.all(np.isfinite(a)) and np.all(np.isfinite(n)))
    if a.size == 0:
        return InputReport(position, shape, a, n, rel, 0.0, None if fast else (), 0.0, 0.0, True, label)
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = np.where(np.isfinite(diff), np.where(diff == 0, 0.0, diff / bound), np.inf)
    flat = int(np.argmax(excess))
    idx = tuple(int(k) for k in np.unravel_index(flat, a.shape))
    return InputReport(position, shape, a, n, rel, float(np.nanmax(diff)) if np.any(np.isfinite(diff))
                       else float("nan"), None if fast else idx, float(a[idx]), float(n[idx]), ok, label)
