"""Gradient checks: the analytic gradient (``backward``) against central differences in float64.

For a function ``f`` with outputs ``y_k`` and a fixed upstream gradient ``u_k`` per output, the
checked quantity is the scalar

    L(x) = sum_k <u_k, y_k(x)>,      dL/dx = the vector-Jacobian product backward computes.

Each input element is moved by ``+-eps`` and the **central difference**

    dL/dx_j ~ (L(x + eps e_j) - L(x - eps e_j)) / (2 eps)

is compared with the analytic gradient, in float64 whatever the inputs' dtype.  Two verdicts
are reported per input:

* the course's **relative difference** ``||g - g_num|| / (||g|| + ||g_num||)``, read as
  below 1e-7: fine; up to 1e-3: look closer; above 1e-3: likely a bug (for information: tiny
  gradients make it noisy);
* PyTorch-style ``allclose``: ``|g - g_num| <= atol + rtol * |g_num|`` for every element,
  which decides pass or fail.

Which inputs are checked
------------------------
A Tensor input is checked when it has ``requires_grad=True`` (as in
``torch.autograd.gradcheck``); a bare floating array (NumPy, CuPy, array-api-strict) is
always checked.  Floating Tensors with ``requires_grad=False`` are passed as float64
constants; everything else (integer or bool tensors and arrays, Python numbers, None, index
tuples) is passed unchanged.  ``fn`` always receives fresh float64 copies on the inputs'
device, never the caller's tensors.

Upstream gradient
-----------------
Non-scalar (and scalar) outputs get a random standard normal upstream gradient ``u_k`` drawn
from ``seed`` (or the ``grad_output`` you pass); ``L`` then sums all floating outputs, and
outputs that do not require grad take part in the numerical side only (a lost gradient shows up
as a mismatch).  A random projection of the Jacobian catches a wrong gradient with
probability 1.

Fast mode
---------
``fast_mode=True`` checks one random unit direction ``v`` per input: ``<g, v>`` against
``(L(x + eps v) - L(x - eps v)) / (2 eps)`` -- one backward and two forwards per input,
whatever its size.

Other checks (failures too): inputs and upstream gradients unchanged by forward and
backward; each gradient has its input's shape, dtype and device, and shares memory with no
input, no upstream gradient and no other gradient.

Never a vacuous pass
--------------------
A checked input (of size > 0) that backward never reached -- no gradient flowed to it through
the graph -- and whose central differences are all exactly 0 is a **failure**: the output
does not depend on it, so nothing was checked (typically a closure that uses a model's own
parameters and ignores the float64 copies ``fn`` is given).  An input the graph does reach
passes with an exactly-zero gradient (``relu`` of negatives, a masked-out entry); an input
that is unused but moves the output (a gradient lost by ``detach``) fails as a mismatch.
``gradgradcheck`` applies the rule only when *no* checked input is reached (a linear ``fn``
has first gradients that do not depend on ``x``).

Checking a model in one call
----------------------------
``gradcheck(fn, tensors)`` with an ``fn`` that takes no arguments perturbs the given tensors
**in place** (e.g. ``gradcheck(lambda: loss_fn(model(X), y), model.parameters())``): each
floating tensor with ``requires_grad`` is switched to a float64 copy of itself for the check
(others are left alone), every evaluation of ``fn`` starts from the same state of the default
random generators (dropout draws the same masks), and afterwards every tensor gets back its
own array, dtype and values bit for bit, and its ``.grad``, and the generators their state.
Buffers ``fn`` updates itself (batch-norm running statistics) are not restored: use
``nn.utils.gradcheck_module`` or ``model.eval()``.
"""
from __future__ import annotations

import inspect

import numpy as np

from . import dtypes
from .device import _host_numpy, device_of_array
from .engine import backward as _backward, grad as _grad
from .function import Function
from .gradcheck_report import GradcheckError, GradcheckResult, InputReport, compare, reading
from .gradcheck_sides import _bad_grad, _check_gradients, _compare_snapshots, _is_array, _snapshot
from .modes import enable_grad, no_grad
from .ops.dtype_rules import promoting_products
from .random import default_generator
from .tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "GradcheckResult", "InputReport", "reading"]


