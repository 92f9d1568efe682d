#!/usr/bin/env bash
# Lays out the self-improvement benchmark's data as symbolic links (no photo is copied):
#   $OUT/start/train/{cats,dogs}   the first 250 of each class of the dev train set: the starting model's data
#   $OUT/start/valid -> valid      the 1,000 valid photos, which the loop never sees
#   $OUT/stream/{cats,dogs}        the other 1,500 train photos: what the loop streams
#   bench/loop_data.sh DATA_DIR OUT
set -euo pipefail
data="$(cd "$1" && pwd)"; out="$2"
rm -rf "$out"; mkdir -p "$out/start/train" "$out/stream"
ln -s "$data/valid" "$out/start/valid"
for c in cats dogs; do
  mkdir -p "$out/start/train/$c" "$out/stream/$c"
  p=${c%s}
  for f in "$data/train/$c"/*.jpg; do
    n=$(basename "$f" .jpg); n=${n#"$p".}
    if [ "$n" -lt 250 ]; then ln -s "$f" "$out/start/train/$c/"; else ln -s "$f" "$out/stream/$c/"; fi
  done
done
echo "start: $(find "$out/start/train" -name '*.jpg' | wc -l) train photos; stream: $(find "$out/stream" -name '*.jpg' | wc -l)"
