"""From a recorded trace to the replay: dead code removed, buffers planned, Python generated.

1. **Dead code.**  A computation whose values nobody reads (and that writes nothing) is dropped.
2. **Memory plan.**  Each value made by a ufunc (``+``, ``exp``, ``matmul``, a reduction) gets a
   buffer, chosen once, that the replay writes with ``out=``.  Values whose lifetimes do not
   overlap share a buffer of their dtype and shape (a value lives from the instruction that
   makes it to the last that reads it or a view of it).  A view of a planned buffer, of a
   parameter or of another fixed array is made once, when the replay is built.  What is left
   (values made by functions without ``out=``, views of the inputs) is made on each replay.
3. **Code.**  The instructions become one Python function, ``replay(a0, a1, ...)``, whose
   arguments are the input arrays and whose other names are bound to the buffers, parameters,
   constants and functions: ``source`` shows it.  Calling it runs the step with no Tensor, node,
   dict lookup or new buffer per op.
"""
from __future__ import annotations

import weakref

import numpy as np

from ..tensor import Tensor
from .traced import TracedArray
from .tracer import Ref, TensorRef, accumulate_grad, data_of, grad_landing, raw_data, set_raw_data

__all__ = ["Program", "build", "same_program"]

_PLANNED_UFUNC_METHODS = ("__call__", "reduce", "accumulate")
_NEVER = 1 << 60


class Program:
    """A compiled step: ``run(arrays)`` replays it; ``source`` is its generated code;
    ``guards_hold()`` says whether the tensors it reads by reference still hold those arrays;
    ``buffers`` / ``buffer_bytes`` the planned memory; ``allocating`` names the operations whose
    results are still new arrays on every replay (functions without ``out=``, such as a gather
    by an index array)."""

    def __init__(self, fn, source, guards, buffers, allocating=()):
        self.run = fn
        self.source = source
        self._guards = guards
        self.buffers = buffers
        self.buffer_bytes = sum(b.nbytes for b in buffers)
        self.allocating = list(allocating)

    def guards_hold(self):
        for ref, array in self._guards:
            t = ref()
            if t is not None and data_of(t) is not array:
                return False
        return True


def _live_instructions(instrs, values, outputs):
    """Indices of the instructions to keep: every whole call, acc and write, and the
    computations whose values (or views of them) something kept reads."""
    needed = set(outputs)
    for v in values:
        if v.kind == "view" and v.base is not None and v.id in needed:
            needed.add(v.base)
    keep = []
    for i in range(len(instrs) - 1, -1, -1):
        ins = instrs[i]
        if ins.kind in ("whole", "acc") or ins.writes or any(o in needed for o in ins.outs):
            keep.append(i)
            needed.update(ins.refs())
            for o in ins.outs:
                needed.add(o)
    # views read later keep their bases alive
    for v in values:
        if v.kind == "view" and v.id in needed and v.base is not None:
            needed.add(v.base)
    keep.reverse()
    return keep


class _Out:
    """Where the planned buffer goes in an out-form's arguments."""


_OUT = _Out()


def _astype_form(ins):
    if len(ins.args) != 2 or any(k != "copy" for k in ins.kwargs) or ins.kwargs.get("copy", True) is not True:
        return None
    return np.copyto, (_OUT, ins.args[0]), {"casting": "unsafe"}


def _fill_form(value):
    def form(ins):
        if len(ins.args) != 1 or any(k != "dtype" for k in ins.kwargs):
            return None
        return np.copyto, (_OUT, value), {"casting": "unsafe"}
    return form


def _full_like_form(ins):
    if len(ins.args) != 2 or any(k != "dtype" for k in ins.kwargs) or isinstance(ins.args[1], Ref):
        return None
    return np.copyto, (_OUT, ins.args[1]), {"casting": "unsafe"}


def where_into(out, condition, x, y):
    """``np.where(condition, x, y)`` written into ``out``: the same elements, no new array."""
    np.copyto(out, y, casting="unsafe")
    np.copyto(out, x, casting="unsafe", where=condition)


def _where_form(ins):
    if len(ins.args) != 3 or ins.kwargs:
        return None
    return where_into, (_OUT,) + tuple(ins.args), {}


