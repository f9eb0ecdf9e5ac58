"""``fused=True`` (optim/flat.py) at its edges; the oracle is the same optimizer without ``fused``
(one call of the rule per parameter) from the same start, or hand-worked numbers."""
from __future__ import annotations

import os
import signal

import numpy as np
import pytest

import minigrad as mg
import optim
from optim.flat import SPLIT_AT


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_split_group_still_steps_in_a_forked_child():
    """The worker thread of the two-halves update does not survive a fork: the child must start its
    own, not queue work for a thread that does not exist there (it hung forever)."""
    n = SPLIT_AT + 10
    p = mg.zeros(n, dtype=mg.float64, requires_grad=True)
    opt = optim.SGD([p], lr=0.5, fused=True)
    p.grad = mg.ones(n, dtype=mg.float64)
    opt.step()
    opt.step()  # the second step is the first split one: the worker thread is started here
    assert opt._flat_groups[id(opt.param_groups[0])]._halves is not None
    pid = os.fork()
    if pid == 0:  # the child: one more step, then exit 0 if it gave -1.5 everywhere
        code = 1
        try:
            signal.alarm(10)
            opt.step()
            code = 0 if np.all(p.numpy() == -1.5) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert np.all(p.numpy() == -1.0)  # the parent's parameter is its own


# ----- gradients that already lie one after another (minigrad.compile's layout) ---------------------
SHAPES = [(3, 2), (4,), (2, 2, 2), (1,)]
CASES = [(optim.SGD, dict(lr=0.1, momentum=0.9)), (optim.Adam, dict(lr=0.01)),
         (optim.RMSprop, dict(lr=0.01, centered=True))]


def _pair(cls, kw, dtype=mg.float64, shapes=SHAPES):
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(s) for s in shapes]
    a = [mg.tensor(v, dtype=dtype, requires_grad=True) for v in values]
    b = [mg.tensor(v, dtype=dtype, requires_grad=True) for v in values]
    return a, cls(a, **kw), b, cls(b, fused=True, **kw)


def _check_same(a, oa, b, ob):
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.numpy(), q.numpy())
        for k in oa.state[p]:
            np.testing.assert_array_equal(np.asarray(oa.state[p][k]), np.asarray(ob.state[q][k]), err_msg=k)


def _sizes(shapes=SHAPES):
    return [int(np.prod(s)) for s in shapes]


def _layout(kind, values, dtype=np.float64):
    """The gradients ``values`` as arrays laid out in one buffer in various ways."""
    sizes = _sizes()
    n = sum(sizes)
    if kind == "separate":
        return [np.array(v, dtype=dtype) for v in values]
    if kind in ("consecutive", "offset", "gap", "reversed"):
        pad = 3 if kind == "offset" else 0
        base = np.full(n + pad + 4 * len(sizes), np.nan, dtype=dtype)
        out, o = [None] * len(values), pad
        order = range(len(values) - 1, -1, -1) if kind == "reversed" else range(len(values))
        for i in order:
            out[i] = base[o:o + sizes[i]].reshape(values[i].shape)
            out[i][...] = values[i]
            o += sizes[i] + (1 if kind == "gap" else 0)
        return out
    if kind == "strided":  # every other element of one buffer
        base = np.full(2 * n, np.nan, dtype=dtype)
        out, o = [], 0
        for v, k in zip(values, sizes):
            g = base[2 * o:2 * (o + k):2]
            g[...] = v.ravel()
            out.append(g.reshape(v.shape))  # still a view of base (a strided one)
            o += k
        return out
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["separate", "consecutive", "offset", "gap", "reversed", "strided"])
@pytest.mark.parametrize("cls, kw", CASES, ids=["SGD", "Adam", "RMSprop"])
def test_fused_reads_gradients_in_any_layout_as_one_call_per_parameter_does(cls, kw, kind):
    a, oa, b, ob = _pair(cls, kw)
    rng = np.random.default_rng(1)
    for _ in range(4):  # new gradient arrays every step
        values = [rng.standard_normal(s) for s in SHAPES]
        for p, v in zip(a, values):
            p.grad = mg.tensor(v, dtype=mg.float64)
        grads = _layout(kind, values)
        for q, g in zip(b, grads):
            q.grad = mg.Tensor.wrap(g, device="cpu")
        oa.step()
        ob.step()
        _check_same(a, oa, b, ob)
    flat = ob._flat_groups[id(ob.param_groups[0])]
    assert flat.state is not None  # the flat path ran
    # consecutive gradients are read where they lie: no flat copy is made
    assert (flat.G is None) == (kind in ("consecutive", "offset"))


def test_fused_reads_rows_of_a_2d_gradient_buffer_by_copying():
    """Rows of a 2-d array can be back to back in memory, but the flat path only takes a 1-d base."""
    shapes = [(4,), (4,), (4,)]
    a, oa, b, ob = _pair(optim.Adam, dict(lr=0.1), shapes=shapes)
    rng = np.random.default_rng(2)
    for _ in range(3):
        rows = rng.standard_normal((3, 4))
        for p, r in zip(a, rows):
            p.grad = mg.tensor(r.copy())
        buf = rows.copy()
        for q, r in zip(b, buf):
            q.grad = mg.Tensor.wrap(r, device="cpu")
        oa.step()
        ob.step()
        _check_same(a, oa, b, ob)
    assert ob._flat_groups[id(ob.param_groups[0])].G is not None


