#!/usr/bin/env bash
# Rebuilds the bundled default model and the golden files end to end:
#   generate (C# generator) -> train -> threshold/metrics -> export -> contract-test model -> golden.
# Run from anywhere; takes ~25 min on 2 CPU cores (training ~13 min). Trained .pth files and the
# generated training/held-out data stay in models/.work/ (git-ignored).
#
#   models/train/make_default_model.sh            # everything
#   STAGES="export golden" models/train/make_default_model.sh   # re-run some stages only
set -euo pipefail
cd "$(dirname "$0")/../.."                       # repository root
PY=/usr/bin/python3                              # Debian's Python with torch (not the pyenv one)
WORK=models/.work
DATA=$WORK/data
RUN=$WORK/default
CONTRACT=$WORK/contract
STAGES=${STAGES:-"data train eval export golden"}
# Pins edgeagent.created_utc, so a re-export of the same weights gives the same bytes.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}   # 2026-01-01T00:00:00Z

# Geometry and fusion of the default model (models/README.md).
ARCH=resnet18; CROP=256; INPUT=256; PAD=16; WEIGHTS=0.5,1,0.5; MASK=gaussian:0.25
NAME=stpm-r18-synth; VERSION=1.0.0; OOD_VERSION=1.1.0  # 1.1.0 = 1.0.0 + the out-of-distribution output
OUT=models/default/stpm_r18_synth.onnx
GEOM=(--arch $ARCH --crop $CROP --input $INPUT --pad $PAD --layer-weights $WEIGHTS --mask $MASK)

has() { [[ " $STAGES " == *" $1 "* ]]; }
gen() {  # gen DIR COUNT NG_FRACTION SEED MAX_SHIFT MAX_ANGLE
  rm -rf "$1"
  dotnet run --project src/EdgeAgent -c Release --no-build -- generate --out "$1" --count "$2" \
    --ng-fraction "$3" --seed "$4" --max-shift "$5" --max-angle "$6"
}

if has data; then
  dotnet build src/EdgeAgent -c Release -v quiet -nologo   # once; gen() runs with --no-build
  # Nearly registered pairs (the agent aligns to <= 0.5 px before the model sees them).
  gen $DATA/train 800 0   101 0.5 0.05     # training: OK only
  gen $DATA/calib 200 0   202 0.5 0.05     # threshold calibration: OK only
  gen $DATA/test  200 0.5 303 0.5 0.05     # reported figures: 100 OK + 100 NG
  gen models/golden/pairs 8 0.5 404 0 0    # golden pairs: exactly registered
  # The generator's output depends on its source; fingerprint it for the model card.
  cat $(find src/EdgeAgent.Vision/Synthetic -name '*.cs' | LC_ALL=C sort) | sha256sum | cut -d' ' -f1 > $DATA/generator_sha256.txt
fi

if has train; then
  mkdir -p $RUN
  $PY models/train/train_stpm.py --data $DATA/train --out-dir $RUN --arch $ARCH \
    --crop $CROP --input $INPUT --pad $PAD --epochs 2 --batch 8 --lr 3e-4 \
    --teacher-seed 20240601 --student-init teacher --calib-batches 8 --seed 0 --time-budget 840 \
    2>&1 | tee $RUN/train.log
fi

if has eval; then
  $PY models/train/evaluate.py --teacher $RUN/teacher.pth --student $RUN/student.pth "${GEOM[@]}" \
    --calib $DATA/calib --test $DATA/test --out $RUN/metrics.json
fi

