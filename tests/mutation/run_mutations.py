"""Prove that the op-table tests can fail: plant wrong backward functions, count the kills.

    python tests/mutation/run_mutations.py [--devices cpu,strict] [--kinds sign,scale] [--classes Mul,Div] [-v]

Each mutant changes one op class (or the one place that undoes broadcasting, for that class
only), runs the same checks as tests/minigrad/ops/test_op_table.py (``check_*``: gradcheck,
gradgradcheck, edges, broadcasting, small shapes, Python scalars) on the rows that use the
class, stops at the first failure (killed) and restores the class.  Kinds:

* ``sign``        every gradient the class's backward returns is negated
* ``scale``       ... multiplied by 1.01
* ``swap``        the gradients of two inputs exchanged (binary ops, where, concatenate);
                  ``Add`` is left out: its two gradients are the same tensor, swapping them is
                  an equivalent mutant
* ``no_reduce``   broadcasting not undone: the gradient keeps the output's shape
* ``mean_reduce`` broadcasting undone with a mean instead of a sum
* ``detach``      backward computed without recording a graph: first derivatives right, second
                  derivatives lost (gradgradcheck also differentiates with respect to the upstream
                  gradient, so this applies to linear ops too); not ``Add`` or ``Frac``, whose backward
                  returns its upstream gradient itself (no op to record: equivalent), nor
                  ``IndexAdd``, whose backward only runs at second order (it would take a third
                  order check)
* ``no_accumulate`` indexing's scatter-add overwrites repeated indices instead of adding

Not collected by pytest (its name does not start with ``test_``).  Exit status 1 when a mutant
survives.
"""
from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path[:0] = [os.path.dirname(TESTS), TESTS, os.path.join(TESTS, "support"),
                os.path.join(TESTS, "minigrad", "ops")]

import numpy as np  # noqa: E402
from hypothesis import Phase, settings  # noqa: E402

import conftest  # noqa: E402,F401  (registers the Hypothesis profiles)

settings.register_profile("mutation", settings.get_profile("ci"), database=None, print_blob=False,
                          phases=[Phase.explicit, Phase.generate])  # no shrinking: a kill is a kill
settings.load_profile("mutation")  # before the tests are imported: their @settings start from it

import minigrad as mg  # noqa: E402
import test_op_table as T  # noqa: E402
from minigrad import engine as _engine  # noqa: E402
from minigrad.device import Device, _host_key, _host_numpy  # noqa: E402
from minigrad.ops import activation as A, elementwise as E, linalg as L, reductions as R, shape as S  # noqa: E402
from minigrad.ops import loss as N  # noqa: E402
from minigrad.ops import binary_math as B, smooth_activations as SA, unary_math as U  # noqa: E402  (opsA)
from op_specs import SPECS_BY_ID  # noqa: E402

