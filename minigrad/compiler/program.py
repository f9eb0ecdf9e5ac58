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
from .gradients import GradArena, accumulate_input_grad, grad_landing
from .records import ArgTensor, Ref, TensorRef, collect_refs, data_of, raw_data

__all__ = ["Program", "build", "same_program"]

_PLANNED_UFUNC_METHODS = ("__call__", "reduce", "accumulate")
_NEVER = 1 << 60


class Program:
    """A compiled step: ``run(arrays)`` replays it; ``source`` is its generated code;
    ``guards_hold()`` says whether the tensors it reads by reference still hold those arrays;
    ``buffers`` / ``buffer_bytes`` the planned memory; ``allocating`` names the operations whose
    results are still new arrays on every replay (functions without ``out=``, such as a gather
    by an index array)."""

    wants_tensors = False  # whether run() also takes the input Tensors (an input's gradient lands in it)

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
    returned Tensor replaced by a reference to its value."""
    values = tracer.values
    out_ids = []
    collect_refs(out_template, out_ids)
    instrs = [tracer.instrs[i] for i in _live_instructions(tracer.instrs, values, out_ids)]
    emit = _Emitter(values, _last_uses(values, instrs, out_ids), _gradient_arenas(values, instrs),
                    _constants(values, instrs))
    for i, ins in enumerate(instrs):
        emit.instruction(ins)
        emit.free_after(i)
    grads = {}  # a returned gradient is the leaf's gradient at the end of the replay, not the traced buffer
    for ins in instrs:
        if ins.kind == "acc":
            who = ins.args[0]
            grads[ins.args[2].id] = f"T{who.index}" if who.__class__ is ArgTensor else emit.consts.name(who)
    emit.wants_tensors = emit.wants_tensors or any(g.startswith("T") for g in grads.values())
    ret = _render_out(out_template, emit.names, emit.consts, grads)
    params = ", ".join([f"a{i}" for i in range(n_args)] + [f"T{i}" for i in range(n_args) if emit.wants_tensors])
    body = "\n    ".join(emit.lines) if emit.lines else "pass"
    source = f"def replay({params}):\n    {body}\n    return {ret}\n"
    exec(compile(source, "<minigrad.compile replay>", "exec"), emit.ns)
    guards = [(weakref.ref(v.tensor), v.array) for v in values if v.kind == "ext" and v.tensor is not None]
    program = Program(emit.ns["replay"], source, guards, emit.buffers, emit.allocating)
    program.wants_tensors = emit.wants_tensors
    return program


def _last_uses(values, instrs, out_ids):
    """For each value, the index of the last instruction that reads or writes it or a view of it
    (returned values: never freed)."""
    last = [-1] * len(values)
    for i, ins in enumerate(instrs):
        for vid in ins.refs():
            last[vid] = i
        for vid in ins.outs:
            last[vid] = max(last[vid], i)
    for vid in out_ids:
        last[vid] = _NEVER
    for v in reversed(values):  # a view's base id is smaller than the view's
        if v.kind == "view" and v.base is not None:
            last[v.base] = max(last[v.base], last[v.id])
    return last


class _Emitter:
    """Writes the replay's lines, one per instruction, and plans the buffers as it goes.

    ``names``: the Python name of each value in the generated code (``a<i>`` an input, ``k<id>`` a
    fixed array or a view made once, ``b<n>`` a planned buffer, ``t<id>`` a value made per
    replay); ``fixed``: the array of each value that is the same at every replay; ``ns``: the
    generated function's globals."""

    def __init__(self, values, last, arenas, constants):
        self.values, self.last, self.arenas, self.constants = values, last, arenas, constants
        self.ns = {"_T": Tensor._make, "_raw": data_of, "_asarray": np.asarray, "_copy": _copy_out,
                   "_copy_grad": _copy_grad}
        self.consts = _Consts(self.ns)
        self.names, self.fixed = {}, {}
        self.pool, self.free_at, self.buffer_name = {}, {}, {}
        self.lines, self.buffers, self.allocating = [], [], []
        self.wants_tensors = False
        for v in values:
            if v.kind == "arg":
                self.names[v.id] = f"a{v.index}"
            elif v.kind == "ext":
                self.names[v.id] = f"k{v.id}"
                self.ns[self.names[v.id]] = self.fixed[v.id] = v.array
        for arena in {id(a): a for a, _ in arenas.values()}.values():  # each replay: new gradient arrays
            self.lines.append(f"{self.consts.name(arena.reset, 'f')}()")

    def instruction(self, ins):
        if (ins.kind == "view" and all(r in self.fixed for r in ins.refs())) or id(ins) in self.constants:
            self._view_once(ins)
            return
        plan = _out_form(ins, self.values)
        call, args, kwargs, out_kw = ins.call, ins.args, ins.kwargs, ""
        if plan is not None:
            vid = ins.outs[0]
            self._plan(vid)
            out_kw = f"out={self.names[vid]}"
            if plan != "out":  # another call that fills the buffer
                call, args, kwargs = plan
                args, out_kw = tuple(Ref(vid) if a is _OUT else a for a in args), ""
        if ins.kind == "acc" and ins.args[0].__class__ is ArgTensor:  # an input's gradient: its Tensor
            self.wants_tensors = True                                   # is passed in on each call
            call, args = accumulate_input_grad, ins.args[:2]
        elif ins.kind == "acc":  # leaf.grad += w, as a function of w for this leaf
            call, args = grad_landing(ins.args[0], *self.arenas[id(ins)]), (ins.args[1],)
        parts = [_render(a, self.names, self.consts) for a in args]
        parts += [f"{k}={_render(a, self.names, self.consts)}" for k, a in kwargs.items()]
        parts += [out_kw] if out_kw else []
        expr = f"{self.consts.name(call, 'f')}({', '.join(parts)})"
        if ins.kind == "acc":  # the leaf's gradient array, for any later operation that reads it
            self.names[ins.args[2].id] = f"t{ins.args[2].id}"
            self.lines.append(f"t{ins.args[2].id} = {expr}")
        elif plan is not None or not ins.outs:
            self.lines.append(expr)
        else:
            self._assign(ins, expr)

    def _view_once(self, ins):
        """A view of fixed arrays, or a constant nothing writes into: made now, once, and named like
        a fixed array."""
        result = ins.call(*_resolve(ins.args, self.fixed), **_resolve(ins.kwargs, self.fixed))
        for vid, r in zip(ins.outs, list(result) if ins.multi else [result]):
            self.names[vid] = f"k{vid}"
            self.ns[self.names[vid]] = self.fixed[vid] = r

    def _plan(self, vid):
        """A buffer for value ``vid``: a free one of its dtype, shape and layout, or a new one."""
        v = self.values[vid]
        key = (v.array.dtype.str, v.array.shape, _order(v.array))
        free = self.pool.get(key)
        buf = free.pop() if free else None
        if buf is None:
            buf = np.empty(v.array.shape, v.array.dtype, order=key[2])
            self.buffers.append(buf)
            self.buffer_name[id(buf)] = f"b{len(self.buffers) - 1}"
            self.ns[self.buffer_name[id(buf)]] = buf
        self.names[vid] = self.buffer_name[id(buf)]
        self.fixed[vid] = buf
        self.free_at.setdefault(self.last[vid], []).append((key, buf))

    def _assign(self, ins, expr):
        """A value made anew on each replay: ``t<id> = ...``."""
        for vid in ins.outs:
            self.names[vid] = f"t{vid}"
        if ins.kind == "compute":
            self.allocating.append(ins.describe())
        targets = ", ".join(self.names[vid] for vid in ins.outs) + ("," if ins.multi else "")
        if ins.tensor_out:
            expr = f"_raw({expr})"
        elif ins.scalar:
            expr = f"_asarray({expr})"
        self.lines.append(f"{targets} = {expr}")

    def free_after(self, i):
        """Return to the pool the buffers whose values were last used by instruction ``i``."""
        for key, buf in self.free_at.pop(i, ()):
            self.pool.setdefault(key, []).append(buf)


