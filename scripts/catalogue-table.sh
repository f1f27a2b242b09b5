#!/usr/bin/env bash
# Trains the ml100k-catalogue example with every pair of sharing strategy and loss weighting
# below and prints a Markdown table of test metrics. Usage: scripts/catalogue-table.sh [OUT_DIR]
# Needs a built distribution (mvn -B -q package -DskipTests) and the shared MovieLens files.
set -euo pipefail
cd "$(dirname "$0")/.."
home=distribution/target/taskweave
out=${1:-runs/catalogue}
mkdir -p "$out"
declare -A sharing=(
  [shared-bottom]='{type: shared-bottom, params: {layers: [128, 64], dropout: 0.1}}'
  [mmoe]='{type: mmoe, params: {experts: 4, expertLayers: [128, 64], dropout: 0.1}}'
  [ple]='{type: ple, params: {levels: 2, sharedExperts: 2, taskExperts: 1, expertLayers: [64, 64], dropout: 0.1}}'
)
for s in shared-bottom mmoe ple; do
  for w in equal uncertainty gradnorm pcgrad; do
    config="$home/examples/catalogue-$s-$w.yaml"
    python3 - "$home/examples/ml100k-catalogue.yaml" "$config" "${sharing[$s]}" "$w" <<'PY'
import re, sys
src, dst, sharing, weighting = sys.argv[1:]
text = open(src).read()
text = re.sub(r"(?m)^sharing:\n(?:  .*\n)+", "sharing: " + sharing + "\n", text)
text = re.sub(r"(?m)^weighting:\n(?:  .*\n)+", "weighting: {type: " + weighting + "}\n", text)
text = text.replace("name: ml100k-catalogue", "name: catalogue-%s" % dst.split("catalogue-")[1][:-5])
open(dst, "w").write(text)
PY
    if [ ! -f "$out/$s-$w/metrics.json" ]; then
      echo "== $s + $w" >&2
      "$home/bin/taskweave" train --config "$config" --output "$out/$s-$w" > "$out/$s-$w.log"
    fi
  done
done
python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
print("| sharing | weighting | RMSE | like AUC | HR@10 | NDCG@10 | genre top-1 | genre micro-F1 | epochs | train s |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for s in ["shared-bottom", "mmoe", "ple"]:
    for w in ["equal", "uncertainty", "gradnorm", "pcgrad"]:
        d = os.path.join(out, f"{s}-{w}")
        m = json.load(open(os.path.join(d, "metrics.json")))
        t = json.load(open(os.path.join(d, "model.json")))["training"]
        test, g = m["test"], m.get("genre_hidden", {}).get("genre", {})
        print(f"| {s} | {w} | {test['rating']['rmse']:.4f} | {test['like']['auc']:.4f} | "
              f"{test['interaction']['hr@10']:.3f} | {test['interaction']['ndcg@10']:.3f} | "
              f"{g.get('top1_precision', float('nan')):.3f} | {g.get('micro_f1', float('nan')):.3f} | "
              f"{t['epochsRun']} | {t['trainSeconds']:.0f} |")
PY
