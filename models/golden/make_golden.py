"""Golden numbers for the C# parity test: reference scores of registered pairs under one model.

    /usr/bin/python3 models/golden/make_golden.py --model models/default/stpm_r18_synth.onnx \
        --teacher models/.work/default/teacher.pth --student models/.work/default/student.pth \
        --pairs models/golden/pairs --out models/golden/golden.json

All scoring parameters are read from the model's edgeagent.* metadata, so the golden file always
describes the model it names; the .pth files must hash to edgeagent.teacher_sha256/student_sha256.
Scores come from the float64 reference scorer (models/export/reference.py). As a cross-check the
ONNX graph itself is executed on the same crops (models/export/onnx_eval.py) and must agree to 1e-4.
Fails if any score lies within --min-margin of the threshold (a verdict there would be a coin toss
between float32 and float64).
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
import onnx_eval  # noqa: E402
import reference  # noqa: E402
import stpm  # noqa: E402

MASK_RULE = ("R x R mask, pixel (x, y) = (column, row), c = (R-1)/2, computed in double precision. "
             "none: 1. centre:rho: 1 iff |x-c| <= rho*R/2 and |y-c| <= rho*R/2, else 0. "
             "gaussian:sigma: exp(-((x-c)^2 + (y-c)^2) / (2*(sigma*R)^2)).")


def model_params(model: onnx.ModelProto) -> dict:
    meta = {p.key: p.value for p in model.metadata_props}
    if meta.get("edgeagent.contract") != stpm.CONTRACT:
        raise SystemExit(f"make_golden: model contract {meta.get('edgeagent.contract')!r} != {stpm.CONTRACT!r}")
    return meta


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--teacher", required=True)
    ap.add_argument("--student", required=True)
    ap.add_argument("--pairs", required=True, help="generator output dir with labels.csv")
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-margin", type=float, default=5e-3)
    ap.add_argument("--generator", default="", help="generator command line, recorded in the file")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)

    model = onnx.load(a.model)
    meta = model_params(model)
    for role, path in (("teacher", a.teacher), ("student", a.student)):
        if stpm.sha256_file(path) != meta[f"edgeagent.{role}_sha256"]:
            raise SystemExit(f"make_golden: {path} is not the {role} the model was exported from (sha256 differs)")
    arch = meta["edgeagent.arch"]
    params = stpm.ScoreParams(int(meta["edgeagent.crop"]), int(meta["edgeagent.input"]), int(meta["edgeagent.pad"]),
                              stpm.parse_weights(meta["edgeagent.layer_weights"]),
                              stpm.parse_mask(meta["edgeagent.mask"]), float(meta["edgeagent.threshold"]))
    scorer = reference.ReferenceScorer(stpm.load_backbone(arch, a.teacher, "teacher"),
                                       stpm.load_backbone(arch, a.student, "student"), params, torch.float64)
    mask = stpm.make_mask(params.mask, params.input)

    out_dir = os.path.dirname(os.path.abspath(a.out))
    with open(os.path.join(a.pairs, "labels.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    entries, worst = [], 0.0
    for r in rows:
        tp, ip = os.path.join(a.pairs, r["template"]), os.path.join(a.pairs, r["image"])
        t, im = reference.read_template(tp), reference.read_image(ip)
        ps = scorer.score_arrays(t, im)
        # cross-check: the exported graph on the agent-side crops, then steps 8-10 in float64
        feeds = {"template": reference.crop_resize(t, params.crop, params.input)[None, :, :, None],
                 "image": reference.crop_resize(im, params.crop, params.input)[None]}
        maps = onnx_eval.run(model, feeds)["layer_maps"][0].astype(np.float64)
        g_score = float((mask * sum(w * m for w, m in zip(params.layer_weights, maps))).max())
        g_layer = [float((mask * m).max()) for m in maps]
        worst = max(worst, abs(g_score - ps.score), *(abs(x - y) for x, y in zip(g_layer, ps.layer_max)))
        if abs(ps.score - params.threshold) < a.min_margin:
            raise SystemExit(f"make_golden: {r['id']} scores {ps.score:.5f}, within {a.min_margin} of the "
                             f"threshold {params.threshold}; pick other pairs")
        entries.append({
            "id": r["id"], "product": r["product"],
            "template": os.path.relpath(os.path.abspath(tp), out_dir).replace(os.sep, "/"),
            "image": os.path.relpath(os.path.abspath(ip), out_dir).replace(os.sep, "/"),
            "label": r["label"], "defect": r.get("defect", ""),
            "score": round(ps.score, 7), "layer_max": [round(x, 7) for x in ps.layer_max],
            "verdict": "NG" if ps.score >= params.threshold else "OK",
        })
        print(f"{r['id']:28s} {r['label']} {r.get('defect', ''):9s} score {ps.score:.6f} "
              f"layers {[round(x, 5) for x in ps.layer_max]} -> {entries[-1]['verdict']}", flush=True)
    if worst > 1e-4:
        raise SystemExit(f"make_golden: exported graph disagrees with the reference by {worst:.2e} (> 1e-4)")

    golden = {
        "contract": stpm.CONTRACT,
        "model": os.path.relpath(os.path.abspath(a.model), out_dir).replace(os.sep, "/"),
        "model_file": os.path.basename(a.model),
        "model_sha256": stpm.sha256_file(a.model),
        "name": meta["edgeagent.name"], "version": meta["edgeagent.version"], "arch": arch,
        "params": params.as_dict(),
        "mask_rule": MASK_RULE,
        "verdict_rule": "NG iff score >= threshold",
        "score_rule": "score = max over pixels of mask * sum_l w_l d_l; layer_max[l] = max over pixels of mask * d_l",
        "tolerance": {"score": 1e-3, "layer_max": 1e-3},
        "computed_by": "models/export/reference.py (float64); exported graph cross-checked to "
                       f"{worst:.1e} with models/export/onnx_eval.py",
        "pairs_generator": a.generator,
        "pairs": entries,
    }
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {a.out}: {len(entries)} pairs, graph-vs-reference max |diff| {worst:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