# Functions without ``out=`` whose result a planned buffer can still hold: written as another call
# that fills the buffer with the same values (a cast is NumPy's same loop either way).
def _create_form(value):
    def form(ins):
        if len(ins.args) != 1 or any(k not in ("dtype", "order") for k in ins.kwargs) \
                or ins.kwargs.get("order", "C") != "C":
            return None
        return (np.copyto, (_OUT, value), {"casting": "unsafe"}) if value is not None else (_nothing, (_OUT,), {})
    return form


def _nothing(out):
    """``np.empty``'s values: whatever the buffer holds."""


_OUT_FORMS = {np.astype: _astype_form, np.ndarray.astype: _astype_form, np.ones_like: _fill_form(1),
              np.zeros_like: _fill_form(0), np.full_like: _full_like_form, np.where: _where_form,
              np.zeros: _create_form(0), np.ones: _create_form(1), np.empty: _create_form(None)}


def _order(a):
    """'C' or 'F' for an array laid out that way, else None.  A planned buffer has the layout the
    value had when traced, so that what the replay does with it (a reshape that is a view, or a
    copy) is what the traced call did."""
    return "C" if a.flags.c_contiguous else "F" if a.flags.f_contiguous else None


def _out_form(ins, values):
    """How the single output of ``ins`` is written into a planned buffer: None (it is not), "out"
    (an ``out=`` argument) or (callable, args, kwargs) with ``_OUT`` for the buffer."""
    if ins.kind != "compute" or len(ins.outs) != 1 or ins.writes or ins.multi or values[ins.outs[0]].kind != "temp":
        return None
    if _order(values[ins.outs[0]].array) is None:
        return None
    if ins.ufunc in _PLANNED_UFUNC_METHODS:
        return "out"
    form = _OUT_FORMS.get(ins.call)
    return form(ins) if form is not None else None


def build(tracer, out_template, n_args):
    """The :class:`Program` of a finished trace; ``out_template`` is the step's result with each
    Tensor replaced by ``Ref(value id)``."""
    values, all_instrs = tracer.values, tracer.instrs
    out_ids = []
    _collect_refs(out_template, out_ids)
    order = _live_instructions(all_instrs, values, out_ids)
    instrs = [all_instrs[i] for i in order]

    last = [-1] * len(values)
    for i, ins in enumerate(instrs):
        for vid in ins.refs():
            last[vid] = max(last[vid], i)
        for vid in ins.outs:
            last[vid] = max(last[vid], i)
    for vid in out_ids:
        last[vid] = _NEVER
    for v in reversed(values):
        if v.kind == "view" and v.base is not None:
            last[v.base] = max(last[v.base], last[v.id])

    _gradients_in_one_array(values, instrs)
    ns = {"_T": Tensor._make, "_raw": raw_data, "_asarray": np.asarray, "_acc": accumulate_grad,
          "_copy": _copy_out}
    names = {}
    fixed = {}  # value id -> the array a static value has at every replay
    for v in values:
        if v.kind == "arg":
            names[v.id] = f"a{v.index}"
        elif v.kind in ("ext", "own"):
            names[v.id] = f"k{v.id}"
            ns[names[v.id]] = fixed[v.id] = v.array

    pool, buffers, free_at, buffer_name = {}, [], {}, {}
    lines, consts, allocating = [], _Consts(ns), []
    for i, ins in enumerate(instrs):
        plan = _out_form(ins, values)
        if ins.kind == "view" and all(r in fixed for r in ins.refs()):
            result = ins.call(*_resolve(ins.args, fixed), **_resolve(ins.kwargs, fixed))
            results = list(result) if ins.multi else [result]
            for vid, r in zip(ins.outs, results):
                names[vid] = f"k{vid}"
                ns[names[vid]] = fixed[vid] = r
        else:
            out_kw = ""
            if plan is not None:
                vid = ins.outs[0]
                v = values[vid]
                key = (v.array.dtype.str, v.array.shape, _order(v.array))
                free = pool.get(key)
                buf = free.pop() if free else None
                if buf is None:
                    buf = np.empty(v.array.shape, v.array.dtype, order=key[2])
                    buffers.append(buf)
                    buffer_name[id(buf)] = f"b{len(buffers) - 1}"
                    ns[buffer_name[id(buf)]] = buf
                names[vid] = buffer_name[id(buf)]
                fixed[vid] = buf
                free_at.setdefault(last[vid], []).append((key, buf))
                out_kw = f", out={names[vid]}" if (ins.args or ins.kwargs) else f"out={names[vid]}"
            call, call_args, call_kwargs = ins.call, ins.args, ins.kwargs
            if ins.kind == "acc":  # accumulate_grad(leaf, w, own) as a function of w for this leaf
                call, call_args = grad_landing(ins.args[0], fixed[ins.args[2].id]), (ins.args[1],)
            if plan is not None and plan != "out":
                call, call_args, call_kwargs = plan
                call_args = tuple(Ref(vid) if a is _OUT else a for a in call_args)
                out_kw = ""
            call = consts.name(call, "f")
            args = ", ".join(_render(a, names, consts) for a in call_args)
            kw = "".join(f", {k}={_render(a, names, consts)}" for k, a in call_kwargs.items())
            expr = f"{call}({args}{kw if args else kw[2:]}{out_kw})"
            if plan is not None or not ins.outs:
                lines.append(expr)
            else:
                for vid in ins.outs:
                    names[vid] = f"t{vid}"
                if ins.kind == "compute":
                    allocating.append(ins.describe())
                targets = ", ".join(names[vid] for vid in ins.outs)
                if ins.multi:
                    targets += ","
                if ins.tensor_out:
                    expr = f"_raw({expr})"
                elif ins.scalar:
                    expr = f"_asarray({expr})"
                lines.append(f"{targets} = {expr}")
        for key, buf in free_at.pop(i, ()):
            pool.setdefault(key, []).append(buf)

    ret = _render_out(out_template, names, consts)
    params = ", ".join(f"a{i}" for i in range(n_args))
    body = "\n    ".join(lines) if lines else "pass"
    source = f"def replay({params}):\n    {body}\n    return {ret}\n"
    exec(compile(source, "<minigrad.compile replay>", "exec"), ns)
    guards = [(weakref.ref(v.tensor), v.array) for v in values if v.kind == "ext" and v.tensor is not None]
    return Program(ns["replay"], source, guards, buffers, allocating)


