"""Golden numbers of a "density-score/1" model for the C# parity test (/work/kinds-contract.md).

    /usr/bin/python3 models/golden/make_golden_density.py --model models/default/density_cutpaste_pair_synth.onnx \
        --weights models/.work/density-pair/model.pth --gaussian models/.work/density-pair/gaussian.npz \
        --pairs models/golden/pairs --out models/golden/density.json

Crop and input size and the threshold are read from the model's edgeagent.* metadata; the .pth and
.npz must hash to edgeagent.weights_sha256 / edgeagent.gaussian_sha256. Scores are computed in
PyTorch in float64 (the exported module with its float32 constants, run in double precision) on the
agent's crops (centre C, INTER_AREA to R; the template too when the graph takes it); the ONNX graph
itself is executed on the same crops with models/export/onnx_eval.py as a cross-check (must agree to 1e-4). Fails if any score lies
within --min-margin of the threshold.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys

import cv2
import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import density as D  # noqa: E402
import onnx_eval  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--gaussian", required=True)
    ap.add_argument("--pairs", required=True, help="generator output dir with labels.csv")
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-margin", type=float, default=5e-3)
    ap.add_argument("--generator", default="", help="generator command line, recorded in the file")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)

    model = onnx.load(a.model)
    meta = {p.key: p.value for p in model.metadata_props}
    if meta.get("edgeagent.contract") != D.CONTRACT:
        raise SystemExit(f"make_golden_density: model contract {meta.get('edgeagent.contract')!r} != {D.CONTRACT!r}")
    for key, path in (("weights", a.weights), ("gaussian", a.gaussian)):
        if D.sha256_file(path) != meta[f"edgeagent.{key}_sha256"]:
            raise SystemExit(f"make_golden_density: {path} is not the {key} file the model was exported from")
    crop, size, th = int(meta["edgeagent.crop"]), int(meta["edgeagent.input"]), float(meta["edgeagent.threshold"])
    outputs = [o.name for o in model.graph.output]
    with_map = "anomaly_map" in outputs
    pair = "template" in [i.name for i in model.graph.input]
    module = (D.build_pair_module(a.weights, a.gaussian, size) if pair
              else D.build_module(a.weights, a.gaussian, with_map=with_map)).double()

    out_dir = os.path.dirname(os.path.abspath(a.out))
    with open(os.path.join(a.pairs, "labels.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    entries, worst = [], 0.0
    for r in rows:
        tp, ip = os.path.join(a.pairs, r["template"]), os.path.join(a.pairs, r["image"])
        im = cv2.imread(ip, cv2.IMREAD_UNCHANGED)
        if im is None or im.dtype != np.uint8 or im.ndim != 3 or im.shape[2] != 3:
            raise SystemExit(f"make_golden_density: {ip} is not an 8-bit BGR image")
        feeds = {"image": D.crop_resize(im, crop, size)[None]}
        if pair:
            tm = cv2.imread(tp, cv2.IMREAD_GRAYSCALE)
            if tm is None:
                raise SystemExit(f"make_golden_density: cannot read the template {tp}")
            feeds["template"] = D.crop_resize(tm, crop, size)[None, :, :, None]
        with torch.no_grad():
            out = module(*(torch.from_numpy(v) for v in feeds.values()))
        s64, m64 = (out[0], out[1]) if with_map else (out, None)
        score = float(s64[0, 0])
        g = onnx_eval.run(model, feeds)
        worst = max(worst, abs(float(g["score"][0, 0]) - score))
        if with_map:
            worst = max(worst, float(np.abs(g["anomaly_map"].astype(np.float64) - m64.numpy()).max()))
        if abs(score - th) < a.min_margin:
            raise SystemExit(f"make_golden_density: {r['id']} scores {score:.5f}, within {a.min_margin} of the "
                             f"threshold {th}; pick other pairs")
        e = {"id": r["id"], "product": r["product"],
             "template": os.path.relpath(os.path.abspath(tp), out_dir).replace(os.sep, "/"),
             "image": os.path.relpath(os.path.abspath(ip), out_dir).replace(os.sep, "/"),
             "label": r["label"], "defect": r.get("defect", ""),
             "score": round(score, 7), "verdict": "NG" if score >= th else "OK"}
        if with_map:
            e["map_max"] = round(float(m64.max()), 7)
        entries.append(e)
        print(f"{r['id']:28s} {r['label']} {r.get('defect', ''):9s} score {score:.6f}"
              + (f" map_max {e['map_max']:.5f}" if with_map else "") + f" -> {e['verdict']}", flush=True)
    if worst > 1e-4:
        raise SystemExit(f"make_golden_density: exported graph disagrees with torch by {worst:.2e} (> 1e-4)")

    golden = {
        "contract": D.CONTRACT, "kind": D.KIND,
        "model": os.path.relpath(os.path.abspath(a.model), out_dir).replace(os.sep, "/"),
        "model_file": os.path.basename(a.model),
        "model_sha256": D.sha256_file(a.model),
        "name": meta["edgeagent.name"], "version": meta["edgeagent.version"], "arch": meta["edgeagent.arch"],
        "params": {"crop": crop, "input": size, "threshold": th},
        "score_rule": "score = the model's `score` output ("
                      + (meta["edgeagent.score_rule"] if pair else
                         "max over the stage-3 positions of the patch Mahalanobis distance, computed in the graph"
                         if module.score_from == "map" else "Mahalanobis distance of the image embedding")
                      + "); inputs: " + ("the image and the gray template" if pair else "the image only")
                      + ", centre crop C, INTER_AREA to R if R != C",
        "verdict_rule": "NG iff score >= threshold",
        "tolerance": {"score": 1e-3} | ({"map_max": 1e-3} if with_map else {}),
        "map_max_rule": "max over the anomaly_map output (informational, not part of the verdict)" if with_map else None,
        "computed_by": f"PyTorch float64 (models/export/density.py {type(module).__name__}, .double()); exported graph "
                       f"cross-checked to {worst:.1e} with models/export/onnx_eval.py",
        "pairs_generator": a.generator,
        "pairs": entries,
    }
    if not with_map:
        del golden["map_max_rule"]
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {a.out}: {len(entries)} pairs, graph-vs-torch max |diff| {worst:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
