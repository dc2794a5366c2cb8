#!/usr/bin/env bash
# Rebuilds the bundled density (CutPaste) model, its evaluation and golden file end to end:
#   generate (C# generator) -> train + Gaussian fit -> calibrate/evaluate -> export -> golden.
# Takes ~15 min on 2 shared CPU cores (training loop capped at 9 min). RECIPE=canary trains the second
# recipe (run 5 in models/README.md: not bundled, it fails the canary too) into models/.work/density-run5-canary. Trained files stay in
# models/.work/density/ (git-ignored); generated data in $KDATA (default /work/kinds-data).
#
#   models/train/make_density_model.sh                      # everything
#   STAGES="export golden" models/train/make_density_model.sh   # re-run some stages only
set -euo pipefail
cd "$(dirname "$0")/../.."                       # repository root
PY=/usr/bin/python3                              # Debian's Python with torch (not the pyenv one)
KDATA=${KDATA:-/work/kinds-data}
TRAIN=$KDATA/density-train                       # 800 OK pairs, seed 101 (as STPM)
TRAIN300=$KDATA/density-train300                 # 200 OK pairs, seed 131, 300 px (the size of the box's canary pairs)
CANARY=$KDATA/density-canary-s3131               # 40 OK pairs, seed 3131, 300 px, generator's default misalignment: simulated canary
CALIB=$KDATA/calib-ok                            # 200 OK pairs, seed 202 (shared with the other kinds)
TEST=$KDATA/test                                 # 200 pairs, 100 NG, seed 303, with masks (shared)
VAL=$KDATA/density-val                           # 120 pairs, 60 NG, seed 505: training-time sanity AP only
RUN=models/.work/density
EVAL_CSV=$KDATA/eval/density.csv
RECIPE=${RECIPE:-bundled}                        # bundled (run 3) | canary (run 5: train + eval only, never bundled)
if [[ $RECIPE == canary ]]; then
  RUN=models/.work/density-run5-canary
  STAGES=${STAGES:-"train eval"}
  [[ " $STAGES " != *" export "* && " $STAGES " != *" golden "* ]] || { echo "make_density_model: RECIPE=canary is not the bundled model: train/eval only"; exit 1; }
fi
STAGES=${STAGES:-"data train eval export golden"}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}   # pins edgeagent.created_utc (2026-01-01)

CROP=256; INPUT=128
NAME=density-cutpaste-synth; VERSION=1.0.0
OUT=models/default/density_cutpaste_synth.onnx

has() { [[ " $STAGES " == *" $1 "* ]]; }
gen() {  # gen DIR COUNT NG_FRACTION SEED MAX_SHIFT MAX_ANGLE [more generate options]
  rm -rf "$1"
  dotnet run --project src/EdgeAgent -c Release --no-build -- generate --out "$1" --count "$2" \
    --ng-fraction "$3" --seed "$4" --max-shift "$5" --max-angle "$6" "${@:7}"
}

if has data; then
  dotnet build src/EdgeAgent -c Release -v quiet -nologo
  gen $TRAIN 800 0   101 0.5 0.05
  gen $VAL   120 0.5 505 0.5 0.05
  gen $TRAIN300 200 0 131 0.5 0.05 --size 300
  gen $CANARY    40 0 3131 8 0.5 --size 300
  [[ -f $CALIB/labels.csv ]] || gen $CALIB 200 0 202 0.5 0.05
  [[ -f $TEST/READY ]] || { echo "make_density_model: $TEST/READY missing (the shared test set with masks is made by the pairseg branch's generator)"; exit 1; }
fi

if has train; then
  mkdir -p $RUN
  if [[ $RECIPE == canary ]]; then               # run 5: per-image standardisation, flipped squares, localisation loss, score = map max
    ARGS="--data $TRAIN,$TRAIN300 --norm image --flip-paste 0.5 --seg-weight 1 --score-from map --time-budget 720"
  else                                           # the bundled model (run 3)
    ARGS="--data $TRAIN --time-budget 540"
  fi
  nice -n 5 $PY models/train/train_density.py $ARGS --out-dir $RUN --crop $CROP --input $INPUT \
    --widths 16,32,64,128 --window 64 --jitter 0.3 --scar-scale 1 --steps 4000 --batch 16 --lr 1e-3 --seed 0 \
    --val $VAL --canary $CANARY \
    2>&1 | tee $RUN/train.log
