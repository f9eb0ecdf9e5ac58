"""Issue 16 section 6: no litter.  A save killed mid-write leaves ``.NAME.PID.HEX.tmp``; the next
save or load of NAME removes it once its writer process is gone, and nothing else."""
from __future__ import annotations

from paths import ROOT
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import minigrad as mg


def _dead_pid():
    """The id of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("action", ["save", "load"])
def test_stale_temp_files_of_the_target_are_removed(tmp_path, action):
    target = tmp_path / "model.mg"
    mg.save({"w": mg.ones(3)}, target)
    # the live writer is a child of ours, not our parent: a mutant that signals "live" writers (mutmut turns
    # os.kill(pid, 0) into os.kill(pid, 1), SIGHUP) must not hang up the test runner
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead, alive = _dead_pid(), writer.pid
        stale = tmp_path / f".model.mg.{dead}.0123abcd.tmp"
        live = tmp_path / f".model.mg.{alive}.89abcdef.tmp"        # another writer, still running
        other = tmp_path / f".other.mg.{dead}.0123abcd.tmp"        # another target's
        odd = tmp_path / f".model.mg.{dead}.nothex!!.tmp"           # not our naming
        for f in (stale, live, other, odd):
            f.write_bytes(b"partial")
        if action == "save":
            mg.save({"w": mg.zeros(3)}, target)
        else:
            np.testing.assert_array_equal(mg.load(target)["w"].numpy(), np.ones(3))
        assert writer.poll() is None  # merely asked whether it exists
    finally:
        writer.kill()
        writer.wait()
    assert not stale.exists()
    assert live.exists() and other.exists() and odd.exists()


def _kill_while_saving(script, directory, target):
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill it while a temp file is being written
            if target.exists() and any(f.endswith(".tmp") for f in os.listdir(directory)):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc


@pytest.mark.skipif(os.name != "posix", reason="kills a process with SIGKILL")
def test_a_save_killed_mid_write_is_cleaned_up_by_the_next_load(tmp_path):
    target = tmp_path / "big.mg"
    root = str(ROOT)
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {root!r})
        import numpy as np, minigrad as mg
        big = {{"w": np.ones((4096, 4096), dtype=np.float32)}}   # 64 MB: a save takes a while
        while True:
            mg.save(big, {str(target)!r})
    """)
    for _ in range(10):  # a kill can land just after the rename; try again until one lands mid-save
        proc = _kill_while_saving(script, tmp_path, target)
        left = [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
        if left:
            break
    assert left, "10 kills all missed the save"
    assert left == [f".big.mg.{proc.pid}." + left[0].split(".")[-2] + ".tmp"]
    assert mg.load(target)["w"].shape == (4096, 4096)   # the last complete save is intact
    assert [f for f in os.listdir(tmp_path) if f.endswith(".tmp")] == []
