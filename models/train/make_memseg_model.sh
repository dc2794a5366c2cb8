#!/usr/bin/env bash
# Rebuilds the bundled MemSeg model (contract memseg-map/1) end to end:
#   generate (C# generator) -> train BOTH memory variants (template, baked:4) -> evaluate both on a
#   validation set and on the test set -> pick the better one on validation -> export -> golden.
# ~25 min on 2 busy CPU cores (two 9-min trainings side by side, one thread each). Trained .pth
# files, data and per-pair scores stay in models/.work/memseg/ (git-ignored) unless overridden.
#
#   models/train/make_memseg_model.sh                       # everything
#   STAGES="export golden" models/train/make_memseg_model.sh
#   TRAIN=/x/train CALIB=/x/calib VAL=/x/val TEST=/x/test RUN=/x/runs models/train/make_memseg_model.sh
set -euo pipefail
cd "$(dirname "$0")/../.."                       # repository root
PY=/usr/bin/python3                              # Debian's Python with torch (not the pyenv one)
WORK=models/.work/memseg
TRAIN=${TRAIN:-$WORK/data/train}; CALIB=${CALIB:-$WORK/data/calib}
VAL=${VAL:-$WORK/data/val};       TEST=${TEST:-$WORK/data/test}
RUN=${RUN:-$WORK/runs}
STAGES=${STAGES:-"data train eval choose export golden"}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}   # pins edgeagent.created_utc (2026-01-01)

CROP=256; INPUT=128; BANK=4; BUDGET=${BUDGET:-540}
NAME=memseg-synth; VERSION=1.0.0
OUT=models/default/memseg_synth.onnx

has() { [[ " $STAGES " == *" $1 "* ]]; }
gen() {  # gen DIR COUNT NG_FRACTION SEED
  rm -rf "$1"
  dotnet run --project src/EdgeAgent -c Release --no-build -- generate --out "$1" --count "$2" \
    --ng-fraction "$3" --seed "$4" --max-shift 0.5 --max-angle 0.05
}

if has data; then
  dotnet build src/EdgeAgent -c Release -v quiet -nologo
  gen $TRAIN 400 0   101     # training: OK only (as STPM's seed)
  gen $CALIB 200 0   202     # threshold calibration: OK only
  gen $VAL   100 0.5 505     # variant choice: 50 OK + 50 NG (not the test set)
  gen $TEST  200 0.5 303     # reported figures (the shared test set; masks only with a generator that writes them)
fi

if has train; then
  mkdir -p $RUN
  # both variants side by side, one thread each, same seeds and budget
  for m in template baked; do
    nice -n 5 $PY models/train/train_memseg.py --data $TRAIN --memory $m --bank-size $BANK --out $RUN/$m.pth \
      --crop $CROP --input $INPUT --steps 2000 --batch 8 --lr 2e-3 --time-budget $BUDGET --threads 1 \
      > $RUN/$m.log 2>&1 &
  done
  wait
  tail -n 2 $RUN/template.log $RUN/baked.log
fi

if has eval; then
  for m in template baked; do
    $PY models/train/evaluate_memseg.py --weights $RUN/$m.pth --crop $CROP --calib $CALIB --test $VAL --out $RUN/$m.val.json
    $PY models/train/evaluate_memseg.py --weights $RUN/$m.pth --crop $CROP --calib $CALIB --test $TEST \
      --out $RUN/$m.test.json --csv $RUN/$m.test.csv
  done
fi

if has choose; then
  # the choice: higher NG AP on the validation set (then recall at 1 % overkill); never the test set
  $PY - $RUN <<'EOF'
import json, sys
run = sys.argv[1]
v = {m: json.load(open(f"{run}/{m}.val.json"))["test"] for m in ("template", "baked")}
key = lambda m: (round(v[m]["ap_ng"], 3), v[m]["recall_at_1pct_overkill"])
best = max(v, key=key)
open(f"{run}/chosen.txt", "w").write(best + "\n")
print("validation:", {m: key(m) for m in v}, "-> chosen:", best)
EOF
fi

if has export; then
  M=$(cat $RUN/chosen.txt)
  TH=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['threshold'])" $RUN/$M.test.json)
  MEM=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['params']['memory'])" $RUN/$M.test.json)
  mkdir -p models/default
  $PY models/export/export_memseg.py --weights $RUN/$M.pth --memory $MEM --crop $CROP --input $INPUT \
    --threshold "$TH" --name $NAME --version $VERSION --out $OUT \
    --description "Demo/test MemSeg for EdgeAgent's synthetic AOI pairs: random-init half-width ResNet18 encoder (BN calibrated, frozen), memory $MEM, U-Net decoder trained on synthetic Perlin anomalies of generated OK pairs. Not for production data." \
    | tee $RUN/export.log
  $PY - $RUN $M $OUT <<'EOF'
