#!/usr/bin/env bash
# Can bf16 speed up ResNet-34 inference here? Shows the CPU's bf16 flags and oneDNN's ISA, then
# times the same random ResNet-34 as TorchScript in fp32, bf16 and bf16 channels-last through DJL's
# libtorch 2.7.1 (batch 8, 224 px), with the largest logit difference to fp32. Run by hand.
# Needs Debian's python3-torch/python3-torchvision to write the TorchScript files.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/bf16
mkdir -p "$out"
echo "CPU flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E 'avx512|amx|bf16' | tr '\n' ' ')" \
  | tee "$out/result.txt"
/usr/bin/python3 bench/bf16_export.py "$out"
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
ONEDNN_VERBOSE=1 java -Xmx4g -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.lince.bench.Bf16Check "$out" "${BATCH:-8}" 2>&1 | grep -E '^\[bf16\]|isa:' | awk '!seen[$0]++' | tee -a "$out/result.txt"
