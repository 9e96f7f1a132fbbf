#!/usr/bin/python3
"""Torch side of bench/mlp_vs_torch.ts: one epoch of a 64-128-128-10 ReLU MLP, batch 64, Adam,
float64, single thread, on the 1797 UCI digits (pixels/16). Prints JSON with per-epoch times."""
import gzip, json, sys, time
import numpy as np
import torch

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)
raw = np.loadtxt(gzip.open("data/digits.csv.gz"), delimiter=",")
X = torch.tensor(raw[:, :64] / 16.0, dtype=torch.float64)
y = torch.tensor(raw[:, 64].astype(np.int64))
model = torch.nn.Sequential(
    torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
).double()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = torch.nn.CrossEntropyLoss()
n = X.shape[0]


def epoch():
    perm = torch.randperm(n)
    total = 0.0
    for i in range(0, n, 64):
        idx = perm[i:i + 64]
        opt.zero_grad()
        loss = lossf(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    return total / n


for _ in range(2):
    epoch()
times, losses = [], []
for _ in range(epochs):
    t = time.perf_counter()
    losses.append(epoch())
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "epochMs": times, "loss": losses}))
