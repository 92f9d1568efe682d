#!/usr/bin/env bash
# Self-improvement benchmark (run by hand, not in CI): does Lince's loop make a real model better?
#   1. a starting ResNet-34 trained from scratch with `train` on 500 of the 2,000 dev train photos;
#   2. the other 1,500 streamed through the real loop (in-process broker, classifier, trainer, the
#      demo's labeller answering for what is routed, 5% exploration for the stream slice), with the
#      starting 500 as the trainer's replayed base data; run twice: uncertainty routing (the more
#      uncertain half: adaptive threshold at the moving mean) and random routing of as many labels;
#   3. every version the gate promoted, measured on the 1,000 valid photos, which the loop never sees;
#   4. a model trained offline with `train` (the starting recipe) on the starting 500 plus every image
#      the uncertainty run labelled: what the loop's last version is compared with.
#   bench/loop.sh [DATA_DIR]      (default ../shared/data/dogs-vs-cats)
# Knobs: RATE=6 RETRAIN_EVERY=200 EPOCHS=3 LRS=5e-4,5e-4,5e-4 EXPLORATION=0.05 K=0 POLICIES="uncertainty random"
#        SKIP_OFFLINE=1. The starting model is trained once and reused (delete bench/out/loop/work to redo it).
# Writes bench/out/loop/{loop.md,loop.png,points.tsv} and each run's summary and model store.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/dogs-vs-cats}"
out=bench/out/loop
mkdir -p "$out"
RATE=${RATE:-6} RETRAIN_EVERY=${RETRAIN_EVERY:-200} EPOCHS=${EPOCHS:-3} LRS=${LRS:-5e-4,5e-4,5e-4}
EXPLORATION=${EXPLORATION:-0.05} K=${K:-0} POLICIES=${POLICIES:-uncertainty random}
grep -o 'avx512[a-z_0-9]*\|amx[a-z_]*\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ' > "$out/cpu-flags.txt"; echo >> "$out/cpu-flags.txt"
./mvnw -B -q package -DskipTests
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
lince() { java -Xmx6g -jar target/quarkus-app/quarkus-run.jar "$@"; }
bench/loop_data.sh "$data" "$out/data"
recipe=(--size 128 --bs 32 --optimizer adamw --wd 0.05 --augment side-on --max-zoom 1.6 --unfreeze
        --lrs 2e-3,2e-3,2e-3 --one-cycle --cycles 1 --cycle-len 20 --seed 1)
start="$out/work/models/start500.lince"
[ -f "$start" ] || lince train --data "$out/data/start" --work "$out/work" "${recipe[@]}" --save start500 | tee "$out/start-train.log"

valid() { # checkpoint -> "accuracy logloss" on the 1,000 valid photos
  lince evaluate --data "$out/data/start" --weights "$1" --size 128 --bs 64 | sed -n 's/^valid: .* accuracy \([0-9.]*\), log loss \([0-9.]*\)$/\1 \2/p'
}
printf 'policy\tversion\tstatus\tlabels\ttrainedOn\treplayed\tstreamSlice\tstreamImages\tuncertainSlice\tuncertainImages\tvalidAccuracy\tvalidLogLoss\n' > "$out/points.tsv"
read -r acc ll < <(valid "$start")
printf 'start\t1\tpromoted\t0\t500\t0\t\t\t\t\t%s\t%s\n' "$acc" "$ll" >> "$out/points.tsv"

share=""
for policy in $POLICIES; do
  run="$out/$policy"; rm -rf "$run"; mkdir -p "$run"
  if [ "$policy" = uncertainty ]; then  # the more uncertain half: the adaptive rule at the moving mean
    props=(-Dlince.classifier.selection.adaptive=true -Dlince.classifier.selection.k="$K" -Dlince.classifier.selection.warmup=20)
    args=(--measure confidence)
  else
    props=()
    args=(--measure random --threshold "${share:?run the uncertainty policy first (it sets the share)}")
  fi
  java -Xmx6g "${props[@]}" -jar target/quarkus-app/quarkus-run.jar demo "$out/data/stream" \
    --weights "$start" --input-size 128 --limit 1500 --rate "$RATE" --retrain-every "$RETRAIN_EVERY" \
    --base-data "$out/data/start/train" --fine-tune-epochs "$EPOCHS" --lrs "$LRS" --exploration "$EXPLORATION" \
    "${args[@]}" --keep "$run" --summary-json "$run/summary.json" | tee "$run/demo.log"
  if [ "$policy" = uncertainty ]; then
    # random routing gets as many non-exploration labels, as a share of the stream
    share=$(/usr/bin/python3 -c "import json;s=json.load(open('$run/summary.json'));print(round(s['labelledByRoute'].get('uncertain',0)/s['images'],4))")
  fi
  /usr/bin/python3 - "$run/summary.json" > "$run/versions.tsv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for v in s["versions"]:
    if v["version"] > 1:
        print("\t".join(str(x) for x in [v["version"], v["status"], int(v.get("labelsSeen", 0)), v["trainedOn"],
              int(v.get("replayed", 0)), v.get("stream.accuracy", ""), int(v.get("stream.images", 0)),
              v.get("eval.accuracy", ""), int(v.get("eval.images", 0))]))
PY
  while IFS=$'\t' read -r ver status labels trained replayed sacc sn uacc un; do
    ckpt=$(printf '%s/models/resnet34-v%04d.lince' "$run" "$ver")
    read -r acc ll < <(valid "$ckpt")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$policy" "$ver" "$status" "$labels" "$trained" "$replayed" \
      "$sacc" "$sn" "$uacc" "$un" "$acc" "$ll" >> "$out/points.tsv"
  done < "$run/versions.tsv"
done

if [ "${SKIP_OFFLINE:-0}" != 1 ] && [ -f "$out/uncertainty/labelled.tsv" ]; then
  off="$out/offline-data"; rm -rf "$off"; mkdir -p "$off/train/cats" "$off/train/dogs"
  ln -s "$(cd "$data" && pwd)/valid" "$off/valid"
  for c in cats dogs; do for f in "$out/data/start/train/$c"/*; do ln -s "$(readlink -f "$f")" "$off/train/$c/"; done; done
  tail -n +2 "$out/uncertainty/labelled.tsv" | while IFS=$'\t' read -r id label route file; do
    ln -sf "$file" "$off/train/$label/"; done
  n=$(find "$off/train" -name '*.jpg' | wc -l)
  lince train --data "$off" --work "$out/offline-work" "${recipe[@]}" --save offline | tee "$out/offline-train.log"
  read -r acc ll < <(valid "$out/offline-work/models/offline.lince")
  printf 'offline\t-\ttrained offline\t%s\t%s\t0\t\t\t\t\t%s\t%s\n' "$((n - 500))" "$n" "$acc" "$ll" >> "$out/points.tsv"
fi
java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.lince.bench.LoopReport "$out"
