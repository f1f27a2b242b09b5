#!/usr/bin/env python3
"""Where the like task's calibration error on ml100k-mtl's cold items comes from.

The benchmark's report compares the multi-task model's like ECE on test_cold_item.tsv with its
single-task counterpart's. This script takes both models' like probabilities on that file (the
output of `taskweave predict --tasks like` on its user and item columns, one file per seed) and
splits the error in two:
- the level: the mean predicted probability against the cold items' like rate (rating >= 4), and
  the ECE left after an oracle shift of each model's logits that matches the two (fitted on the
  test file itself, for diagnosis only: no model can see how well 166 unseen items will be liked);
- the items: the rows grouped into quarters by how many ratings their item has in the file (which
  a model cannot see either), with like rate and mean predictions per quarter, and a bootstrap over
  the cold items of the difference between the two models' mean ECE, to show how much of it
  depends on which items happen to be cold.

ECE is the report's: 10 equal-width bins of the predicted probability, |mean prediction - like
rate| per bin weighted by its rows. Needs numpy and scipy. Usage:
  scripts/cold-item-calibration.py [--shared ../shared] --multi F1 F2 F3 --single F1 F2 F3
      [--resamples 1000]
"""
import argparse
import os

import numpy as np
from scipy.optimize import brentq


def ece(p, y, bins=10):
    b = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for k in range(bins):
        m = b == k
        if m.any():
            total += abs(p[m].mean() - y[m].mean()) * m.sum()
    return total / len(p)


def predictions(path, users, items):
    a = np.loadtxt(path, skiprows=1)
    if a.shape[0] != len(users) or not (np.array_equal(a[:, 0], users) and np.array_equal(a[:, 1], items)):
        raise SystemExit(f"{path}: expected the {len(users)} user/item pairs of test_cold_item.tsv in its order")
    return a[:, 2]


def level_shift(p, y):
    """@return p with its logits shifted so that its mean equals y's, and the shift"""
    logit = np.log(p / (1 - p))
    mean_at = lambda c: (1 / (1 + np.exp(-(logit + c)))).mean() - y.mean()
    c = brentq(mean_at, -5, 5)
    return 1 / (1 + np.exp(-(logit + c))), c


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--multi", nargs="+", required=True, help="predict outputs of the multi-task model, one per seed")
    ap.add_argument("--single", nargs="+", required=True, help="predict outputs of the single-task like model, one per seed")
    ap.add_argument("--resamples", type=int, default=1000)
    args = ap.parse_args()

    path = os.path.join(args.shared, "benchmarks", "ml100k-mtl", "test_cold_item.tsv")
    data = np.loadtxt(path, skiprows=1)
    users, items, y = data[:, 0], data[:, 1], (data[:, 2] >= 4).astype(float)
    models = {"multi": [predictions(f, users, items) for f in args.multi],
              "single": [predictions(f, users, items) for f in args.single]}
    print(f"{path}: {len(y)} rows, {len(np.unique(items))} items, like rate {y.mean():.4f}")

    print("\nmodel   seed  ECE     mean p  logit shift  ECE after the shift")
    for name, runs in models.items():
        for i, p in enumerate(runs):
            shifted, c = level_shift(p, y)
            print(f"{name:7} {i + 1:4}  {ece(p, y):.4f}  {p.mean():.4f}  {c:+.3f}       {ece(shifted, y):.4f}")
        print(f"{name:7} mean  {np.mean([ece(p, y) for p in runs]):.4f}  {np.mean([p.mean() for p in runs]):.4f}"
              f"  {np.mean([level_shift(p, y)[1] for p in runs]):+.3f}       "
              f"{np.mean([ece(level_shift(p, y)[0], y) for p in runs]):.4f}")

    unique, inverse, counts = np.unique(items, return_inverse=True, return_counts=True)
    print("\nitems by their ratings in the file (quarters of the items): rows, like rate, mean p multi / single")
    order = np.argsort(counts, kind="stable")
    for quarter in np.array_split(order, 4):
        m = np.isin(items, unique[quarter])
        print(f"  {counts[quarter].min():3d}-{counts[quarter].max():3d} ratings: {m.sum():5d} rows, like {y[m].mean():.3f},"
              f" {np.mean([p[m].mean() for p in models['multi']]):.3f} / {np.mean([p[m].mean() for p in models['single']]):.3f}")

    rng = np.random.default_rng(0)
    rows_of = [np.flatnonzero(inverse == k) for k in range(len(unique))]
    differences = np.empty(args.resamples)
    for t in range(args.resamples):
        rows = np.concatenate([rows_of[k] for k in rng.integers(0, len(unique), len(unique))])
        differences[t] = (np.mean([ece(p[rows], y[rows]) for p in models["multi"]])
                          - np.mean([ece(p[rows], y[rows]) for p in models["single"]]))
    print(f"\nmean ECE multi - single over {args.resamples} resamples of the cold items (with replacement):"
          f" {differences.mean():+.4f} +- {differences.std():.4f}, above 0 in {100 * (differences > 0).mean():.0f} %")


if __name__ == "__main__":
    main()
