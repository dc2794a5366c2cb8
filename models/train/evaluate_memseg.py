"""Score held-out generated pairs with a trained MemSeg model (torch, float32), pick the threshold,
report NG metrics and IoU.

    /usr/bin/python3 models/train/evaluate_memseg.py --weights W.pth --calib CAL_DIR --test TEST_DIR \
        --out metrics.json [--crop 256] [--csv per_pair.csv] [--threshold T]

Crop as the agent: centre C x C of template and image (no alignment: the held-out pairs are within
0.5 px / 0.05 deg), INTER_AREA to R; score = max(anomaly_map); NG iff score >= threshold.
Threshold rule: ceil(1000*q)/1000, q = 99.5th percentile (numpy linear) of the CAL_DIR OK scores
(--threshold overrides it). Reported on TEST_DIR: NG AP, recall/overkill at the threshold, NG recall
at 1 % overkill (strictest threshold that overkills at most floor(1 % of the OK pairs): an NG pair
counts if its score is above the OK score of that rank), per-kind recall, and, when labels.csv has
a `mask` column, IoU of {p >= threshold} vs the generator's mask cropped and INTER_AREA-resized the
same way (mask pixel is defect iff the resized value >= 128), averaged over the NG pairs.
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
sys.path.insert(0, HERE)
import memseg as M  # noqa: E402
import reference  # noqa: E402
from train_memseg import read_labels  # noqa: E402


@torch.no_grad()
def score_dir(net: M.MemSegNet, root: str, crop: int, batch: int = 16) -> list:
    rows = read_labels(root)
    out = []
    for b in range(0, len(rows), batch):
        chunk = rows[b:b + batch]
        ts, ims = [], []
        for r in chunk:
            t = reference.read_template(os.path.join(root, r["template"]))
            im = reference.read_image(os.path.join(root, r["image"]))
            ts.append(reference.crop_resize(t, crop, net.r)[:, :, None])
            ims.append(reference.crop_resize(im, crop, net.r))
        im_t, t_t = torch.from_numpy(np.stack(ims)), torch.from_numpy(np.stack(ts))
        maps = net(im_t, t_t if net.memory == "template" else None)[:, 0].numpy()
        for r, m in zip(chunk, maps):
            gt = None
            if r.get("mask"):
                g = cv2.imread(os.path.join(root, r["mask"]), cv2.IMREAD_GRAYSCALE)
                gt = reference.crop_resize(g, crop, net.r) >= 128
            out.append({"id": r["id"], "product": r["product"], "label": r["label"],
                        "defect": r.get("defect", ""), "score": float(m.max()), "_map": m, "_gt": gt})
    return out


def choose_threshold(ok_scores) -> float:
    q = float(np.quantile(np.asarray(ok_scores, np.float64), 0.995))
    return math.ceil(q * 1000) / 1000


def iou(pred: np.ndarray, gt: np.ndarray) -> float:
    u = np.logical_or(pred, gt).sum()
    return float(np.logical_and(pred, gt).sum() / u) if u else float("nan")


def metrics(rows: list, th: float) -> dict:
    ng = [r for r in rows if r["label"] == "NG"]
    ok = [r for r in rows if r["label"] == "OK"]
    kinds = sorted({r["defect"] for r in ng})
    res = {
        "pairs": len(rows), "ng": len(ng), "ok": len(ok),
        "ap_ng": reference.average_precision([r["score"] for r in rows], [r["label"] == "NG" for r in rows]),
        "recall_ng": sum(r["score"] >= th for r in ng) / max(len(ng), 1),
        "overkill": sum(r["score"] >= th for r in ok) / max(len(ok), 1),
        "escapes": sum(r["score"] < th for r in ng),
        "overkilled": sum(r["score"] >= th for r in ok),
        "recall_by_kind": {k: round(sum(r["score"] >= th for r in ng if r["defect"] == k) /
                                    max(sum(r["defect"] == k for r in ng), 1), 3) for k in kinds},
    }
    if ok:
        s = np.sort([r["score"] for r in ok])
        allowed = int(math.floor(0.01 * len(s)))
        bar = float(s[len(s) - 1 - allowed])
        res["recall_at_1pct_overkill"] = sum(r["score"] > bar for r in ng) / max(len(ng), 1)
        res["ok_score_rank_for_1pct"] = bar
        res["ok_score_max"] = float(s[-1])
        res["ok_score_p99_5"] = float(np.quantile(s, 0.995))
    if ng:
        res["ng_score_min"] = min(r["score"] for r in ng)
        res["ng_score_median"] = float(np.median([r["score"] for r in ng]))
    with_gt = [r for r in ng if r["_gt"] is not None]
    if with_gt:
        for r in with_gt:
            r["iou"] = iou(r["_map"] >= th, r["_gt"])
        vals = [r["iou"] for r in with_gt if not math.isnan(r["iou"])]
        res["mean_iou_ng"] = float(np.mean(vals)) if vals else float("nan")
        res["iou_by_kind"] = {k: round(float(np.mean([r["iou"] for r in with_gt if r["defect"] == k])), 3) for k in kinds}
    return res


def strip(rows: list) -> list:
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--calib", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--csv", default="", help="per-pair csv: id,label,defect,score,threshold,verdict,iou")
    ap.add_argument("--threshold", type=float, default=0.0, help="use this instead of the calibration rule")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    t0 = time.time()
    net = M.load_model(a.weights)
    cal = score_dir(net, a.calib, a.crop)
    th_rule = choose_threshold([r["score"] for r in cal if r["label"] == "OK"])
    th = a.threshold or th_rule
    test = score_dir(net, a.test, a.crop)
    res = {
        "threshold": th, "threshold_by_rule": th_rule,
        "threshold_rule": "ceil(1000*q)/1000, q = 99.5th percentile (numpy linear) of calibration-set OK scores",
        "params": {"crop": a.crop, "input": net.r, "memory": net.memory if net.memory == "template" else f"baked:{net.bank_size}",
                   "threshold": th},
        "calibration": {"dir": os.path.basename(os.path.normpath(a.calib))} | metrics(cal, th),
        "test": {"dir": os.path.basename(os.path.normpath(a.test))} | metrics(test, th),
        "eval_s": round(time.time() - t0, 1),
        "scores": {"calibration": strip(cal), "test": strip(test)},
    }
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "label", "defect", "score", "threshold", "verdict", "iou"])
            for r in test:
                v = "NG" if r["score"] >= th else "OK"
                i = "" if "iou" not in r or math.isnan(r["iou"]) else f"{r['iou']:.4f}"
                w.writerow([r["id"], r["label"], r["defect"], f"{r['score']:.6f}", M.fmt(th), v, i])
    t = res["test"]
    print(f"threshold {th} (rule {th_rule}) | test {t['pairs']} pairs ({t['ng']} NG): AP {t['ap_ng']:.4f} "
          f"recall {t['recall_ng']:.3f} overkill {t['overkill']:.3f} recall@1%ok {t.get('recall_at_1pct_overkill', float('nan')):.3f} "
          f"IoU {t.get('mean_iou_ng', float('nan')):.3f} | calib OK overkill {res['calibration']['overkill']:.3f} | {res['eval_s']}s")
    print(f"per kind recall: {t['recall_by_kind']}; OK max {t.get('ok_score_max', float('nan')):.4f}, "
          f"NG min {t.get('ng_score_min', float('nan')):.4f}; IoU by kind {t.get('iou_by_kind')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
