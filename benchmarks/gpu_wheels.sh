#!/usr/bin/env bash
# Prepare the wheels a lent GPU machine lacks (its image has JAX with CUDA, pytest,
# pytest-benchmark, scikit-learn, matplotlib, but no Keras and no pytest-socket) into .whl/,
# which .git/info/exclude keeps out of git. Python 3.12, x86-64, as on that machine.
# Then, on the device machine (carry .whl):
#   python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl \
#     && export PYTHONPATH=/tmp/site:$PWD KERAS_BACKEND=jax PYTHONUNBUFFERED=1 \
#     && mkdir -p $OUT/bench && python3 -m pytest benchmarks --benchmark-only -p no:xdist \
#          --bench-out $OUT/bench --benchmark-json=$OUT/bench/gpu_jax.json
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -d .whl \
  keras==3.15.1 namex optree pytest-socket==0.8.1