# ----- public functions ----------------------------------------------------------------------
def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=False, raise_exception=True,
              grad_output=None, seed=0):
    """Compare ``fn``'s analytic gradient with central differences in float64.

    Parameters
    ----------
    fn : callable
        ``fn(*inputs)`` returns a Tensor or a tuple/list of Tensors.  A :class:`Function`
        subclass may be passed for its ``apply``.  A function of no arguments (a closure over
        a model) checks ``inputs`` in place: see "Checking a model in one call" above.
    inputs : Tensor, array or sequence of them (and other arguments)
        Checked: Tensors with ``requires_grad=True`` and bare floating arrays (see the module
        docstring).  ``fn`` receives float64 copies.  An input the output does not depend on
        (not reached by backward, central differences all 0) fails the check.
    eps : float
        Step of the central differences.
    atol, rtol : float
        Pass when ``|g - g_num| <= atol + rtol * |g_num|`` elementwise (PyTorch's rule).
    fast_mode : bool
        Check one random directional derivative per input instead of every element.
    raise_exception : bool
        Raise :class:`GradcheckError` (an AssertionError) with the report on failure;
        otherwise return the falsy result.
    grad_output : Tensor, array or sequence, optional
        Upstream gradient dL/dy per output (default: seeded standard normal).
    seed : int
        Seed of the random upstream gradients and directions.

    Returns
    -------
    GradcheckResult
        Truthy when the check passed; ``print(result)`` shows the report.

    Examples
    --------
    >>> import minigrad as mg
    >>> x = mg.tensor([[0.5, -1.0], [2.0, 0.1]], requires_grad=True)
    >>> bool(mg.gradcheck(lambda a: (a * a).tanh(), x))
    True
    """
    if _takes_no_arguments(fn):  # the model form: perturb ``inputs`` themselves, restore them afterwards
        check = _InPlaceCheck(fn, inputs, eps, atol, rtol, fast_mode, seed, "gradcheck")
        try:
            with check.dev.context():
                check.set_upstream(grad_output)
                return check.finish(raise_exception)
        finally:
            check.restore()
    check = _Check(fn, inputs, eps, atol, rtol, fast_mode, seed, "gradcheck")
    with check.dev.context():  # the inputs' GPU is the current one (CuPy)
        check.set_upstream(grad_output)
        return check.finish(raise_exception)


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=False, raise_exception=True,
                  grad_output=None, grad_grad_output=None, seed=0, check_grad_outputs=True):
    """Check second derivatives: the gradient of the gradient, against central differences.

    With upstream gradients ``u`` (``grad_output``) the first-order gradients
    ``G_i(x, u) = d<u, f(x)>/dx_i`` are computed with ``create_graph=True``; then
    ``M(x, u) = sum_i <G_i, w_i>`` for random ``w_i`` (``grad_grad_output``) is checked
    like :func:`gradcheck` checks ``L``: its analytic gradient (backward through the
    backward graph) against central differences of ``M``, with respect to the inputs and,
    with ``check_grad_outputs`` (as PyTorch does), to ``u``: that derivative runs the backward
    of each backward op, which ops linear in ``x`` (reshape, indexing, sums) have too.
    Other parameters as in :func:`gradcheck`; the report names ``u_k`` "grad_output k".
    """
    if _takes_no_arguments(fn):
        raise TypeError("gradgradcheck: fn takes no arguments; the in-place form (a closure over a model's "
                        "parameters) is gradcheck's only: give gradgradcheck a function of its inputs")
    first = _Check(fn, inputs, eps, atol, rtol, fast_mode, seed, "gradgradcheck")
    with first.dev.context():
        first.set_upstream(grad_output)
    fn, n, positions, dev = first.fn, len(first.args), first.checked, first.dev
    live = [k for k, u in enumerate(first.us) if u is not None]  # the floating outputs
    fixed = {k: Tensor._make(first.us[k], dev, False, None) for k in live}
    extra = [Tensor._make(first.us[k], dev, True, None) for k in live] if check_grad_outputs else []

    def first_gradients(*args):
        us = dict(zip(live, args[n:])) if check_grad_outputs else fixed
        with enable_grad():
            outs = _as_outputs(fn(*args[:n]), "gradgradcheck")
            xs = [args[i] for i in positions]
            pairs = [(outs[k], us[k]) for k in live if outs[k].requires_grad]
            gs = [None] * len(xs)
            if pairs:
                gs = _grad([o for o, _ in pairs], xs, grad_outputs=[u for _, u in pairs],
                           create_graph=True, allow_unused=True)
        return tuple(_zeros_like(x) if g is None else g for g, x in zip(gs, xs))

    first_gradients.__qualname__ = f"gradient of {first.fn_name}"
    labels = {n + j: f"grad_output {k}" for j, k in enumerate(live) if check_grad_outputs}
    second = _Check(first_gradients, first.args + extra, eps, atol, rtol, fast_mode, seed + 1,
                    "gradgradcheck", labels)
    with dev.context():
        second.set_upstream(grad_grad_output)
        return second.finish(raise_exception)


