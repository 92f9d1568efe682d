#!/usr/bin/env bash
# Is the safetensors import faithful? A randomly initialised torchvision resnet34 (BatchNorm statistics
# filled by a few training passes) is saved as .safetensors and as a torch.save .pth; the same preprocessed inputs go through
# torchvision (Debian's python3-torch/python3-torchvision) and through Lince; the logits must agree to a
# max relative difference (max |diff| / max |logit|) <= 1e-4. Run by hand, not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/safetensors
mkdir -p "$out"
/usr/bin/python3 bench/safetensors_export.py "$out" "${N:-4}"
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
java -Xmx4g -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.lince.bench.SafetensorsCheck "$out" \
  | tee "$out/result.txt"
