"""The peer's forward paths for bench/forward.sh, driven by io.lince.bench.ForwardBenchmark over
stdin/stdout so that both take turns on the same machine within one run.

Paths: PyTorch eager fp32; bf16 autocast, channels-last (where the CPU has avx512_bf16 or AMX);
INT8 by FX static quantization on the onednn engine (per-channel weights), calibrated on the same
crops as Lince's INT8 graph. The network is torchvision's resnet34 with the weights Lince writes
(.safetensors, read here by hand: Debian has no python3-safetensors).

Commands, one a line; each answers one JSON line:
  build SIZE CALIB_U8          (re)build every path for SIZE px crops; calibrate INT8 on the file
  eval PATH CROPS_U8 OUT_F32   logits of every crop in the file, written as float32
  speed PATH BATCH ITERS       images/s over ITERS batches of BATCH crops (after one warm-up batch)
Crops are uint8 RGB, NHWC, as Lince's classifiers hand them to the network; every path converts
and normalises them with ImageNet's statistics inside the timed region, as Lince's graphs do.
"""
import json
import struct
import sys
import time

import numpy as np
import torch
import torchvision

weights, classes, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        a, b = h["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[h["dtype"]]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dtype).reshape(h["shape"]).copy())
    return out


base = torchvision.models.resnet34(num_classes=classes)
missing, unexpected = base.load_state_dict(read_safetensors(weights), strict=False)
assert not unexpected and all(m.endswith("num_batches_tracked") for m in missing), (missing, unexpected)
base.eval()
bf16_cpu = "avx512_bf16" in open("/proc/cpuinfo").read() or "amx_bf16" in open("/proc/cpuinfo").read()


def crops(path, size):
    return torch.from_numpy(np.fromfile(path, dtype=np.uint8).reshape(-1, size, size, 3))


def normalised(u8):
    return (u8.permute(0, 3, 1, 2).float().div(255).sub(MEAN)).div(STD)


paths = {}


def build(size, calib):
    paths.clear()
    paths["pytorch-fp32"] = lambda u8: base(normalised(u8))
    if bf16_cpu:
        cl = torchvision.models.resnet34(num_classes=classes)
        cl.load_state_dict(base.state_dict())
        cl = cl.eval().to(memory_format=torch.channels_last)

        def bf16(u8):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return cl(normalised(u8).contiguous(memory_format=torch.channels_last)).float()
        paths["pytorch-bf16"] = bf16
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = "onednn"
    fp = torchvision.models.resnet34(num_classes=classes)
    fp.load_state_dict(base.state_dict())
    fp.eval()
    c = crops(calib, size)
    prepared = prepare_fx(fp, get_default_qconfig_mapping("onednn"), (normalised(c[:1]),))
    for i in range(0, len(c), 16):
        prepared(normalised(c[i:i + 16]))
    q = convert_fx(prepared)
    paths["pytorch-int8"] = lambda u8: q(normalised(u8))
    return {"paths": list(paths), "calibrationImages": len(c), "torch": torch.__version__}


size = None
print(json.dumps({"ready": True, "torch": torch.__version__, "bf16": bf16_cpu}), flush=True)
with torch.no_grad():
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "build":
            size = int(cmd[1])
            print(json.dumps(build(size, cmd[2])), flush=True)
        elif cmd[0] == "eval":
            c = crops(cmd[2], size)
            out = torch.cat([paths[cmd[1]](c[i:i + 32]) for i in range(0, len(c), 32)])
            out.numpy().astype(np.float32).tofile(cmd[3])
            print(json.dumps({"images": len(c)}), flush=True)
        elif cmd[0] == "speed":
            batch, iters = int(cmd[2]), int(cmd[3])
            x = torch.randint(0, 256, (batch, size, size, 3), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
            f = paths[cmd[1]]
            f(x)
            t0 = time.perf_counter()
            for _ in range(iters):
                f(x)
            print(json.dumps({"rate": batch * iters / (time.perf_counter() - t0)}), flush=True)
