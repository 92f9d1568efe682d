"""PyTorch eager reference for the lesson-1 benchmark: seconds per training epoch of torchvision's
resnet34 (random init) with the same size, batch, optimizer, augmentation kind and threads as Lince.
Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision)."""
import argparse, json, time
import torch, torchvision
from torchvision import transforms as T

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--size", type=int, default=128)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--lr", type=float, default=2e-3)
p.add_argument("--wd", type=float, default=0.05)
p.add_argument("--max-zoom", type=float, default=1.6)
p.add_argument("--out", required=True)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)
norm = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
train_tf = T.Compose([T.Resize(int(a.size * a.max_zoom * 1.2)), T.RandomRotation(10),
                      T.RandomResizedCrop(a.size, scale=(1 / a.max_zoom ** 2, 1.0), ratio=(1.0, 1.0)),
                      T.RandomHorizontalFlip(), T.ColorJitter(0.05, 0.05), T.ToTensor(), norm])
valid_tf = T.Compose([T.Resize(a.size), T.CenterCrop(a.size), T.ToTensor(), norm])
train = torchvision.datasets.ImageFolder(a.data + "/train", train_tf)
valid = torchvision.datasets.ImageFolder(a.data + "/valid", valid_tf)
tl = torch.utils.data.DataLoader(train, batch_size=a.batch, shuffle=True, num_workers=0)
vl = torch.utils.data.DataLoader(valid, batch_size=a.batch, num_workers=0)
model = torchvision.models.resnet34(num_classes=len(train.classes))
opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.wd)
loss_fn = torch.nn.CrossEntropyLoss()
rows = []
for epoch in range(a.epochs):
    model.train()
    t0 = time.time()
    for x, y in tl:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
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
json.dump({"torch": torch.__version__, "threads": a.threads, "epochs": rows}, open(a.out, "w"), indent=2)
