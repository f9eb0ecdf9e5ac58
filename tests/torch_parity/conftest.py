"""Parity tests against PyTorch: collected only where torch is installed (it is not a dependency)."""
import importlib.util

if importlib.util.find_spec("torch") is None:
    collect_ignore_glob = ["test_*.py"]
