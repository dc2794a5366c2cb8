"""Train the EdgeAgent `pairseg` model (tiny VGG U-Net on gray image + template) on generator pairs.

    /usr/bin/python3 models/train/train_pairseg.py --ng DIR [--ng DIR ...] --ok DIR [--ok DIR ...] \
        --out-dir RUN [--crop 256 --input 256 --window 128 --steps 900 --batch 16 --lr 2e-3]

Data: the generator's NG pairs with their masks (labels.csv column `mask`, template frame) and OK
pairs (target: an empty map, so the net learns that the ordinary image/template differences of
lighting, focus, colour and a <= 0.5 px misregistration are not defects). Every pair is cut exactly
as the agent cuts it (centred C x C, INTER_AREA to R), then training samples are random W x W windows
of that R x R crop, the same window in image, template and mask, with the same random flip / 90
degree rotation. The net is fully convolutional, so it is exported at R x R.
--paste-share S: that share of every batch are OK pairs with a canary-like pseudo-defect pasted in
(kinds.paste_pseudo_defect: a flipped patch of the same crop from elsewhere, or a disc of random noise,
12-56 px, anywhere in the crop) and its mask as the target, so the net also marks defects unlike the
generator's six kinds; the agent's canary pastes exactly such defects and must see them NG.
Loss: 0.8 * BCE + 0.2 * Dice (the seed's), Dice over the whole batch (OK windows have no positives).
--init continues from an earlier checkpoint (the bundled model was trained in two such stages,
each capped at the time budget, because the shared 2-core box ran 3-6x slower than a quiet one).
Adam, warm-up + cosine decay over the steps or the --time-budget, whichever ends first (the
schedule always completes), fixed seed.

Writes RUN/pairseg.pth ({kind, config, state_dict}) and RUN/train_log.json.
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
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import kinds  # noqa: E402


def load_set(roots, crop: int, inp: int, label: str):
    ims, tms, mks = [], [], []
    for root in roots:
        for r in kinds.read_labels(root, label):
            t, im, m = kinds.read_pair(root, r)
            if label == "NG" and m is None:
                raise SystemExit(f"train_pairseg: {root} has no mask for NG pair {r['id']}; regenerate it with a generator that writes masks")
            ims.append(kinds.crop_resize(im, crop, inp))
            tms.append(kinds.crop_resize(t, crop, inp))
            mks.append(kinds.crop_mask(m, crop, inp) if m is not None else np.zeros((inp, inp), bool))
    mks = np.stack(mks)[..., None].astype(np.uint8)
    return np.stack(ims), np.stack(tms)[..., None], mks, centres(mks)


def centres(mks: np.ndarray) -> np.ndarray:
    """Per pair the (y, x) centre of its mask's bounding box, or -1 for an empty mask."""
    out = np.full((len(mks), 2), -1, np.int64)
    for i, m in enumerate(mks):
        ys, xs = np.nonzero(m[..., 0])
        if len(ys):
            out[i] = ((ys.min() + ys.max()) // 2, (xs.min() + xs.max()) // 2)
    return out


def sample(rng, ims, tms, mks, cen, n: int, win: int, inp: int, on_defect: float = 0.8):
    idx = rng.integers(0, len(ims), n)
    bi, bt, bm = [], [], []
    for i in idx:
        y, x = rng.integers(0, inp - win + 1, 2)
        if cen[i, 0] >= 0 and rng.random() < on_defect:
            # A random window would miss the defect most of the time (it covers ~1/7 of the crop):
            # put the defect's centre anywhere in the window's inner part instead.
            y, x = (int(np.clip(c - rng.integers(win // 6, win - win // 6), 0, inp - win)) for c in cen[i])
        a, b, c = ims[i, y:y + win, x:x + win], tms[i, y:y + win, x:x + win], mks[i, y:y + win, x:x + win]
        k = int(rng.integers(4))
        a, b, c = np.rot90(a, k), np.rot90(b, k), np.rot90(c, k)
        if rng.random() < 0.5:
            a, b, c = a[:, ::-1], b[:, ::-1], c[:, ::-1]
        bi.append(a), bt.append(b), bm.append(c)
    return (torch.from_numpy(np.ascontiguousarray(np.stack(bi))), torch.from_numpy(np.ascontiguousarray(np.stack(bt))),
            torch.from_numpy(np.ascontiguousarray(np.stack(bm))).permute(0, 3, 1, 2).float())


def sample_pasted(rng, ims, tms, mks, n: int, win: int, inp: int, sides=(12, 56)):
    """n windows of pairs with a canary-like pseudo-defect (kinds.paste_pseudo_defect: a flipped patch of
    the same crop or a noise disc, half each) pasted at a random place of the R x R crop; the window
    contains it (centre in the window's inner part) and the target is its mask (plus the pair's own)."""
    idx = rng.integers(0, len(ims), n)
    bi, bt, bm = [], [], []
    for i in idx:
        side = int(rng.integers(sides[0], sides[1] + 1))
        c = [int(v) for v in rng.integers(side // 2, inp - side // 2, 2)]
        kind = "cutpaste" if rng.random() < 0.5 else "noise"
        im, m = kinds.paste_pseudo_defect(rng, ims[i], c, side, kind)
        m = (m | mks[i, ..., 0].astype(bool)).astype(np.uint8)[..., None]
        y, x = (int(np.clip(v - rng.integers(win // 6, win - win // 6), 0, inp - win)) for v in c)
        a, b, t = im[y:y + win, x:x + win], tms[i, y:y + win, x:x + win], m[y:y + win, x:x + win]
        k = int(rng.integers(4))
        a, b, t = np.rot90(a, k), np.rot90(b, k), np.rot90(t, k)
        if rng.random() < 0.5:
            a, b, t = a[:, ::-1], b[:, ::-1], t[:, ::-1]
        bi.append(a), bt.append(b), bm.append(t)
    return (torch.from_numpy(np.ascontiguousarray(np.stack(bi))), torch.from_numpy(np.ascontiguousarray(np.stack(bt))),
            torch.from_numpy(np.ascontiguousarray(np.stack(bm))).permute(0, 3, 1, 2).float())


def loss_fn(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    bce = F.binary_cross_entropy_with_logits(logits, target)
    p = torch.sigmoid(logits)
    dice = 1 - (2 * (p * target).sum() + 1) / (p.sum() + target.sum() + 1)
    return 0.8 * bce + 0.2 * dice


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ng", action="append", required=True, help="generator dir with NG pairs + masks (repeatable)")
    ap.add_argument("--ok", action="append", default=[], help="generator dir whose OK pairs are used (repeatable)")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--input", type=int, default=256)
    ap.add_argument("--window", type=int, default=96, help="training window side (<= input)")
    ap.add_argument("--widths", default="8,16,32,64")
    ap.add_argument("--steps", type=int, default=330)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--ok-share", type=float, default=0.25, help="share of OK windows per batch")
    ap.add_argument("--paste-share", type=float, default=0.0,
                    help="share of windows per batch with a canary-like pseudo-defect pasted into an OK pair (0 = off)")
    ap.add_argument("--paste-sides", default="12,56", help="min,max side (px of the R x R crop) of the pasted pseudo-defects")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", default="", help="start from this pairseg checkpoint (second training stage)")
    ap.add_argument("--time-budget", type=float, default=600, help="seconds of training; the schedule ends at the budget if the steps take longer")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    t0 = time.time()
    ng = load_set(a.ng, a.crop, a.input, "NG")
    ok = load_set(a.ok, a.crop, a.input, "OK") if a.ok else None
    print(f"loaded {len(ng[0])} NG + {0 if ok is None else len(ok[0])} OK pairs in {time.time() - t0:.0f}s", flush=True)

    widths = tuple(int(w) for w in a.widths.split(","))
    net = kinds.PairSegNet(widths)
    if a.init:
        # Warm start (a second stage of the same recipe): the schedule restarts, the weights do not.
        net, cfg0 = kinds.load_checkpoint(a.init, "pairseg")
        if tuple(cfg0.get("widths", ())) != widths:
            raise SystemExit(f"train_pairseg: --init {a.init} has widths {cfg0.get('widths')}, not {list(widths)}")
        net.train()
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    n_ok = int(round(a.batch * a.ok_share)) if ok is not None else 0
    n_paste = int(round(a.batch * a.paste_share))
    sides = tuple(int(v) for v in a.paste_sides.split(","))
    base = ok if ok is not None else ng
    t1, log, run = time.time(), [], []
    net.train()
    step = 0
    for step in range(1, a.steps + 1):
        bi, bt, bm = sample(rng, *ng, a.batch - n_ok - n_paste, a.window, a.input)
        if n_ok:
            oi, ot, om = sample(rng, *ok, n_ok, a.window, a.input)
            bi, bt, bm = torch.cat([bi, oi]), torch.cat([bt, ot]), torch.cat([bm, om])
        if n_paste:
            pi, pt, pm = sample_pasted(rng, *base[:3], n_paste, a.window, a.input, sides)
            bi, bt, bm = torch.cat([bi, pi]), torch.cat([bt, pt]), torch.cat([bm, pm])
        loss = loss_fn(net.logits(bi, bt), bm)
        opt.zero_grad()
        loss.backward()
        # Warm-up then cosine decay over whichever runs out first, the steps or the time budget: on a
        # shared CPU the step rate varies 3x, and a schedule cut off at its peak leaves a noisy model.
        progress = max(step / a.steps, (time.time() - t1) / a.time_budget)
        for g in opt.param_groups:
            g["lr"] = a.lr * min(1.0, progress / 0.05) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
        opt.step()
        run.append(float(loss))
        if step % 50 == 0:
            log.append({"step": step, "loss": round(float(np.mean(run)), 5), "s": round(time.time() - t1, 1)})
            print(f"step {step} loss {np.mean(run):.4f} {time.time() - t1:.0f}s", flush=True)
            run = []
        if progress >= 1 and step < a.steps:
            print(f"time budget reached at step {step}", flush=True)
            break
    train_s = time.time() - t1
    os.makedirs(a.out_dir, exist_ok=True)
    cfg = {"widths": list(widths), "crop": a.crop, "input": a.input}
    kinds.save_checkpoint(os.path.join(a.out_dir, "pairseg.pth"), "pairseg", cfg, net)
    out = {"args": vars(a), "pairs_ng": len(ng[0]), "pairs_ok": 0 if ok is None else len(ok[0]), "steps": step,
           "stopped_by_budget": step < a.steps, "train_s": round(train_s, 1), "total_s": round(time.time() - t0, 1),
           "params": sum(p.numel() for p in net.parameters()), "log": log}
    with open(os.path.join(a.out_dir, "train_log.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {a.out_dir}/pairseg.pth: {out['params']} parameters, {step} steps, {train_s:.0f}s training")
    return 0


if __name__ == "__main__":
    sys.exit(main())
