"""Train the EdgeAgent `classifier` model (narrow VGG, 7 classes) on generator pairs.

    /usr/bin/python3 models/train/train_classifier.py --data DIR [--data DIR ...] --out-dir RUN \
        [--use-template] [--crop 256 --input 128 --steps 400 --batch 24 --lr 2e-3] [--val DIR]

Classes: ok, particle, scratch, missing, extra, stain, patch (label = the generator's defect kind,
"none" -> ok). Every pair is cut exactly as the agent cuts it (centred C x C, INTER_AREA to R); the
samples are whole R x R crops with a random flip / 90-degree rotation (the same for image and
template). Loss: cross-entropy with class weights 1/frequency (the OK share differs between sets).
Adam, warm-up + cosine decay over the steps or the --time-budget, whichever ends first, fixed seed. --use-template adds the gray template as a second input channel
(the graph then declares the `template` input). --val DIR prints NG AP (score = 1 - p_ok) and class
accuracy there at the end, which is how the template question was decided (models/README.md).

Writes RUN/classifier.pth ({kind, config, state_dict}) and RUN/train_log.json.
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


def load(roots, crop: int, inp: int):
    ims, tms, ys = [], [], []
    for root in roots:
        for r in kinds.read_labels(root):
            t, im, _ = kinds.read_pair(root, r)
            ims.append(kinds.crop_resize(im, crop, inp))
            tms.append(kinds.crop_resize(t, crop, inp)[..., None])
            ys.append(kinds.CLASSES.index("ok" if r["label"] == "OK" else r["defect"]))
    return np.stack(ims), np.stack(tms), np.asarray(ys, np.int64)


def add_pasted(rng, ims, tms, ys, n: int, sides=(12, 56)):
    """--paste N: N more samples, OK pairs with a canary-like pseudo-defect (kinds.paste_pseudo_defect,
    flipped patch or noise disc, half each, anywhere in the crop) labelled `patch` (a foreign square of
    texture, the generator kind closest to it), so the head learns that such things are defects too."""
    ok = np.flatnonzero(ys == 0)
    new_ims, new_tms = [], []
    for i in rng.choice(ok, n, replace=n > len(ok)):
        side = int(rng.integers(sides[0], sides[1] + 1))
        c = [int(v) for v in rng.integers(side // 2, ims.shape[1] - side // 2, 2)]
        im, _ = kinds.paste_pseudo_defect(rng, ims[i], c, side, "cutpaste" if rng.random() < 0.5 else "noise")
        new_ims.append(im), new_tms.append(tms[i])
    return (np.concatenate([ims, np.stack(new_ims)]), np.concatenate([tms, np.stack(new_tms)]),
            np.concatenate([ys, np.full(n, kinds.CLASSES.index("patch"), np.int64)]))


@torch.no_grad()
def validate(net, ims, tms, ys) -> dict:
    net.eval()
    probs = np.concatenate([net(torch.from_numpy(ims[i:i + 32]), torch.from_numpy(tms[i:i + 32])).numpy()
                            for i in range(0, len(ims), 32)])
    net.train()
    score = 1 - probs[:, 0]
    return {"ap_ng": kinds.average_precision(score, ys > 0),
            "recall_at_1pct_overkill": kinds.recall_at_overkill(score, ys > 0)[0],
            "class_accuracy": float((probs.argmax(1) == ys).mean()),
            "class_accuracy_ng": float((probs.argmax(1) == ys)[ys > 0].mean())}


@torch.no_grad()
def pooled_features(net, ims, tms, batch: int = 16) -> torch.Tensor:
    net.eval()
    return torch.cat([net.pooled(torch.from_numpy(ims[i:i + batch]), torch.from_numpy(tms[i:i + batch]))
                      for i in range(0, len(ims), batch)])


def train_seg_head(a, ims, tms, ys, weight) -> int:
    """--seg-head: the frozen segmenter's pooled features are computed once per pair (with the four
    90-degree rotations as augmentation), then only the small FC head is trained on them."""
    seg, seg_cfg = kinds.load_checkpoint(a.seg_head, "pairseg")
    net = kinds.SegHeadClassifierNet(seg, a.hidden, kinds.CLASSES)
    for p in net.seg.parameters():
        p.requires_grad_(False)
    t1 = time.time()
    feats, labels = [], []
    for k in range(a.rotations):
        feats.append(pooled_features(net, np.ascontiguousarray(np.rot90(ims, k, axes=(1, 2))),
                                     np.ascontiguousarray(np.rot90(tms, k, axes=(1, 2)))))
        labels.append(torch.from_numpy(ys))
        print(f"features, rotation {k}: {time.time() - t1:.0f}s", flush=True)
    x, y = torch.cat(feats), torch.cat(labels)
    mu, sd = x.mean(0), x.std(0) + 1e-6
    # The standardisation is folded into the first FC layer afterwards, so the graph needs nothing extra.
    xs = (x - mu) / sd
    opt = torch.optim.Adam(net.fc.parameters(), lr=a.lr, weight_decay=1e-3)
    net.fc.train()
    log = []
    for epoch in range(1, a.steps + 1):
        loss = F.cross_entropy(net.fc(xs), y, weight=weight, label_smoothing=a.label_smoothing)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if epoch % 100 == 0:
            log.append({"epoch": epoch, "loss": round(float(loss), 5)})
            print(f"head epoch {epoch} loss {float(loss):.4f}", flush=True)
    with torch.no_grad():
        first = net.fc[0]
        first.bias -= (first.weight / sd) @ mu
        first.weight /= sd
    train_s = time.time() - t1
    os.makedirs(a.out_dir, exist_ok=True)
    cfg = {"arch": "seg-head", "widths": list(seg.widths), "hidden": a.hidden, "classes": list(kinds.CLASSES),
           "use_template": True, "crop": a.crop, "input": a.input, "seg_checkpoint_sha256": kinds.sha256_file(a.seg_head)}
    kinds.save_checkpoint(os.path.join(a.out_dir, "classifier.pth"), "classifier", cfg, net)
    out = {"args": vars(a), "pairs": len(ys), "per_class": dict(zip(kinds.CLASSES, np.bincount(ys, minlength=7).tolist())),
           "steps": a.steps, "stopped_by_budget": False, "train_s": round(train_s, 1),
           "params": sum(p.numel() for p in net.fc.parameters()), "params_total": sum(p.numel() for p in net.parameters()), "log": log}
    if a.val:
        out["val"] = validate(net, *load([a.val], a.crop, a.input))
        print(f"val {a.val}: {out['val']}", flush=True)
    with open(os.path.join(a.out_dir, "train_log.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {a.out_dir}/classifier.pth (segmenter + {out['params']}-parameter head), {train_s:.0f}s")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", action="append", required=True, help="generator dir (repeatable); OK and NG pairs are used")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--use-template", action="store_true")
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--input", type=int, default=128)
    ap.add_argument("--widths", default="16,32,64,128,128")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--pool", default="max", choices=("max", "avg"), help="global pooling before the FC")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seg-head", default="", help="pairseg checkpoint: train only a head on its frozen features "
                    "(the bundled classifier; --steps = full-batch epochs of the head)")
    ap.add_argument("--label-smoothing", type=float, default=0.1, help="--seg-head: keeps the head's probabilities "
                    "off 0/1, so a threshold on them can be calibrated (without it OK pairs scored 0.99996)")
    ap.add_argument("--rotations", type=int, default=4, help="--seg-head: 90-degree rotations of each pair used (1-4)")
    ap.add_argument("--paste", type=int, default=0, help="add this many OK pairs with a canary-like pseudo-defect, labelled patch")
    ap.add_argument("--val", default="", help="generator dir for the end-of-training check")
    ap.add_argument("--time-budget", type=float, default=600, help="seconds of training; the schedule ends at the budget if the steps take longer")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    t0 = time.time()
    ims, tms, ys = load(a.data, a.crop, a.input)
    if a.paste:
        ims, tms, ys = add_pasted(rng, ims, tms, ys, a.paste)
    counts = np.bincount(ys, minlength=len(kinds.CLASSES))
    print(f"loaded {len(ys)} pairs, per class {dict(zip(kinds.CLASSES, counts.tolist()))} in {time.time() - t0:.0f}s", flush=True)
    weight = torch.tensor(len(ys) / (len(kinds.CLASSES) * np.maximum(counts, 1)), dtype=torch.float32)

    if a.seg_head:
        return train_seg_head(a, ims, tms, ys, weight)
    widths = tuple(int(w) for w in a.widths.split(","))
    net = kinds.ClassifierNet(widths, a.hidden, kinds.CLASSES, a.use_template, a.pool)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr, weight_decay=1e-4)
    t1, log, run = time.time(), [], []
    net.train()
    step = 0
    for step in range(1, a.steps + 1):
        idx = rng.integers(0, len(ys), a.batch)
        k, flip = int(rng.integers(4)), rng.random() < 0.5
        bi, bt = np.rot90(ims[idx], k, axes=(1, 2)), np.rot90(tms[idx], k, axes=(1, 2))
        if flip:
            bi, bt = bi[:, :, ::-1], bt[:, :, ::-1]
        logits = net.logits(torch.from_numpy(np.ascontiguousarray(bi)), torch.from_numpy(np.ascontiguousarray(bt)))
        loss = F.cross_entropy(logits, torch.from_numpy(ys[idx]), weight=weight)
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
    cfg = {"widths": list(widths), "hidden": a.hidden, "pool": a.pool, "classes": list(kinds.CLASSES), "use_template": a.use_template,
           "crop": a.crop, "input": a.input}
    kinds.save_checkpoint(os.path.join(a.out_dir, "classifier.pth"), "classifier", cfg, net)
    out = {"args": vars(a), "pairs": len(ys), "per_class": dict(zip(kinds.CLASSES, counts.tolist())), "steps": step,
           "stopped_by_budget": step < a.steps, "train_s": round(train_s, 1),
           "params": sum(p.numel() for p in net.parameters()), "log": log}
    if a.val:
        out["val"] = validate(net, *load([a.val], a.crop, a.input))
        print(f"val {a.val}: {out['val']}", flush=True)
    out["total_s"] = round(time.time() - t0, 1)
    with open(os.path.join(a.out_dir, "train_log.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {a.out_dir}/classifier.pth: {out['params']} parameters, {step} steps, {train_s:.0f}s training")
    return 0


if __name__ == "__main__":
    sys.exit(main())