def test_fused_consecutive_gradients_written_in_place_are_read_again():
    """The same gradient arrays (minigrad.compile reuses them) with new values at every step."""
    a, oa, b, ob = _pair(optim.SGD, dict(lr=0.1, momentum=0.5))
    rng = np.random.default_rng(3)
    values = [rng.standard_normal(s) for s in SHAPES]
    grads = _layout("offset", values)
    for q, g in zip(b, grads):
        q.grad = mg.Tensor.wrap(g, device="cpu")
    for _ in range(3):
        values = [rng.standard_normal(s) for s in SHAPES]
        for p, q, v, g in zip(a, b, values, grads):
            p.grad = mg.tensor(v)
            g[...] = v
            q.grad.bump_version()
        oa.step()
        ob.step()
        _check_same(a, oa, b, ob)


@pytest.mark.parametrize("cls, kw", CASES + [(optim.NAdam, dict(lr=0.01)), (optim.Adagrad, dict(lr=0.1))],
                         ids=["SGD", "Adam", "RMSprop", "NAdam", "Adagrad"])
def test_fused_float32_gives_the_float32_numbers_of_one_call_per_parameter(cls, kw):
    """The flat gradient copy and the gathered state keep the parameters' dtype."""
    a, oa, b, ob = _pair(cls, kw, dtype=mg.float32)
    rng = np.random.default_rng(4)

    def steps(n):
        for _ in range(n):
            values = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
            for p, q, v in zip(a, b, values):
                p.grad, q.grad = mg.tensor(v), mg.tensor(v)
            oa.step()
            ob.step()
            _check_same(a, oa, b, ob)

    steps(3)
    ob.load_state_dict(oa.state_dict())  # gathered into new flat buffers
    steps(3)
    flat = ob._flat_groups[id(ob.param_groups[0])]
    assert all(v.dtype == mg.float32 for v in flat.state.values() if isinstance(v, mg.Tensor))
    assert flat.G.dtype == np.float32


# ----- state: updated in place, gathered again after load_state_dict -------------------------------
def _grads(params, rng):
    for p in params:
        p.grad = mg.tensor(rng.standard_normal(p.shape))


def _assert_flat_state(opt, params):
    """Every parameter's state tensors are views of the group's flat buffers (the flat path runs)."""
    flat = opt._flat_groups[id(opt.param_groups[0])]
    assert flat.state is not None
    for key, buf in flat.state.items():
        if isinstance(buf, mg.Tensor):
            for p in params:
                assert np.shares_memory(opt.state[p][key].array, buf.array), key


@pytest.mark.parametrize("cls, kw, key", [(optim.SGD, dict(lr=0.1, momentum=0.9), "momentum_buffer"),
                                          (optim.Adam, dict(lr=0.01), "exp_avg")], ids=["SGD", "Adam"])
def test_fused_state_tensors_are_updated_in_place_and_held_references_stay_current(cls, kw, key):
    a, oa, b, ob = _pair(cls, kw)
    rng = np.random.default_rng(5)

    def held_stay_current():
        held = [ob.state[q][key] for q in b]
        for _ in range(2):
            _grads(b, rng)
            ob.step()
            for q, t in zip(b, held):
                assert ob.state[q][key] is t  # the same tensor, its values updated in place
        _assert_flat_state(ob, b)

    _grads(b, rng)
    ob.step()  # the first flat step makes the state
    held_stay_current()
    ob.load_state_dict(ob.state_dict())  # fresh state tensors: gathered into flat buffers at the next step
    _grads(b, rng)
    ob.step()
    held_stay_current()


def test_fused_load_state_dict_from_an_unfused_optimizer_runs_flat_again():
    a, oa, b, ob = _pair(optim.Adam, dict(lr=0.01, amsgrad=True))
    rng = np.random.default_rng(6)
    for _ in range(2):
        values = [rng.standard_normal(s) for s in SHAPES]
        for p, q, v in zip(a, b, values):
            p.grad, q.grad = mg.tensor(v), mg.tensor(v)
        oa.step()
        ob.step()
    ob.load_state_dict(oa.state_dict())
    for _ in range(2):
        values = [rng.standard_normal(s) for s in SHAPES]
        for p, q, v in zip(a, b, values):
            p.grad, q.grad = mg.tensor(v), mg.tensor(v)
        oa.step()
        ob.step()
        _check_same(a, oa, b, ob)
    _assert_flat_state(ob, b)
    flat = ob._flat_groups[id(ob.param_groups[0])]
    assert ob.state[b[0]]["step"] == flat.state["step"] == 4  # the last steps ran on the flat arrays


