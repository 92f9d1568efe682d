#!/usr/bin/env bash
# Pixel-path benchmark (run by hand, not in CI): ms per image for today's ImageIO path and the
# OpenCV one, in turns; their crops against PIL + torchvision; with a checkpoint, top-1 agreement
# on the photos and on the photos upscaled 3× (DCT-domain downscaling).
#   bench/pixels.sh [IMAGES_DIR] [SIZE] [CHECKPOINT]   (default ../shared/data/dogs-vs-cats/valid 224)
# Writes bench/out/pixels/pixels.md and compare.md.
set -euo pipefail
cd "$(dirname "$0")/.."
images="${1:-../shared/data/dogs-vs-cats/valid}"
size="${2:-224}"
out=bench/out/pixels
mkdir -p "$out"
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
java -Xmx4g -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.lince.bench.PixelPathBenchmark "$images" "$out" "$size" ${3:-}
if /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
  /usr/bin/python3 bench/pixels_compare.py "$out" "$size"
else
  echo "PIL/torchvision not installed (apt-get install python3-torchvision): no comparison" >&2
fi
