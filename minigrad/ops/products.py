"""Products built on ``matmul``, ``mul``, ``sum`` and the shape ops: ``outer dot mv bmm addmm
baddbmm kron tensordot einsum`` with PyTorch's signatures and shape rules.

Each is a composition of differentiable ops, so its gradient (and second derivative) is the
product rule of those ops: d(A B) = dA B + A dB.  Arguments are checked first, with PyTorch's
rules (``dot`` takes two 1-D tensors, ``bmm`` two 3-D tensors with equal batch sizes, ...).
All but ``outer`` and ``kron`` refuse operands of different dtypes as PyTorch does
(:mod:`minigrad.ops.dtype_rules`); those two promote, as in PyTorch.
"""
from __future__ import annotations

import operator

from ..creation import eye
from ..tensor import Tensor, as_constant_like
from ._errors import ShapeError
from .dtype_rules import require_same_dtype
from .elementwise import where
from .linalg import matmul
from .reductions import sum as _sum
from .shape import broadcast_to, permute, reshape

__all__ = ["outer", "dot", "mv", "bmm", "addmm", "baddbmm", "kron", "tensordot", "einsum"]


def _tensors(op, *xs):
    like = next((x for x in xs if isinstance(x, Tensor)), None)
    if like is None:
        raise TypeError(f"{op}: expected Tensors, got " + ", ".join(type(x).__name__ for x in xs))
    return [x if isinstance(x, Tensor) else as_constant_like(x, like, op) for x in xs]


def _ndims(op, tensors, ndims):
    for i, (t, n) in enumerate(zip(tensors, ndims)):
        if t.ndim != n:
            shapes = ", ".join(str(x.shape) for x in tensors)
            raise ShapeError(f"{op}: argument {i + 1} must be {n}-D, got shapes {shapes}")


def outer(input, vec2):
    """Outer product of two vectors: Z[i, j] = a[i] b[j], (n,) x (m,) -> (n, m).
    dZ/da = G b, dZ/db = G^T a."""
    a, b = _tensors("outer", input, vec2)
    _ndims("outer", (a, b), (1, 1))
    return reshape(a, (a.shape[0], 1)) * reshape(b, (1, b.shape[0]))


def dot(input, tensor):
    """Inner product of two 1-D tensors of the same size: z = sum_i a_i b_i (0-d).
    dz/da = g b, dz/db = g a."""
    a, b = _tensors("dot", input, tensor)
    _ndims("dot", (a, b), (1, 1))
    require_same_dtype("dot", input=a, tensor=b)
    if a.shape != b.shape:
        raise ShapeError(f"dot: 1-D tensors must have the same size, got {a.shape[0]} and {b.shape[0]}")
    return matmul(a, b)


def mv(input, vec):
    """Matrix-vector product: z = A v, (n, m) x (m,) -> (n,).  dz/dA = g v^T, dz/dv = A^T g."""
    a, v = _tensors("mv", input, vec)
    _ndims("mv", (a, v), (2, 1))
    require_same_dtype("mv", input=a, vec=v)
    if a.shape[1] != v.shape[0]:
        raise ShapeError(f"mv: shapes {a.shape} and {v.shape} do not align: {a.shape[1]} != {v.shape[0]}")
    return matmul(a, v)


def bmm(input, mat2):
    """Batched matrix product without broadcasting: Z[b] = A[b] B[b], (B, n, m) x (B, m, p) -> (B, n, p).
    dA[b] = G[b] B[b]^T, dB[b] = A[b]^T G[b]."""
    a, b = _tensors("bmm", input, mat2)
    _ndims("bmm", (a, b), (3, 3))
    require_same_dtype("bmm", input=a, mat2=b)
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ShapeError(f"bmm: shapes {a.shape} and {b.shape} do not fit: expected (B, n, m) and (B, m, p)")
    return matmul(a, b)