def _gradients_in_one_array(values, instrs):
    """Move the buffers the step keeps for the leaves' gradients into one flat array per dtype, in
    the order of the leaves' own arrays in memory: the parameters of an optimizer built with
    ``fused=True`` lie one after another in one array, so their gradients then do too and the
    optimizer updates them all with one call, without copying them together first."""
    groups = {}
    for ins in instrs:
        if ins.kind == "acc":
            leaf, _, own = ins.args
            v = values[own.id]
            data = raw_data(leaf)
            where = data.__array_interface__["data"][0] if isinstance(data, np.ndarray) else 0
            groups.setdefault(v.array.dtype.str, []).append((where, leaf, v))
    for items in groups.values():
        items.sort(key=lambda item: item[0])
        flat = np.empty(sum(v.array.size for _, _, v in items), items[0][2].array.dtype)
        o = 0
        for _, leaf, v in items:
            old, new = v.array, flat[o:o + v.array.size].reshape(v.array.shape)
            o += old.size
            g = leaf.grad
            if g is not None and raw_data(g) is old:  # the gradient the traced call left: keep it
                new[...] = old
                set_raw_data(g, new)
            v.array = new


def _copy_out(array, device):
    return Tensor._make(np.array(array, copy=True), device, False, None)


class _Consts:
    """Names for the constants and functions the generated code uses."""

    def __init__(self, ns):
        self.ns = ns
        self._by_id = {}

    def name(self, obj, prefix="c"):
        key = id(obj)
        found = self._by_id.get(key)
        if found is not None:
            return found
        label = getattr(obj, "__name__", None)
        if prefix == "f" and isinstance(label, str) and label.isidentifier():
            name = f"{label.strip('_')}_{len(self._by_id)}"
        else:
            name = f"{prefix}{len(self._by_id)}"
        self._by_id[key] = name
        self.ns[name] = obj
        return name


def _render(x, names, consts):
    if isinstance(x, TensorRef):
        return f"_T({names[x.id]}, {consts.name(x.device)}, False, None)"
    if isinstance(x, Ref):
        return names[x.id]
    cls = x.__class__
    if cls is tuple:
        inner = ", ".join(_render(a, names, consts) for a in x)
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    if cls is list:
        return "[" + ", ".join(_render(a, names, consts) for a in x) + "]"
    if cls is dict:
        return "{" + ", ".join(f"{k!r}: {_render(a, names, consts)}" for k, a in x.items()) + "}"
    if x is None or x is True or x is False:
        return repr(x)
    if cls is int or cls is str:
        return repr(x)
    return consts.name(x)


