"""tests/mutation/run_mutations.py still plants its mutants and sees them killed (a cheap smoke run:
the full run is ``python tests/mutation/run_mutations.py``)."""
from __future__ import annotations

import os
import subprocess
import sys

RUNNER = os.path.join(os.path.dirname(__file__), "run_mutations.py")


def test_mutation_runner_kills_a_few_mutants():
    r = subprocess.run([sys.executable, RUNNER, "--no-baseline", "--classes", "Mul,IndexAdd",
                        "--kinds", "sign,no_reduce,detach,no_accumulate"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "mutants killed: 5 / 5" in r.stdout, r.stdout  # sign Mul and IndexAdd, no_reduce, detach, no_accumulate
