"""All model kinds on the same held-out pairs: one markdown table, per kind and for the combinations
the agent implements.

    /usr/bin/python3 models/train/evaluate_kinds.py [--eval-dir /work/kinds-data/eval] \
        [--score-stpm --test /work/kinds-data/test --model models/default/stpm_r18_synth.onnx] \
        [--readme models/README.md]

Reads every EVAL_DIR/<kind>.csv present (kinds stpm, pairseg, classifier, density, memseg; header
id,label,defect,score,threshold,verdict,iou), joins them on the pair id and prints the table.
--score-stpm first makes EVAL_DIR/stpm.csv by running the C# agent itself (`edgeagent inspect --json
--no-align` per pair, the built binary under src/EdgeAgent/bin/Release; build it first) with the
bundled STPM model and the threshold in its metadata. --no-align: every kind is scored on the pairs
as generated (<= 0.5 px, <= 0.05 deg off), as the agent sees them after aligning to about that.
--readme replaces the section "## All kinds on the same held-out pairs" of that file with the table.

Combination scores (exactly what the agent implements): each model's score normalised by its
threshold, n_i = s_i / t_i (NG iff n_i >= 1);
  any-ng  = max_i n_i            all-ng = min_i n_i
  vote    = the k-th largest n_i, k = floor(n/2) + 1
  gate (classifier c, segmenter s) = n_s if n_c >= 1 else min(n_c, n_s)
A combination's "bundled threshold" is 1.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import kinds  # noqa: E402

KINDS = ("stpm", "pairseg", "classifier", "density", "memseg")
MAP_KINDS = ("pairseg", "memseg", "density")
HEADING = "## All kinds on the same held-out pairs"


def score_stpm(test: str, model: str, out_csv: str, workers: int = 3) -> None:
    agent = os.path.join(ROOT, "src", "EdgeAgent", "bin", "Release", "net10.0", "linux-x64", "edgeagent")
    if not os.path.exists(agent):
        raise SystemExit(f"evaluate_kinds: {agent} not found; dotnet build src/EdgeAgent -c Release first")
    rows = kinds.read_labels(test)

    def one(r):
        cmd = ["nice", "-n", "5", agent, "inspect", "--template", os.path.join(test, r["template"]),
               "--image", os.path.join(test, r["image"]), "--model", model, "--json", "--no-align"]
        p = subprocess.run(cmd, capture_output=True, text=True, check=False)
        line = next((ln for ln in p.stdout.splitlines() if ln.startswith("{")), None)
        if line is None:
            raise RuntimeError(f"{r['id']}: agent exit {p.returncode}: {p.stderr.strip()[:300]}")
        v = json.loads(line)
        return {"id": r["id"], "label": r["label"], "defect": r["defect"], "score": float(v["score"]),
                "threshold": float(v["threshold"]), "verdict": v["verdict"]}

    with ThreadPoolExecutor(workers) as ex:
        res = list(ex.map(one, rows))
    th = res[0]["threshold"]
    os.makedirs(os.path.dirname(os.path.abspath(out_csv)), exist_ok=True)
    kinds.write_eval_csv(out_csv, res, th)
    bad = [r["id"] for r in res if (r["score"] >= th) != (r["verdict"] == "NG")]
    if bad:
        print(f"evaluate_kinds: warning: agent verdicts that are not score >= threshold: {bad[:5]}", file=sys.stderr)
    js = {"kind": "stpm", "model": os.path.relpath(model, ROOT), "threshold": th,
          "scored_by": "edgeagent inspect --json --no-align (C# agent, ONNX Runtime CPU)"} | kinds.summary(res, th)
    with open(os.path.splitext(out_csv)[0] + ".json", "w") as f:
        json.dump(js, f, indent=1)
    print(f"wrote {out_csv}: {len(res)} pairs, threshold {th}")


def read_eval(path: str) -> dict:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    need = {"id", "label", "defect", "score", "threshold"}
    if not rows or not need <= set(rows[0]):
        raise SystemExit(f"evaluate_kinds: {path} lacks the columns {sorted(need)}")
    return {r["id"]: r for r in rows}


def combine(name: str, n: np.ndarray, which: list, kinds_present: list) -> np.ndarray:
    cols = [kinds_present.index(k) for k in which]
    m = n[:, cols]
    if name == "any-ng":
        return m.max(axis=1)
    if name == "all-ng":
        return m.min(axis=1)
    if name == "vote":
        k = len(which) // 2 + 1
        return np.sort(m, axis=1)[:, ::-1][:, k - 1]
    if name == "gate":
        c, s = m[:, 0], m[:, 1]
        return np.where(c >= 1, s, np.minimum(c, s))
    raise ValueError(name)


def row_figures(scores: np.ndarray, is_ng: np.ndarray, threshold: float, ious=None) -> dict:
    rec1, _ = kinds.recall_at_overkill(scores, is_ng, 0.01)
    return {"ap": kinds.average_precision(scores, is_ng), "rec1": rec1,
            "recall": float((scores[is_ng] >= threshold).mean()), "overkill": float((scores[~is_ng] >= threshold).mean()),
            "iou": None if not ious else float(np.mean(ious))}


def table(eval_dir: str) -> tuple[str, list]:
    present = [k for k in KINDS if os.path.exists(os.path.join(eval_dir, f"{k}.csv"))]
    missing = [k for k in KINDS if k not in present]
    data = {k: read_eval(os.path.join(eval_dir, f"{k}.csv")) for k in present}
    ids = sorted(set.intersection(*(set(d) for d in data.values()))) if data else []
    if not ids:
        raise SystemExit(f"evaluate_kinds: no common pairs in {eval_dir} ({present})")
    first = data[present[0]]
    is_ng = np.array([first[i]["label"] == "NG" for i in ids])
    for k in present:
        if any((data[k][i]["label"] == "NG") != g for i, g in zip(ids, is_ng)):
            raise SystemExit(f"evaluate_kinds: {k}.csv labels disagree with {present[0]}.csv")
    n = np.stack([[float(data[k][i]["score"]) / float(data[k][i]["threshold"]) for i in ids] for k in present], axis=1)
    lines = []
    for j, k in enumerate(present):
        th = float(data[k][ids[0]]["threshold"])
        ious = [float(data[k][i]["iou"]) for i in ids if data[k][i].get("iou") not in (None, "")]
        f = row_figures(n[:, j] * th, is_ng, th, ious if k in MAP_KINDS else None)
        lines.append((k, f, f"{kinds.fmt(th)}"))
    combos = []
    if {"classifier", "pairseg"} <= set(present):
        combos.append(("gate(classifier→pairseg)", "gate", ["classifier", "pairseg"]))
    if {"stpm", "pairseg"} <= set(present):
        combos.append(("stpm+pairseg any-ng", "any-ng", ["stpm", "pairseg"]))
        combos.append(("stpm+pairseg all-ng", "all-ng", ["stpm", "pairseg"]))
    if len(present) >= 2:
        combos.append((f"vote over {len(present)} ({', '.join(present)}; k={len(present) // 2 + 1})", "vote", present))
    for label, rule, which in combos:
        lines.append((label, row_figures(combine(rule, n, which, present), is_ng, 1.0), "1 (normalised)"))
    n_ok, n_ng = int((~is_ng).sum()), int(is_ng.sum())
    out = [f"| model / combination | NG AP | NG recall @ 1 % overkill | recall / overkill @ bundled threshold (t) | mean IoU | ms/pair (agent bench) |",
           "|---|---|---|---|---|---|"]
    for label, f, th in lines:
        iou = "—" if f["iou"] is None else f"{f['iou']:.3f}"
        out.append(f"| {label} | {f['ap']:.3f} | {f['rec1']:.2f} | {f['recall']:.2f} / {100 * f['overkill']:.1f} % (t = {th}) | {iou} | — |")
    note = (f"{len(ids)} held-out pairs ({n_ng} NG, {n_ok} OK), generator seed 303, scored as generated (no alignment). "
            f"Kinds present: {', '.join(present)}" + (f"; no CSV (yet) for: {', '.join(missing)}." if missing else "."))
    return "\n".join(out) + "\n\n" + note + "\n", lines


def put_in_readme(readme: str, body: str) -> None:
    text = open(readme, encoding="utf-8").read()
    section = (f"{HEADING}\n\nMade by `models/train/evaluate_kinds.py` from the per-pair files in /work/kinds-data/eval "
               f"(each kind's bundled model and bundled threshold; combinations as the agent computes them, on s_i/t_i). "
               f"\"recall @ 1 % overkill\" uses, per row, the smallest score above 99 % of the OK scores; the bundled "
               f"thresholds come from each kind's own calibration set, never from these pairs. The stpm row is the C# agent "
               f"itself (`edgeagent inspect --json --no-align`, bundled model, threshold from its metadata); the other rows "
               f"come from each kind's own evaluation (its CSV/JSON in the same folder). The bundled classifier is a head "
               f"on the bundled segmenter (see its section), so the gate row combines two views of the same features.\n\n{body}")
    if HEADING in text:
        start = text.index(HEADING)
        nxt = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + (text[nxt:] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(readme, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-dir", default="/work/kinds-data/eval")
    ap.add_argument("--score-stpm", action="store_true", help="first write EVAL_DIR/stpm.csv by running the C# agent")
    ap.add_argument("--test", default="/work/kinds-data/test")
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "default", "stpm_r18_synth.onnx"))
    ap.add_argument("--workers", type=int, default=3, help="agent processes at a time for --score-stpm")
    ap.add_argument("--readme", default="", help="write the table into this README's section")
    a = ap.parse_args(argv)
    if a.score_stpm:
        score_stpm(a.test, os.path.abspath(a.model), os.path.join(a.eval_dir, "stpm.csv"), a.workers)
    body, _ = table(a.eval_dir)
    print(body)
    if a.readme:
        put_in_readme(a.readme, body)
        print(f"wrote the table into {a.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
