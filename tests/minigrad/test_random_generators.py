"""Generators and the default-generator registry, against NumPy's ``default_rng`` seeded alike.

``mg.manual_seed(s)`` must seed the default generator of every device, including those created after
the call; a generator's state must round-trip with its seed; ``initial_seed`` reports what was given.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import random as mg_random


@pytest.fixture
def fresh_defaults():
    """No default generator exists yet (restored afterwards, with the global seed)."""
    saved, seed = dict(mg_random._defaults), mg_random._seed[0]
    mg_random._defaults.clear()
    yield
    mg_random._defaults.clear()
    mg_random._defaults.update(saved)
    mg_random._seed[0] = seed


def test_a_default_generator_made_after_manual_seed_starts_from_that_seed(fresh_defaults, device):
    mg.manual_seed(77)
    assert mg.initial_seed() == 77  # torch.initial_seed
    np.testing.assert_allclose(mg.rand(5, device=device, dtype=mg.float64).numpy(), np.random.default_rng(77).random(5))
    g = mg_random.default_generator(device)
    assert g.initial_seed() == 77 and g.device == mg.device(device)
    assert mg_random.default_generator(device) is g  # one per device


def test_manual_seed_reseeds_the_generators_already_made(fresh_defaults, device):
    mg.rand(3, device=device)
    mg.manual_seed(5)
    np.testing.assert_allclose(mg.rand(4, device=device, dtype=mg.float64).numpy(), np.random.default_rng(5).random(4))


def test_default_generator_without_a_device_is_the_default_devices(fresh_defaults):
    assert mg_random.default_generator().device == mg.get_default_device()
    assert mg.Generator().device == mg.get_default_device()
    assert mg.Generator(device="strict").device.type == "strict"


def test_generator_state_round_trips_its_stream_and_seed(device):
    g = mg.Generator(device=device, seed=9)
    assert g.initial_seed() == 9
    mg.rand(2, device=device, generator=g)
    state = g.get_state()
    assert state["device"] == str(mg.device(device)) and state["seed"] == 9
    after = mg.rand(4, device=device, generator=g, dtype=mg.float64).numpy()
    other = mg.Generator(device=device, seed=1)
    other.set_state(state)
    assert other.initial_seed() == 9
    np.testing.assert_array_equal(mg.rand(4, device=device, generator=other, dtype=mg.float64).numpy(), after)
    rng = np.random.default_rng(9)
    rng.random(2)
    np.testing.assert_allclose(after, rng.random(4))


def test_an_os_seeded_generator_reports_no_seed():
    assert mg.Generator().initial_seed() is None


def test_an_exception_inside_no_grad_propagates_and_restores_grad_mode():
    with pytest.raises(KeyError):
        with mg.no_grad():
            raise KeyError("inside")
    assert mg.is_grad_enabled()
