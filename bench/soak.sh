#!/usr/bin/env bash
# Liveness soak (run by hand, not in CI): in-process broker, a classifier process, good images at
# half the saturating rate with 1% bad records of every kind and 1% claim checks on a slow or a
# hanging host, a classifier SIGKILL every 5 minutes and one broker restart. Writes bench/out/soak/soak.md.
#   bench/soak.sh [MINUTES]   (default 30)
# Environment: JAVA_OPTS (e.g. -Dsoak.killEveryMinutes=5 -Dsoak.stallLimitSeconds=20 -Dsoak.partitions=3)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
java -Xmx2g ${JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.lince.bench.Soak bench/out/soak "${1:-30}"
