#!/usr/bin/env python3
"""torch-rechub's training throughput on ml100k-mtl, rating + like, for the comparison in
docs/benchmarks/ml100k-mtl/throughput.md (issue 5 asks Taskweave for twice torch-rechub's samples
per second, same model and batch size, on the same machine).

Needs PyTorch and torch-rechub importable (neither is a dependency of Taskweave; nothing of
torch-rechub is in this repository): `pip install torch torch-rechub`, or a directory holding the
`torch_rechub` package given with --rechub. Where PyPI is out of reach, Debian 12's packages give
the issue's own PyTorch: `apt-get install python3-torch libopenblas0-pthread` (PyTorch 1.13.1,
whose matrix products go through the system BLAS; without OpenBLAS installed that is the
reference BLAS, which trained MMoE at batch 2048 on one thread at 6,870 samples/s against 39,198
with OpenBLAS), run with /usr/bin/python3. torch-rechub's PLE passes `output_layer=False` to its
towers, so each tower returns 32 columns and MTLTrainer reads both tasks from the first tower
(the like loss then fails on values outside [0, 1]); the figures in throughput.md ran PLE with
`output_layer=True` in models/multi_task/ple.py, the only change to torch-rechub's model and
trainer code. Its imports of tqdm, pandas and scikit-learn, which training does not use, were
stubbed where those packages were missing.

What runs is torch-rechub's own code:
  features      torch_rechub.basic.features.SparseFeature (embed_dim 16)
  data          torch_rechub.utils.data.DataGenerator(x, y).generate_dataloader(...)  (its defaults: shuffle, num_workers=0)
  model         torch_rechub.models.multi_task.{SharedBottom, MMOE, PLE}
  training loop torch_rechub.trainers.MTLTrainer.train_one_epoch  (Adam lr 1e-3, weight_decay 0)
MTLTrainer.fit() is not used because it runs validation after every epoch (and torch.save at the
end); the benchmark calls trainer.train_one_epoch() once per epoch, i.e. exactly the training part
of fit(), and times each call.

steady samples/s = training rows of epochs 2..N / wall time of those epochs' train_one_epoch calls,
as Taskweave's `steadySamplesPerSecond` counts epochs 2..N of its batch loops.

Usage (the threads setting also sets OMP/MKL_NUM_THREADS; OpenBLAS is kept to one thread):
  scripts/torch-rechub-throughput.py --threads 2 [--models shared-bottom,mmoe,ple] [--batches 256,2048]
      [--bench-dir ../shared/benchmarks/ml100k-mtl] [--ml100k-dir ../shared/data/ml-100k] [--rechub DIR]
"""
import argparse
import contextlib
import datetime
import io
import os
import sys
import tempfile
import time

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--models", default="shared-bottom,mmoe,ple", help="comma list of shared-bottom, mmoe, ple")
parser.add_argument("--batches", default="256,2048", help="comma list of batch sizes")
parser.add_argument("--epochs", type=int, default=6)
parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads (also sets OMP/MKL_NUM_THREADS)")
parser.add_argument("--seed", type=int, default=2022)
parser.add_argument("--eval", action="store_true", help="after training (untimed), report valid RMSE / like AUC via MTLTrainer.evaluate")
parser.add_argument("--bench-dir", default="../shared/benchmarks/ml100k-mtl")
parser.add_argument("--ml100k-dir", default="../shared/data/ml-100k")
parser.add_argument("--rechub", help="a directory holding the torch_rechub package, when it is not installed")
args = parser.parse_args()

