"""Score held-out generated pairs with a density model (torch module = the exported graph's maths),
pick the threshold, report NG metrics, write the shared per-pair eval files.

    /usr/bin/python3 models/train/eval_density.py --weights model.pth --gaussian gaussian.npz \
        --crop 256 --input 128 --calib CAL_DIR --test TEST_DIR --out metrics.json \
        [--eval-csv /work/kinds-data/eval/density.csv] [--train-log train_log.json] [--model M.onnx]

Threshold rule: threshold = ceil(1000*q)/1000, q = 99.5th percentile (numpy 'linear') of the scores of
the OK pairs in CAL_DIR (disjoint from training and TEST_DIR). The anomaly_map gets its own threshold
by the same rule on the calibration OK pairs' map maxima (used for IoU only; the verdict is the score's).
Pairs are scored as the agent would without alignment (centre crop C, INTER_AREA to R, image only).
Reported on TEST_DIR: NG AP, recall and overkill at the threshold, NG recall at 1 % overkill
(threshold = smallest score above 99 % of OK scores), per-kind recall, mean IoU of {map >= t_map}
(bilinearly upsampled to R x R) against the generator's mask cropped/resized identically (>= 128).
"""
from __future__ import annotations

import argparse
import csv
import json
import math
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
from train_density import average_precision, read_rows  # noqa: E402


@torch.no_grad()
def score_dir(module: D.DensityScore, root: str, crop: int, size: int, bs: int = 50) -> list:
    rows = read_rows(root)
    out = []
    for i in range(0, len(rows), bs):
        chunk = rows[i:i + bs]
        x = np.stack([D.crop_resize(cv2.imread(os.path.join(root, r["image"]), cv2.IMREAD_COLOR), crop, size)
                      for r in chunk])
        s, m = module(torch.from_numpy(x))
        up = F.interpolate(m, size=(size, size), mode="bilinear", align_corners=False)
        for j, r in enumerate(chunk):
            out.append({"id": r["id"], "product": r["product"], "label": r["label"], "defect": r.get("defect", ""),
                        "score": float(s[j, 0]), "map_max": float(m[j].max()), "_map": up[j, 0].numpy(),
                        "mask": r.get("mask", "")})
    return out


def choose_threshold(ok_scores) -> float:
    q = float(np.quantile(np.asarray(ok_scores, np.float64), 0.995))
    return math.ceil(q * 1000) / 1000


def recall_at_overkill(rows: list, key: str, overkill: float = 0.01):
    """Threshold = the smallest score above (1-overkill) of the OK scores: NG iff score > the
    ceil(0.99 n)-th smallest OK score."""
    ok = np.sort([r[key] for r in rows if r["label"] == "OK"])
    ng = np.array([r[key] for r in rows if r["label"] == "NG"])
    v = ok[int(math.ceil((1 - overkill) * len(ok))) - 1]
    return float((ng > v).mean()), float((ok > v).mean()), float(v)


def iou(pred: np.ndarray, mask: np.ndarray) -> float:
    u = np.logical_or(pred, mask).sum()
    return float(np.logical_and(pred, mask).sum() / u) if u else float("nan")


def metrics(rows: list, th: float, key: str = "score") -> dict:
    ng = [r for r in rows if r["label"] == "NG"]
    ok = [r for r in rows if r["label"] == "OK"]
    kinds = sorted({r["defect"] for r in ng})
    res = {"pairs": len(rows), "ng": len(ng), "ok": len(ok),
           "ap_ng": average_precision([r[key] for r in rows], [r["label"] == "NG" for r in rows]) if ng else float("nan"),
           "recall_ng": sum(r[key] >= th for r in ng) / max(len(ng), 1),
           "overkill": sum(r[key] >= th for r in ok) / max(len(ok), 1),
           "escapes": sum(r[key] < th for r in ng), "overkilled": sum(r[key] >= th for r in ok),
           "recall_by_kind": {k: round(sum(r[key] >= th for r in ng if r["defect"] == k) /
                                       max(sum(r["defect"] == k for r in ng), 1), 3) for k in kinds},
           "ok_score_max": max((r[key] for r in ok), default=float("nan")),
           "ok_score_p99_5": float(np.quantile([r[key] for r in ok], 0.995)) if ok else float("nan"),
           "ng_score_min": min((r[key] for r in ng), default=float("nan")),
           "ng_score_median": float(np.median([r[key] for r in ng])) if ng else float("nan")}
    if ng and ok:
        rec, ovk, v = recall_at_overkill(rows, key)
        res.update({"recall_at_1pct_overkill": rec, "overkill_at_1pct_rule": ovk, "threshold_1pct_rule": v})
    return res