def _constants(values, instrs):
    """The ids of the instructions that make an array from constants alone (``np.arange(m)``, a
    mask of ``np.ones``) that no later instruction writes into, directly or through a view, and no
    whole call receives: their values are the same on every replay."""
    root = {}
    for v in values:
        root[v.id] = v.base if v.kind == "view" and v.base is not None else v.id
    touched = set()
    for ins in instrs:
        touched.update(root[w] for w in ins.writes)
        if ins.kind in ("whole", "acc"):
            touched.update(root[r] for r in ins.refs())
    return {id(ins) for ins in instrs
            if ins.kind == "compute" and not ins.refs() and len(ins.outs) == 1 and ins.outs[0] not in touched}


def _gradient_arenas(values, instrs):
    """One :class:`~minigrad.compiler.gradients.GradArena` per dtype for the leaves whose gradients
    the step makes, the leaves in the order of their arrays in memory; returns {id(acc instruction):
    (arena, index)}.  (The buffer the traced call used for a leaf's gradient is not used by the
    replay: an operation that reads the gradient reads what the landing returned.)"""
    groups, where = {}, {}
    for ins in instrs:
        if ins.kind == "acc" and ins.args[0].__class__ is not ArgTensor:  # an input's gradient: apart
            leaf, _, own = ins.args
            data = raw_data(leaf)
            address = data.__array_interface__["data"][0] if isinstance(data, np.ndarray) else 0
            groups.setdefault(values[own.id].array.dtype.str, []).append((address, id(ins), values[own.id]))
    for items in groups.values():
        items.sort(key=lambda item: item[0])
        arena = GradArena(items[0][2].array.dtype, [v.array.shape for _, _, v in items])
        for i, (_, key, _) in enumerate(items):
            where[key] = (arena, i)
    return where


def _copy_grad(leaf):
    """A returned ``leaf.grad``: a copy of the gradient the replay left there (None if none)."""
    g = leaf.grad
    return None if g is None else _copy_out(data_of(g), g._device)


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
    if x.__class__ is ArgTensor:
        return f"T{x.index}"
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


def _render_out(x, names, consts, grads):
    if x.__class__ is _OutRef:
        if x.id in grads:
            return f"_copy_grad({grads[x.id]})"
        return f"_copy({names[x.id]}, {consts.name(x.device)})"
    cls = x.__class__
    if cls is tuple or cls is list:
        inner = ", ".join(_render_out(a, names, consts, grads) for a in x)
        return f"({inner},)" if cls is tuple and len(x) == 1 else (f"({inner})" if cls is tuple else f"[{inner}]")
    if cls is dict:
        return "{" + ", ".join(f"{k!r}: {_render_out(a, names, consts, grads)}" for k, a in x.items()) + "}"
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