def _render_out(x, names, consts):
    if x.__class__ is _OutRef:
        return f"_copy({names[x.id]}, {consts.name(x.device)})"
    cls = x.__class__
    if cls is tuple or cls is list:
        inner = ", ".join(_render_out(a, names, consts) for a in x)
        return f"({inner},)" if cls is tuple and len(x) == 1 else (f"({inner})" if cls is tuple else f"[{inner}]")
    if cls is dict:
        return "{" + ", ".join(f"{k!r}: {_render_out(a, names, consts)}" for k, a in x.items()) + "}"
    return consts.name(x)


class _OutRef(Ref):
    """A Tensor the step returns: a copy of the value, on ``device``."""

    __slots__ = ("device",)

    def __init__(self, id, device):
        super().__init__(id)
        self.device = device


def out_template(result, tracer):
    """The step's result with each Tensor over a traced value as an ``_OutRef``."""
    if isinstance(result, Tensor):
        a = raw_data(result)
        if isinstance(a, TracedArray) and a._slot is not None:
            return _OutRef(a._slot, result._device)
        return result
    cls = result.__class__
    if cls is tuple or cls is list:
        return cls(out_template(a, tracer) for a in result)
    if cls is dict:
        return {k: out_template(a, tracer) for k, a in result.items()}
    return result


def _collect_refs(x, found):
    if isinstance(x, Ref):
        found.append(x.id)
    elif x.__class__ in (tuple, list):
        for a in x:
            _collect_refs(a, found)
    elif x.__class__ is dict:
        for a in x.values():
            _collect_refs(a, found)


def _resolve(x, fixed):
    if isinstance(x, Ref):
        return fixed[x.id]
    cls = x.__class__
    if cls is tuple or cls is list:
        return cls(_resolve(a, fixed) for a in x)
    if cls is dict:
        return {k: _resolve(a, fixed) for k, a in x.items()}
    return x


# ----- two traces of one signature must agree ---------------------------------------------------
def same_program(a, b):
    """None if traces ``a`` and ``b`` (two calls with one signature) recorded the same program,
    else a sentence saying where they differ."""
    if len(a.values) != len(b.values) or len(a.instrs) != len(b.instrs):
        return (f"the two traced calls made {len(a.instrs)} and {len(b.instrs)} operations; the step takes "
                "different paths on different calls")
    for va, vb in zip(a.values, b.values):
        if va.kind != vb.kind or va.array.shape != vb.array.shape or va.array.dtype != vb.array.dtype:
            return f"value {va.id} differs between the calls ({va.kind} {va.array.shape} vs {vb.kind} {vb.array.shape})"
        if va.kind == "ext" and va.array is not vb.array and not _equal_arrays(va.array, vb.array):
            return (f"an array of shape {va.array.shape} read by the step changes between calls but is not made by "
                    "minigrad's ops from the step's inputs (a NumPy computation, or a random draw from another "
                    "generator); pass it as an input of the step or make it with Tensor ops")
    for i, (ia, ib) in enumerate(zip(a.instrs, b.instrs)):
        if ia.kind != ib.kind or not _same_call(ia.call, ib.call) or ia.outs != ib.outs or ia.writes != ib.writes:
            return f"operation {i} differs between the calls ({ia.describe()} vs {ib.describe()})"
        if not _same_template(ia.args, ib.args) or not _same_template(ia.kwargs, ib.kwargs):
            return f"operation {i} ({ia.describe()}) has different arguments on the two calls"
    return None


def _same_call(f, g):
    return f is g or f == g


def _equal_arrays(x, y):
    return x.shape == y.shape and x.dtype == y.dtype and bool(np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"))


def _same_template(x, y):
    if isinstance(x, Ref) or isinstance(y, Ref):
        return x == y
    if x.__class__ is not y.__class__:
        return False
    if x.__class__ in (tuple, list):
        return len(x) == len(y) and all(_same_template(p, q) for p, q in zip(x, y))
    if x.__class__ is dict:
        return x.keys() == y.keys() and all(_same_template(x[k], y[k]) for k in x)
    if isinstance(x, np.ndarray):
        return x is y or _equal_arrays(x, y)
    if x is y:
        return True
    try:
        return bool(x == y)
    except Exception:  # objects without a plain equality
        return False
