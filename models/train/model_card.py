"""Model card (models/default/<file>.json) and the common eval JSON of a pairseg / classifier model.

    /usr/bin/python3 models/train/model_card.py --kind pairseg --onnx models/default/X.onnx \
        --metrics RUN/metrics.json --train-log RUN/train_log.json [--export-log RUN/export.log] \
        [--generator-sha FILE] [--eval-json /work/kinds-data/eval/pairseg.json] --data "TEXT"

The card carries the parameters, the threshold rule, data, training and held-out figures (no per-pair
scores: those stay in RUN/metrics.json and the eval CSV); the eval JSON carries the figures the
combined table (evaluate_kinds.py) and the lead need: NG AP, recall at 1 % overkill, recall and
overkill at the bundled threshold, mean IoU, model size, training wall time, parameters.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import kinds  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", required=True, choices=("pairseg", "classifier"))
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--train-log", required=True)
    ap.add_argument("--export-log", default="")
    ap.add_argument("--generator-sha", default="")
    ap.add_argument("--eval-json", default="")
    ap.add_argument("--data", default="")
    ap.add_argument("--canary", default="", help="canary_sim.py --out JSON: the Python replay of the agent's canary, recorded in the card")
    ap.add_argument("--agent-canary", default="", help="free text: what the agent's own canary (the Push_Bundled test) reported")
    ap.add_argument("--history", default="", help="free text: the training stages before the last (whose log is --train-log)")
    a = ap.parse_args(argv)
    m, log = json.load(open(a.metrics)), json.load(open(a.train_log))
    meta = {p.key: p.value for p in onnx.load(a.onnx).metadata_props}
    graph_diff = None
    if a.export_log and os.path.exists(a.export_log):
        hit = re.search(r"onnx graph vs torch max\|diff\| = ([0-9.eE+-]+)", open(a.export_log).read())
        graph_diff = float(hit.group(1)) if hit else None
    training = {k: log.get(k) for k in ("pairs", "pairs_ng", "pairs_ok", "per_class", "steps", "stopped_by_budget", "train_s", "total_s", "params", "val") if k in log}
    training["args"] = {k: v for k, v in log["args"].items() if k not in ("ng", "ok", "data", "out_dir", "val")}
    card = {
        "model": os.path.basename(a.onnx), "sha256": kinds.sha256_file(a.onnx), "size_bytes": os.path.getsize(a.onnx),
        "contract": meta["edgeagent.contract"], "kind": a.kind, "name": meta["edgeagent.name"], "version": meta["edgeagent.version"],
        "arch": meta["edgeagent.arch"], "params": m["params"], "threshold_rule": m["threshold_rule"],
        "data": {"generator": "dotnet run --project src/EdgeAgent -c Release -- generate", "sets": a.data}
                | ({"generator_source_sha256": open(a.generator_sha).read().strip()} if a.generator_sha and os.path.exists(a.generator_sha) else {}),
        "training": training,
        "calibration": {k: v for k, v in m["calibration"].items()},
        "test": {k: v for k, v in m["test"].items()},
        "extra": m.get("extra", {}),
        "graph_vs_torch_max_abs_diff": graph_diff,
        **({"training_history": a.history} if a.history else {}),
        **({"canary_replay": {k: v for k, v in json.load(open(a.canary)).items() if k not in ("ok_scores", "defect_scores")}}
           if a.canary and os.path.exists(a.canary) else {}),
        **({"agent_canary": a.agent_canary} if a.agent_canary else {}),
        "scored_by": "PyTorch module (float32) on the agent's crops, pairs as generated (no alignment); "
                     "models/train/evaluate_kind.py",
    }
    out = os.path.splitext(a.onnx)[0] + ".json"
    with open(out, "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    print("wrote", out)
    if a.eval_json:
        t = m["test"]
        ev = {"kind": a.kind, "model": os.path.basename(a.onnx), "threshold": m["threshold"], "params": m["params"],
              "ap_ng": t["ap_ng"], "recall_at_1pct_overkill": t["recall_at_1pct_overkill"],
              "recall_ng": t["recall_ng"], "overkill": t["overkill"], "mean_iou": t["mean_iou"],
              "recall_by_kind": t["recall_by_kind"], "iou_by_kind": t.get("iou_by_kind"),
              "model_size_bytes": os.path.getsize(a.onnx), "training_wall_s": log.get("train_s"),
              "training_total_s": log.get("total_s"), "parameters": log.get("params"),
              "threshold_rule": m["threshold_rule"], "pairs": t["pairs"], "extra": m.get("extra", {})}
        with open(a.eval_json, "w") as f:
            json.dump(ev, f, indent=1)
        print("wrote", a.eval_json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
