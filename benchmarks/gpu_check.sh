#!/usr/bin/env bash
# The GPU checks in one run, for a session that is lent a GPU machine (the device tool).
#
# That machine has CuPy, NumPy, pytest and Hypothesis but not array-api-compat (which minigrad's
# CUDA device uses) nor array-api-strict (which the suite uses): they travel as wheels. Here,
# before the run:
#   echo /.whl/ >> .git/info/exclude
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#       -d .whl array-api-compat array-api-strict
# then run "bash benchmarks/gpu_check.sh" there with .whl carried. The logs land in $OUT.
# `DEVICE=cpu bash benchmarks/gpu_check.sh` takes the same steps on NumPy (a dry run of this script).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    || exit 1
  export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
device=${DEVICE:-cuda}
out=${OUT:-/tmp}
nvidia-smi -L 2>/dev/null
ignore=()
python3 -c "import dask.distributed" 2>/dev/null || ignore=(--ignore=tests/minigrad/tune/test_tune_parallel.py)  # no dask there
status=0
MINIGRAD_TEST_DEVICES=$device python3 -m pytest -q -p no:cacheprovider "${ignore[@]}" 2>&1 \
  | tee "$out/gpu_tests.log" || status=1
python3 benchmarks/bench_adam_step.py --device "$device" --rounds 30 2>&1 | tee "$out/gpu_adam_step.log" || status=1
# The compiled mode replays NumPy programs only: on this machine's CPU (16 cores) its epoch against
# hand-written NumPy and the BLAS floor, and its fixed cost; on CUDA a compiled step runs eagerly
# (fallback='eager') or raises CompileError, which tests/minigrad/compiler checks there.
python3 benchmarks/bench_mlp_epoch.py --model nn compiled compiled-fused blas-floor --epochs 2 2>&1 \
  | tee "$out/cpu_compiled_epoch.log" || status=1
python3 benchmarks/bench_compile.py 2>&1 | tee "$out/cpu_compiled_tiny.log" || status=1
exit $status
