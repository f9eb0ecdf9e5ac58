"""Optimizer state dicts at their edges: parameters without state, groups whose keys come in
another order, list-valued extra keys, step counts saved as 0-d tensors or NumPy integers."""
from __future__ import annotations

import numpy as np

import minigrad as mg
import optim


def test_parameters_without_state_are_left_out():
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)  # momentum 0: no buffer
    p.grad = mg.tensor([1.0, 1.0])
    opt.step()
    assert opt.state_dict()["state"] == {}


def test_a_group_with_params_first_restores_every_setting():
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.5)
    sd = opt.state_dict()
    group = sd["param_groups"][0]
    sd["param_groups"][0] = {"params": group["params"], **{k: v for k, v in group.items() if k != "params"}}
    sd["param_groups"][0]["lr"] = 0.25
    fresh = optim.SGD([mg.tensor([1.0, 2.0], requires_grad=True)], lr=0.1)
    fresh.load_state_dict(sd)
    assert fresh.param_groups[0]["lr"] == 0.25 and fresh.param_groups[0]["momentum"] == 0.5


def test_list_valued_keys_stay_lists_and_betas_become_a_tuple_again():
    def make():
        return optim.Adam([{"params": [mg.zeros(2, requires_grad=True)], "tags": ["a"]}])
    sd = make().state_dict()
    sd["param_groups"][0]["tags"] = ["b", "c"]
    assert sd["param_groups"][0]["betas"] == [0.9, 0.999]  # saved as a list
    opt = make()
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["tags"] == ["b", "c"] and isinstance(opt.param_groups[0]["tags"], list)
    assert opt.param_groups[0]["betas"] == (0.9, 0.999)


def test_a_step_count_saved_as_a_0d_tensor_or_numpy_integer_loads_as_an_int():
    p = mg.zeros(2, requires_grad=True)
    opt = optim.Adam([p])
    p.grad = mg.ones(2)
    opt.step()
    for saved, count in ((mg.tensor(5), 5), (np.int64(6), 6), (np.array(7), 7)):
        sd = opt.state_dict()
        sd["state"][0]["step"] = saved
        opt.load_state_dict(sd)
        assert type(opt.state[p]["step"]) is int and opt.state[p]["step"] == count