# ----- the machinery ------------------------------------------------------------------------
class _Check:
    """One gradient check of ``fn`` at prepared float64 inputs."""

    def __init__(self, fn, inputs, eps, atol, rtol, fast_mode, seed, title, labels=None):
        self.labels = labels or {}

        self.fn_name = getattr(fn, "__qualname__", None) or repr(fn)
        if isinstance(fn, type) and issubclass(fn, Function):
            fn = fn.apply
        self.fn, self.eps, self.atol, self.rtol = fn, float(eps), float(atol), float(rtol)
        self.fast, self.seed, self.title = bool(fast_mode), int(seed), title
        self.args, self.checked = self._prepare(inputs, title)
        self.before = _snapshot(self.args)
        self.dev = self.args[self.checked[0]]._device
        self.xp = self.dev.xp
        self.rng = np.random.default_rng(self.seed)
        self.notes = []

    # -- setup --
    def _prepare(self, inputs, title):
        return _prepare(inputs, title)

    def set_upstream(self, grad_output):
        """Run ``fn`` once to learn its outputs and fix one upstream gradient per output."""
        with no_grad():
            outs = _as_outputs(self.fn(*self.args), self.title)
        self.out_shapes = [o.shape for o in outs]
        given = _as_list(grad_output, len(outs))
        self.us = []
        for k, (o, g) in enumerate(zip(outs, given)):
            if not dtypes.is_floating(o.array.dtype):
                self.us.append(None)
                continue
            if o.dtype != "float64":
                self.notes.append(f"output {k} is {o.dtype}: its numerical differences are imprecise")
            self.us.append(self._upstream(k, o.shape, g))
        self.upstream_desc = "given" if grad_output is not None else f"N(0, 1) with seed {self.seed}"

    def _upstream(self, k, shape, given):
        if given is None:
            host = self.rng.standard_normal(shape)
        else:
            host = np.asarray(given.numpy() if isinstance(given, Tensor) else _to_host(given), dtype=np.float64)
            if host.shape != tuple(shape):
                raise ValueError(f"{self.title}: grad_output {k} has shape {host.shape}, the output {tuple(shape)}")
        return self.dev.asarray(host, dtype=self.xp.float64)

    # -- evaluation --
    def leaves(self, replace=None):
        """Fresh leaves for the checked inputs (``replace``: position -> array), others as given."""
        out = list(self.args)
        for i in self.checked:
            data = self.args[i].array if replace is None or i not in replace else replace[i]
            out[i] = Tensor._make(data, self.dev, True, None)
        return out

    def objective(self, replace):
        """L = sum_k <u_k, y_k> at the inputs with ``replace`` applied, as a Python float."""
        xp = self.xp
        with no_grad():
            outs = _as_outputs(self.fn(*self.leaves(replace)), self.title)
        if [o.shape for o in outs] != self.out_shapes:
            raise ValueError(f"{self.title}: {self.fn_name} returned outputs of shapes "
                             f"{[o.shape for o in outs]}, earlier {self.out_shapes}")
        total = 0.0
        for o, u in zip(outs, self.us):
            if u is not None:
                total += float(self.dev.to_numpy(xp.sum(xp.astype(o.array, xp.float64) * u)))
        return total

    def analytic(self, problems):
        """Gradients from one forward and backward, with the mutation and aliasing checks."""
        before = self.before + _snapshot(self.us)
        leaves = self.leaves()
        with enable_grad():
            outs = _as_outputs(self.fn(*leaves), self.title)
            pairs = [(o, u) for o, u in zip(outs, self.us) if u is not None and o.requires_grad]
            if pairs:
                _backward([o for o, _ in pairs], [Tensor._make(u, self.dev, False, None) for _, u in pairs])
        _compare_snapshots(before, self.args + self.us, len(self.args), problems)
        grads = [leaves[i].grad for i in self.checked]
        _check_gradients(grads, [self.args[i] for i in self.checked], [self.label(i) for i in self.checked],
                         self.us, problems)
        self.unreached = {i for i, g in zip(self.checked, grads) if g is None}
        out = []
        for i, g in zip(self.checked, grads):
            if g is None:  # not used: the gradient is zero
                out.append(np.zeros(self.args[i].shape))
            elif _bad_grad(g, self.args[i]):  # reported as a problem; nothing to compare
                out.append(np.full(self.args[i].shape, np.nan))
            else:
                out.append(g.numpy().astype(np.float64))
        return out

    def numeric_full(self, i):
        """Central differences of L for every element of input ``i``."""
        base = self.args[i].array
        host = self.dev.to_numpy(base)
        out = np.zeros(host.shape)
        for j in range(host.size):
            idx = tuple(int(k) for k in np.unravel_index(j, host.shape))
            x = float(host[idx])
            lo, hi = x - self.eps, x + self.eps
            plus, minus = self.xp.asarray(base, copy=True), self.xp.asarray(base, copy=True)
            plus[idx], minus[idx] = hi, lo
            out[idx] = (self.objective({i: plus}) - self.objective({i: minus})) / (hi - lo)
        return out

    def numeric_directional(self, i, v):
        """Central difference of L along the direction ``v`` (device array) of input ``i``."""
        base = self.args[i].array
        plus, minus = base + self.eps * v, base - self.eps * v
        return (self.objective({i: plus}) - self.objective({i: minus})) / (2 * self.eps)

    # -- verdict --
    def finish(self, raise_exception):
        result = GradcheckResult(self.title, self._settings(), notes=self.notes)
        grads = self.analytic(result.problems)
        for i, g in zip(self.checked, grads):
            if self.fast:
                v = self._direction(self.args[i].shape)
                a = np.asarray(float(np.sum(g * v)))
                n = np.asarray(self.numeric_directional(i, self.dev.asarray(v, dtype=self.xp.float64)))
            else:
                a, n = g, self.numeric_full(i)
            result.inputs.append(compare(i, self.label(i), self.args[i].shape, a, n, self.atol, self.rtol,
                                          self.fast))
        result.problems += self._vacuous(result.inputs)
        if not result.passed and raise_exception:
            raise GradcheckError(result)
        return result

    def _vacuous(self, reports):
        """Problems for inputs the output does not depend on (see "Never a vacuous pass")."""
        idle = [r for r in reports if r.position in self.unreached and r.analytic.size and
                np.prod(r.shape) > 0 and not np.any(r.numeric)]
        if self.title == "gradgradcheck" and len(idle) < len(reports):
            return []
        hint = ("gradcheck hands fn float64 copies of its inputs; a closure over a model's own parameters "
                "ignores them.  To check a model: mg.gradcheck(lambda: loss_fn(model(X), y), model.parameters()) "
                "or nn.utils.gradcheck_module(model, loss_fn, X, y)") if self.title == "gradcheck" else \
            "pass inputs the function uses"
        return [f"the output does not depend on {r.label or f'input {r.position}'}: no gradient reached it and "
                f"its central differences are all exactly 0, so nothing was checked; {hint}" for r in idle]

    def label(self, position):
        return self.labels.get(position, f"input {position}")

    def _direction(self, shape):
        v = self.rng.standard_normal(shape)
        norm = np.linalg.norm(v)
        return v / norm if norm > 0 else v

    def _settings(self):
        return dict(fn=self.fn_name, device=str(self.dev), eps=self.eps, atol=self.atol, rtol=self.rtol,
                    mode="fast mode (one random direction per input)" if self.fast else "every element",
                    upstream=self.upstream_desc, seed=self.seed)


