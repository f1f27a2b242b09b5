#!/usr/bin/env python3
"""A plain PyTorch training loop of the MMoE in Taskweave's throughput suite, for
docs/benchmarks/ml100k-mtl/throughput.md: how fast PyTorch's own eager mode runs the same layers
with nothing around them (no data loader, no framework), so a step time of Taskweave or
torch-rechub can be set against it.

The model has the shapes of examples/ml100k-throughput-suite.yaml's mmoe-256 (embeddingDim 16):
seven categorical features embedded in 16 dimensions (cardinalities of the ml100k-mtl training
split), the 19 genres as a normalised multi-hot times a 19 x 16 projection, the release year as
one number, the user-id times item-id product (145 inputs in all), 4 experts of [128, 64] with
ReLU and dropout 0.1, a softmax gate per task, towers [32] and 1; MSE plus binary cross-entropy,
Adam 1e-3, batch 256. The inputs are random (the speed does not depend on the values), 64,255
rows per epoch as in the training file. PyTorch's dropout and Adam are its defaults.

Usage: scripts/pytorch-mmoe-floor.py [--threads 1] [--batch 256] [--epochs 4]
Prints per epoch samples per second and the mean forward, backward and optimiser time per step.
"""
import argparse
import os
import time

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--batch", type=int, default=256)
parser.add_argument("--epochs", type=int, default=4)
args = parser.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["MKL_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)
ROWS, EXPERTS, DIM = 64255, 4, 16
CARDINALITIES = [850, 3, 8, 22, 12, 1491, 9]  # user id, gender, age, occupation, zip, item id, decade
WIDTH = DIM * len(CARDINALITIES) + DIM + 1 + DIM  # + genres + year + id product = 145

codes = torch.stack([torch.randint(0, c, (ROWS,)) for c in CARDINALITIES], 1)
genres = (torch.rand(ROWS, 19) < 0.1).float()
years = torch.randn(ROWS, 1)
ratings = torch.rand(ROWS) * 4 + 1
likes = (ratings >= 4).float()


class Expert(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = nn.Linear(WIDTH, 128)
        self.second = nn.Linear(128, 64)

    def forward(self, x):
        h = F.dropout(F.relu(self.first(x)), 0.1, True)
        return F.dropout(F.relu(self.second(h)), 0.1, True)


class Mmoe(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = nn.ModuleList([nn.Embedding(c, DIM) for c in CARDINALITIES])
        self.genre = nn.Parameter(torch.randn(19, DIM) * 0.05)
        self.experts = nn.ModuleList([Expert() for _ in range(EXPERTS)])
        self.gates = nn.ModuleList([nn.Linear(WIDTH, EXPERTS) for _ in range(2)])
        self.towers = nn.ModuleList([nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1)) for _ in range(2)])

    def forward(self, x, g, year):
        parts = [e(x[:, i]) for i, e in enumerate(self.embeddings)]
        parts.insert(6, (g / g.sum(1, keepdim=True).clamp(min=1)) @ self.genre)
        parts.append(year)
        parts.append(parts[0] * parts[5])
        inputs = torch.cat(parts, 1)
        stacked = torch.stack([e(inputs) for e in self.experts], 1)
        mixed = [(stacked * F.softmax(gate(inputs), 1).unsqueeze(2)).sum(1) for gate in self.gates]
        return [t(m).squeeze(1) for t, m in zip(self.towers, mixed)]


model = Mmoe()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
steps = (ROWS + args.batch - 1) // args.batch
for epoch in range(args.epochs):
    order = torch.randperm(ROWS)
    forward = backward = update = 0.0
    start = time.perf_counter()
    for i in range(0, ROWS, args.batch):
        rows = order[i:i + args.batch]
        a = time.perf_counter()
        rating, like = model(codes[rows], genres[rows], years[rows])
        loss = F.mse_loss(rating, ratings[rows]) + F.binary_cross_entropy_with_logits(like, likes[rows])
        b = time.perf_counter()
        optimizer.zero_grad()
        loss.backward()
        c = time.perf_counter()
        optimizer.step()
        d = time.perf_counter()
        forward += b - a
        backward += c - b
        update += d - c
    seconds = time.perf_counter() - start
    print(f"epoch {epoch + 1}  {ROWS / seconds:,.0f} samples/s  forward {forward / steps * 1e3:.2f}  "
          f"backward {backward / steps * 1e3:.2f}  optimiser {update / steps * 1e3:.2f} ms per step", flush=True)
