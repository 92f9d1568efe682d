#!/usr/bin/env bash
# Serving benchmark (run by hand, not in CI): bare forward, end-to-end through Kafka, latency at
# 25/50/90% load, the fp32 matmul ceiling, and PyTorch eager for comparison (taking turns with
# Lince's forward pass, so both see the same machine).
#   bench/serving.sh [IMAGES_DIR]     (default ../shared/data/dogs-vs-cats/valid)
# Environment: BATCH (8), DELAY_MS (100), JAVA_OPTS (e.g. -DsaturateOnly=true for a quick end-to-end A/B, with
# -Dprecision=int8 the classifier serving an INT8 graph through ONNX Runtime; -DskipFolding=true).
# Writes bench/out/serving.md and bench/out/latency.png.
set -euo pipefail
cd "$(dirname "$0")/.."
images="${1:-../shared/data/dogs-vs-cats/valid}"
mkdir -p bench/out
python_opt=""
if /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
  python_opt="-Dpytorch=/usr/bin/python3"
else
  echo "PyTorch not installed (apt-get install python3-torch python3-torchvision): skipping the PyTorch row" >&2
fi
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
java -Xmx6g $python_opt ${JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.lince.bench.ServingBenchmark "$images" bench/out "${BATCH:-8}" "${DELAY_MS:-100}"
