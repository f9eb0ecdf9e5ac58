"""gradcheck's upstream gradients given as Python numbers and lists, and gradgradcheck of a
function that ignores one of its inputs (whose first derivative is then exactly zero)."""
import numpy as np

import minigrad as mg


def _x(device):
    return mg.tensor([1.0, 2.0], dtype="float64", device=device, requires_grad=True)


def test_grad_output_as_a_list_or_a_float(device):
    x = _x(device)
    assert mg.gradcheck(lambda t: t * 3, (x,), grad_output=[1.0, 2.0])
    assert mg.gradcheck(lambda t: t.sum() * 3, (x,), grad_output=2.0)
    assert mg.gradcheck(lambda t: t * 3, (x,), grad_output=np.array([1.0, -1.0]))


def test_gradgradcheck_of_a_function_that_ignores_an_input(device):
    x, y = _x(device), _x(device)
    assert mg.gradgradcheck(lambda a, b: a ** 3, (x, y))
    assert mg.gradgradcheck(lambda a, b: a ** 3, (x, y), check_grad_outputs=False)
