"""PyTorch eager reference for the lesson-1 benchmark: torchvision's resnet34 from random
initialisation with the same size, batch, optimizer, augmentation and threads as Lince's recipe:
AdamW, one-cycle (a cosine warm-up over the first quarter from 1/25 of the peak, then a cosine down
to 1/10^4, as Lince and fastai schedule it), random-resized crops (square), flip, ±10° rotation,
colour jitter, label smoothing. Prints and writes seconds per training epoch (data loading
included, as Lince's are) and validation accuracy.
Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision)."""
import argparse, json, math, time
import torch, torchvision
from torchvision import transforms as T

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--size", type=int, default=128)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--workers", type=int, default=0, help="DataLoader worker processes (0: decode in the training thread)")
p.add_argument("--lr", type=float, default=2e-3)
p.add_argument("--wd", type=float, default=0.05)
p.add_argument("--min-scale", type=float, default=0.35)
p.add_argument("--jitter", type=float, default=0.2)
p.add_argument("--label-smoothing", type=float, default=0.1)
p.add_argument("--out", required=True)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)
norm = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
train_tf = T.Compose([T.RandomRotation(10),
                      T.RandomResizedCrop(a.size, scale=(a.min_scale, 1.0), ratio=(1.0, 1.0)),
                      T.RandomHorizontalFlip(), T.ColorJitter(a.jitter, a.jitter, a.jitter), T.ToTensor(), norm])
valid_tf = T.Compose([T.Resize(a.size), T.CenterCrop(a.size), T.ToTensor(), norm])
train = torchvision.datasets.ImageFolder(a.data + "/train", train_tf)
valid = torchvision.datasets.ImageFolder(a.data + "/valid", valid_tf)
tl = torch.utils.data.DataLoader(train, batch_size=a.batch, shuffle=True, num_workers=a.workers)
vl = torch.utils.data.DataLoader(valid, batch_size=a.batch, num_workers=a.workers)
model = torchvision.models.resnet34(num_classes=len(train.classes))
opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.wd)
total = a.epochs * len(tl)
up = max(1, round(total * 0.25))


def factor(it):  # Lince's OneCycle: cosine up from 1/25, cosine down to 1/1e4
    if it < up:
        return 1 / 25 + (1 - 1 / 25) * (1 - (1 + math.cos(math.pi * it / up)) / 2)
    return 1e-4 + (1 - 1e-4) * (1 + math.cos(math.pi * (it - up) / max(1, total - up))) / 2


sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=a.label_smoothing)
rows = []
for epoch in range(a.epochs):
    model.train()
    t0 = time.time()
    for x, y in tl:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
    train_s = time.time() - t0
    model.eval()
    t1 = time.time()
    correct = 0
    with torch.no_grad():
        for x, y in vl:
            correct += (model(x).argmax(1) == y).sum().item()
    rows.append({"epoch": epoch, "trainSeconds": train_s, "validSeconds": time.time() - t1,
                 "accuracy": correct / len(valid)})
    print(rows[-1], flush=True)
json.dump({"torch": torch.__version__, "threads": a.threads, "workers": a.workers, "epochs": rows},
          open(a.out, "w"), indent=2)
