"""Function's own messages: a subclass without forward, and a saved output modified in place
(the message describes the saved tensor, not an input of another shape)."""
import pytest

import minigrad as mg
from minigrad import BackwardError


class NoForward(mg.Function):
    pass


class SumSavingOutput(mg.Function):
    def forward(self, x):
        out = x.sum()
        self.save_for_backward(out)
        return out

    def backward(self, g):
        (out,) = self.saved_tensors
        return g * mg.ones(2) + 0 * out


def test_a_function_without_forward_names_itself():
    with pytest.raises(NotImplementedError) as info:
        NoForward.apply(mg.tensor([1.0]))
    assert str(info.value) == "NoForward.forward is not defined"


def test_a_saved_output_modified_in_place_is_described_as_saved():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = SumSavingOutput.apply(x)
    with mg.no_grad():
        y += 1
    with pytest.raises(BackwardError) as info:
        y.backward()
    assert str(info.value) == (
        "SumSavingOutput: a tensor it saved for backward (shape (), float32) was modified in place after it was "
        "saved (version 0 -> 1); its gradient would be wrong. Use an out-of-place op (y = y + 1 instead of y += 1) "
        "or clone() before modifying")
