#!/usr/bin/env python3
"""How low can cold-user RMSE on ml100k-mtl go? Linear baselines and a model's own spread.

Fits ridge regressions on train.tsv (no validation or test rows) whose only inputs a cold user
has: the item, and the user's demographics from u.user (gender, age band, occupation, first zip
digit), alone and crossed with the item. Each is scored on test_cold_user.tsv for several ridge
strengths; the best strength is picked on that test file itself, so the figures are optimistic
(an upper bound on what these features give linearly).

With --predictions FILE (the output of `taskweave predict --tasks rating` on
test_cold_user.tsv's user and item columns), it also reports how the model's cold-user
predictions are spread: RMSE after shrinking them towards their mean by a factor, and after an
affine map fitted on the test file (both oracles, for diagnosis only).

Needs numpy and scipy. Usage:
  scripts/cold-user-ceiling.py [--shared ../shared] [--predictions FILE]
"""
import argparse
import os

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import lsqr

AGE_BANDS = [18, 25, 35, 45, 50, 56]


def ratings(path):
    a = np.loadtxt(path, skiprows=1, dtype=np.int64)
    return a[:, 0], a[:, 1], a[:, 2].astype(float)


def demographics(path):
    users = {}
    with open(path, encoding="iso-8859-1") as f:
        for line in f:
            u, age, gender, occupation, zip_code = line.strip().split("|")
            users[int(u)] = (int(age), gender, occupation, zip_code)
    return users


def design(users, occupations, u, i, blocks, items):
    """One-hot design matrix: the item plus the named blocks of demographic effects."""
    g = np.array([users[x][1] == "M" for x in u], int)
    a = np.array([np.searchsorted(AGE_BANDS, users[x][0], side="right") for x in u])
    o = np.array([occupations.index(users[x][2]) for x in u])
    z = np.array([int(users[x][3][0]) if users[x][3][0].isdigit() else 10 for x in u])
    bands, jobs = len(AGE_BANDS) + 1, len(occupations)
    columns, sizes = [i], [items]
    if "demographics" in blocks:
        columns += [g, a, o, z]
        sizes += [2, bands, jobs, 11]
    if "item x gender" in blocks:
        columns.append(i * 2 + g)
        sizes.append(items * 2)
    if "item x age" in blocks:
        columns.append(i * bands + a)
        sizes.append(items * bands)
    if "item x occupation" in blocks:
        columns.append(i * jobs + o)
        sizes.append(items * jobs)
    offsets = np.cumsum([0] + sizes[:-1])
    cols = np.stack([c + off for c, off in zip(columns, offsets)], 1)
    rows = np.repeat(np.arange(len(u)), cols.shape[1])
    return sp.csr_matrix((np.ones(rows.size), (rows, cols.ravel())), shape=(len(u), sum(sizes)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    parser.add_argument("--predictions")
    args = parser.parse_args()
    bench = os.path.join(args.shared, "benchmarks", "ml100k-mtl")
    users = demographics(os.path.join(args.shared, "data", "ml-100k", "u.user"))
    occupations = sorted({v[2] for v in users.values()})
    tu, ti, tr = ratings(os.path.join(bench, "train.tsv"))
    cu, ci, cr = ratings(os.path.join(bench, "test_cold_user.tsv"))
    items = int(max(ti.max(), ci.max())) + 1
    mu = tr.mean()
    print(f"train mean {mu:.4f}; cold-user test mean {cr.mean():.4f}; global mean RMSE {np.sqrt(np.mean((cr - mu) ** 2)):.4f}")
    variants = [
        [],
        ["demographics"],
        ["demographics", "item x gender"],
        ["demographics", "item x gender", "item x age"],
        ["demographics", "item x gender", "item x age", "item x occupation"],
    ]
    for blocks in variants:
        x_train = design(users, occupations, tu, ti, blocks, items)
        x_test = design(users, occupations, cu, ci, blocks, items)
        results = []
        for damp in [0.5, 1, 1.5, 2, 3, 5, 8]:
            w = lsqr(x_train, tr - mu, damp=damp, iter_lim=5000)[0]
            p = np.clip(mu + x_test @ w, 1, 5)
            results.append((np.sqrt(np.mean((p - cr) ** 2)), damp * damp))
        best = min(results)
        print(f"ridge, item{''.join(' + ' + b for b in blocks)}: RMSE {best[0]:.4f} (lambda {best[1]:g}, chosen on the test file)")
    if args.predictions:
        p = np.loadtxt(args.predictions, skiprows=1)
        if len(p) != len(cr) or not (np.array_equal(p[:, 0], cu) and np.array_equal(p[:, 1], ci)):
            raise SystemExit(f"{args.predictions}: expected the {len(cr)} user and item pairs of test_cold_user.tsv in order")
        q = p[:, 2]
        m = q.mean()
        print(f"model: RMSE {np.sqrt(np.mean((q - cr) ** 2)):.4f}, mean error {np.mean(q - cr):+.4f}, prediction std {q.std():.4f}")
        for k in [0.6, 0.7, 0.75, 0.8, 0.9]:
            print(f"  shrunk towards the mean by {k}: RMSE {np.sqrt(np.mean((m + k * (q - m) - cr) ** 2)):.4f}")
        a, b = np.linalg.lstsq(np.stack([q, np.ones_like(q)], 1), cr, rcond=None)[0]
        print(f"  affine map fitted on the test file ({a:.3f} x + {b:.3f}): RMSE {np.sqrt(np.mean((a * q + b - cr) ** 2)):.4f}")


if __name__ == "__main__":
    main()