# Thread settings must be in the environment before torch is imported.
env_in = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["MKL_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(args.threads)

if args.rechub:
    sys.path.insert(0, args.rechub)
from torch_rechub.basic.features import SparseFeature  # noqa: E402
from torch_rechub.models.multi_task import MMOE, PLE, SharedBottom  # noqa: E402
from torch_rechub.trainers import MTLTrainer  # noqa: E402
from torch_rechub.utils.data import DataGenerator  # noqa: E402

EMBED_DIM = 16
DROPOUT = 0.1
LR = 1e-3
TASK_TYPES = ["regression", "classification"]  # task 0: rating (MSE), task 1: like = rating >= 4 (BCE)
FEATURE_NAMES = ["user_id", "item_id", "gender", "age", "occupation", "zip", "release_year", "genre"]


# ----------------------------------------------------------------------------------------------
# data: side features of users and items, joined onto the rating rows (numpy only)
# ----------------------------------------------------------------------------------------------
def load_side_features(ml_dir, bench_dir):
    users = {}
    with open(os.path.join(ml_dir, "u.user"), encoding="iso-8859-1") as f:
        rows = [line.rstrip("\n").split("|") for line in f if line.strip()]
    occupations = sorted({r[3] for r in rows})
    for uid, age, gender, occ, zipc in rows:
        age = int(age)
        age_band = int(np.digitize(age, [18, 25, 35, 45, 50, 56]))  # 7 bands: <18,18-24,25-34,35-44,45-49,50-55,56+
        z = zipc[:1]
        zip_digit = int(z) if z.isdigit() else 10  # 0-9, 10 = non-numeric (e.g. Canadian codes)
        users[int(uid)] = (0 if gender == "M" else 1, age_band, occupations.index(occ), zip_digit)

    hidden = set()
    with open(os.path.join(bench_dir, "genre_hidden_items.txt")) as f:
        for line in f:
            if line.strip():
                hidden.add(int(line.split()[0]))

    items = {}
    with open(os.path.join(ml_dir, "u.item"), encoding="iso-8859-1") as f:
        for line in f:
            if not line.strip():
                continue
            p = line.rstrip("\n").split("|")
            iid, date, flags = int(p[0]), p[2], [int(v) for v in p[5:24]]
            if len(date) >= 4 and date[-4:].isdigit():
                year = int(date[-4:])
                year_bucket = 1 if year < 1930 else min(8, (year - 1930) // 10 + 2)  # <1930, 1930s, ..., 1990s
            else:
                year_bucket = 0  # unknown
            genre = flags.index(1) if 1 in flags else 0  # first genre flag (0 = 'unknown' genre)
            if iid in hidden:
                genre = 19  # PROTOCOL.md: genre flags of genre_hidden_items.txt must not be seen in training
            items[iid] = (year_bucket, genre)
    vocab = {
        "user_id": max(users) + 1, "item_id": max(items) + 1, "gender": 2, "age": 7,
        "occupation": len(occupations), "zip": 11, "release_year": 9, "genre": 20,
    }
    return users, items, vocab


def load_split(path, users, items):
    a = np.loadtxt(path, dtype=np.int64, skiprows=1, delimiter="\t", ndmin=2)
    u, i, r = a[:, 0], a[:, 1], a[:, 2]
    uf = np.array([users[x] for x in u], dtype=np.int64)
    itf = np.array([items[x] for x in i], dtype=np.int64)
    x = {
        "user_id": u, "item_id": i, "gender": uf[:, 0], "age": uf[:, 1], "occupation": uf[:, 2], "zip": uf[:, 3],
        "release_year": itf[:, 0], "genre": itf[:, 1],
    }
    y = np.stack([r, (r >= 4).astype(np.int64)], axis=1)  # [rating, like]
    return x, y


# ----------------------------------------------------------------------------------------------
# models (fresh SparseFeature objects per model: SparseFeature caches its nn.Embedding)
# ----------------------------------------------------------------------------------------------
def make_model(name, vocab):
    features = [SparseFeature(n, vocab[n], embed_dim=EMBED_DIM) for n in FEATURE_NAMES]
    towers = [{"dims": [32], "dropout": DROPOUT} for _ in TASK_TYPES]
    experts = {"dims": [128, 64], "dropout": DROPOUT}
    if name == "shared-bottom":
        return SharedBottom(features, TASK_TYPES, bottom_params={"dims": [128, 64], "dropout": DROPOUT}, tower_params_list=towers)
    if name == "mmoe":
        return MMOE(features, TASK_TYPES, n_expert=4, expert_params=experts, tower_params_list=towers)
    if name == "ple":
        return PLE(features, TASK_TYPES, n_level=2, n_expert_specific=1, n_expert_shared=2, expert_params=experts, tower_params_list=towers)
    raise ValueError(name)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    models = [m.strip().lower() for m in args.models.split(",") if m.strip()]
    batches = [int(b) for b in args.batches.split(",") if b.strip()]
    print(f"# start {utc_now()}  torch {torch.__version__}  numpy {np.__version__}  python {sys.version.split()[0]}  "
          f"torch.get_num_threads()={torch.get_num_threads()}  interop={torch.get_num_interop_threads()}  "
          f"env_in={env_in}  env_set=OMP/MKL={args.threads},OPENBLAS=1  cpus={os.cpu_count()}", flush=True)

    users, items, vocab = load_side_features(args.ml100k_dir, args.bench_dir)
    x_train, y_train = load_split(os.path.join(args.bench_dir, "train.tsv"), users, items)
    x_val, y_val = load_split(os.path.join(args.bench_dir, "valid.tsv"), users, items)
    x_test, y_test = load_split(os.path.join(args.bench_dir, "test.tsv"), users, items)
    n_train = len(y_train)
    print(f"# train rows {n_train}  valid rows {len(y_val)}  vocab {vocab}  epochs {args.epochs}", flush=True)

    out_dir = tempfile.mkdtemp(prefix="rechub-")  # MTLTrainer wants a model path; nothing is saved
    for name in models:
        for bs in batches:
            torch.manual_seed(args.seed)
            np.random.seed(args.seed)
            model = make_model(name, vocab)
            n_params = sum(p.numel() for p in model.parameters())
            dg = DataGenerator(x_train, y_train)
            train_dl, val_dl, _ = dg.generate_dataloader(x_val=x_val, y_val=y_val, x_test=x_test, y_test=y_test, batch_size=bs)
            trainer = MTLTrainer(model, task_types=TASK_TYPES, optimizer_params={"lr": LR, "weight_decay": 0.0},
                                 n_epoch=args.epochs, device="cpu", model_path=out_dir)
            epoch_s, losses = [], None
            for _ in range(args.epochs):
                sink = io.StringIO()  # train_one_epoch prints one "train loss: {...}" line per epoch
                t0 = time.perf_counter()
                with contextlib.redirect_stdout(sink):
                    losses = trainer.train_one_epoch(train_dl)
                epoch_s.append(time.perf_counter() - t0)
            steady = n_train * (args.epochs - 1) / sum(epoch_s[1:]) if args.epochs > 1 else float("nan")
            line = (f"model={name:<13} batch={bs:<5} threads={args.threads}  "
                    f"epoch_s=[{', '.join(f'{t:.2f}' for t in epoch_s)}]  "
                    f"steady_samples_per_s={steady:,.0f}  "
                    f"final_train_loss rating_mse={losses[0]:.4f} like_bce={losses[1]:.4f}  params={n_params:,}")
            if args.eval:
                mse, auc = trainer.evaluate(trainer.model, val_dl)
                line += f"  valid_rmse={mse ** 0.5:.4f} valid_like_auc={auc:.4f}"
            print(line, flush=True)
    print(f"# end {utc_now()}", flush=True)


if __name__ == "__main__":
    main()
