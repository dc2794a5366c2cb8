"""Score held-out generated pairs with the reference scorer, pick the threshold, report NG metrics.

    /usr/bin/python3 models/train/evaluate.py --teacher T.pth --student S.pth \
        --calib CAL_DIR --test TEST_DIR --out metrics.json \
        [--arch resnet18 --crop 256 --input 256 --pad 16 --layer-weights 0.5,1,0.5 --mask gaussian:0.25]

Threshold rule (written to metrics.json):
    threshold = ceil(1000 * q) / 1000, q = 99.5th percentile (numpy 'linear') of the scores of the
    OK pairs in CAL_DIR (a set disjoint from training and from TEST_DIR).
Reported on TEST_DIR: NG average precision (threshold-free), NG recall and overkill (OK pairs
judged NG, as a share of OK pairs) at that threshold, per defect kind recall.
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
sys.path.insert(0, HERE)
import reference  # noqa: E402
import stpm  # noqa: E402
from train_stpm import read_labels  # noqa: E402


def score_dir(scorer: reference.ReferenceScorer, root: str) -> list:
    out = []
    for r in read_labels(root):
        ps = scorer.score_files(os.path.join(root, r["template"]), os.path.join(root, r["image"]))
        out.append({"id": r["id"], "product": r["product"], "label": r["label"],
                    "defect": r.get("defect", ""), "score": ps.score, "layer_max": ps.layer_max})
    return out


def choose_threshold(ok_scores) -> float:
    q = float(np.quantile(np.asarray(ok_scores, np.float64), 0.995))
    return math.ceil(q * 1000) / 1000


def metrics(rows: list, th: float) -> dict:
    ng = [r for r in rows if r["label"] == "NG"]
    ok = [r for r in rows if r["label"] == "OK"]
    kinds = sorted({r["defect"] for r in ng})
    return {
        "pairs": len(rows), "ng": len(ng), "ok": len(ok),
        "ap_ng": reference.average_precision([r["score"] for r in rows], [r["label"] == "NG" for r in rows]),
        "recall_ng": sum(r["score"] >= th for r in ng) / max(len(ng), 1),
        "overkill": sum(r["score"] >= th for r in ok) / max(len(ok), 1),
        "escapes": sum(r["score"] < th for r in ng),
        "overkilled": sum(r["score"] >= th for r in ok),
        "recall_by_kind": {k: round(sum(r["score"] >= th for r in ng if r["defect"] == k) /
                                    max(sum(r["defect"] == k for r in ng), 1), 3) for k in kinds},
        "ok_score_max": max((r["score"] for r in ok), default=float("nan")),
        "ok_score_p99_5": float(np.quantile([r["score"] for r in ok], 0.995)) if ok else float("nan"),
        "ng_score_min": min((r["score"] for r in ng), default=float("nan")),
        "ng_score_median": float(np.median([r["score"] for r in ng])) if ng else float("nan"),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher", required=True)
    ap.add_argument("--student", required=True)
    ap.add_argument("--arch", default="resnet18", choices=stpm.ARCHS)
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--input", type=int, default=256)
    ap.add_argument("--pad", type=int, default=16)
    ap.add_argument("--layer-weights", default="0.5,1,0.5")
    ap.add_argument("--mask", default="gaussian:0.25")
    ap.add_argument("--calib", required=True, help="held-out dir whose OK pairs set the threshold")
    ap.add_argument("--test", required=True, help="held-out dir (OK + NG) for the reported figures")
    ap.add_argument("--out", required=True)
    ap.add_argument("--float64", action="store_true", help="score in float64 (slower; same figures)")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    t0 = time.time()
    params = stpm.ScoreParams(a.crop, a.input, a.pad, stpm.parse_weights(a.layer_weights),
                              stpm.parse_mask(a.mask), 1.0)
    scorer = reference.ReferenceScorer(stpm.load_backbone(a.arch, a.teacher, "teacher"),
                                       stpm.load_backbone(a.arch, a.student, "student"), params,
                                       torch.float64 if a.float64 else torch.float32)
    cal = score_dir(scorer, a.calib)
    th = choose_threshold([r["score"] for r in cal if r["label"] == "OK"])
    test = score_dir(scorer, a.test)
    res = {
        "threshold": th,
        "threshold_rule": "ceil(1000*q)/1000, q = 99.5th percentile (numpy linear) of calibration-set OK scores",
        "params": params.as_dict() | {"threshold": th, "arch": a.arch},
        "calibration": {"dir": os.path.basename(os.path.normpath(a.calib))} | metrics(cal, th),
        "test": {"dir": os.path.basename(os.path.normpath(a.test))} | metrics(test, th),
        "eval_s": round(time.time() - t0, 1),
        "scores": {"calibration": cal, "test": test},
    }
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    t = res["test"]
    print(f"threshold {th} | test {t['pairs']} pairs ({t['ng']} NG): AP {t['ap_ng']:.4f} recall {t['recall_ng']:.4f} "
          f"overkill {t['overkill']:.4f} | calib OK overkill {res['calibration']['overkill']:.4f} | {res['eval_s']}s")
    print(f"per kind recall: {t['recall_by_kind']}; OK max {t['ok_score_max']:.4f}, NG min {t['ng_score_min']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
