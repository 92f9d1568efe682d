#!/usr/bin/env bash
# How far apart perceptual hashes of real photos lie, and of frames made from one photo (run by hand):
#   bench/near_duplicates.sh [DIR]      (default ../shared/data/dogs-vs-cats/train; -Dsize=128 by JAVA_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-../shared/data/dogs-vs-cats/train}"
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
java ${JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.lince.bench.NearDuplicates "$dir"