fi

if has eval; then
  nice -n 5 $PY models/train/eval_density.py --weights $RUN/model.pth --gaussian $RUN/gaussian.npz \
    --crop $CROP --input $INPUT --calib $CALIB --test $TEST --out $RUN/metrics.json --canary $CANARY
fi

if has export; then
  TH=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['threshold'])" $RUN/metrics.json)
  TM=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['map_threshold'])" $RUN/metrics.json)
  mkdir -p models/default
  $PY models/export/export_density.py --weights $RUN/model.pth --gaussian $RUN/gaussian.npz \
    --crop $CROP --input $INPUT --threshold "$TH" --map-threshold "$TM" --name $NAME --version $VERSION --out $OUT \
    --description "Demo/test CutPaste-style density model for EdgeAgent's synthetic AOI pairs: narrow ResNet-18 layout (16-32-64-128) trained from scratch (normal/cut-paste/scar) on 800 generated OK images; score = Mahalanobis distance to a Ledoit-Wolf Gaussian of normal embeddings. Not for production data."
  # shared per-pair eval files, with the exported file's size/sha
  nice -n 5 $PY models/train/eval_density.py --weights $RUN/model.pth --gaussian $RUN/gaussian.npz \
    --crop $CROP --input $INPUT --calib $CALIB --test $TEST --out $RUN/metrics.json \
    --eval-csv $EVAL_CSV --train-log $RUN/train_log.json --model $OUT --canary $CANARY
  # model card
  $PY - $RUN/metrics.json $RUN/train_log.json $OUT <<'EOF'
import json, os, sys
sys.path.insert(0, "models/export")
import density as D
m, log, onnx_path = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
card = {
    "model": os.path.basename(onnx_path), "sha256": D.sha256_file(onnx_path),
    "size_bytes": os.path.getsize(onnx_path), "contract": D.CONTRACT, "kind": D.KIND,
    "params": m["params"], "threshold_rule": m["threshold_rule"],
    "map_threshold": m["map_threshold"], "map_threshold_rule": m["map_threshold_rule"],
    "data": {"generator": "dotnet run --project src/EdgeAgent -c Release -- generate",
             "train": "--count 800 --ng-fraction 0 --seed 101 --max-shift 0.5 --max-angle 0.05 (OK only, image only)",
             "canary_sim": "--count 40 --ng-fraction 0 --seed 3131 --size 300 (default misalignment 8 px / 0.5 deg): OK pairs for the simulated canary",
             "calibration": "--count 200 --ng-fraction 0 --seed 202 --max-shift 0.5 --max-angle 0.05",
             "test": "--count 200 --ng-fraction 0.5 --seed 303 --max-shift 0.5 --max-angle 0.05 (with masks)",
             "val": "--count 120 --ng-fraction 0.5 --seed 505 --max-shift 0.5 --max-angle 0.05 (training-time sanity AP only)"},
    "score_rule": m.get("score_rule"),
    "canary_sim": m.get("canary_sim"),
    "training": {k: log.get(k) for k in ("pairs", "pairs_by_folder", "steps", "train_s", "total_s", "stopped_by_budget", "final_loss", "final_acc", "gaussian")}
                | {"val": log.get("val")}
                | {"args": {k: log["args"].get(k) for k in ("steps", "batch", "lr", "weight_decay", "widths", "window", "jitter", "scar_scale", "norm", "flip_paste", "seg_weight", "score_from", "seed", "time_budget")}},
    "calibration": {k: v for k, v in m["calibration"].items()},
    "test": {k: v for k, v in m["test"].items()},
    "test_map_max_as_score": m["test_map_max_as_score"],
    "scored_by": "models/export/density.py DensityScore (float32), pairs not aligned",
}
out = os.path.splitext(onnx_path)[0] + ".json"
json.dump(card, open(out, "w"), indent=1)
print("wrote", out)
EOF
fi

if has golden; then
  GEN_NOTE="edgeagent generate --out models/golden/pairs --count 8 --ng-fraction 0.5 --seed 404 --max-shift 0 --max-angle 0"
  $PY models/golden/make_golden_density.py --model $OUT --weights $RUN/model.pth --gaussian $RUN/gaussian.npz \
    --pairs models/golden/pairs --out models/golden/density.json --generator "$GEN_NOTE"
fi
echo "make_density_model: done ($STAGES)"
