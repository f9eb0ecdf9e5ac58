"""TracedArray (minigrad/compiler/traced.py): NumPy functions that read only dtypes or shapes are not
value reads.  Oracle: the same step run eagerly on the same inputs."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


@pytest.mark.parametrize("query", [
    lambda a: np.result_type(a, np.float32), lambda a: np.shape(a), lambda a: np.ndim(a), lambda a: np.size(a),
    lambda a: np.can_cast(a.dtype, np.float32), lambda a: np.iscomplexobj(a), lambda a: np.isrealobj(a),
], ids=["result_type", "shape", "ndim", "size", "can_cast", "iscomplexobj", "isrealobj"])
def test_a_dtype_or_shape_query_is_not_a_value_read(query):
    def step(x):
        answer = query(x.data)  # read from the raw array, as an op's forward does
        return x * 2.0, answer

    compiled = mg.compile(step)
    rng = np.random.default_rng(0)
    for _ in range(4):
        x = rng.standard_normal((2, 3))
        got, answer = compiled(mg.tensor(x))
        want, expected = step(mg.tensor(x))
        assert np.array_equal(got.numpy(), want.numpy()) and answer == expected
    assert compiled.stats.replays == 2


def test_maximum_and_minimum_compile():
    """Their forward asks ``xp.result_type(a, b)``; it used to be refused as a value read."""
    def step(a, b):
        out = mg.maximum(a, b) + mg.minimum(a, b) * 3.0
        out.sum().backward()
        return out, a.grad, b.grad

    rng = np.random.default_rng(1)
    results = []
    for compiled in (False, True):
        a = mg.tensor(np.zeros((2, 3)), requires_grad=True)
        b = mg.tensor(np.zeros((2, 3)), requires_grad=True)
        fn = mg.compile(step) if compiled else step
        rng = np.random.default_rng(1)
        run = []
        for _ in range(4):
            with mg.no_grad():
                a.copy_(mg.tensor(rng.standard_normal((2, 3))))
                b.copy_(mg.tensor(rng.standard_normal((2, 3))))
            a.grad = b.grad = None
            run.append([t.numpy().copy() for t in fn(a, b)])
        results.append(run)
    for x, y in zip(*results):
        for p, q in zip(x, y):
            assert np.array_equal(p, q)
