#!/usr/bin/env bash
# Active-learning benchmark (run by hand, not in CI): uncertainty sampling vs random sampling with
# the same labelling budget on Dogs vs Cats. A ResNet-34 from random initialisation is trained on a
# seed set, the rest of train streams past the policy, and each round's labels fine-tune the model.
#   bench/active_learning.sh [DATA_DIR]     (default ../shared/data/dogs-vs-cats)
# Knobs (environment): SIZE=64 SEED_LABELS=200 STEP=100 ROUNDS=8 SEED_EPOCHS=15 ROUND_EPOCHS=3 LR=6e-4
#   STRATEGIES=uncertainty,random (also: mixed = uncertainty with an EXPLORATION=0.3 random share;
#   calibrated = margins at a temperature fitted on the images labelled the round before;
#   diverse = calibrated, skipping images within NEAR_BITS=6 of the perceptual hash of one labelled or chosen)
# The seed model is trained once and reused by later runs (delete bench/out/active-learning/work to
# retrain it). Each strategy's points go to points-NAME.json; the report covers every points file:
# bench/out/active-learning/active-learning.{md,png}.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/dogs-vs-cats}"
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
java -Xmx6g ${JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.lince.bench.ActiveLearningBenchmark "$data" bench/out/active-learning
