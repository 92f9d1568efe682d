"""Compares Lince's input crops with PIL + torchvision's evaluation transform (what a PyTorch user
would feed the same model): mean |Δ| per element, in normalised units and in 0-255 levels.

    /usr/bin/python3 bench/pixels_compare.py bench/out/pixels 224
"""
import sys

import numpy as np
import torch
from PIL import Image
from torchvision import transforms

out, size = sys.argv[1], int(sys.argv[2])
files = [line.split("\t")[0] for line in open(f"{out}/files.tsv") if line.strip()]
t = transforms.Compose([transforms.Resize(size), transforms.CenterCrop(size), transforms.ToTensor()])
mean = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(3, 1, 1)
std = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(3, 1, 1)
ref = np.stack([t(Image.open(f).convert("RGB")).numpy() for f in files])  # N,3,H,W in [0,1]
lines = [f"Against PIL {Image.__version__} + torchvision's Resize({size}) + CenterCrop (torch {torch.__version__}), {len(files)} photos:", ""]
for name in ("opencv", "imageio"):
    crops = np.fromfile(f"{out}/{name}.u8", dtype=np.uint8).reshape(len(files), size, size, 3)
    x = crops.transpose(0, 3, 1, 2).astype(np.float32) / 255.0
    d = np.abs(x - ref)
    lines.append(f"- {name} path: mean |Δ| {np.mean(d / std):.4f} per normalised element = {255 * d.mean():.2f} levels of 255; "
                 f"99th percentile {255 * np.percentile(d, 99):.1f} levels")
print("\n".join(lines))
open(f"{out}/compare.md", "w").write("\n".join(lines) + "\n")