# class -> the table rows that exercise its backward (first the op's own row)
ROWS = {
    E.Add: ["add", "var"], E.Sub: ["sub", "var"], E.Mul: ["mul", "var"], E.Div: ["div"], E.Neg: ["neg"],
    E.PowScalar: ["pow-scalar"], E.Pow: ["pow-tensor"], E.Exp: ["exp", "log_softmax"], E.Log: ["log"],
    E.Sqrt: ["sqrt", "std"], E.Abs: ["abs"], E.Maximum: ["maximum"], E.Minimum: ["minimum"],
    E.Clip: ["clip"], E.Where: ["where"], E.Tanh: ["tanh"], E.Sigmoid: ["sigmoid"], E.ReLU: ["relu"],
    E.LeakyReLU: ["leaky_relu"], L.MatMul: ["matmul"], L.Linear: ["linear"], R.Sum: ["sum", "softmax"],
    R.Mean: ["mean", "var"], R.Max: ["max"], R.Min: ["min"], R.LogSumExp: ["logsumexp"], A.Softmax: ["softmax"],
    A.LogSoftmax: ["log_softmax"], N.NLL: ["nll"], N.SoftmaxCrossEntropy: ["softmax_cross_entropy"],
    S.Reshape: ["reshape", "squeeze", "unsqueeze", "flatten"],
    S.Permute: ["permute", "transpose"], S.BroadcastTo: ["broadcast_to", "expand"], S.SumTo: ["sum_to"],
    S.Concatenate: ["concatenate", "stack"], S.Pad: ["pad"],
    S.GetItem: ["getitem-basic", "getitem-int-array", "getitem-mask", "split"],
    S.IndexAdd: ["getitem-int-array", "getitem-basic", "getitem-mask"],
}
# ----- issue 14, elementwise math and activations (opsA); Sign, Floor, Ceil, Trunc and Round are left
# out: their gradient is 0 (PyTorch's), so negating or scaling it gives equivalent mutants
ROWS.update({
    U.Sin: ["sin"], U.Cos: ["cos"], U.Tan: ["tan"], U.Asin: ["asin"], U.Acos: ["acos"], U.Atan: ["atan"],
    U.Sinh: ["sinh"], U.Cosh: ["cosh"], U.Asinh: ["asinh"], U.Acosh: ["acosh"], U.Atanh: ["atanh"],
    U.Log1p: ["log1p"], U.Expm1: ["expm1"], U.Log2: ["log2"], U.Log10: ["log10"], U.Exp2: ["exp2"],
    U.Square: ["square"], U.Rsqrt: ["rsqrt"], U.Reciprocal: ["reciprocal"], U.Erf: ["erf", "gelu"],
    U.Erfc: ["erfc"], U.Frac: ["frac"], B.Atan2: ["atan2"], B.Fmod: ["fmod"], B.Remainder: ["remainder"],
    B.Lerp: ["lerp-tensor", "lerp-scalar"], B.LogAddExp: ["logaddexp"], B.Hypot: ["hypot"], B.XLogY: ["xlogy"],
    B.ClampMin: ["clamp-min"], B.ClampMax: ["clamp-max"], B.Clamp: ["clamp-tensor"],
    SA.Softplus: ["softplus", "mish"], SA.ELU: ["elu", "selu", "celu"], SA.GELU: ["gelu"], SA.SiLU: ["silu"],
    SA.Mish: ["mish"], SA.Hardtanh: ["hardtanh", "relu6"], SA.Hardsigmoid: ["hardsigmoid"],
    SA.Hardswish: ["hardswish"], SA.LogSigmoid: ["logsigmoid"], SA.Softsign: ["softsign"],
})
_OPSA_BINARY = [B.Atan2, B.Fmod, B.Remainder, B.Lerp, B.LogAddExp, B.Hypot, B.XLogY, B.ClampMin, B.ClampMax, B.Clamp]
# ----- end opsA
SWAPPABLE = [E.Sub, E.Mul, E.Div, E.Pow, E.Maximum, E.Minimum, E.Where, L.MatMul, L.Linear, N.NLL, S.Concatenate]
NO_DETACH = [E.Add, S.IndexAdd, U.Frac]  # equivalent mutants (see the module docstring; Frac's backward is g)
# ----- reductions, scans, ordering, layout, indexing (issue 14, opsB) -----
from minigrad.ops import indexing as IX, layout as LY, norms as NM, scans as SC  # noqa: E402

ROWS.update({
    LY.Flip: ["flip", "cumsum"], LY.Tril: ["tril"], LY.Triu: ["triu"], SC.CumSum: ["cumsum"],
    SC.CumProd: ["cumprod", "prod"], SC.Prod: ["prod"], IX.Scatter: ["scatter", "index_copy", "masked_scatter"],
    NM.PNorm: ["norm-fro", "norm-p3", "norm-matrix_norm-fro"], R.StdFromVar: ["std", "std_mean"],
})
SWAPPABLE.append(IX.Scatter)  # opsB
BROADCASTING = [E.Add, E.Sub, E.Mul, E.Div, E.Pow, E.Maximum, E.Minimum, E.Where, L.MatMul]
# products, linear algebra, convolution, pooling (their compositions also reach MatMul, Linear, Mul, Sum)
from minigrad.ops import conv as C, linalg_ext as LX, pooling as P  # noqa: E402
ROWS.update({C.Im2Col: ["conv2d", "unfold", "avg_pool2d", "conv1d", "fold"],
             C.Col2Im: ["fold", "conv_transpose2d", "unfold", "conv2d"], P.MaxPool2d: ["max_pool2d"],
             LX.Inv: ["inverse", "det"], LX.Det: ["det"], LX.Solve: ["linalg_solve"]})
