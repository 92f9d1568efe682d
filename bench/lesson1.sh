#!/usr/bin/env bash
# Lesson-1 benchmark (run by hand, not in CI): ResNet-34 from random initialisation on Dogs vs Cats
# (2,000 train, 1,000 valid), on this CPU.
#   1. Seconds per training epoch at 128 px, Lince and bench/pytorch_train.py (PyTorch eager,
#      torchvision resnet34), same size, batch, optimizer, augmentation and threads, in turns
#      (ROUNDS rounds of one epoch each; machines drift by tens of percent within minutes).
#   2. The from-scratch recipe (README, "Lesson 1"): progressive resizing, random-resized crops,
#      colour jitter, label smoothing, AdamW one-cycle; its epoch table (size, time, share of it
#      spent waiting for data), accuracy and log loss without and with TTA, and its minutes.
#   3. The interpretation report of the result (INTERPRET=0 skips it).
#   bench/lesson1.sh [DATA_DIR]     (default ../shared/data/dogs-vs-cats)
#   ROUNDS=0 skips step 1; RECIPE=0 skips step 2.
# Writes everything under bench/out/lesson1/ and a summary to bench/out/lesson1/summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/dogs-vs-cats}"
out=bench/out/lesson1
work="$out/work"
mkdir -p "$out"
./mvnw -B -q package -DskipTests
# a copy: a rebuild while this runs must not pull classes from under it
rm -rf "$out/app" && cp -r target/quarkus-app "$out/app"
lince() { java -Xmx6g -jar "$out/app/quarkus-run.jar" "$@"; }
aug=(--augment side-on --min-scale 0.35 --jitter 0.2 --label-smoothing 0.1)
flags="$(grep -o 'avx512[a-z_0-9]*\|amx[a-z_]*\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "cores: $(nproc); CPU flags: $flags" | tee "$out/cpu.txt"

rounds="${ROUNDS:-2}"
: > "$out/epochs.tsv"
if [ "$rounds" -gt 0 ]; then
  if ! /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
    echo "PyTorch not installed (apt-get install python3-torch python3-torchvision): no PyTorch column" >&2
  fi
  for r in $(seq 1 "$rounds"); do
    if /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
      /usr/bin/python3 bench/pytorch_train.py --data "$data" --size 128 --batch 32 --epochs 1 --threads 2 \
        --lr 2e-3 --wd 0.05 --min-scale 0.35 --jitter 0.2 --label-smoothing 0.1 --out "$out/pytorch-$r.json" \
        > "$out/pytorch-$r.log"
      printf 'pytorch\t%s\t%s\n' "$r" "$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['epochs'][0]['trainSeconds'])" "$out/pytorch-$r.json")" >> "$out/epochs.tsv"
    fi
    lince train --data "$data" --work "$work" --size 128 --bs 32 --optimizer adamw --wd 0.05 "${aug[@]}" \
      --unfreeze --lrs 2e-3,2e-3,2e-3 --one-cycle --cycle-len 1 --seed "$r" --save "epoch-$r" > "$out/lince-epoch-$r.log"
    printf 'lince\t%s\t%s\n' "$r" "$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['epochs'][0]['trainSeconds'])" "$work/runs/epoch-$r/history.json")" >> "$out/epochs.tsv"
  done
fi

if [ "${RECIPE:-1}" = 1 ]; then
  start=$(date +%s)
  lince train --data "$data" --work "$work" --sizes "${SIZES:-96:12,128:14}" --bs 32 --optimizer adamw --wd 0.05 "${aug[@]}" \
    --unfreeze --lrs "${LRS:-2e-3,2e-3,2e-3}" --one-cycle --cycle-len "${EPOCHS:-26}" --tta --seed 1 --save scratch \
    | tee "$out/train.log"
  echo "training wall time: $(( $(date +%s) - start )) s" | tee -a "$out/train.log"
  [ "${INTERPRET:-1}" = 0 ] || lince interpret --data "$data" --work "$work" --size 128 --load scratch --tta > "$out/interpret.log"
fi

/usr/bin/python3 - "$out" <<'PY'
import json, sys, os, re, statistics
out = sys.argv[1]
lines = [open(f"{out}/cpu.txt").read().strip(), ""]
rows = [l.split("\t") for l in open(f"{out}/epochs.tsv").read().split("\n") if l]
if rows:
    lines += ["seconds per training epoch at 128 px (one epoch each, in turns):", "",
              "| round | PyTorch eager | Lince | Lince / PyTorch |", "|---|---|---|---|"]
    ratios = []
    for r in sorted({x[1] for x in rows}):
        pt = [float(x[2]) for x in rows if x[0] == "pytorch" and x[1] == r]
        li = [float(x[2]) for x in rows if x[0] == "lince" and x[1] == r]
        if pt and li:
            ratios.append(li[0] / pt[0])
        lines.append(f"| {r} | {pt[0] if pt else float('nan'):.1f} | {li[0] if li else float('nan'):.1f} | "
                     + (f"{li[0] / pt[0]:.2f}x |" if pt and li else "- |"))
    if ratios:
        lines += ["", f"Lince / PyTorch, median of rounds: {statistics.median(ratios):.2f}x", ""]
hist = f"{out}/work/runs/scratch/history.json"
if os.path.exists(hist):
    ep = json.load(open(hist))["epochs"]
    lines += ["| epoch | size | train loss | valid loss | accuracy | train s | waiting for data | valid s |",
              "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {e['epoch']} | {e['size']} | {e['trainLoss']:.4f} | {e['validLoss']:.4f} | {e['accuracy']:.4f} | "
              f"{e['trainSeconds']:.1f} | {e['dataSeconds']:.2f} s ({100 * e['dataSeconds'] / e['trainSeconds']:.1f}%) | {e['validSeconds']:.1f} |"
              for e in ep]
    worst = max(100 * e['dataSeconds'] / e['trainSeconds'] for e in ep)
    log = open(f"{out}/train.log").read()
    lines += ["", f"largest share of an epoch spent waiting for data: {worst:.1f}%",
              re.findall(r"valid accuracy.*", log)[-1], re.findall(r"training wall time.*", log)[-1]]
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
