"""PyTorch eager ResNet-34 forward speed, the peer a user would otherwise pick.

Run with Debian's torch (apt-get install python3-torch python3-torchvision):
    /usr/bin/python3 bench/pytorch_forward.py --batch 8 --size 224 --threads 2 --out bench/out/pytorch.json
"""
import argparse
import json
import statistics
import time

import torch
import torchvision

p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=8)
p.add_argument("--size", type=int, default=224)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--rounds", type=int, default=3)
p.add_argument("--iters", type=int, default=6)
p.add_argument("--out", default="bench/out/pytorch.json")
a = p.parse_args()

torch.set_num_threads(a.threads)
model = torchvision.models.resnet34(num_classes=2).eval()
x = torch.randn(a.batch, 3, a.size, a.size)
rates = []
with torch.no_grad():
    for _ in range(2):
        model(x)
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        for _ in range(a.iters):
            model(x)
        rates.append(a.batch * a.iters / (time.perf_counter() - t0))
result = {"torch": torch.__version__, "batch": a.batch, "size": a.size, "threads": a.threads,
          "imagesPerSecond": statistics.median(rates), "rounds": rates}
with open(a.out, "w") as f:
    json.dump(result, f, indent=2)
print(json.dumps(result))
