#!/usr/bin/env python3
"""Cold users on ml100k-mtl: what else than linear demographics could say about their ratings?

A second check beside cold-user-ceiling.py (which fits ridge regressions on the demographics,
alone and crossed with the item). Every predictor here starts from the items' ridge biases
(lambda 4, fitted on train.tsv: the best of cold-user-ceiling.py's) and adds one shrunk mean of
the training residuals:

- time: the mean residual of the training rows rated in the same quantile bin of time as the
  row (the row's own timestamp: the moment of a request, which a live system has);
- cells: the mean residual of the training users in the same demographic cell (gender, age band,
  occupation, first zip digit, and their combinations) on the same item: any interaction of
  the demographics with the item, not only a linear one.

The shrinkage is chosen from a small grid on the test file itself, so the figures are optimistic.
It also prints the oracle of a constant shift to the cold users' own mean residual.

Needs numpy. Usage:
  scripts/cold-user-cells.py [--shared ../shared]
"""
import argparse
import collections
import os

import numpy as np


def ratings(path):
    a = np.loadtxt(path, skiprows=1, dtype=np.int64)
    return a[:, 0], a[:, 1], a[:, 2].astype(float), a[:, 3]


def rmse(y, p):
    return float(np.sqrt(((y - p) ** 2).mean()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    args = parser.parse_args()
    bench = os.path.join(args.shared, "benchmarks", "ml100k-mtl")
    u, i, r, t = ratings(os.path.join(bench, "train.tsv"))
    cu, ci, cr, ct = ratings(os.path.join(bench, "test_cold_user.tsv"))
    mu = r.mean()
    width = int(max(i.max(), ci.max())) + 1
    bias = np.bincount(i, r - mu, width) / (np.bincount(i, minlength=width) + 4.0)
    base = mu + bias[ci]
    residual = r - mu - bias[i]
    print(f"item biases (lambda 4): {rmse(cr, base):.4f}")
    shift = (cr - base).mean()
    print(f"oracle: + a constant shift to the cold users' own mean ({shift:+.4f}): {rmse(cr, base + shift):.4f}")

    print("time of the row: + the mean residual of its quantile bin of time, by lambda 10 / 100 / 1000")
    for bins in [5, 10, 20, 40]:
        edges = np.quantile(t, np.linspace(0, 1, bins + 1))
        edges[-1] += 1
        b = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, bins - 1)
        cb = np.clip(np.searchsorted(edges, ct, side="right") - 1, 0, bins - 1)
        figures = []
        for lam in [10, 100, 1000]:
            mean = np.bincount(b, residual, bins) / (np.bincount(b, minlength=bins) + lam)
            figures.append(f"{rmse(cr, base + mean[cb]):.4f}")
        print(f"  {bins:2d} bins: {' / '.join(figures)}")

    users = {}
    with open(os.path.join(args.shared, "data", "ml-100k", "u.user"), encoding="iso-8859-1") as f:
        for line in f:
            uid, age, gender, occupation, zip_code = line.strip().split("|")
            users[int(uid)] = {"g": gender, "a": str(min(int(age) // 10, 6)), "o": occupation, "z": zip_code[:1]}
    print("demographic cell x item: + the cell's mean residual on the item, by lambda 5 / 20 / 80")
    for key in ["g", "a", "o", "z", "ga", "go", "ao", "gao", "gaoz"]:
        def cell(uid):
            return "|".join(users[uid][c] for c in key)
        sums = collections.defaultdict(float)
        counts = collections.defaultdict(int)
        for uu, ii, rr in zip(u, i, residual):
            k = (cell(uu), ii)
            sums[k] += rr
            counts[k] += 1
        keys = [(cell(x), y) for x, y in zip(cu, ci)]
        s = np.array([sums.get(k, 0.0) for k in keys])
        n = np.array([counts.get(k, 0) for k in keys])
        figures = [f"{rmse(cr, base + s / (n + lam)):.4f}" for lam in [5, 20, 80]]
        print(f"  {key:4s}: {' / '.join(figures)}")


if __name__ == "__main__":
    main()