SWAPPABLE.append(LX.Solve)
BROADCASTING.append(LX.Solve)
SWAPPABLE += _OPSA_BINARY  # opsA
BROADCASTING += _OPSA_BINARY  # opsA
from minigrad.ops import svd_norms as SVN  # noqa: E402  (views14: matrix_norm 'nuc', 2, -2; first order only)
ROWS[SVN.SVDVals] = ["norm-matrix_norm-nuc", "norm-matrix_norm-2", "norm-matrix_norm--2", "norm-norm-nuc"]
NO_DETACH.append(SVN.SVDVals)  # no second-order check runs for it (not provided): detach is equivalent
from minigrad.ops import views as VW  # noqa: E402  (views14: diagonal as a strided view op)
ROWS[VW.Diagonal] = ["diagonal", "trace", "diag"]


# ----- mutations: context managers that patch one thing and restore it --------------------------
@contextlib.contextmanager
def patched_backward(cls, transform):
    """Replace ``cls.backward`` by ``transform(original_backward)``."""
    had_own = "backward" in cls.__dict__
    original = cls.backward
    cls.backward = transform(original)
    try:
        yield
    finally:
        if had_own:
            cls.backward = original
        else:
            del cls.backward


def _map_grads(fn):
    def transform(original):
        def backward(self, g):
            grads = original(self, g)
            single = not isinstance(grads, tuple)
            out = tuple(None if x is None else fn(x) for x in ((grads,) if single else grads))
            return out[0] if single else out
        return backward
    return transform


def _swap(original):
    def backward(self, g):
        grads = list(original(self, g))
        first = 1 if len(grads) == 3 and isinstance(self, E.Where) else 0  # where: swap a and b
        grads[first:] = grads[first + 1:] + grads[first:first + 1]  # rotate (a swap for two)
        return tuple(grads)
    return backward


def _detach(original):
    def backward(self, g):
        with mg.no_grad():
            return original(self, g)
    return backward


@contextlib.contextmanager
def patched_fit(cls, how):
    """Undo broadcasting wrongly (``how``: 'none' or 'mean') for gradients of ``cls`` only,
    in both run modes of the engine (bare arrays and Tensors): each mode's ``fit`` is the one
    place that sums a gradient back to its input's shape."""
    modes = (_engine.ARRAYS, _engine.TENSORS)
    originals = [m.fit for m in modes]

    def wrong(original):
        def fit(fn, g, t):
            if not isinstance(fn, cls) or not hasattr(g, "shape") or g.shape == t.shape:
                return original(fn, g, t)
            if how == "none":
                return g
            n = math.prod(g.shape) // math.prod(t.shape) if math.prod(t.shape) else 1
            return original(fn, g, t) * (1.0 / n)
        return fit

    for m, f in zip(modes, originals):
        m.fit = wrong(f)
    try:
        yield
    finally:
        for m, f in zip(modes, originals):
            m.fit = f


@contextlib.contextmanager
def overwriting_scatter():
    original = Device.scatter_add

    def scatter_assign(self, shape, key, values, dtype):
        out = np.zeros(shape, dtype=_host_numpy(values).dtype)
        out[_host_key(key)] = _host_numpy(values)  # repeated indices: the last one wins
        return self.asarray(out)

    Device.scatter_add = scatter_assign
    try:
        yield
    finally:
        Device.scatter_add = original


