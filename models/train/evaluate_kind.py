"""Calibrate and evaluate a trained `pairseg` or `classifier` model on generator pairs.

    /usr/bin/python3 models/train/evaluate_kind.py --kind pairseg --weights RUN/pairseg.pth \
        --crop 256 --input 256 --calib CAL_DIR --test TEST_DIR --out RUN/metrics.json \
        [--threshold 0.5] [--eval-csv /work/kinds-data/eval/pairseg.csv]
    /usr/bin/python3 models/train/evaluate_kind.py --kind classifier --weights RUN/classifier.pth \
        --crop 256 --input 128 --calib CAL_DIR --test TEST_DIR --out RUN/metrics.json

Pairs are scored as the agent scores them: centred C x C crop (INTER_AREA to R), the torch module
in float32 (the exported graph reproduces it to < 1e-4, checked by the exporter), then the contract's
decision rule. Held-out pairs are scored as generated (<= 0.5 px, <= 0.05 deg off; the agent aligns
to about that). Calibration rules (written into the JSON):
  pairseg:    t fixed (--threshold, default 0.5); A = floor(q) + 1, q = 99.5th percentile (numpy
              linear) of the largest {p >= t} region (px) of each calibration OK pair, i.e. the
              smallest area that almost no OK pair reaches (the STPM rule applied to the region area);
              or, with --min-area A: A fixed and t = ceil(1000 q)/1000, q = 99.5th percentile of each
              OK pair's highest t at which it has a region of >= A px (the bundled model's rule).
  classifier: t = ceil(1000 q)/1000, q = 99.5th percentile of the calibration OK scores (the STPM rule),
              clamped to <= 0.999 so a probability threshold stays reachable.
IoU (pairseg, NG pairs): {p >= t} on the R x R map vs the generator's mask cropped/resized the same way.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import kinds  # noqa: E402


@torch.no_grad()
def run_dir(kind: str, net, root: str, crop: int, inp: int, threshold: float, batch: int = 8) -> list:
    rows = kinds.read_labels(root)
    out = []
    for s in range(0, len(rows), batch):
        chunk = rows[s:s + batch]
        ims, tms, mks = [], [], []
        for r in chunk:
            t, im, m = kinds.read_pair(root, r)
            ims.append(kinds.crop_resize(im, crop, inp))
            tms.append(kinds.crop_resize(t, crop, inp)[..., None])
            mks.append(None if m is None else kinds.crop_mask(m, crop, inp))
        y = net(torch.from_numpy(np.stack(ims)), torch.from_numpy(np.stack(tms))).numpy()
        for r, p, m in zip(chunk, y, mks):
            e = {"id": r["id"], "product": r["product"], "label": r["label"], "defect": r["defect"]}
            if kind == "pairseg":
                e["largest_region"] = kinds.largest_region(p[0], threshold)
                e["map_max"] = float(p[0].max())
                e["prob"] = p[0]
                e["truth"] = m
            else:
                e["class_probs"] = [float(v) for v in p]
            out.append(e)
    return out


def region_level(prob: np.ndarray, min_area: int) -> float:
    """Highest t on a 0.001 grid at which {p >= t} still has an 8-connected region of >= min_area px."""
    lo, hi = 0, 1000   # bisection: the largest region shrinks as t grows
    if kinds.largest_region(prob, 0.0) < min_area:
        return 0.0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if kinds.largest_region(prob, mid / 1000) >= min_area:
            lo = mid
        else:
            hi = mid
    return lo / 1000


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", required=True, choices=("pairseg", "classifier"))
    ap.add_argument("--weights", required=True)
    ap.add_argument("--crop", type=int, required=True)
    ap.add_argument("--input", type=int, required=True)
    ap.add_argument("--threshold", type=float, default=0.5, help="pairseg: the fixed map threshold t (with --min-area: its floor)")
    ap.add_argument("--min-area", type=int, default=0, help="pairseg: fix A and calibrate t instead")
    ap.add_argument("--quantile", type=float, default=0.995, help="classifier: the OK-score quantile of the threshold rule")
    ap.add_argument("--grid", type=float, default=0.001, help="pairseg with --min-area: t is rounded up to this grid")
    ap.add_argument("--raise-steps", type=int, default=0, help="pairseg with --min-area: then raise t by this many grid steps")
    ap.add_argument("--calib", required=True, help="held-out dir whose OK pairs set the threshold / min_area")
    ap.add_argument("--test", required=True, help="held-out dir (OK + NG) for the reported figures")
    ap.add_argument("--out", required=True, help="metrics JSON (figures, rule, per-pair scores)")
    ap.add_argument("--eval-csv", default="", help="also write the per-pair CSV of the common eval format")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    t0 = time.time()
    net, cfg = kinds.load_checkpoint(a.weights, a.kind)

    params = {"crop": a.crop, "input": a.input}
    if a.kind == "pairseg":
        cal = run_dir(a.kind, net, a.calib, a.crop, a.input, a.threshold)
        areas = [e["largest_region"] for e in cal if e["label"] == "OK"]
        q = float(np.quantile(np.asarray(areas, np.float64), 0.995))
        if a.min_area:
            # A fixed; t = the STPM rule on each OK pair's "region level": the highest t at which the
            # pair still has a region of >= A px (on a 0.001 grid).
            min_area = a.min_area
            levels = [region_level(e["prob"], min_area) for e in cal if e["label"] == "OK"]
            qt = float(np.quantile(np.asarray(levels, np.float64), 0.995))
            steps = round(1 / a.grid)
            th = min(max(math.ceil(qt * steps - 1e-9) / steps, a.threshold), 0.999)
            if a.raise_steps:
                # e.g. a golden pair whose score lies within 5e-3 of the calibrated t (a float32/float64 coin toss)
                th = round(th + a.raise_steps / steps, 6)
            rule = (f"A fixed at {min_area}; t = max({kinds.fmt(a.threshold)}, ceil(q/{kinds.fmt(a.grid)})*{kinds.fmt(a.grid)})"
                    + (f" + {a.raise_steps}*{kinds.fmt(a.grid)}" if a.raise_steps else "") + ", q = 99.5th percentile (numpy linear) "
                    f"over the calibration OK pairs of the highest t (0.001 grid) at which the pair has a {{p >= t}} region of >= A px")
        else:
            min_area = int(math.floor(q)) + 1
            th = a.threshold
            rule = (f"t fixed at {kinds.fmt(th)}; A = floor(q)+1, q = 99.5th percentile (numpy linear) of the largest "
                    f"{{p >= t}} region (px of the R x R map) of each calibration OK pair")
        test = run_dir(a.kind, net, a.test, a.crop, a.input, th)
        for e in cal + test:
            p, truth = e.pop("prob"), e.pop("truth")
            e["score"], regions, _ = kinds.pairseg_decision(p, th, min_area)
            e["regions"] = len(regions)
            e["iou"] = kinds.iou(p >= th, truth) if e["label"] == "NG" and truth is not None else None
        params |= {"threshold": th, "min_area": min_area, "widths": cfg.get("widths")}
        extra = {"calib_largest_region_p99_5": q, "calib_largest_region_max": max(areas)}
    else:
        classes = list(net.classes)
        defect = [c for c in classes if c != "ok"]
        cal = run_dir(a.kind, net, a.calib, a.crop, a.input, 0)
        test = run_dir(a.kind, net, a.test, a.crop, a.input, 0)
        for e in cal + test:
            e["score"] = kinds.classifier_score(np.asarray(e["class_probs"]), classes, defect)
            e["iou"] = None
            e["predicted"] = classes[int(np.argmax(e["class_probs"]))]
        q = float(np.quantile([e["score"] for e in cal if e["label"] == "OK"], a.quantile))
        th = min(math.ceil(q * 1000) / 1000, 0.999)
        rule = (f"t = min(ceil(1000 q)/1000, 0.999), q = {kinds.fmt(100 * a.quantile)}th percentile (numpy linear) of "
                f"calibration-set OK scores (score = sum of defect-class probabilities)")
        params |= {"threshold": th, "classes": classes, "defect_classes": defect, "use_template": cfg.get("use_template", False),
                   "widths": cfg.get("widths"), "hidden": cfg.get("hidden")}
        ng = [e for e in test if e["label"] == "NG"]
        extra = {"calib_ok_score_quantile": q,
                 "test_class_accuracy_ng": sum(e["predicted"] == e["defect"] for e in ng) / max(len(ng), 1),
                 "test_class_accuracy_all": sum(e["predicted"] == (e["defect"] if e["label"] == "NG" else "ok") for e in test) / len(test)}

    res = {
        "kind": a.kind, "threshold": th, "threshold_rule": rule, "params": params,
        "calibration": {"dir": os.path.basename(os.path.normpath(a.calib))} | kinds.summary(cal, th),
        "test": {"dir": os.path.basename(os.path.normpath(a.test))} | kinds.summary(test, th),
        "extra": extra, "eval_s": round(time.time() - t0, 1),
        "scores": {"calibration": cal, "test": test},
    }
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    if a.eval_csv:
        os.makedirs(os.path.dirname(os.path.abspath(a.eval_csv)), exist_ok=True)
        kinds.write_eval_csv(a.eval_csv, test, th)
    t = res["test"]
    print(f"{a.kind}: threshold {th} {('min_area ' + str(params['min_area'])) if a.kind == 'pairseg' else ''} | test "
          f"{t['pairs']} pairs ({t['ng']} NG): AP {t['ap_ng']:.4f} recall@1%ok {t['recall_at_1pct_overkill']:.3f} "
          f"recall {t['recall_ng']:.3f} overkill {t['overkill']:.3f} IoU {t['mean_iou']} | calib overkill "
          f"{res['calibration']['overkill']:.3f} | {res['eval_s']}s")
    print(f"per kind recall: {t['recall_by_kind']}; IoU by kind {t['iou_by_kind']}; extra {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