@torch.no_grad()
def canary(module: D.DensityScore, folder: str, crop: int, size: int, th: float, per_pair: int = 5) -> dict:
    """The agent's canary (OK pairs must stay < th, every pasted defect must reach th), simulated with
    density.canary_paste on the unaligned images (the agent aligns first; these pairs may be shifted)."""
    rng = np.random.default_rng(31)
    sc = {"ok": [], "cutpaste": [], "noise": []}
    for r in read_rows(folder):
        if r["label"] != "OK":
            continue
        img = cv2.imread(os.path.join(folder, r["image"]), cv2.IMREAD_COLOR)
        xs = {"ok": [D.crop_resize(img, crop, size)]}
        for k in ("cutpaste", "noise"):
            xs[k] = [D.crop_resize(D.canary_paste(img, k, crop, rng), crop, size) for _ in range(per_pair)]
        for k, v in xs.items():
            out = module(torch.from_numpy(np.stack(v)))
            s = out[0] if isinstance(out, tuple) else out
            sc[k] += [float(x) for x in s[:, 0]]
    return canary_summary(folder, th, sc)


def canary_summary(folder: str, th: float, sc: dict) -> dict:
    """What the box's canary would decide from the scores of OK images and of pasted `cutpaste` and `noise` defects."""
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
    ap.add_argument("--eval-csv", default="", help="write the shared per-pair CSV here (+ .json beside it)")
    ap.add_argument("--train-log", default="")
    ap.add_argument("--model", default="", help="the exported .onnx (for size/sha in the eval json)")
    ap.add_argument("--canary", default="", help="folder of OK pairs: simulated agent canary at the threshold "
                                                  "(density.canary_paste, 5 placements per pair and kind)")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    t0 = time.time()
    module = D.build_module(a.weights, a.gaussian)
    enc = module.encoder
    g_img, g_patch = D.load_gaussians(a.gaussian, enc.widths[3], enc.widths[2])
    cfg = D.load_config(a.gaussian)
    cal = score_dir(module, a.calib, a.crop, a.input)
    test = score_dir(module, a.test, a.crop, a.input)
    th = choose_threshold([r["score"] for r in cal if r["label"] == "OK"])
    th_map = choose_threshold([r["map_max"] for r in cal if r["label"] == "OK"])

    ious = {}
    for r in test:
        r["iou"] = ""
        if r["label"] == "NG" and r["mask"]:
            m = cv2.imread(os.path.join(a.test, r["mask"]), cv2.IMREAD_GRAYSCALE)
            m = D.crop_resize(m, a.crop, a.input) >= 128
            r["iou"] = iou(r["_map"] >= th_map, m)
            ious.setdefault(r["defect"], []).append(r["iou"])
    all_iou = [v for vs in ious.values() for v in vs]
    t_test = metrics(test, th)
    t_map = metrics(test, th_map, "map_max")
    res = {
        "threshold": th,
        "threshold_rule": "ceil(1000*q)/1000, q = 99.5th percentile (numpy linear) of calibration-set OK scores",
        "map_threshold": th_map,
        "map_threshold_rule": "same rule on the calibration OK pairs' anomaly_map maxima (IoU only; not the verdict)",
        "params": {"crop": a.crop, "input": a.input, "threshold": th, "widths": list(enc.widths),
                   "norm": cfg["norm"], "score_from": cfg["score_from"],
                   "image_gaussian": {"dim": int(g_img.mean.shape[0]), "n": g_img.n, "ledoit_wolf_shrinkage": g_img.shrinkage},
                   "patch_gaussian": {"dim": int(g_patch.mean.shape[0]), "n": g_patch.n, "ledoit_wolf_shrinkage": g_patch.shrinkage}},
        "calibration": {"dir": os.path.normpath(a.calib)} | metrics(cal, th),
        "test": {"dir": os.path.normpath(a.test)} | t_test | {
            "mean_iou": float(np.mean(all_iou)) if all_iou else float("nan"),
            "iou_by_kind": {k: round(float(np.mean(v)), 3) for k, v in sorted(ious.items())}},
        "test_map_max_as_score": t_map,
        "score_rule": ("score = max of the anomaly_map (stage-3 patch Mahalanobis distances), computed in the graph"
                       if cfg["score_from"] == "map" else "score = Mahalanobis distance of the pooled stage-4 embedding"),
        "canary_sim": canary(module, a.canary, a.crop, a.input, th) if a.canary else None,
        "eval_s": round(time.time() - t0, 1),
        "scores": {"calibration": [{k: v for k, v in r.items() if not k.startswith("_")} for r in cal],
                   "test": [{k: v for k, v in r.items() if not k.startswith("_")} for r in test]},
    }
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    t = res["test"]
    print(f"threshold {th} | test {t['pairs']} pairs ({t['ng']} NG): AP {t['ap_ng']:.4f} recall {t['recall_ng']:.3f} "
          f"overkill {t['overkill']:.3f} | recall@1% overkill {t['recall_at_1pct_overkill']:.3f} | "
          f"mean IoU {t['mean_iou']:.3f} (map t {th_map}) | calib OK overkill {res['calibration']['overkill']:.3f} | {res['eval_s']}s")
    print(f"per kind recall: {t['recall_by_kind']}; IoU by kind {t['iou_by_kind']}")
    print(f"map max as score: AP {t_map['ap_ng']:.4f} recall {t_map['recall_ng']:.3f} overkill {t_map['overkill']:.3f} "
          f"recall@1% {t_map.get('recall_at_1pct_overkill', float('nan')):.3f}")

    if a.eval_csv:
        os.makedirs(os.path.dirname(os.path.abspath(a.eval_csv)), exist_ok=True)
        with open(a.eval_csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "label", "defect", "score", "threshold", "verdict", "iou"])
            for r in test:
                w.writerow([r["id"], r["label"], r["defect"], f"{r['score']:.6f}", D.fmt(th),
                            "NG" if r["score"] >= th else "OK", "" if r["iou"] == "" else f"{r['iou']:.4f}"])
        log = json.load(open(a.train_log)) if a.train_log else {}
        n_params = sum(v.numel() for v in enc.state_dict().values() if v.is_floating_point())
        ej = {"kind": D.KIND, "contract": D.CONTRACT,
              "model_file": os.path.basename(a.model) if a.model else "",
              "model_size_bytes": os.path.getsize(a.model) if a.model else None,
              "model_sha256": D.sha256_file(a.model) if a.model else None,
              "test_dir": os.path.normpath(a.test), "pairs": t["pairs"], "ng": t["ng"], "ok": t["ok"],
              "ap_ng": t["ap_ng"],
              "recall_at_1pct_overkill": t["recall_at_1pct_overkill"],
              "recall_1pct_rule": "NG iff score > the ceil(0.99*n_ok)-th smallest OK test score (the smallest score above 99 % of OK scores)",
              "threshold": th, "threshold_rule": res["threshold_rule"],
              "recall_at_threshold": t["recall_ng"], "overkill_at_threshold": t["overkill"],
              "recall_by_kind": t["recall_by_kind"],
              "mean_iou": t["mean_iou"], "iou_by_kind": t["iou_by_kind"],
              "iou_rule": f"anomaly_map (R/16 x R/16) bilinear (half-pixel) to R x R, binary >= map_threshold {th_map} "
                          f"(99.5th-pct rule on calibration OK map maxima); mask: centre crop C, INTER_AREA to R, >= 128; NG pairs only",
              "map_max_as_score": {k: t_map[k] for k in ("ap_ng", "recall_at_1pct_overkill")},
              "score_rule": ("score = max of the anomaly_map (stage-3 patch Mahalanobis distances), computed in the graph"
                             if cfg["score_from"] == "map" else "score = Mahalanobis distance of the pooled stage-4 embedding"),
              "canary_sim": res["canary_sim"],
              "training_wall_s": log.get("train_s"), "training_total_s": log.get("total_s"),
              "training_steps": log.get("steps"),
              "parameters": {"crop": a.crop, "input": a.input, "widths": list(enc.widths),
                             "encoder_parameters": int(n_params), "norm": cfg["norm"], "score_from": cfg["score_from"],
                             "gaussian": "Ledoit-Wolf shrinkage (image: 128-d pooled stage-4, patch: 64-d stage-3 positions)",
                             "image_shrinkage": g_img.shrinkage, "patch_shrinkage": g_patch.shrinkage},
              "scored": "torch module (float32) = exported graph maths; pairs not aligned (as the agent without alignment)"}
        with open(os.path.splitext(a.eval_csv)[0] + ".json", "w") as f:
            json.dump(ej, f, indent=1)
        print("wrote", a.eval_csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
