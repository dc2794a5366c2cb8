"""Train an EdgeAgent STPM student on OK pairs from the synthetic generator.

    /usr/bin/python3 models/train/train_stpm.py --data DIR --out-dir models/.work \
        [--arch resnet18 --crop 256 --input 256 --pad 16 --epochs 4 --batch 8 --lr 3e-4]

Teacher: no ImageNet weights exist here, so the teacher is a randomly initialised backbone
(fixed --teacher-seed, torchvision's default init) whose BatchNorm running statistics are
calibrated on the training templates (train-mode forward passes, no gradient), then frozen.
Student: same arch, initialised as a copy of the calibrated teacher (--student-init teacher) or
randomly (--student-init random), trained with Adam to reproduce the teacher's layer1..3 features:
loss = sum_l mean(d_l), d_l as in the score definition (teacher gets the template, student the
image). Training crops are C x C windows taken at the same random position in image and template
(plus the same random flip / 90-degree rotation), then INTER_AREA to R if R != C, normalised and
reflect-padded exactly as at inference.

Writes OUT/teacher.pth, OUT/student.pth (plain layer1..3 state_dicts) and OUT/train_log.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from typing import List, Tuple

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import reference  # noqa: E402
import stpm  # noqa: E402


def read_labels(root: str, label: str | None = None) -> List[dict]:
    path = os.path.join(root, "labels.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    need = {"product", "id", "image", "template", "label"}
    if rows and not need <= set(rows[0]):
        raise ValueError(f"{path}: header lacks {sorted(need - set(rows[0]))}")
    return [r for r in rows if label is None or r["label"] == label]


def load_pairs(root: str, rows: List[dict]) -> List[Tuple[np.ndarray, np.ndarray]]:
    pairs = []
    for r in rows:
        t = reference.read_template(os.path.join(root, r["template"]))
        im = reference.read_image(os.path.join(root, r["image"]))
        if t.shape[:2] != im.shape[:2]:
            raise ValueError(f"{r['id']}: template {t.shape[:2]} vs image {im.shape[:2]}")
        pairs.append((t, im))
    return pairs


def to_tensor(batch_rgb: List[np.ndarray], pad: int) -> torch.Tensor:
    x = torch.from_numpy(np.stack(batch_rgb).transpose(0, 3, 1, 2).copy()).float()
    return stpm.normalise_pad(x, pad)


def sample_batch(pairs, idx, rng: np.random.Generator, crop: int, inp: int, pad: int, jitter: bool):
    ts, ims = [], []
    for i in idx:
        t, im = pairs[i]
        h, w = t.shape
        if jitter:
            y0, x0 = int(rng.integers(0, h - crop + 1)), int(rng.integers(0, w - crop + 1))
        else:
            y0, x0 = (h - crop) // 2, (w - crop) // 2
        tc, ic = t[y0:y0 + crop, x0:x0 + crop], im[y0:y0 + crop, x0:x0 + crop]
        if jitter:
            k, flip = int(rng.integers(0, 4)), bool(rng.integers(0, 2))
            tc, ic = np.rot90(tc, k), np.rot90(ic, k)
            if flip:
                tc, ic = tc[:, ::-1], ic[:, ::-1]
        if inp != crop:
            tc = cv2.resize(np.ascontiguousarray(tc), (inp, inp), interpolation=cv2.INTER_AREA)
            ic = cv2.resize(np.ascontiguousarray(ic), (inp, inp), interpolation=cv2.INTER_AREA)
        ts.append(np.repeat(np.asarray(tc)[:, :, None], 3, axis=2))
        ims.append(np.asarray(ic)[:, :, ::-1])  # BGR -> RGB
    return to_tensor(ts, pad), to_tensor(ims, pad)


def stpm_loss(ft, fs) -> Tuple[torch.Tensor, List[float]]:
    per = [stpm.layer_distance(a, b).mean() for a, b in zip(ft, fs)]
    return sum(per), [float(p) for p in per]


@torch.no_grad()
def calibrate_bn(net: stpm.TruncatedResNet, pairs, a, rng) -> int:
    """Re-estimates BN running stats as the plain average over --calib-batches batches of templates."""
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative moving average
    net.train()
    n = 0
    for _ in range(a.calib_batches):
        idx = rng.choice(len(pairs), size=min(a.batch * 2, len(pairs)), replace=False)
        t, _ = sample_batch(pairs, idx, rng, a.crop, a.input, a.pad, jitter=True)
        net(t)
        n += len(idx)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = 0.1
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="generator output dir (labels.csv); OK pairs are used")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--arch", default="resnet18", choices=stpm.ARCHS)
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--input", type=int, default=256)
    ap.add_argument("--pad", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--max-pairs", type=int, default=0, help="use at most this many OK pairs (0 = all)")
    ap.add_argument("--teacher-seed", type=int, default=20240601)
    ap.add_argument("--student-init", choices=("teacher", "random"), default="teacher")
    ap.add_argument("--student-seed", type=int, default=20240602, help="used with --student-init random")
    ap.add_argument("--calib-batches", type=int, default=16, help="BN calibration batches (2*batch templates each)")
    ap.add_argument("--seed", type=int, default=0, help="data order / augmentation seed")
    ap.add_argument("--time-budget", type=float, default=0, help="stop training after this many seconds (0 = off)")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    stpm.validate_geometry(a.crop, a.input, a.pad)
    os.makedirs(a.out_dir, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    t0 = time.time()

    rows = read_labels(a.data, "OK")
    if a.max_pairs:
        rows = rows[:a.max_pairs]
    if len(rows) < a.batch:
        raise SystemExit(f"train_stpm: only {len(rows)} OK pairs in {a.data}")
    pairs = load_pairs(a.data, rows)
    t_load = time.time() - t0
    print(f"loaded {len(pairs)} OK pairs in {t_load:.1f}s", flush=True)

    teacher = stpm.seeded_backbone(a.arch, a.teacher_seed)
    n_cal = calibrate_bn(teacher, pairs, a, rng)
    teacher.eval().requires_grad_(False)
    if a.student_init == "teacher":
        student = stpm.TruncatedResNet(a.arch)
        student.load_state_dict(teacher.state_dict())
    else:
        student = stpm.seeded_backbone(a.arch, a.student_seed)
    student.train().requires_grad_(True)
    opt = torch.optim.Adam(student.parameters(), lr=a.lr)
    steps_per_epoch = len(pairs) // a.batch
    total = steps_per_epoch * a.epochs
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(total, 1))
    print(f"teacher BN calibrated on {n_cal} templates; {a.epochs} epochs x {steps_per_epoch} steps", flush=True)

    log = {"args": vars(a), "pairs": len(pairs), "load_s": round(t_load, 1), "epochs": []}
    t_train = time.time()
    step, stopped = 0, False
    for ep in range(a.epochs):
        order = rng.permutation(len(pairs))
        sums, n = np.zeros(3), 0
        for s in range(steps_per_epoch):
            t, im = sample_batch(pairs, order[s * a.batch:(s + 1) * a.batch], rng, a.crop, a.input, a.pad, jitter=True)
            with torch.no_grad():
                ft = teacher(t)
            loss, per = stpm_loss(ft, student(im))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            sums += per
            n += 1
            step += 1
            if step == 1 or step % 20 == 0:
                el = time.time() - t_train
                print(f"ep {ep} step {step}/{total} loss {float(loss):.4f} (d1 {per[0]:.4f} d2 {per[1]:.4f} d3 {per[2]:.4f}) "
                      f"{el / step:.2f}s/step", flush=True)
            if a.time_budget and time.time() - t_train > a.time_budget:
                stopped = True
                break
        log["epochs"].append({"epoch": ep, "steps": n, "mean_d": [round(float(v), 5) for v in sums / max(n, 1)]})
        if stopped:
            print(f"time budget {a.time_budget}s reached after {step} steps", flush=True)
            break
    log["train_s"] = round(time.time() - t_train, 1)
    log["steps"] = step
    log["stopped_by_budget"] = stopped
    log["total_s"] = round(time.time() - t0, 1)

    student.eval()
    torch.save(teacher.state_dict(), os.path.join(a.out_dir, "teacher.pth"))
    torch.save(student.state_dict(), os.path.join(a.out_dir, "student.pth"))
    with open(os.path.join(a.out_dir, "train_log.json"), "w") as f:
        json.dump(log, f, indent=1)
    print(f"trained {step} steps in {log['train_s']}s (total {log['total_s']}s); wrote {a.out_dir}/teacher.pth, student.pth")
    return 0


if __name__ == "__main__":
    sys.exit(main())
