"""Where things are, for a test wherever it sits in the tests/ tree."""
from pathlib import Path

SUPPORT = Path(__file__).resolve().parent  # tests/support: helpers, the op table, catalogues
TESTS = SUPPORT.parent  # tests/
ROOT = TESTS.parent  # the repository
