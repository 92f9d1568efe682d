#!/usr/bin/env bash
# Serving benchmark (run by hand, not in CI): bare forward, end-to-end through Kafka, latency at
# 25/50/90% load, the fp32 matmul ceiling, and PyTorch eager for comparison.
#   bench/serving.sh [IMAGES_DIR]     (default ../shared/data/dogs-vs-cats/valid)
# Writes bench/out/serving.md and bench/out/latency.png.
set -euo pipefail
cd "$(dirname "$0")/.."
images="${1:-../shared/data/dogs-vs-cats/valid}"
mkdir -p bench/out
if /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
  /usr/bin/python3 bench/pytorch_forward.py --batch "${BATCH:-8}" --size 224 --threads 2 --out bench/out/pytorch.json
else
  echo "PyTorch not installed (apt-get install python3-torch python3-torchvision): skipping the PyTorch row" >&2
  rm -f bench/out/pytorch.json
fi
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
java -Xmx6g ${JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.lince.bench.ServingBenchmark "$images" bench/out "${BATCH:-8}" "${DELAY_MS:-100}"