def _scaled_sum(op, input, product, beta, alpha):
    """beta * input + alpha * product; beta = 0 ignores ``input`` (NaN and inf in it do not propagate)."""
    out = product if alpha == 1 else product * alpha
    if input.ndim > out.ndim or any(n not in (1, m) for n, m in zip(input.shape[::-1], out.shape[::-1])):
        raise ShapeError(f"{op}: input of shape {input.shape} does not broadcast to the product's shape {out.shape}")
    if beta == 0:
        if not input.requires_grad:
            return out
        never = Tensor._make(input._device.asarray(False), input._device, False, None)
        return out + where(never, input, 0.0)  # value 0 whatever input holds; its gradient 0, as in PyTorch
    return out + (input if beta == 1 else input * beta)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """Z = beta * input + alpha * (mat1 @ mat2), mat1 (n, m), mat2 (m, p), input broadcastable to (n, p).
    With beta = 0 ``input`` is ignored (PyTorch's rule: NaN in it does not propagate; its gradient is 0)."""
    c, a, b = _tensors("addmm", input, mat1, mat2)
    _ndims("addmm", (a, b), (2, 2))
    require_same_dtype("addmm", input=c, mat1=a, mat2=b)
    if a.shape[1] != b.shape[0]:
        raise ShapeError(f"addmm: shapes {a.shape} and {b.shape} do not align: {a.shape[1]} != {b.shape[0]}")
    return _scaled_sum("addmm", c, matmul(a, b), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """Z = beta * input + alpha * bmm(batch1, batch2), input broadcastable to (B, n, p).
    With beta = 0 ``input`` is ignored."""
    c, a, b = _tensors("baddbmm", input, batch1, batch2)
    require_same_dtype("baddbmm", input=c, batch1=a, batch2=b)
    return _scaled_sum("baddbmm", c, bmm(a, b), beta, alpha)


def kron(input, other):
    """Kronecker product: Z[i0 m0 + k0, i1 m1 + k1, ...] = a[i0, i1, ...] b[k0, k1, ...]; the shorter
    operand gets leading size-1 axes.  (a0, a1) x (b0, b1) -> (a0 b0, a1 b1)."""
    a, b = _tensors("kron", input, other)
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + a.shape
    sb = (1,) * (nd - b.ndim) + b.shape
    a2 = reshape(a, tuple(x for n in sa for x in (n, 1)))
    b2 = reshape(b, tuple(x for n in sb for x in (1, n)))
    return reshape(a2 * b2, tuple(x * y for x, y in zip(sa, sb)))


def tensordot(a, b, dims=2):
    """Sum of products over axes: ``dims`` = n (the last n axes of a with the first n of b) or
    (axes of a, axes of b).  Z = sum_k A[free_a, k] B[k, free_b], shape free_a + free_b; computed as
    one matmul of the permuted, reshaped operands."""
    a, b = _tensors("tensordot", a, b)
    require_same_dtype("tensordot", a=a, b=b)
    if isinstance(dims, int) or (hasattr(dims, "__index__") and not isinstance(dims, (tuple, list))):
        n = operator.index(dims)
        if n < 0 or n > min(a.ndim, b.ndim):
            raise ShapeError(f"tensordot: dims={n} is out of range for shapes {a.shape} and {b.shape}")
        ax_a, ax_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        ax_a, ax_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    ax_a = [x % a.ndim if a.ndim else x for x in ax_a]
    ax_b = [x % b.ndim if b.ndim else x for x in ax_b]
    if len(ax_a) != len(ax_b) or any(a.shape[i] != b.shape[j] for i, j in zip(ax_a, ax_b)):
        raise ShapeError(f"tensordot: contracted axes {ax_a} of {a.shape} and {ax_b} of {b.shape} do not match")
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [j for j in range(b.ndim) if j not in ax_b]
    k = _prod(a.shape[i] for i in ax_a)
    fa, fb = [a.shape[i] for i in free_a], [b.shape[j] for j in free_b]
    a2 = reshape(permute(a, tuple(free_a + ax_a)), (_prod(fa), k))
    b2 = reshape(permute(b, tuple(ax_b + free_b)), (k, _prod(fb)))
    return reshape(matmul(a2, b2), tuple(fa + fb))


def _prod(ns):
    out = 1
    for n in ns:
        out *= n
    return out


# ----- einsum ----------------------------------------------------------------------------------
def einsum(equation, *operands):
    """Einstein summation, PyTorch's ``torch.einsum(equation, *operands)`` (operands may also be
    given as one list).  Letters name axes; a letter repeated within one operand takes its
    diagonal; letters missing from the output are summed; ``...`` stands for broadcast axes;
    without ``->`` the output is the letters used once, in alphabetical order, after ``...``.

    Z = sum over the summed letters of prod_k X_k[its letters].  Computed pairwise, left to right:
    each pair is one batched matmul (letters in both and needed later are the batch, letters in
    both and not needed later are contracted), so gradients are those of matmul/sum/reshape.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ops = _tensors("einsum", *operands)
    require_same_dtype("einsum", **{f"operand {i}": t for i, t in enumerate(ops)})
    inputs, output = _parse(equation, ops)
    terms = [_diagonal(t, letters) for t, letters in zip(ops, inputs)]
    sizes = _letter_sizes(terms, equation)
    terms = [(broadcast_to(t, tuple(sizes[c] for c in s)), s) for t, s in terms]
    t, s = terms[0]
    for i in range(1, len(terms)):
        needed = set(output).union(*(set(ls) for _, ls in terms[i + 1:]))
        t, s = _contract(t, s, terms[i][0], terms[i][1], needed)
    t, s = _sum_letters(t, s, set(output))
    return permute(t, tuple(s.index(c) for c in output)) if s != output else t


def _parse(equation, ops):
    if not isinstance(equation, str):
        raise TypeError(f"einsum: equation must be a str, got {type(equation).__name__}")
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    parts = lhs.split(",")
    if len(parts) != len(ops):
        raise ShapeError(f"einsum: equation {equation!r} names {len(parts)} operand(s), got {len(ops)}")
    used = set(c for c in eq if c.isalpha())
    pool = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    n_ell = max((t.ndim - len(p.replace("...", "")) for p, t in zip(parts, ops) if "..." in p), default=0)
    ell = "".join(pool[:n_ell])
    inputs = []
    for p, t in zip(parts, ops):
        letters = p.replace("...", ell[n_ell - (t.ndim - len(p.replace("...", ""))):]) if "..." in p else p
        if not all(c.isalpha() for c in letters) or len(letters) != t.ndim:
            raise ShapeError(f"einsum: subscripts {p!r} do not fit an operand of shape {t.shape} in {equation!r}")
        inputs.append(letters)
    if arrow:
        output = rhs.replace("...", ell)
        if not all(c.isalpha() for c in output) or len(set(output)) != len(output) \
                or any(c not in "".join(inputs) for c in output):
            raise ShapeError(f"einsum: output subscripts {rhs!r} are invalid in {equation!r}")
    else:
        counts = "".join(inputs)
        output = ell + "".join(sorted(c for c in set(counts) if counts.count(c) == 1 and c not in ell))
    return inputs, output


def _diagonal(t, letters):
    """(tensor, letters) with each letter once: a repeated letter keeps only its diagonal."""
    while len(set(letters)) != len(letters):
        c = next(c for c in letters if letters.count(c) > 1)
        i = letters.index(c)
        j = letters.index(c, i + 1)
        n = t.shape[i]
        if t.shape[j] != n:
            raise ShapeError(f"einsum: subscript {c!r} is repeated for axes of sizes {t.shape[i]} and {t.shape[j]}")
        eye_shape = tuple(n if k in (i, j) else 1 for k in range(t.ndim))
        mask = reshape(eye(n, dtype=t.dtype, device=t.device), eye_shape)
        t = _sum(t * mask, axis=j)
        letters = letters[:j] + letters[j + 1:]
    return t, letters


def _letter_sizes(terms, equation):
    sizes = {}
    for t, s in terms:
        for c, n in zip(s, t.shape):
            m = sizes.get(c)
            if m is None or m == 1:
                sizes[c] = n
            elif n not in (1, m):
                raise ShapeError(f"einsum: subscript {c!r} has sizes {m} and {n} in {equation!r}")
    return sizes


def _sum_letters(t, s, keep):
    drop = [i for i, c in enumerate(s) if c not in keep]
    if not drop:
        return t, s
    return _sum(t, axis=tuple(drop)), "".join(c for c in s if c in keep)


def _contract(a, sa, b, sb, needed):
    """a (letters sa) times b (letters sb), summed over the letters not ``needed`` later: one matmul."""
    a, sa = _sum_letters(a, sa, needed | set(sb))
    b, sb = _sum_letters(b, sb, needed | set(sa))
    batch = [c for c in sa if c in sb and c in needed]
    contr = [c for c in sa if c in sb and c not in needed]
    fa = [c for c in sa if c not in sb]
    fb = [c for c in sb if c not in sa]
    size = dict(zip(sa, a.shape)) | dict(zip(sb, b.shape))
    n = [_prod(size[c] for c in g) for g in (batch, fa, contr, fb)]
    a2 = reshape(permute(a, tuple(sa.index(c) for c in batch + fa + contr)), (n[0], n[1], n[2]))
    b2 = reshape(permute(b, tuple(sb.index(c) for c in batch + contr + fb)), (n[0], n[2], n[3]))
    out = matmul(a2, b2)
    letters = batch + fa + fb
    return reshape(out, tuple(size[c] for c in letters)), "".join(letters)
