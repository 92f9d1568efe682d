"""Writes a randomly initialised torchvision resnet34 as .safetensors (written by hand: the format is
an 8-byte header length, a JSON header, then raw little-endian tensors), a batch of preprocessed
inputs, and torchvision's logits (and the same weights as a torch.save .pth) for them, for bench/safetensors_check.sh to compare with Lince."""
import json, struct, sys
import numpy as np
import torch, torchvision

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 4
torch.manual_seed(0)
model = torchvision.models.resnet34(num_classes=1000)
# Give BatchNorm realistic running statistics (fresh ones are 0/1) with a few training-mode passes.
model.train()
with torch.no_grad():
    for _ in range(5):
        model(torch.randn(8, 3, 224, 224))
model.eval()
state = model.state_dict()
header, blobs, offset = {}, [], 0
for name, t in state.items():
    a = t.detach().contiguous().numpy()
    dtype = {np.float32: "F32", np.int64: "I64"}[a.dtype.type]
    b = a.tobytes()
    header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
    blobs.append(b)
    offset += len(b)
h = json.dumps(header).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open(f"{out}/resnet34-random.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)))
    f.write(h)
    for b in blobs:
        f.write(b)
# the same weights as torch.save writes them (what torchvision caches: resnet34-b627a593.pth)
torch.save(state, f"{out}/resnet34-random.pth")
x = torch.randn(n, 3, 224, 224)
with torch.no_grad():
    logits = model(x)
x.numpy().astype("<f4").tofile(f"{out}/inputs.f32")
logits.numpy().astype("<f4").tofile(f"{out}/torch-logits.f32")
print(f"torch {torch.__version__}: {len(state)} tensors, {n} inputs, logits {tuple(logits.shape)}")