import json, os, re, sys
sys.path.insert(0, "models/export")
import memseg
run, chosen, onnx_path = sys.argv[1:4]
ev = {m: json.load(open(f"{run}/{m}.test.json")) for m in ("template", "baked")}
val = {m: json.load(open(f"{run}/{m}.val.json"))["test"] for m in ("template", "baked")}
log = {m: json.load(open(f"{run}/{m}.json")) for m in ("template", "baked")}
diff = float(re.search(r"max\|diff\| = ([0-9.e+-]+)", open(f"{run}/export.log").read()).group(1))
keys = ("ap_ng", "recall_at_1pct_overkill", "recall_ng", "overkill", "mean_iou_ng", "recall_by_kind", "iou_by_kind",
        "ok_score_max", "ng_score_min", "ng_score_median")
def summary(m):
    return {"threshold": ev[m]["threshold"], "test": {k: ev[m]["test"].get(k) for k in keys},
            "validation": {k: val[m].get(k) for k in keys if k in val[m]},
            "train_s": log[m]["train_s"], "steps": log[m]["steps"]}
m = ev[chosen]
card = {
    "model": os.path.basename(onnx_path), "sha256": memseg.sha256_file(onnx_path),
    "size_bytes": os.path.getsize(onnx_path), "contract": memseg.CONTRACT, "arch": memseg.ARCH,
    "params": m["params"], "threshold_rule": m["threshold_rule"],
    "data": {"generator": "dotnet run --project src/EdgeAgent -c Release -- generate (--max-shift 0.5 --max-angle 0.05)",
             "train": "--count 400 --ng-fraction 0 --seed 101 (OK only; baked memory: 4 of them, kept out of training)",
             "calibration": "--count 200 --ng-fraction 0 --seed 202",
             "validation (variant choice)": "--count 100 --ng-fraction 0.5 --seed 505",
             "test": "--count 200 --ng-fraction 0.5 --seed 303 (with defect masks)"},
    "training": {k: log[chosen][k] for k in ("pairs", "steps", "train_s", "total_s", "stopped_by_budget")}
                | {"args": {k: log[chosen]["args"][k] for k in ("memory", "bank_size", "batch", "lr", "anomaly_p",
                                                                "encoder_seed", "seed", "time_budget", "threads")}},
    "calibration": {k: v for k, v in m["calibration"].items() if k in ("pairs", "overkill", "ok_score_max", "ok_score_p99_5")},
    "test": {k: v for k, v in m["test"].items()},
    "graph_vs_torch_max_abs_diff": diff,
    "variants": {"chosen": chosen, "rule": "higher NG AP on the validation set (seed 505), then recall at 1 % overkill",
                 "template": summary("template"), "baked:4": summary("baked")},
    "scored_by": "models/train/evaluate_memseg.py (PyTorch float32), agent's crop without alignment",
}
out = os.path.splitext(onnx_path)[0] + ".json"
json.dump(card, open(out, "w"), indent=1)
print("wrote", out)
EOF
fi

if has golden; then
  M=$(cat $RUN/chosen.txt)
  $PY models/golden/make_golden_memseg.py --model $OUT --weights $RUN/$M.pth --pairs models/golden/pairs \
    --out models/golden/memseg.json \
    --generator "edgeagent generate --out models/golden/pairs --count 8 --ng-fraction 0.5 --seed 404 --max-shift 0 --max-angle 0"
fi
if has publish; then
  # per-pair results of the bundled model on the test set + summary, in the shared eval format
  EVAL_DIR=${EVAL_DIR:-$RUN/eval}; mkdir -p $EVAL_DIR
  M=$(cat $RUN/chosen.txt)
  cp $RUN/$M.test.csv $EVAL_DIR/memseg.csv
  $PY - $OUT $EVAL_DIR/memseg.json <<'EOF'
import json, os, sys
card = json.load(open(os.path.splitext(sys.argv[1])[0] + ".json"))
t = card["test"]
out = {"kind": "memseg", "model": card["model"], "sha256": card["sha256"], "contract": card["contract"],
       "test_set": "generate --count 200 --ng-fraction 0.5 --seed 303 --max-shift 0.5 --max-angle 0.05 (no alignment)",
       "ap_ng": t["ap_ng"], "recall_at_1pct_overkill": t["recall_at_1pct_overkill"],
       "threshold": card["params"]["threshold"], "recall_at_threshold": t["recall_ng"], "overkill_at_threshold": t["overkill"],
       "mean_iou_ng": t.get("mean_iou_ng"),
       "iou_rule": "{p >= threshold} on the R x R map vs the generator mask, centre-cropped C and INTER_AREA-resized to R, >= 128",
       "recall_by_kind": t["recall_by_kind"], "iou_by_kind": t.get("iou_by_kind"),
       "model_size_bytes": card["size_bytes"], "training_wall_s": card["training"]["train_s"],
       "training_total_s": card["training"]["total_s"], "params": card["params"] | {"arch": card["arch"]},
       "threshold_rule": card["threshold_rule"], "variants": card["variants"]}
json.dump(out, open(sys.argv[2], "w"), indent=1)
print("wrote", sys.argv[2])
EOF
fi
echo "make_memseg_model: done ($STAGES)"