class _InPlaceCheck(_Check):
    """A check of a function of no arguments over tensors it closes over, perturbed in place."""

    def __init__(self, fn, tensors, eps, atol, rtol, fast_mode, seed, title):
        def call(*_):  # every evaluation draws the same random numbers (dropout masks)
            for g, state in self.rng_states:
                g.set_state(state)
            with promoting_products():  # float32 data meeting the float64 parameters: no DTypeError
                return fn()

        call.__qualname__ = getattr(fn, "__qualname__", None) or repr(fn)
        self.saved, self.rng_states = [], []
        try:
            super().__init__(call, tensors, eps, atol, rtol, fast_mode, seed, title)
        except BaseException:
            self.restore()
            raise
        self.rng_states = [(g, g.get_state()) for g in {id(g): g for g in (default_generator(self.dev),
                                                                  default_generator("cpu"))}.values()]
        self.base = {i: self.args[i].array for i in self.checked}

    def _prepare(self, tensors, title):
        items = [tensors] if isinstance(tensors, Tensor) else list(tensors)
        for k, t in enumerate(items):
            if not isinstance(t, Tensor) or not t.is_leaf:
                raise TypeError(f"{title}: with a function of no arguments the inputs must be the leaf Tensors it "
                                f"uses (e.g. model.parameters()); input {k} is "
                                f"{'a non-leaf Tensor' if isinstance(t, Tensor) else type(t).__name__}")
        if len({id(t) for t in items}) != len(items):
            raise ValueError(f"{title}: a tensor is given more than once")
        checked = [k for k, t in enumerate(items) if t.requires_grad and dtypes.is_floating(t.array.dtype)]
        if not checked:
            raise ValueError(f"{title}: no input to check: none of the {len(items)} tensor(s) requires grad")
        devs = {str(items[k]._device) for k in checked}
        if len(devs) > 1:
            raise ValueError(f"{title}: the checked inputs are on different devices: {sorted(devs)}")
        for k in checked:
            t = items[k]
            self.saved.append((t, t.array, t.grad))
            t.array, t.grad = _float64_copy(t.array, t._device, False).array, None
        return items, checked

    def leaves(self, replace=None):
        for i in self.checked:
            t = self.args[i]
            t.array = self.base[i] if replace is None or i not in replace else replace[i]
            t.grad = None
        return list(self.args)

    def objective(self, replace):
        try:
            return super().objective(replace)
        finally:
            self.leaves()

    def restore(self):
        """Every tensor's own array (dtype, values) and ``.grad``; the generators' states."""
        for t, data, grad in self.saved:
            t.array, t.grad = data, grad
        for g, state in self.rng_states:
            g.set_state(state)


