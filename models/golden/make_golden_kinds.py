"""Golden numbers of a `pairseg` or `classifier` model for the C# parity test (/work/kinds-contract.md).

    /usr/bin/python3 models/golden/make_golden_kinds.py --model models/default/pairseg_unet_synth.onnx \
        --weights models/.work/pairseg/pairseg.pth --pairs models/golden/pairs --out models/golden/pairseg.json

Every parameter (crop, input, threshold, min_area, classes, defect_classes) is read from the model's
edgeagent.* metadata, and the .pth must hash to edgeagent.weights_sha256, so the file always
describes the model it names. Outputs come from the PyTorch module (float32) on exactly the agent's
crops (centre C x C, INTER_AREA to R); the decision rules are the contract's (kinds.py). As a
cross-check the ONNX graph itself is executed on the same crops (models/export/onnx_eval.py) and
must agree to 1e-4. Fails if any verdict is a coin toss: a classifier score within --min-margin of
the threshold, or a pairseg verdict that changes when t moves by +-min-margin (the pairseg score
itself sits just under t whenever a speck exists, by the contract's rule, so its distance to t is no test).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys

import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import kinds  # noqa: E402
import onnx_eval  # noqa: E402

RULES = {
    "pairseg": ("regions = 8-connected components of {p >= threshold} on the R x R anomaly_map; regions with "
                "area < min_area are specks; score = max of anomaly_map after the specks' pixels are set to 0"),
    "classifier": "score = sum of class_probs over defect_classes",
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--pairs", required=True, help="generator output dir with labels.csv")
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-margin", type=float, default=5e-3)
    ap.add_argument("--generator", default="", help="generator command line, recorded in the file")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)

    model = onnx.load(a.model)
    meta = {p.key: p.value for p in model.metadata_props}
    kind = meta.get("edgeagent.kind")
    if kind not in RULES or meta.get("edgeagent.contract") != {"pairseg": kinds.PAIRSEG_CONTRACT, "classifier": kinds.CLASSIFIER_CONTRACT}[kind]:
        raise SystemExit(f"make_golden_kinds: {a.model} is not a pairseg/classifier model ({meta.get('edgeagent.contract')!r})")
    if kinds.sha256_file(a.weights) != meta["edgeagent.weights_sha256"]:
        raise SystemExit(f"make_golden_kinds: {a.weights} is not the checkpoint the model was exported from (sha256 differs)")
    net, _ = kinds.load_checkpoint(a.weights, kind)
    crop, inp, th = int(meta["edgeagent.crop"]), int(meta["edgeagent.input"]), float(meta["edgeagent.threshold"])
    params = {"crop": crop, "input": inp, "threshold": th}
    if kind == "pairseg":
        params["min_area"] = int(meta["edgeagent.min_area"])
    else:
        params["classes"] = meta["edgeagent.classes"].split(",")
        params["defect_classes"] = meta["edgeagent.defect_classes"].split(",")
    graph_inputs = {i.name for i in model.graph.input}

    out_dir = os.path.dirname(os.path.abspath(a.out))
    with open(os.path.join(a.pairs, "labels.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    entries, worst = [], 0.0
    for r in rows:
        t, im, _ = kinds.read_pair(a.pairs, {k: v for k, v in r.items() if k != "mask"})
        feeds = {"image": kinds.crop_resize(im, crop, inp)[None], "template": kinds.crop_resize(t, crop, inp)[None, :, :, None]}
        with torch.no_grad():
            y = net(torch.from_numpy(feeds["image"]), torch.from_numpy(feeds["template"])).numpy()[0]
        g = onnx_eval.run(model, {k: v for k, v in feeds.items() if k in graph_inputs})
        worst = max(worst, float(np.abs(g["anomaly_map" if kind == "pairseg" else "class_probs"][0] - y).max()))
        tp, ip = os.path.join(a.pairs, r["template"]), os.path.join(a.pairs, r["image"])
        e = {"id": r["id"], "product": r["product"],
             "template": os.path.relpath(os.path.abspath(tp), out_dir).replace(os.sep, "/"),
             "image": os.path.relpath(os.path.abspath(ip), out_dir).replace(os.sep, "/"),
             "label": r["label"], "defect": r.get("defect", "")}
        if kind == "pairseg":
            score, regions, _ = kinds.pairseg_decision(y[0], th, params["min_area"])
            e["score"] = round(score, 7)
            e["regions"] = [{**reg, "max": round(reg["max"], 7)} for reg in regions]
        else:
            score = kinds.classifier_score(y, params["classes"], params["defect_classes"])
            e["score"] = round(score, 7)
            e["class_probs"] = [round(float(v), 7) for v in y]
        e["verdict"] = "NG" if score >= th else "OK"
        if kind == "pairseg":
            # The contract's pairseg score hugs t from below whenever a speck exists (the speck's pixels
            # >= t are zeroed, the next-highest pixel is just under t), so |score - t| says nothing about
            # a coin toss. The equivalent test: the verdict must not change when every map value moves by
            # the margin, i.e. when t moves by it.
            flips = [d for d in (-a.min_margin, a.min_margin)
                     if (kinds.pairseg_decision(y[0], th + d, params["min_area"])[0] >= th + d) != (score >= th)]
            if flips:
                raise SystemExit(f"make_golden_kinds: {r['id']}: the verdict changes when t moves by {flips}; "
                                 f"a verdict there is a float32/float64 coin toss")
        elif abs(score - th) < a.min_margin:
            raise SystemExit(f"make_golden_kinds: {r['id']} scores {score:.5f}, within {a.min_margin} of the "
                             f"threshold {th}; a verdict there is a float32/float64 coin toss")
        entries.append(e)
        print(f"{r['id']:28s} {r['label']} {r.get('defect', ''):9s} score {score:.6f} -> {e['verdict']}"
              + (f" regions {[(x['x'], x['y'], x['w'], x['h'], x['area']) for x in e['regions']]}" if kind == "pairseg" else ""), flush=True)
    if worst > 1e-4:
        raise SystemExit(f"make_golden_kinds: exported graph disagrees with the torch module by {worst:.2e} (> 1e-4)")

    golden = {
        "contract": meta["edgeagent.contract"], "kind": kind,
        "model": os.path.relpath(os.path.abspath(a.model), out_dir).replace(os.sep, "/"),
        "model_file": os.path.basename(a.model),
        "model_sha256": kinds.sha256_file(a.model),
        "name": meta["edgeagent.name"], "version": meta["edgeagent.version"],
        "params": params,
        "score_rule": RULES[kind],
        "verdict_rule": "NG iff score >= threshold",
        "tolerance": {"score": 1e-3} | ({"class_probs": 1e-3} if kind == "classifier" else {"region_max": 1e-3}),
        "computed_by": f"models/golden/make_golden_kinds.py: PyTorch module (float32) on the agent's crops; exported graph "
                       f"cross-checked to {worst:.1e} with models/export/onnx_eval.py",
        "pairs_generator": a.generator,
        "pairs": entries,
    }
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {a.out}: {len(entries)} pairs, graph-vs-torch max |diff| {worst:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
