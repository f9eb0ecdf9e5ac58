"""Shared test setup: the device under test, Hypothesis profiles, and a guard against leaked state.

* Devices: every test that takes the ``device`` fixture runs on 'cpu' (NumPy) and 'strict'
  (array-api-strict, proving the code is not NumPy-bound).  ``MINIGRAD_TEST_DEVICES=cuda`` (or
  ``pytest --devices cuda``) runs the same tests on CuPy on a GPU machine instead.
* Hypothesis: profile 'ci' (default, fast), 'dev', and 'deep' (20x the examples) picked by
  ``MINIGRAD_HYPOTHESIS``.
* A test fails if it leaves grad mode, anomaly mode, the default device or dtype changed.
"""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

# helpers shared by the test files (the op table, numerical gradients, catalogues, paths) live in
# tests/support; the test files mirror the source tree (tests/minigrad/ops/ for minigrad/ops/ ...)
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings

import minigrad as mg
from minigrad import dtypes as _dtypes, modes as _modes
# the module, not the function minigrad.device that shadows it in the package namespace
_device = importlib.import_module("minigrad.device")

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                     HealthCheck.filter_too_much])
settings.register_profile("ci", max_examples=15, derandomize=True, print_blob=True, **_common)
settings.register_profile("dev", max_examples=40, **_common)
settings.register_profile("deep", max_examples=300, **_common)
settings.load_profile(os.environ.get("MINIGRAD_HYPOTHESIS", "ci"))


def pytest_addoption(parser):
    parser.addoption("--devices", default=None,
                     help="comma-separated devices to run device tests on (default: cpu,strict; "
                          "or the MINIGRAD_TEST_DEVICES environment variable)")


def _devices(config):
    spec = config.getoption("--devices") or os.environ.get("MINIGRAD_TEST_DEVICES") or "cpu,strict"
    return [d.strip() for d in spec.split(",") if d.strip()]


def pytest_generate_tests(metafunc):
    if "device" in metafunc.fixturenames:
        metafunc.parametrize("device", _devices(metafunc.config), ids=lambda d: f"dev={d}", scope="session")


@pytest.fixture(autouse=True)
def _no_leaked_global_state():
    before = (_modes.STATE.grad, _modes.STATE.anomaly, _device._default[0], _dtypes.get_default_dtype())
    yield
    after = (_modes.STATE.grad, _modes.STATE.anomaly, _device._default[0], _dtypes.get_default_dtype())
    # restore first, so one leaking test does not fail every later one
    _modes.STATE.grad, _modes.STATE.anomaly, _device._default[0] = before[:3]
    _dtypes.set_default_dtype(before[3])
    names = ("grad mode", "anomaly mode", "default device", "default dtype")
    leaked = [f"{n}: {b!r} -> {a!r}" for n, b, a in zip(names, before, after) if b != a]
    if leaked:
        pytest.fail("test leaked global state: " + "; ".join(leaked))


@pytest.fixture
def cuda_available():
    try:
        mg.device("cuda")
    except mg.DeviceError:
        return False
    return True
