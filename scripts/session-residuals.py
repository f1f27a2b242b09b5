#!/usr/bin/env python3
"""Does a rating's timestamp say something the model does not know? A diagnosis on ml100k-mtl.

MovieLens-100K ratings come in pages: about three in four share their second with another rating
of the same user (up to ten per page). The benchmark's split is random, so a page's ratings fall
on both sides of it. This script measures how much a model's test errors can be predicted from its
errors on the same user's training ratings near in time.

For every valid and test row it adds to the model's predicted rating a kernel-weighted, shrunk
mean of the model's residuals (rating minus prediction) on the same user's training ratings:
weight exp(-|dt| / tau), shrinkage `lam` pseudo-ratings of residual 0. It reports RMSE, and like
AUC with the adjusted rating as the score, for three choices of neighbours:
  - both: training ratings before and after the row (what a random split offers);
  - past: only training ratings strictly before the row (what a live system has when it scores);
  - same second: only training ratings in the row's own second (the same page).
The model's predictions on train.tsv come from `taskweave predict`, whose histories never hold the
scored pair's own interaction (as in training).

Needs numpy and scipy. Usage:
  bin/taskweave predict --model MODEL --input PAIRS --tasks rating --output FILE   # per split
  scripts/session-residuals.py --shared ../shared --train TRAIN_PRED --valid VALID_PRED --test TEST_PRED
where PAIRS is the split's user and item columns (`cut -f1,2 train.tsv`) and each prediction file
is predict's output (header `user item rating`, rows in the split's order).
"""
import argparse
import collections
import os

import numpy as np
from scipy.stats import rankdata


def ratings(path):
    return np.loadtxt(path, skiprows=1, dtype=np.int64)


def predictions(path, rows):
    p = np.loadtxt(path, skiprows=1, usecols=(0, 1, 2))
    if len(p) != len(rows) or (p[:, 0] != rows[:, 0]).any() or (p[:, 1] != rows[:, 1]).any():
        raise SystemExit(f"{path}: expected predictions for the split's {len(rows)} rows, in its order")
    return p[:, 2]


def auc(positive, score):
    r = rankdata(score)
    p = positive.sum()
    n = len(positive) - p
    return (r[positive].sum() - p * (p + 1) / 2) / (p * n)


def adjusted(rows, predicted, by_user, tau, lam, neighbours):
    out = predicted.copy()
    for j, (user, _, _, t) in enumerate(rows):
        times, residuals = by_user.get(user, (None, None))
        if times is None:
            continue
        w = np.exp(-np.abs(times - t) / tau)
        if neighbours == "past":
            w = w * (times < t)
        elif neighbours == "same second":
            w = w * (times == t)
        out[j] += (w * residuals).sum() / (w.sum() + lam)
    return np.clip(out, 1, 5)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--train", required=True, help="predict's rating output on train.tsv's pairs")
    parser.add_argument("--valid", required=True, help="... on valid.tsv's pairs")
    parser.add_argument("--test", required=True, help="... on test.tsv's pairs")
    parser.add_argument("--tau", type=float, nargs="+", default=[120, 600, 3600])
    parser.add_argument("--lam", type=float, default=3)
    args = parser.parse_args()
    folder = os.path.join(args.shared, "benchmarks", "ml100k-mtl")
    train, valid, test = (ratings(os.path.join(folder, f + ".tsv")) for f in ("train", "valid", "test"))
    p_train = predictions(args.train, train)
    splits = {"valid": (valid, predictions(args.valid, valid)), "test": (test, predictions(args.test, test))}

    shared = collections.Counter(zip(train[:, 0], train[:, 3]))
    print(f"training ratings sharing their second with another of the user's: "
          f"{sum(c for c in shared.values() if c > 1) / len(train):.3f}")
    residual = train[:, 2] - p_train
    index = collections.defaultdict(list)
    for i, user in enumerate(train[:, 0]):
        index[user].append(i)
    by_user = {u: (train[ix, 3].astype(float), residual[ix]) for u, ix in index.items()}

    def line(label, scores):
        cells = []
        for name, (rows, _) in splits.items():
            s = scores[name]
            rmse = np.sqrt(((s - rows[:, 2]) ** 2).mean())
            cells.append(f"{name} RMSE {rmse:.4f} like AUC {auc(rows[:, 2] >= 4, s):.4f}")
        print(f"{label:32s} " + " | ".join(cells))

    line("model", {n: p for n, (_, p) in splits.items()})
    for neighbours in ("both", "past"):
        for tau in args.tau:
            scores = {n: adjusted(rows, p, by_user, tau, args.lam, neighbours) for n, (rows, p) in splits.items()}
            line(f"+ residuals, {neighbours}, tau {tau:g} s", scores)
    # within one second the kernel's weight is 1 whatever tau is
    scores = {n: adjusted(rows, p, by_user, 1, args.lam, "same second") for n, (rows, p) in splits.items()}
    line("+ residuals, same second", scores)


if __name__ == "__main__":
    main()
