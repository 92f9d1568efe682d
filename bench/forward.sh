#!/usr/bin/env bash
# Forward-path benchmark (run by hand, not in CI): Lince's paths (libtorch fp32 as served, ONNX
# Runtime fp32, ONNX Runtime INT8) against the PyTorch peer's (eager fp32, bf16 autocast where the
# CPU has it, INT8 by FX static quantization on onednn, calibrated on the same images), in turns in
# one run: images/s at batch 8 and 32, accuracy and log loss on the valid photos, ONNX Runtime's
# logits against libtorch's, and the ONNX checker on the exported graphs.
#   bench/forward.sh CHECKPOINT [DATA_DIR]     (DATA_DIR default ../shared/data/dogs-vs-cats)
# Environment: SIZES (224: sizes timed besides the model's own), ROUNDS (5), THREADS (2).
# Needs Debian's python3-torch, python3-torchvision and python3-onnx for the peer and the checker.
# Writes bench/out/forward/forward.md (and the graphs, crops and weights it used: not for the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
checkpoint="$1"
data="${2:-../shared/data/dogs-vs-cats}"
out=bench/out/forward
mkdir -p "$out"
python_arg=""
if /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
  python_arg=/usr/bin/python3
else
  echo "PyTorch not installed (apt-get install python3-torch python3-torchvision): no peer rows" >&2
fi
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
java -Xmx8g -Dsizes="${SIZES:-224}" -Drounds="${ROUNDS:-5}" -Dthreads="${THREADS:-2}" \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.lince.bench.ForwardBenchmark "$checkpoint" "$data/train" "$data/valid" "$out" $python_arg
if /usr/bin/python3 -c "import onnx" 2>/dev/null; then
  for f in "$out"/lince-*.onnx; do
    /usr/bin/python3 -c "import onnx, sys; onnx.checker.check_model(sys.argv[1], full_check=True); print('onnx.checker (onnx', onnx.__version__ + '):', sys.argv[1], 'passes')" "$f" \
      | tee -a "$out/forward.md"
  done
else
  echo "python3-onnx not installed: the exported graphs were not checked" | tee -a "$out/forward.md"
fi
