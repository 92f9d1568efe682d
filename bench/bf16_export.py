"""TorchScript ResNet-34s for bench/bf16.sh: fp32, bf16 (NCHW) and bf16 channels-last.

Each module casts its fp32 input to its own dtype and returns fp32 logits, so the Java side never
holds a bf16 tensor (DJL 0.36's PyTorch JNI aborts the JVM on one). Weights are random: this
measures speed and the fp32/bf16 difference, not accuracy.
    /usr/bin/python3 bench/bf16_export.py OUT_DIR
"""
import copy
import sys

import torch
import torchvision


class Cast(torch.nn.Module):
    def __init__(self, net, dtype: torch.dtype, channels_last: bool):
        super().__init__()
        self.net = net.to(dtype)
        self.dtype = dtype
        self.channels_last = channels_last

    def forward(self, x):
        x = x.to(self.dtype)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return self.net(x).float()


out = sys.argv[1]
torch.manual_seed(0)
base = torchvision.models.resnet34(num_classes=2).eval()
for name, dtype, cl in [("fp32", torch.float32, False), ("bf16", torch.bfloat16, False),
                        ("bf16-channels-last", torch.bfloat16, True)]:
    m = Cast(copy.deepcopy(base), dtype, cl).eval()
    if cl:
        m = m.to(memory_format=torch.channels_last)
    torch.jit.script(m).save(f"{out}/{name}.pt")
print(f"wrote {out}/fp32.pt, bf16.pt, bf16-channels-last.pt")
