"""Grad mode and anomaly mode belong to the thread that sets them."""
from __future__ import annotations

import threading

import minigrad as mg


def _in_thread(fn):
    out = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


def test_no_grad_in_one_thread_does_not_reach_another():
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        assert _in_thread(mg.is_grad_enabled) is True
        w = mg.ones(2, requires_grad=True)
        assert _in_thread(lambda: (w * 2).requires_grad) is True


def test_anomaly_mode_is_per_thread():
    with mg.detect_anomaly():
        assert mg.is_anomaly_enabled()
        assert _in_thread(mg.is_anomaly_enabled) is False
