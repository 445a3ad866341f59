#!/usr/bin/python3
"""Calibration of the OCR token confidences that ship: does a low confidence mark a wrong word, a bad line?

usage (from model-serving/training/, after `mvn -pl model-serving -am -DskipTests package`):
    /usr/bin/python3 calibration.py [--jar ../target/glimpse.jar] [--model ../models/glimpse-tiny]
                                    [--n-per-factor 40] [--n-standard 100]
                                    [--json OUT.json] [--keep DIR]

Draws the held-out OCR sets (every OCR factor of glimpse_train/heldout.py, and the in-distribution set of
`evaluate.py --suite standard`: seed 900,000,002, lines and pages alternating), writes them as PNG files and reads
them with the Java CLI (`java -jar glimpse.jar ocr FILE...`: the engine, the greedy decoder and the confidences that
ship, on ONNX Runtime), then measures:

* word AUC: for the words of the answers, the area under the ROC curve of "wrong" against the word's confidence
  (min, and mean, of its tokens' probabilities): the chance that a wrong word has a lower confidence than a right
  one (ties count half). A predicted word is right when the word-level alignment pairs it with an equal expected
  word: predicted and expected words (whitespace-split over the whole text, line breaks included as separators)
  are aligned by Levenshtein distance on word sequences (unit costs; among equal-cost alignments, matches first);
  a predicted word aligned to a different word, or to none, is wrong.
* review: for a few values of tasks.ocr.reviewBelow, the share of answers it would mark (lowest word `min` under
  it), of answers not exactly right it marks and of exactly right ones it marks.
* line CER by decile of line confidence: the answer's lines (the CLI's `lines`) are aligned to the expected lines
  by a line-level edit alignment (substitution cost = character edit distance, an unmatched line costs its
  length); each predicted line gets its character errors against its expected line (all its characters when it
  has none). Lines sorted by confidence (their `min`, and their `mean`) are cut into ten equal groups; a group's
  CER is its errors over its expected characters. Expected lines the answer left out have no confidence and are
  counted apart.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

from glimpse_train import data, heldout
from glimpse_train.metrics import edit_distance

EVAL_SEED = 900_000_000     # evaluate.py's: its OCR set is drawn from EVAL_SEED + 2


def align(pred, ref, sub_cost, gap_cost):
    """Levenshtein alignment of two sequences: pairs (i, j) with j None for an unmatched predicted item (ref items
    left unmatched are not listed). Among equal-cost paths the backtrace prefers the diagonal."""
    n, m = len(pred), len(ref)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = d[i - 1][0] + gap_cost(pred[i - 1])
    for j in range(1, m + 1):
        d[0][j] = d[0][j - 1] + gap_cost(ref[j - 1])
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j - 1] + sub_cost(pred[i - 1], ref[j - 1]),
                          d[i - 1][j] + gap_cost(pred[i - 1]), d[i][j - 1] + gap_cost(ref[j - 1]))
    pairs, i, j = [], n, m
    while i > 0:
        if j > 0 and d[i][j] == d[i - 1][j - 1] + sub_cost(pred[i - 1], ref[j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif d[i][j] == d[i - 1][j] + gap_cost(pred[i - 1]):
            pairs.append((i - 1, None))
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def auc(scores_wrong, scores_right):
    """P(a wrong word scores lower than a right one), ties half: the ROC AUC of 'wrong' against -confidence."""
    if not scores_wrong or not scores_right:
        return None
    right = sorted(scores_right)
    import bisect
    total = 0.0
    for w in scores_wrong:
        lo, hi = bisect.bisect_left(right, w), bisect.bisect_right(right, w)
        total += (len(right) - hi) + 0.5 * (hi - lo)
    return total / (len(scores_wrong) * len(scores_right))


def draw(n_per_factor, n_standard):
    """(set name, kind, PIL image, expected text) for every image of the OCR sets."""
    rng = random.Random(EVAL_SEED + 2)
    for i in range(n_standard):
        img, text, _ = data.make_ocr_line(rng) if i % 2 == 0 else data.make_ocr_page(rng)
        yield "in_distribution", "ocr_line" if i % 2 == 0 else "ocr_page", img, text
    for index, (name, _, _) in enumerate(heldout.OCR):
        for s in heldout.samples("ocr", index, n_per_factor):
            yield name, s["kind"], s["image"], s["answer"]


def read_with_cli(jar, model, files, chunk):
    out = []
    for k in range(0, len(files), chunk):
        part = files[k:k + chunk]
        cmd = ["java", "-Dai.djl.offline=true", "-jar", jar, "ocr", "--model", model, "--timeout", "600"] + part
        res = subprocess.run(cmd, capture_output=True, text=True)
        lines = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
        if len(lines) != len(part):
            sys.exit("CLI printed %d lines for %d files (exit %d): %s" % (len(lines), len(part), res.returncode,
                                                                        res.stderr[-2000:]))
        out.extend(lines)
        print("read %d/%d" % (len(out), len(files)), file=sys.stderr, flush=True)
    return out


def score(samples, results):
    words = []          # (min, mean, wrong, set)
    lines = []          # (min, mean, errors, ref_chars, set)
    answers = []        # (lowest word min or None, exactly right, set)
    missing_lines = 0
    for (name, kind, _, expected), r in zip(samples, results):
        if "error" in r:
            sys.exit("CLI failed on a %s image: %s" % (name, r["error"]))
        pred_words = [w for line in r["lines"] for w in line["words"]]
        ref_words = expected.split()
        matched = {i for i, j in align([w["text"] for w in pred_words], ref_words,
                                       lambda a, b: 0 if a == b else 1, lambda a: 1)
                   if j is not None and pred_words[i]["text"] == ref_words[j]}
        for i, w in enumerate(pred_words):
            words.append((w["min"], w["mean"], i not in matched, name))
        answers.append((min((w["min"] for w in pred_words), default=None), r["text"] == expected, name))
        ref_lines = [line for line in expected.split("\n") if line.strip()]
        pred_lines = r["lines"]
        pairs = align([p["text"] for p in pred_lines], ref_lines, edit_distance, len)
        paired = set()
        for i, j in pairs:
            p = pred_lines[i]
            ref = ref_lines[j] if j is not None else ""
            if j is not None:
                paired.add(j)
            lines.append((p["min"], p["mean"], edit_distance(p["text"], ref), len(ref), name))
        missing_lines += len(ref_lines) - len(paired)
    return words, lines, answers, missing_lines


def review(words, answers, bars=(0.1, 0.2, 0.3, 0.5, 0.7, 0.9)):
    """What tasks.ocr.reviewBelow = bar would do: answers marked (lowest word min under the bar), the share of
    answers not exactly right that are marked and of exactly right ones that are; words under the bar."""
    out = []
    wrong_answers = [a for a in answers if not a[1]]
    right_answers = [a for a in answers if a[1]]
    wrong_words = [w for w in words if w[2]]
    right_words = [w for w in words if not w[2]]

    def under(a, bar):
        return a[0] is not None and a[0] < bar

    for bar in bars:
        out.append({"reviewBelow": bar,
                    "answers_marked": sum(under(a, bar) for a in answers) / max(1, len(answers)),
                    "not_exact_answers_marked": sum(under(a, bar) for a in wrong_answers) / max(1, len(wrong_answers)),
                    "exact_answers_marked": sum(under(a, bar) for a in right_answers) / max(1, len(right_answers)),
                    "wrong_words_under": sum(w[0] < bar for w in wrong_words) / max(1, len(wrong_words)),
                    "right_words_under": sum(w[0] < bar for w in right_words) / max(1, len(right_words))})
    return out


def deciles(lines, key):
    ordered = sorted(lines, key=lambda x: x[key])
    n = len(ordered)
    out = []
    for d in range(10):
        group = ordered[d * n // 10:(d + 1) * n // 10]
        errors = sum(x[2] for x in group)
        chars = sum(x[3] for x in group)
        out.append({"decile": d + 1, "lines": len(group), "confidence_from": group[0][key],
                    "confidence_to": group[-1][key], "cer": errors / max(1, chars)})
    return out


def summary(words, lines):
    wrong = [w for w in words if w[2]]
    right = [w for w in words if not w[2]]
    res = {"words": len(words), "wrong_words": len(wrong),
           "word_auc_min": auc([w[0] for w in wrong], [w[0] for w in right]),
           "word_auc_mean": auc([w[1] for w in wrong], [w[1] for w in right]),
           "lines": len(lines)}
    if len(lines) >= 10:
        for key, label in ((0, "min"), (1, "mean")):
            ds = deciles(lines, key)
            res["line_cer_by_decile_of_" + label] = ds
            res["lowest_vs_highest_tenth_" + label] = [ds[0]["cer"], ds[-1]["cer"]]
    return res


def fmt(x):
    return "-" if x is None else "%.3f" % x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default=os.path.join("..", "target", "glimpse.jar"))
    ap.add_argument("--model", default=os.path.join("..", "models", "glimpse-tiny"))
    ap.add_argument("--n-per-factor", type=int, default=40)
    ap.add_argument("--n-standard", type=int, default=100)
    ap.add_argument("--chunk", type=int, default=60, help="files per CLI run")
    ap.add_argument("--json")
    ap.add_argument("--keep", help="write the images here (default: a temporary directory, removed)")
    a = ap.parse_args()
    samples = list(draw(a.n_per_factor, a.n_standard))
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or tmp
        os.makedirs(folder, exist_ok=True)
        files = []
        for k, (name, kind, img, _) in enumerate(samples):
            path = os.path.join(folder, "%04d_%s_%s.png" % (k, name, kind))
            img.convert("RGB").save(path)
            files.append(path)
        results = read_with_cli(a.jar, a.model, files, a.chunk)
    words, lines, answers, missing = score(samples, results)
    res = {"images": len(samples), "expected_lines_left_out": missing, "all": summary(words, lines),
           "review": review(words, answers),
           "in_distribution_review": review([w for w in words if w[3] == "in_distribution"],
                                            [a for a in answers if a[2] == "in_distribution"]),
           "held_out_factors_only": summary([w for w in words if w[3] != "in_distribution"],
                                            [x for x in lines if x[4] != "in_distribution"]),
           "per_set": {}}
    for name in dict.fromkeys(s[0] for s in samples):
        s = summary([w for w in words if w[3] == name], [x for x in lines if x[4] == name])
        res["per_set"][name] = {k: v for k, v in s.items() if not k.startswith("line_cer_by")}
    print(json.dumps({k: v for k, v in res.items() if k != "per_set"}, indent=1))
    print("set                words wrong AUC(min) AUC(mean) lines  line CER lowest/highest tenth (min)")
    for name, s in res["per_set"].items():
        tenths = s.get("lowest_vs_highest_tenth_min", [float("nan")] * 2)
        print("%-18s %5d %5d %8s %9s %5d  %.3f / %.3f" % (
            name, s["words"], s["wrong_words"], fmt(s["word_auc_min"]), fmt(s["word_auc_mean"]), s["lines"],
            tenths[0], tenths[1]))
    if a.json:
        res["cli_output"] = results
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
