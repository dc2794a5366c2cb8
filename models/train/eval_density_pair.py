"""Calibrate and evaluate a pair density model (run 7; models/README.md, "Density kind"): the torch
module = the exported graph's maths, image AND template, on the agent's crops (centre C, INTER_AREA to R).

    /usr/bin/python3 models/train/eval_density_pair.py --weights model.pth --gaussian gaussian.npz \
        --crop 256 --input 128 --calib CAL_DIR --test TEST_DIR --out metrics.json \
        [--canary DIR[,DIR2]] [--eval-csv /work/kinds-data/eval/density.csv] [--train-log L] [--model M.onnx]

Threshold rule (as STPM): ceil(1000*q)/1000, q = 99.5th percentile (numpy linear) of the calibration OK
scores. Test figures as eval_density.py (NG AP, recall @ 1 % overkill, recall/overkill at t, per kind);
IoU: the anomaly_map (R/8 or R/4 square) bilinearly upsampled to R x R, >= t (the score is the map's
maximum, so the map's pixels are judged by the same threshold), vs the generator's mask cropped/resized
identically (>= 128). Pairs are scored as they come (the held-out pairs are within 0.5 px / 0.05 deg).
Simulated canary: density.canary_paste (the agent's CanaryDefects.Paste geometry) on every OK pair of each
--canary folder, 10 placements per pair and kind, pasted into the image as generated and then aligned to the
template as the agent does before its crop (here with the generator's truth transform from labels.csv,
bilinear, instead of the agent's estimate); OK must stay < t, every pasted image must reach t.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
sys.path.insert(0, HERE)
import density as D  # noqa: E402
from eval_density import choose_threshold, iou, metrics  # noqa: E402
from train_density import read_rows  # noqa: E402


def align_truth(img: np.ndarray, row: dict) -> np.ndarray:
    """The image resampled into the template's frame with the generator's truth transform (image point p
    shows canvas point R.p + d about the centres; src/EdgeAgent.Vision/Synthetic/Camera.cs), bilinear
    like the agent's warp."""
    h, w = img.shape[:2]
    c = np.array([(w - 1) / 2.0, (h - 1) / 2.0])
    a = np.radians(float(row["angle_deg"]))
    rt = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])          # R transposed
    t = c - rt @ c - rt @ np.array([float(row["dx"]), float(row["dy"])])
    return cv2.warpAffine(img, np.hstack([rt, t[:, None]]), (w, h),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT101)


def read_pair(folder: str, row: dict, crop: int, size: int, image: np.ndarray | None = None):
    im = cv2.imread(os.path.join(folder, row["image"]), cv2.IMREAD_COLOR) if image is None else image
    tp = cv2.imread(os.path.join(folder, row["template"]), cv2.IMREAD_GRAYSCALE)
    return D.crop_resize(im, crop, size), D.crop_resize(tp, crop, size)[:, :, None]


@torch.no_grad()
def run(module: D.PairDensityScore, ims: list, tps: list):
    s, m = module(torch.from_numpy(np.stack(ims)), torch.from_numpy(np.stack(tps)))
    return s[:, 0].numpy().astype(np.float64), m


@torch.no_grad()
def score_dir(module: D.PairDensityScore, root: str, crop: int, size: int, bs: int = 50) -> list:
    rows = read_rows(root)
    out = []
    for i in range(0, len(rows), bs):
        chunk = rows[i:i + bs]
        crops = [read_pair(root, r, crop, size) for r in chunk]
        s, m = run(module, [c[0] for c in crops], [c[1] for c in crops])
        up = F.interpolate(m, size=(size, size), mode="bilinear", align_corners=False)
        for j, r in enumerate(chunk):
            out.append({"id": r["id"], "product": r["product"], "label": r["label"], "defect": r.get("defect", ""),
                        "score": float(s[j]), "_map": up[j, 0].numpy(), "mask": r.get("mask", "")})
    return out


