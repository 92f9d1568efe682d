#!/usr/bin/env bash
# Lesson-1 benchmark (run by hand, not in CI): ResNet-34 from random initialisation at 128 px on
# Dogs vs Cats (2,000 train, 1,000 valid), on this CPU:
#   1. seconds per training epoch, PyTorch eager vs Lince, same size/batch/optimizer/threads;
#   2. lr_find (plot), whose steepest-descent suggestion is the rate of step 3;
#   3. SGDR training, 2 cycles of 3 and 6 epochs (about 30 minutes here; AdamW, side-on), with TTA;
#   4. the interpretation report.
#   bench/lesson1.sh [DATA_DIR]     (default ../shared/data/dogs-vs-cats)
# Writes everything under bench/out/lesson1/ and a summary to bench/out/lesson1/summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/dogs-vs-cats}"
out=bench/out/lesson1
work="$out/work"
mkdir -p "$out"
./mvnw -B -q package -DskipTests
lince() { java -Xmx6g -jar target/quarkus-app/quarkus-run.jar "$@"; }
common=(--data "$data" --work "$work" --size 128 --bs 32 --optimizer adamw --wd 0.05
        --augment side-on --max-zoom 1.3 --seed 1)

if [ "${TORCH_EPOCHS:-1}" = 0 ]; then
  echo "TORCH_EPOCHS=0: no PyTorch row" >&2
elif /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
  /usr/bin/python3 bench/pytorch_train.py --data "$data" --size 128 --batch 32 --epochs "${TORCH_EPOCHS:-1}" \
    --threads 2 --lr 2e-3 --wd 0.05 --max-zoom 1.3 --out "$out/pytorch-epoch.json" | tee "$out/pytorch.log"
else
  echo "PyTorch not installed (apt-get install python3-torch python3-torchvision): no PyTorch row" >&2
fi
[ "${SKIP_LR_FIND:-0}" = 1 ] || lince lr-find "${common[@]}" --unfreeze --lrs 1,1,1 --out "$work/runs/lr-find.png" | tee "$out/lr-find.log"
# the rate: lr_find's steepest descent for these settings (6.3e-4 in our run), or LR=…
lr="${LR:-6e-4}"
start=$(date +%s)
lince train "${common[@]}" --unfreeze --lrs "$lr,$lr,$lr" --cycles 2 --cycle-len 3 --cycle-mult 2 \
  --tta --save scratch128 | tee "$out/train.log"
echo "training wall time: $(( $(date +%s) - start )) s" | tee -a "$out/train.log"
lince interpret "${common[@]}" --load scratch128 --tta | tee "$out/interpret.log"
/usr/bin/python3 - "$out" <<'PY'
import json, sys, os, re
out = sys.argv[1]
h = json.load(open(f"{out}/work/runs/scratch128/history.json"))
ep = h["epochs"]
lince_train = sum(e["trainSeconds"] for e in ep) / len(ep)
lines = ["| epoch | train loss | valid loss | accuracy | train s (waiting for data) | valid s |", "|---|---|---|---|---|---|"]
lines += [f"| {e['epoch']} | {e['trainLoss']:.4f} | {e['validLoss']:.4f} | {e['accuracy']:.4f} | {e['trainSeconds']:.1f} ({e['dataSeconds']:.1f}) | {e['validSeconds']:.1f} |" for e in ep]
log = open(f"{out}/train.log").read()
lines += ["", re.findall(r"valid accuracy.*", log)[-1], re.findall(r"training wall time.*", log)[-1]]
if os.path.exists(f"{out}/pytorch-epoch.json") and os.environ.get("TORCH_EPOCHS", "1") != "0":
    t = json.load(open(f"{out}/pytorch-epoch.json"))
    pt = sum(e["trainSeconds"] for e in t["epochs"]) / len(t["epochs"])  # noqa
    lines += [f"seconds per training epoch: Lince {lince_train:.1f}, PyTorch {t['torch']} eager {pt:.1f}: Lince/PyTorch = {lince_train / pt:.2f}x"]
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
