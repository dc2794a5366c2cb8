"""Replays the agent's activation canary in Python for a trained `pairseg` or `classifier` checkpoint.

    /usr/bin/python3 models/train/canary_sim.py --kind pairseg --weights RUN/pairseg.pth --crop 256 --input 256 \
        --threshold T [--min-area A] --pairs DIR [--pairs DIR ...] [--seeds 8] [--out RUN/canary.json]

The canary (src/EdgeAgent.Vision/Canary/CanaryDefects.cs, src/EdgeAgent.Models/Activation/CanaryCheck.cs)
judges known-good pairs (all must be OK) and the same pairs with two defects pasted into the image, each
of which must be NG: CutPaste = a (C/6)-sided square of the image taken C/4 + U[0, side) to the right and
C/4 up, flipped on both axes, pasted centred within C/8 of the image centre; NoiseBlotch = a disc of
diameter C/6 of uniform 0..255 noise per channel at such a place. This script pastes them exactly so,
but draws the positions from numpy (the agent uses .NET's Random(pair index)), `--seeds` placements per
pair and kind, and scores with the torch module and the contract's decision rule. The pairs are read
as they are (no alignment): give it registered pairs (`generate --max-shift 0 --max-angle 0`).
Prints and writes: OK pairs passed, max OK score, pasted defects caught, min defect score, per kind.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import kinds  # noqa: E402


def paste(image: np.ndarray, kind: str, crop: int, rng: np.random.Generator) -> np.ndarray:
    """CanaryDefects.Paste with numpy's random numbers in place of .NET's."""
    h, w = image.shape[:2]
    out = image.copy()
    side, reach = max(8, crop // 6), max(1, crop // 8)
    cx = w // 2 + int(rng.integers(-reach, reach + 1))
    cy = h // 2 + int(rng.integers(-reach, reach + 1))
    tx, ty = cx - side // 2, cy - side // 2
    if kind == "CutPaste":
        sx = int(np.clip(tx + crop // 4 + int(rng.integers(side)), 0, w - side))
        sy = int(np.clip(ty - crop // 4, 0, h - side))
        out[ty:ty + side, tx:tx + side] = image[sy:sy + side, sx:sx + side][::-1, ::-1]
    else:
        noise = rng.integers(0, 256, (side, side, 3)).astype(np.uint8)
        m = np.zeros((side, side), np.uint8)
        cv2.circle(m, (side // 2, side // 2), side // 2, 255, -1)
        region = out[ty:ty + side, tx:tx + side]
        region[m > 0] = noise[m > 0]
    return out


@torch.no_grad()
def score(kind: str, net, image: np.ndarray, template: np.ndarray, crop: int, inp: int, t: float, a: int) -> float:
    im = torch.from_numpy(kinds.crop_resize(image, crop, inp)[None])
    tm = torch.from_numpy(kinds.crop_resize(template, crop, inp)[None, ..., None])
    y = net(im, tm).numpy()[0]
    if kind == "pairseg":
        return kinds.pairseg_decision(y[0], t, a)[0]
    classes = list(net.classes)
    return kinds.classifier_score(y, classes, [c for c in classes if c != "ok"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", required=True, choices=("pairseg", "classifier"))
    ap.add_argument("--weights", required=True)
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--input", type=int, default=256)
    ap.add_argument("--threshold", type=float, required=True)
    ap.add_argument("--min-area", type=int, default=25)
    ap.add_argument("--pairs", action="append", required=True, help="dir of OK pairs (labels.csv), registered")
    ap.add_argument("--seeds", type=int, default=8, help="random placements per pair and defect kind")
    ap.add_argument("--out", default="")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    net, _ = kinds.load_checkpoint(a.weights, a.kind)
    rng = np.random.default_rng(0)
    ok_scores, res = [], {"CutPaste": [], "NoiseBlotch": []}
    for root in a.pairs:
        for r in kinds.read_labels(root, "OK"):
            t, im, _ = kinds.read_pair(root, r)
            ok_scores.append(score(a.kind, net, im, t, a.crop, a.input, a.threshold, a.min_area))
            for kind in res:
                for _ in range(a.seeds):
                    res[kind].append(score(a.kind, net, paste(im, kind, a.crop, rng), t, a.crop, a.input, a.threshold, a.min_area))
    out = {"threshold": a.threshold, "min_area": a.min_area if a.kind == "pairseg" else None,
           "ok_pairs": len(ok_scores), "ok_passed": int(sum(s < a.threshold for s in ok_scores)), "max_ok": max(ok_scores)}
    for kind, s in res.items():
        out[kind] = {"pasted": len(s), "caught": int(sum(v >= a.threshold for v in s)), "min": min(s),
                     "p05": float(np.quantile(s, 0.05))}
    print(json.dumps(out))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(out | {"ok_scores": ok_scores, "defect_scores": res}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
