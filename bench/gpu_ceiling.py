"""The GPU ceiling Lince's host side has to feed: torchvision ResNet-34 at 224 px on one device,
fp32 / fp16 / bf16, NCHW and channels-last, batches of 8, 32 and 128, each with and without the
host-to-device copy of a uint8 batch (what Lince sends: one contiguous HWC buffer per batch,
normalised on the device). At most about 5 minutes on a GPU. Run by hand where a GPU is lent:

    python3 bench/gpu_ceiling.py --out bench/out/gpu.json          (CUDA)
    python3 bench/gpu_ceiling.py --device cpu --quick               (a smoke test anywhere)
"""
import argparse
import json
import time

import torch
import torchvision

p = argparse.ArgumentParser()
p.add_argument("--device", default="cuda")
p.add_argument("--size", type=int, default=224)
p.add_argument("--seconds", type=float, default=4.0, help="timed seconds per configuration")
p.add_argument("--quick", action="store_true", help="fp32 only, batch 8, 1 s: checks the script runs")
p.add_argument("--out", default="bench/out/gpu.json")
a = p.parse_args()

dev = torch.device(a.device)
cuda = dev.type == "cuda"
if cuda:
    torch.backends.cudnn.benchmark = True
mean = torch.tensor([0.485, 0.456, 0.406], device=dev).view(1, 3, 1, 1) * 255
std = torch.tensor([0.229, 0.224, 0.225], device=dev).view(1, 3, 1, 1) * 255
dtypes = {"fp32": torch.float32} if a.quick else {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
batches = [8] if a.quick else [8, 32, 128]
seconds = 1.0 if a.quick else a.seconds


def sync():
    if cuda:
        torch.cuda.synchronize()


def run(dtype, channels_last, batch, copy):
    model = torchvision.models.resnet34(num_classes=2).eval().to(dev, dtype)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    host = torch.randint(0, 256, (batch, a.size, a.size, 3), dtype=torch.uint8)
    if cuda:
        host = host.pin_memory()
    on_device = host.to(dev)

    def step():
        x = host.to(dev, non_blocking=True) if copy else on_device
        x = x.permute(0, 3, 1, 2).float().sub_(mean).div_(std).to(dtype)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return model(x).float().softmax(-1)

    with torch.inference_mode():
        for _ in range(3):
            step()
        sync()
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            step()
            n += 1
        sync()
        dt = time.perf_counter() - t0
    return n * batch / dt


rows = []
for name, dtype in dtypes.items():
    for cl in (False, True):
        for b in batches:
            for copy in (False, True):
                try:
                    r = run(dtype, cl, b, copy)
                except RuntimeError as e:  # a dtype the device cannot run
                    r = None
                    print(f"{name} cl={cl} b={b} copy={copy}: {e}")
                rows.append({"dtype": name, "channelsLast": cl, "batch": b, "hostCopy": copy, "imagesPerSecond": r})
                if r is not None:
                    print(f"{name:5s} {'channels-last' if cl else 'NCHW':13s} batch {b:3d} {'with' if copy else 'no':4s} uint8 copy: {r:8.0f} images/s")
info = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0) if cuda else "cpu", "rows": rows}
with open(a.out, "w") as f:
    json.dump(info, f, indent=1)