def canary(module: D.PairDensityScore, folder: str, crop: int, size: int, th: float, per_pair: int = 10) -> dict:
    rng = np.random.default_rng(31)
    sc = {"ok": [], "cutpaste": [], "noise": []}
    for r in read_rows(folder):
        if r["label"] != "OK":
            continue
        img = cv2.imread(os.path.join(folder, r["image"]), cv2.IMREAD_COLOR)
        ok_im, tp = read_pair(folder, r, crop, size, align_truth(img, r))
        sc["ok"] += list(run(module, [ok_im], [tp])[0])
        for k in ("cutpaste", "noise"):
            ims = [D.crop_resize(align_truth(D.canary_paste(img, k, crop, rng), r), crop, size) for _ in range(per_pair)]
            sc[k] += list(run(module, ims, [tp] * per_pair)[0])
    res = {"folder": os.path.normpath(folder), "threshold": th, "ok_pairs": len(sc["ok"]),
           "ok_below": int(sum(x < th for x in sc["ok"])), "ok_max": float(max(sc["ok"]))}
    for k in ("cutpaste", "noise"):
        res[k] = {"caught": int(sum(x >= th for x in sc[k])), "of": len(sc[k]), "min": float(min(sc[k])),
                  "median": float(np.median(sc[k]))}
    res["passed"] = res["ok_below"] == res["ok_pairs"] and all(res[k]["caught"] == res[k]["of"] for k in ("cutpaste", "noise"))
    print(f"simulated canary on {folder}: OK {res['ok_below']}/{res['ok_pairs']} below t (max {res['ok_max']:.3f}), "
          f"cutpaste {res['cutpaste']['caught']}/{res['cutpaste']['of']} (min {res['cutpaste']['min']:.3f}, "
          f"median {res['cutpaste']['median']:.3f}), noise {res['noise']['caught']}/{res['noise']['of']} "
          f"(min {res['noise']['min']:.3f}) -> {'pass' if res['passed'] else 'FAIL'}", flush=True)
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--gaussian", required=True)
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--input", type=int, default=128)
    ap.add_argument("--calib", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--canary", default="", help="comma-separated folders of OK pairs for the simulated canary")
    ap.add_argument("--eval-csv", default="", help="write the shared per-pair CSV here (+ .json beside it)")
    ap.add_argument("--train-log", default="")
    ap.add_argument("--model", default="", help="the exported .onnx (for size/sha in the eval json)")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    t0 = time.time()
    module = D.build_pair_module(a.weights, a.gaussian, a.input)
    cal = score_dir(module, a.calib, a.crop, a.input)
    th = choose_threshold([r["score"] for r in cal if r["label"] == "OK"])
    test = score_dir(module, a.test, a.crop, a.input)
    ious = {}
    for r in test:
        r["iou"] = ""
        if r["label"] == "NG" and r["mask"]:
            m = D.crop_resize(cv2.imread(os.path.join(a.test, r["mask"]), cv2.IMREAD_GRAYSCALE), a.crop, a.input) >= 128
            r["iou"] = iou(r["_map"] >= th, m)
            ious.setdefault(r["defect"], []).append(r["iou"])
    all_iou = [v for vs in ious.values() for v in vs]
    t = metrics(test, th) | {"mean_iou": float(np.mean(all_iou)) if all_iou else float("nan"),
                             "iou_by_kind": {k: round(float(np.mean(v)), 3) for k, v in sorted(ious.items())}}
    enc = module.encoder
    params = {"crop": a.crop, "input": a.input, "widths": list(enc.widths), "stage": enc.stage,
              "map": f"{module.map_size}x{module.map_size}", "pool": module.pool, "centre": module.centre,
              "encoder_parameters": int(sum(v.numel() for v in enc.state_dict().values() if v.is_floating_point()))}
    score_rule = (f"score = max over the central {module.centre:g} of the anomaly_map (the {module.pool}x{module.pool} local mean "
                  f"of the Mahalanobis distance of d = f(gray image) - f(template) per stage-{enc.stage} position), computed in the graph")
    res = {"threshold": th,
           "threshold_rule": "ceil(1000*q)/1000, q = 99.5th percentile (numpy linear) of calibration-set OK scores",
           "params": params | {"threshold": th}, "score_rule": score_rule,
           "calibration": {"dir": os.path.normpath(a.calib)} | metrics(cal, th),
           "test": {"dir": os.path.normpath(a.test)} | t,
           "canary_sim": [canary(module, f, a.crop, a.input, th) for f in a.canary.split(",") if f],
           "eval_s": round(time.time() - t0, 1),
           "scores": {"calibration": [{k: v for k, v in r.items() if not k.startswith("_")} for r in cal],
                      "test": [{k: v for k, v in r.items() if not k.startswith("_")} for r in test]}}
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    print(f"threshold {th} (calib OK max {res['calibration']['ok_score_max']:.3f}) | test {t['pairs']} pairs ({t['ng']} NG): "
          f"AP {t['ap_ng']:.4f} recall {t['recall_ng']:.3f} overkill {t['overkill']:.3f} | recall@1% overkill "
          f"{t['recall_at_1pct_overkill']:.3f} | mean IoU {t['mean_iou']:.3f} | {res['eval_s']}s")
    print(f"per kind recall: {t['recall_by_kind']}; IoU by kind {t['iou_by_kind']}")

    if a.eval_csv:
        os.makedirs(os.path.dirname(os.path.abspath(a.eval_csv)), exist_ok=True)
        with open(a.eval_csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "label", "defect", "score", "threshold", "verdict", "iou"])
            for r in test:
                w.writerow([r["id"], r["label"], r["defect"], f"{r['score']:.6f}", D.fmt(th),
                            "NG" if r["score"] >= th else "OK", "" if r["iou"] == "" else f"{r['iou']:.4f}"])
        log = json.load(open(a.train_log)) if a.train_log else {}
        ej = {"kind": D.KIND, "contract": D.CONTRACT,
              "model_file": os.path.basename(a.model) if a.model else "",
              "model_size_bytes": os.path.getsize(a.model) if a.model else None,
              "model_sha256": D.sha256_file(a.model) if a.model else None,
              "test_dir": os.path.normpath(a.test), "pairs": t["pairs"], "ng": t["ng"], "ok": t["ok"],
              "ap_ng": t["ap_ng"], "recall_at_1pct_overkill": t["recall_at_1pct_overkill"],
              "recall_1pct_rule": "NG iff score > the ceil(0.99*n_ok)-th smallest OK test score (the smallest score above 99 % of OK scores)",
              "threshold": th, "threshold_rule": res["threshold_rule"],
              "recall_at_threshold": t["recall_ng"], "overkill_at_threshold": t["overkill"],
              "recall_by_kind": t["recall_by_kind"], "mean_iou": t["mean_iou"], "iou_by_kind": t["iou_by_kind"],
              "iou_rule": f"anomaly_map ({module.map_size}x{module.map_size}) bilinear (half-pixel) to R x R, binary >= threshold; "
                          "mask: centre crop C, INTER_AREA to R, >= 128; NG pairs only",
              "score_rule": score_rule, "canary_sim": res["canary_sim"],
              "training_wall_s": log.get("train_s"), "training_total_s": log.get("total_s"),
              "training_steps": log.get("steps"), "parameters": params | {"gaussian": log.get("gaussian")},
              "scored": "torch module (float32) = exported graph maths, image + template; pairs not aligned (within 0.5 px)"}
        with open(os.path.splitext(a.eval_csv)[0] + ".json", "w") as f:
            json.dump(ej, f, indent=1)
        print("wrote", a.eval_csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