def test_fused_single_parameter_group_survives_load_state_dict():
    a, oa, b, ob = _pair(optim.SGD, dict(lr=0.1, momentum=0.9), shapes=[(5,)])
    rng = np.random.default_rng(8)
    for i in range(4):
        if i == 2:
            ob.load_state_dict(oa.state_dict())
        v = rng.standard_normal(5)
        buf = np.concatenate([[np.nan], v, [np.nan]])  # the gradient as a view of a larger flat array
        a[0].grad, b[0].grad = mg.tensor(v), mg.Tensor.wrap(buf[1:6], device="cpu")
        oa.step()
        ob.step()
        _check_same(a, oa, b, ob)
    _assert_flat_state(ob, b)


def test_fused_with_a_state_entry_of_another_dtype_gives_the_per_parameter_numbers():
    """A state buffer replaced by hand with a float32 one is not gathered into the float64 flat
    buffers: the group runs one call per parameter, exactly as the unfused optimizer does."""
    a, oa, b, ob = _pair(optim.SGD, dict(lr=0.1, momentum=0.9))
    rng = np.random.default_rng(9)

    def step():
        values = [rng.standard_normal(s) for s in SHAPES]
        for p, q, v in zip(a, b, values):
            p.grad, q.grad = mg.tensor(v), mg.tensor(v)
        oa.step()
        ob.step()

    step()
    for p, q in zip(a, b):
        buf = rng.standard_normal(p.shape).astype(np.float32) / 3
        oa.state[p]["momentum_buffer"] = mg.tensor(buf)
        ob.state[q]["momentum_buffer"] = mg.tensor(buf)
    for _ in range(3):
        step()
        _check_same(a, oa, b, ob)
    assert ob.state[b[0]]["momentum_buffer"].dtype == mg.float32


def test_fused_with_state_of_only_some_parameters_or_unequal_steps_gives_the_per_parameter_numbers():
    """A parameter that missed steps (no gradient) has no state, then fewer steps: the flat path
    cannot run; the group is updated one call per parameter, and each parameter's numbers are right."""
    a, oa, b, ob = _pair(optim.Adam, dict(lr=0.01))
    rng = np.random.default_rng(7)

    def step(skip_last):
        values = [rng.standard_normal(s) for s in SHAPES]
        for p, q, v in zip(a, b, values):
            p.grad, q.grad = mg.tensor(v), mg.tensor(v)
        if skip_last:
            a[-1].grad = b[-1].grad = None
        oa.step()
        ob.step()
        _check_same(a, oa, b, ob)

    step(True)
    step(True)
    ob.load_state_dict(oa.state_dict())  # the last parameter has no state
    step(False)                            # now it has one step, the others three
    step(False)
    assert ob.state[b[0]]["step"] == 4 and ob.state[b[-1]]["step"] == 2


def test_fused_refuses_a_state_entry_that_is_not_elementwise():
    class Odd(optim.SGD):  # a rule that keeps one number per call as a 1-element tensor
        def _update(self, p, grad, state, group, kernels):
            state["count"] = mg.tensor([float(state.get("count", mg.tensor([0.0])).numpy()[0] + 1)])
            super()._update(p, grad, state, group, kernels)

    ps = [mg.zeros(3, requires_grad=True), mg.zeros(2, requires_grad=True)]
    opt = Odd(ps, lr=0.1, fused=True)
    for p in ps:
        p.grad = mg.ones(*p.shape)
    with pytest.raises(RuntimeError) as info:
        opt.step()
    assert str(info.value) == "fused: the state entry 'count' is not elementwise (shape (1,))"


# ----- when the two-halves update runs --------------------------------------------------------------
def _split_ran(n, steps=2):
    p = mg.zeros(n, dtype=mg.float64, requires_grad=True)
    opt = optim.SGD([p], lr=0.5, fused=True)
    for _ in range(steps):
        p.grad = mg.ones(n, dtype=mg.float64)
        opt.step()
    np.testing.assert_array_equal(p.numpy(), np.full(n, -0.5 * steps))
    return opt._flat_groups[id(opt.param_groups[0])]._halves is not None


def test_a_group_is_split_from_split_at_elements_on_and_only_with_more_than_one_core(monkeypatch):
    assert _split_ran(SPLIT_AT)
    assert not _split_ran(SPLIT_AT - 1)
    assert not _split_ran(10, steps=3)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not _split_ran(SPLIT_AT)
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # unknown: as one core
    assert not _split_ran(SPLIT_AT)


def test_fused_new_consecutive_gradient_arrays_at_the_addresses_of_freed_ones_are_read_afresh():
    """Each step's gradient arrays are new and the old ones freed first, so Python may give the new
    arrays the ids of the old: the flat path must still read this step's numbers."""
    a, oa, b, ob = _pair(optim.SGD, dict(lr=0.1))
    rng = np.random.default_rng(10)
    for _ in range(6):
        for q in b:
            q.grad = None
        values = [rng.standard_normal(s) for s in SHAPES]
        for p, v in zip(a, values):
            p.grad = mg.tensor(v)
        for q, g in zip(b, _layout("consecutive", values)):
            q.grad = mg.Tensor.wrap(g, device="cpu")
        oa.step()
        ob.step()
        _check_same(a, oa, b, ob)