def _takes_no_arguments(fn):
    """True for a plain callable that accepts no positional argument (the in-place model form)."""
    if isinstance(fn, type):
        return False
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return not any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)


# ----- inputs and outputs -------------------------------------------------------------------
def _prepare(inputs, title):
    """(args, checked positions): float64 copies of floating inputs, checked ones as leaves."""
    items = list(inputs) if isinstance(inputs, (tuple, list)) else [inputs]
    args, checked = [], []
    for pos, x in enumerate(items):
        if isinstance(x, Tensor):
            if not dtypes.is_floating(x.array.dtype):
                args.append(x)
                continue
            args.append(_float64_copy(x.array, x._device, x.requires_grad))
            if x.requires_grad:
                checked.append(pos)
        elif _is_array(x) and dtypes.is_floating(x.dtype):
            args.append(_float64_copy(x, device_of_array(x), True))
            checked.append(pos)
        else:
            args.append(x)
    if not checked:
        raise ValueError(f"{title}: no input to check: pass floating Tensors with requires_grad=True "
                         "(or floating arrays) among the inputs")
    devs = {str(args[i]._device) for i in checked}
    if len(devs) > 1:
        raise ValueError(f"{title}: the checked inputs are on different devices: {sorted(devs)}")
    return args, checked


def _float64_copy(data, dev, requires_grad):
    xp = dev.xp
    with dev.context():
        copy = xp.astype(data, xp.float64, copy=True)
    return Tensor._make(copy, dev, requires_grad, None)


def _to_host(x):
    return x if isinstance(x, (int, float, list, tuple)) else _host_numpy(x)


def _as_outputs(out, title):
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"{title}: the function must return Tensors, output {k} is {type(o).__name__}")
    if not outs:
        raise ValueError(f"{title}: the function returned no outputs")
    return outs


def _as_list(grad_output, n):
    if grad_output is None:
        return [None] * n
    items = list(grad_output) if isinstance(grad_output, (tuple, list)) and n > 1 else [grad_output]
    if len(items) != n:
        raise ValueError(f"gradcheck: {len(items)} grad_output(s) for {n} output(s)")
    return items


def _zeros_like(x):
    xp = x._device.xp
    return Tensor._make(xp.zeros_like(x.array), x._device, False, None)
