"""Golden numbers of a MemSeg model (contract memseg-map/1) for the C# parity test.

    /usr/bin/python3 models/golden/make_golden_memseg.py --model models/default/memseg_synth.onnx \
        --weights W.pth --pairs models/golden/pairs --out models/golden/memseg.json

Every parameter (crop, input, threshold, memory) is read from the model's edgeagent.* metadata; the
.pth must hash to edgeagent.weights_sha256. Scores come from the PyTorch module (memseg.MemSegNet)
on exactly the agent's crops (centre C x C, INTER_AREA to R if R != C): score = max(anomaly_map),
NG iff score >= threshold. Cross-check: the ONNX graph itself (models/export/onnx_eval.py) on the
same crops must agree to 1e-4. Fails if any score lies within --min-margin of the threshold.
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
import memseg as M  # noqa: E402
import onnx_eval  # noqa: E402
import reference  # noqa: E402


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
    if meta.get("edgeagent.contract") != M.CONTRACT:
        raise SystemExit(f"make_golden_memseg: model contract {meta.get('edgeagent.contract')!r} != {M.CONTRACT!r}")
    if M.sha256_file(a.weights) != meta["edgeagent.weights_sha256"]:
        raise SystemExit(f"make_golden_memseg: {a.weights} is not the checkpoint the model was exported from")
    crop, r, th = int(meta["edgeagent.crop"]), int(meta["edgeagent.input"]), float(meta["edgeagent.threshold"])
    net = M.load_model(a.weights)
    tag = "template" if net.memory == "template" else f"baked:{net.bank_size}"
    if tag != meta["edgeagent.memory"] or net.r != r:
        raise SystemExit(f"make_golden_memseg: checkpoint memory {tag}/input {net.r} vs metadata "
                         f"{meta['edgeagent.memory']}/{r}")

    out_dir = os.path.dirname(os.path.abspath(a.out))
    with open(os.path.join(a.pairs, "labels.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    entries, worst = [], 0.0
    for row in rows:
        tp, ip = os.path.join(a.pairs, row["template"]), os.path.join(a.pairs, row["image"])
        t = reference.crop_resize(reference.read_template(tp), crop, r)[None, :, :, None]
        im = reference.crop_resize(reference.read_image(ip), crop, r)[None]
        feeds = {"image": im} | ({"template": t} if net.memory == "template" else {})
        with torch.no_grad():
            amap = net(*[torch.from_numpy(v) for v in feeds.values()])[0, 0].numpy()
        score = float(amap.max())
        g = onnx_eval.run(model, feeds)["anomaly_map"][0, 0]
        worst = max(worst, float(np.abs(g - amap).max()), abs(float(g.max()) - score))
        if abs(score - th) < a.min_margin:
            raise SystemExit(f"make_golden_memseg: {row['id']} scores {score:.5f}, within {a.min_margin} of the "
                             f"threshold {th}; pick other pairs")
        entries.append({
            "id": row["id"], "product": row["product"],
            "template": os.path.relpath(os.path.abspath(tp), out_dir).replace(os.sep, "/"),
            "image": os.path.relpath(os.path.abspath(ip), out_dir).replace(os.sep, "/"),
            "label": row["label"], "defect": row.get("defect", ""),
            "score": round(score, 7), "verdict": "NG" if score >= th else "OK",
        })
        print(f"{row['id']:28s} {row['label']} {row.get('defect', ''):9s} score {score:.6f} -> {entries[-1]['verdict']}",
              flush=True)
    if worst > 1e-4:
        raise SystemExit(f"make_golden_memseg: exported graph disagrees with torch by {worst:.2e} (> 1e-4)")
    golden = {
        "contract": M.CONTRACT, "kind": M.KIND,
        "model": os.path.relpath(os.path.abspath(a.model), out_dir).replace(os.sep, "/"),
        "model_file": os.path.basename(a.model),
        "model_sha256": M.sha256_file(a.model),
        "name": meta["edgeagent.name"], "version": meta["edgeagent.version"], "arch": meta["edgeagent.arch"],
        "params": {"crop": crop, "input": r, "threshold": th, "memory": meta["edgeagent.memory"]},
        "score_rule": "score = max over the R x R pixels of anomaly_map",
        "verdict_rule": "NG iff score >= threshold",
        "tolerance": {"score": 1e-3},
        "computed_by": "models/golden/make_golden_memseg.py: PyTorch module memseg.MemSegNet (float32) on the "
                       "agent's crops; exported graph cross-checked with models/export/onnx_eval.py to "
                       f"{worst:.1e}",
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