if has export; then
  TH=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['threshold'])" $RUN/metrics.json)
  mkdir -p models/default
  $PY models/export/export_stpm.py "${GEOM[@]}" --teacher $RUN/teacher.pth --student $RUN/student.pth \
    --threshold "$TH" --name $NAME --version $VERSION --out $RUN/plain.onnx \
    --description "Demo/test STPM (ResNet18 layer1-3) for EdgeAgent's synthetic AOI pairs. Random-init teacher (seed 20240601, BN calibrated on synthetic templates), student trained on 800 generated OK pairs. Not for production data."
  # What the model knows: its training products and the layer-1 feature statistics of 300 training pairs (README, "Knowing when not to vouch").
  $PY models/export/attach_ood.py --model $RUN/plain.onnx --train $DATA/train --calib $DATA/calib --products UBM,M1 \
    --max-pairs 300 --version $OOD_VERSION --out $OUT
  # Model card: parameters, data, training and held-out figures (per-pair scores stay in $RUN).
  $PY - $RUN/metrics.json $RUN/train_log.json $OUT <<'EOF'
import json, os, sys
sys.path.insert(0, "models/export")
import stpm
m, log, onnx_path = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
card = {
    "model": os.path.basename(onnx_path), "sha256": stpm.sha256_file(onnx_path),
    "size_bytes": os.path.getsize(onnx_path), "params": m["params"],
    "threshold_rule": m["threshold_rule"],
    "data": {"generator": "dotnet run --project src/EdgeAgent -c Release -- generate",
             "generator_source_sha256": open("models/.work/data/generator_sha256.txt").read().strip(),
             "train": "--count 800 --ng-fraction 0 --seed 101 --max-shift 0.5 --max-angle 0.05 (OK only)",
             "calibration": "--count 200 --ng-fraction 0 --seed 202 --max-shift 0.5 --max-angle 0.05",
             "test": "--count 200 --ng-fraction 0.5 --seed 303 --max-shift 0.5 --max-angle 0.05"},
    "training": {k: log[k] for k in ("pairs", "steps", "train_s", "total_s", "stopped_by_budget", "epochs")}
                | {"args": {k: log["args"][k] for k in ("epochs", "batch", "lr", "teacher_seed", "student_init", "calib_batches", "seed")}},
    "calibration": {k: v for k, v in m["calibration"].items()},
    "test": {k: v for k, v in m["test"].items()},
    "scored_by": "models/export/reference.py (float32), registered pairs",
}
out = os.path.splitext(onnx_path)[0] + ".json"
json.dump(card, open(out, "w"), indent=1)
print("wrote", out)
EOF
fi

if has golden; then
  # Contract-test model: random teacher/student (fixed seeds), the other code paths (R != C, centre mask).
  mkdir -p $CONTRACT
  $PY models/export/random_backbone.py --arch resnet18 --seed 11 --out $CONTRACT/teacher.pth
  $PY models/export/random_backbone.py --arch resnet18 --seed 12 --out $CONTRACT/student.pth
  $PY models/export/export_stpm.py --arch resnet18 --teacher $CONTRACT/teacher.pth --student $CONTRACT/student.pth \
    --crop 320 --input 160 --pad 8 --layer-weights 1,1,1 --mask centre:0.5 --threshold 1.885 \
    --name stpm-r18-c320-r160-contract --version 1.0.0 --out models/golden/stpm_r18_c320_r160.onnx \
    --description "Contract-test model only: random-init teacher (seed 11) and student (seed 12); scores are meaningless."
  GEN_NOTE="edgeagent generate --out models/golden/pairs --count 8 --ng-fraction 0.5 --seed 404 --max-shift 0 --max-angle 0"
  $PY models/golden/make_golden.py --model $OUT --teacher $RUN/teacher.pth --student $RUN/student.pth \
    --pairs models/golden/pairs --out models/golden/golden.json --generator "$GEN_NOTE"
  $PY models/golden/make_golden.py --model models/golden/stpm_r18_c320_r160.onnx \
    --teacher $CONTRACT/teacher.pth --student $CONTRACT/student.pth \
    --pairs models/golden/pairs --out models/golden/golden_c320_r160.json --generator "$GEN_NOTE"
fi
echo "make_default_model: done ($STAGES)"
