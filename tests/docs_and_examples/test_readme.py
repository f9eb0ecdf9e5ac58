"""The README's commands and code blocks stay true."""
from __future__ import annotations

from paths import ROOT
import pathlib
import re
import subprocess
import sys

README = (ROOT / "README.md").read_text()


def _block_after(marker):
    tail = README.split(marker, 1)[1]
    return re.search(r"```\w*\n(.*?)```", tail, re.S).group(1)


def test_main_job_command_runs_a_real_script():
    first = next(line for line in README.splitlines() if line.startswith("python3 -m pip install"))
    script = re.search(r"python3 (examples/\S+\.py)", first).group(1)
    assert (ROOT / script).is_file(), script


def test_ci_runs_exactly_the_readme_test_command():
    cmd = _block_after("<!-- test-command -->").strip()
    assert "pytest" in cmd and "\n" not in cmd
    out = subprocess.run(["bash", "-c", "awk '/<!-- test-command -->/{found=1; next} found && /^```/"
                          "{if (infence) exit; infence=1; next} found && infence {print}' README.md"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert out == cmd  # what .ci/run extracts is the README's command
    assert "awk '/<!-- test-command -->/" in (ROOT / ".ci" / "run").read_text()


def test_quickstart_runs_and_learns(tmp_path):
    code = _block_after("<!-- quickstart -->")
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    acc = float(re.search(r"test accuracy ([0-9.]+)", res.stdout).group(1))
    assert acc > 0.85  # moons with noise 0.2: a small network gets ~0.95
    assert "human-level error" in res.stdout