def mutants(kinds, classes):
    """(kind, class, context manager factory) for every mutation that applies."""
    out = []
    for cls in ROWS:
        out.append(("sign", cls, lambda c=cls: patched_backward(c, _map_grads(lambda x: -x))))
        out.append(("scale", cls, lambda c=cls: patched_backward(c, _map_grads(lambda x: x * 1.01))))
    out += [("swap", c, lambda c=c: patched_backward(c, _swap)) for c in SWAPPABLE]
    out += [("no_reduce", c, lambda c=c: patched_fit(c, "none")) for c in BROADCASTING]
    out += [("mean_reduce", c, lambda c=c: patched_fit(c, "mean")) for c in BROADCASTING]
    out += [("detach", c, lambda c=c: patched_backward(c, _detach)) for c in ROWS if c not in NO_DETACH]
    out.append(("no_accumulate", S.IndexAdd, overwriting_scatter))
    return [m for m in out if (not kinds or m[0] in kinds) and (not classes or m[1].__name__ in classes)]


# ----- running the op-table tests --------------------------------------------------------------
def table_tests(spec, device):
    """(name, call) for the tests of tests/minigrad/ops/test_op_table.py that check this row's gradients,
    called directly (same code, same Hypothesis settings), cheapest first."""
    yield "test_backward", lambda: T.test_backward(spec=spec, device=device)
    if spec.edges:
        yield "test_edges", lambda: T.test_edges(spec=spec, device=device)
    if spec.broadcast_cases:
        yield "test_broadcasting", lambda: T.test_broadcasting(spec=spec, device=device)
    yield "test_small_shapes", lambda: T.test_small_shapes(spec=spec, device=device)
    if spec.scalar_forms:
        yield "test_python_scalars_keep_dtype", lambda: T.test_python_scalars_keep_dtype(spec=spec, device=device)
    if spec.second_order:
        yield "test_second_order", lambda: T.test_second_order(spec=spec, device=device)


def first_failure(rows, devices):
    """'test[row, device]: error' for the first failing test, or None when all pass."""
    for row in rows:
        for device in devices:
            for name, run in table_tests(SPECS_BY_ID[row], device):
                try:
                    run()
                except Exception as e:  # any failure kills (AssertionError, BackwardError, ...)
                    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                    return f"{name}[{row}, {device}]: {type(e).__name__}: {first[:100]}"
    return None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--devices", default="cpu", help="comma-separated devices (default: cpu)")
    p.add_argument("--kinds", default="", help="only these mutation kinds (comma-separated)")
    p.add_argument("--classes", default="", help="only these op classes (comma-separated names)")
    p.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per mutant")
    args = p.parse_args(argv)
    devices = [d for d in args.devices.split(",") if d]
    chosen = mutants(set(filter(None, args.kinds.split(","))), set(filter(None, args.classes.split(","))))
    start = time.perf_counter()
    if not args.no_baseline:
        rows = sorted({r for c in {m[1] for m in chosen} for r in ROWS[c]})
        failure = first_failure(rows, devices)
        if failure:
            print(f"baseline FAILED (fix the tests or the code first): {failure}")
            return 2
        print(f"baseline: {len(rows)} rows pass on {', '.join(devices)} ({time.perf_counter() - start:.1f}s)")
    return report(chosen, devices, args.verbose, start)


def report(chosen, devices, verbose, start):
    tally, survivors = {}, []
    for kind, cls, make in chosen:
        t0 = time.perf_counter()
        with make():
            killer = first_failure(ROWS[cls], devices)
        killed_total = tally.setdefault(kind, [0, 0])
        killed_total[1] += 1
        if killer:
            killed_total[0] += 1
        else:
            survivors.append(f"{kind} {cls.__name__}")
        if verbose:
            status = f"killed by {killer}" if killer else "SURVIVED"
            print(f"{kind:>13} {cls.__name__:<12} {status} ({time.perf_counter() - t0:.2f}s)", flush=True)
    killed = sum(k for k, _ in tally.values())
    total = sum(n for _, n in tally.values())
    print(f"\nmutants killed: {killed} / {total} on {', '.join(devices)} in {time.perf_counter() - start:.0f}s")
    for kind, (k, n) in tally.items():
        print(f"  {kind:<14} {k:>3} / {n}")
    for s in survivors:
        print(f"  survived: {s}")
    return 0 if not survivors else 1


if __name__ == "__main__":
    sys.exit(main())
