#!/usr/bin/env bash
# Rebuilds the bundled defect classifier, its figures and its golden file end to end:
#   generate (C# generator) -> train -> calibrate + evaluate -> export -> golden.
# Run from anywhere after make_pairseg_model.sh (the classifier is a head on its segmenter); ~5 min on 2
# quiet CPU cores.
# Shares the generated training data with make_pairseg_model.sh (models/.work/pairseg/data): the
# same 600 NG (seed 505) + 300 OK (seed 101) pairs, labelled by defect kind.
#
#   models/train/make_classifier_model.sh                   # everything
#   STAGES="export golden" models/train/make_classifier_model.sh
set -euo pipefail
cd "$(dirname "$0")/../.."                       # repository root
PY=/usr/bin/python3
WORK=models/.work/classifier
DATA=models/.work/pairseg/data
KINDS_DATA=${KINDS_DATA:-/work/kinds-data}
STAGES=${STAGES:-"data train eval export golden"}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}

CROP=256; INPUT=256
SEG=models/.work/pairseg/pairseg.pth             # the bundled classifier is a head on the segmenter (README)
NAME=classifier-seghead-synth; VERSION=1.1.0
OUT=models/default/classifier_seghead_synth.onnx

has() { [[ " $STAGES " == *" $1 "* ]]; }
gen() {
  rm -rf "$1"
  dotnet run --project src/EdgeAgent -c Release --no-build -- generate --out "$1" --count "$2" \
    --ng-fraction "$3" --seed "$4" --max-shift 0.5 --max-angle 0.05
}

if has data; then
  dotnet build src/EdgeAgent -c Release -v quiet -nologo
  [[ -f $DATA/train-ng/labels.csv ]] || gen $DATA/train-ng 600 1 505
  [[ -f $DATA/train-ok/labels.csv ]] || gen $DATA/train-ok 300 0 101
  [[ -f $DATA/calib/labels.csv ]]    || gen $DATA/calib 200 0 202
  [[ -f $DATA/val/labels.csv ]]      || gen $DATA/val 120 0.5 606   # the template / no-template check
  [[ -f $KINDS_DATA/test/READY ]] || { gen $KINDS_DATA/test 200 0.5 303 && touch $KINDS_DATA/test/READY; }
  mkdir -p $WORK
  cat $(find src/EdgeAgent.Vision/Synthetic -name '*.cs' | LC_ALL=C sort) | sha256sum | cut -d' ' -f1 > $WORK/generator_sha256.txt
fi

if has train; then
  # needs make_pairseg_model.sh's checkpoint first
  nice -n 5 $PY models/train/train_classifier.py --data $DATA/train-ng --data $DATA/train-ok --out-dir $WORK \
    --seg-head $SEG --crop $CROP --input $INPUT --hidden 32 --steps 300 --lr 1e-2 --label-smoothing 0.1 --rotations 1 --seed 0 --paste 600 \
    --threads 2 --val $DATA/val 2>&1 | tee $WORK/train.log
fi

if has eval; then
  mkdir -p $KINDS_DATA/eval
  nice -n 5 $PY models/train/evaluate_kind.py --kind classifier --weights $WORK/classifier.pth --crop $CROP --input $INPUT \
    --quantile 0.98 --calib $DATA/calib --test $KINDS_DATA/test --out $WORK/metrics.json --eval-csv $KINDS_DATA/eval/classifier.csv
fi

if has export; then
  TH=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['threshold'])" $WORK/metrics.json)
  $PY models/export/export_classifier.py --weights $WORK/classifier.pth --crop $CROP --input $INPUT --threshold "$TH" \
    --name $NAME --version $VERSION --out $OUT \
    --description "Demo/test defect classifier for EdgeAgent's synthetic AOI pairs: a small head on the frozen bundled pair segmenter's features (gray image + gray template); classes ok,particle,scratch,missing,extra,stain,patch; head trained on 600 generated NG + 300 OK pairs + 600 copies of its OK pairs with canary-like pasted pseudo-defects (labelled patch). Not for production data." \
    2>&1 | tee $WORK/export.log
  $PY models/train/model_card.py --kind classifier --onnx $OUT --metrics $WORK/metrics.json --train-log $WORK/train_log.json \
    --export-log $WORK/export.log --generator-sha $WORK/generator_sha256.txt --eval-json $KINDS_DATA/eval/classifier.json \
    --data "train: --count 600 --ng-fraction 1 --seed 505 and --count 300 --ng-fraction 0 --seed 101; val: --count 120 --ng-fraction 0.5 --seed 606; calibration: --count 200 --ng-fraction 0 --seed 202; test: --count 200 --ng-fraction 0.5 --seed 303 (all --max-shift 0.5 --max-angle 0.05)"
fi

if has golden; then
  $PY models/golden/make_golden_kinds.py --model $OUT --weights $WORK/classifier.pth --pairs models/golden/pairs \
    --out models/golden/classifier.json \
    --generator "edgeagent generate --out models/golden/pairs --count 8 --ng-fraction 0.5 --seed 404 --max-shift 0 --max-angle 0"
fi
echo "make_classifier_model: done ($STAGES)"
