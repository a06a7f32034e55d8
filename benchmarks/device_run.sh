#!/usr/bin/env bash
# The GPU benchmark in one command: about 5 minutes on the GPU (4 of training-step cases, 1 of time to
# accuracy: the MNIST MLP to 98%, the convnet to 99%), then about 2 minutes of the same on the host's CPU
# (all its cores; 70 s of cases, 40 s of time to accuracy, which a CPU may not reach in that time: its rows
# then say so), all with KERAS_BACKEND=jax, each step under an inner timeout. Every finished case is appended
# to $OUT/results.jsonl at once, so a run cut short still returns its rows; versions.txt, nvidia-smi.txt and
# run.log lie beside it, and summary.md and throughput.png are made from it at the end.
#
# On a lent GPU machine (JAX with CUDA installed, Keras and TensorFlow maybe not): first, here, with pip's
# index reachable, `bash benchmarks/gpu_wheels.sh` (Keras and its two missing dependencies into .whl/), then
#   device tool: run(command="bash benchmarks/device_run.sh", carry=[".whl"], timeout_s=600)
# and copy what comes back into docs/benchmarks/ (results.jsonl as gpu_jax.jsonl). Without .whl/ the
# script still runs: matmul peaks and the native JAX step only.
#
# Rehearsal on a CPU machine (the GPU phase skips with its reason; TensorFlow hidden, as on that host):
#   OUT=build/device_rehearsal PYTHON=.venv/bin/python BENCH_HIDE_MODULES=tensorflow taskset -c 1 \
#     bash benchmarks/device_run.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-build/device_run}
PY=${PYTHON:-python3}
GPU_S=${GPU_S:-230}     # budget of the GPU cases: no case starts after it
GPU_TTA_S=${GPU_TTA_S:-60}  # budget of the GPU's time to accuracy: training stops at it
CPU_S=${CPU_S:-70}      # the same on the CPU
CPU_TTA_S=${CPU_TTA_S:-40}
mkdir -p "$OUT"
export KERAS_BACKEND=${KERAS_BACKEND:-jax} PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=2
export XLA_PYTHON_CLIENT_PREALLOCATE=false   # JAX takes GPU memory as needed: peak memory per case means something
if compgen -G ".whl/*.whl" > /dev/null; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=${PYTHONPATH:+$PYTHONPATH:}$PWD
{
  date -u; uname -sr; echo "cores: $(nproc)"; $PY -V
  $PY -m pip list 2>/dev/null | grep -iE '^(keras|jax|jaxlib|jax-cuda[0-9]*-(plugin|pjrt)|tensorflow|torch|numpy|optree|namex|ml.dtypes) '
} > "$OUT/versions.txt" 2>&1
{ nvidia-smi && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv; } \
  > "$OUT/nvidia-smi.txt" 2>&1 || echo "nvidia-smi: none on this machine" >> "$OUT/nvidia-smi.txt"

phase() {  # device, budget, round length
  echo "== $1 phase: budget $2 s (killed at $(($2 + 45)) s)" | tee -a "$OUT/run.log"
  timeout -k 10 $(($2 + 45)) $PY -m benchmarks.run --device "$1" --out "$OUT/results.jsonl" --budget-s "$2" \
    --round-s "$3" >> "$OUT/run.log" 2>&1
  echo "== $1 phase: exit $? after ${SECONDS} s in all" | tee -a "$OUT/run.log"
}
to_accuracy() {  # device, budget (it counts from the start, imports included, and is checked every step)
  echo "== $1 time to accuracy: budget $2 s (killed at $(($2 + 20)) s)" | tee -a "$OUT/run.log"
  timeout -k 10 $(($2 + 20)) $PY -m benchmarks.time_to_accuracy --device "$1" --out "$OUT/results.jsonl" \
    --budget-s "$2" >> "$OUT/run.log" 2>&1
  echo "== $1 time to accuracy: exit $? after ${SECONDS} s in all" | tee -a "$OUT/run.log"
}
phase gpu "$GPU_S" "${GPU_ROUND_S:-0.5}"
to_accuracy gpu "$GPU_TTA_S"
phase cpu "$CPU_S" "${CPU_ROUND_S:-0.3}"
to_accuracy cpu "$CPU_TTA_S"
grep -E '^(cpu|gpu|peak|skipped|done)' "$OUT/run.log" | grep -v ': epoch ' | tail -60
$PY -m benchmarks.report "$OUT/results.jsonl" --out "$OUT" --title "Training-step throughput, CPU and GPU of one host" \
  --note "made by benchmarks/device_run.sh; versions in versions.txt, the GPU in nvidia-smi.txt"
echo "device_run.sh: ${SECONDS} s"
