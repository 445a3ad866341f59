#!/usr/bin/python3
"""Token ids of MiniCPM-V 2.6 prompts under the real Qwen2 tokenizer, and a reduced tokenizer.json that yields
the same ids for those texts (issue #23).

    nice -n 19 /usr/bin/python3 qwen2_prompt_goldens.py QWEN2_MERGES_TXT ../src/test/resources/qwen2-prompt

QWEN2_MERGES_TXT is Qwen2's merges.txt (151,387 merges; the MiniCPM-V 2.6 checkpoint ships the same BPE). It is
not in this repository (1.4 MB, and only a few dozen merges are needed). The ids are computed here by a
pure-Python byte-level BPE (no `tokenizers`): Qwen2's ids are the GPT-2 byte order for the 256 single bytes and
256 + rank for the token each merge produces (so the last merge gives 151642 and <|endoftext|> is 151643, as in
Qwen2's config); the added tokens and their ids are MiniCPM-V 2.6's tokenizer_config.json (ADDED below).

The reduced vocabulary keeps the 256 bytes, exactly the merges the golden texts use (in their original order,
with their real ids) and the added tokens. It provably gives the same ids on those texts: BPE merges, at each
step, the lowest-ranked adjacent pair present in the merge table; every merge the full table applies to a
golden word is in the reduced table with the same relative order, and the reduced table is a subset, so at
every step the pair the full table picks is also the lowest-ranked one the reduced table sees. The Java side
(ModelTokenizer: DJL's binding of HF tokenizers) encodes the prompts with the reduced tokenizer.json, a second,
independent implementation: Qwen2TokenIdsTest checks it returns these ids.
"""
import json
import os
import re
import sys

import export_minicpmv26 as exporter
from glimpse_train import slicing
from glimpse_train.tokenizer import B2U

# MiniCPM-V 2.6 tokenizer_config.json added_tokens_decoder (<unk> re-uses id 128244)
ADDED = {"<unk>": 128244, "<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645,
         "<image>": 151646, "</image>": 151647, "<ref>": 151648, "</ref>": 151649, "<box>": 151650,
         "</box>": 151651, "<quad>": 151652, "</quad>": 151653, "<point>": 151654, "</point>": 151655,
         "<slice>": 151656, "</slice>": 151657, "<image_id>": 151658, "</image_id>": 151659}
ADDED.update({"<|reserved_special_token_%d|>" % k: 151660 + k for k in range(6)})
# Qwen2's pre-tokenizer regex (tokenizer.json Split, behaviour Isolated); the Python pattern below is the same
# on ASCII text (\p{L} = [A-Za-z], \p{N} = [0-9]); goldens are ASCII (checked)
QWEN2_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")
_PAT = re.compile(r"'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]|[^\r\nA-Za-z0-9]?[A-Za-z]+|[0-9]"
                  r"| ?[^\sA-Za-z0-9]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QUERY_NUM = 64
# (name, task, grid (cols, rows) or None, category)
CASES = [("caption_one_row_of_two_slices", "caption", (2, 1), None),
         ("ocr_no_slices", "ocr", None, None),
         ("moderation_two_rows_of_two_slices", "moderation", (2, 2), "weapons")]


def prompt_text(task, grid, category):
    t = exporter.TASKS_26[task]
    q = "" if category is None else "\n" + t["question"].format(category=category)
    ph = slicing.placeholder({"grid": grid}, QUERY_NUM)
    return exporter.CHAT_TEMPLATE_26.format(image=ph, instruction=t["instruction"], question=q)


class Qwen2Bpe:
    def __init__(self, merges):
        self.merges = merges
        self.rank = {m: r for r, m in enumerate(merges)}
        self.used = set()
        self.produced = {a + b: r for r, (a, b) in enumerate(merges)}
        assert len(self.produced) == len(merges), "two merges produce the same token"

    def word(self, w):
        parts = list(w)
        while len(parts) > 1:
            best = min(range(len(parts) - 1), key=lambda i: self.rank.get((parts[i], parts[i + 1]), 1 << 60))
            pair = (parts[best], parts[best + 1])
            if pair not in self.rank:
                break
            self.used.add(self.rank[pair])
            parts[best:best + 2] = [pair[0] + pair[1]]
        return parts

    def token_id(self, tok):
        if len(tok) == 1:
            return BYTE_ORDER.index(tok)
        return 256 + self.produced[tok]

    def encode(self, text):
        if any(ord(ch) > 127 for ch in text):
            raise ValueError("golden texts must be ASCII (the regex translation is exact there only)")
        specials = sorted(ADDED, key=len, reverse=True)
        split = re.split("(" + "|".join(re.escape(s) for s in specials) + ")", text)
        ids = []
        for seg in split:
            if not seg:
                continue
            if seg in ADDED:
                ids.append(ADDED[seg])
                continue
            for piece in _PAT.findall(seg):
                ids.extend(self.token_id(t) for t in self.word("".join(B2U[b] for b in piece.encode("utf-8"))))
        return ids


def byte_order():
    """GPT-2 bytes_to_unicode order (printable bytes first, then the others): Qwen2's ids 0..255."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) \
        + list(range(ord("\xae"), ord("\xff") + 1))
    rest = [b for b in range(256) if b not in printable]
    return [B2U[b] for b in printable + rest]


def reduced_tokenizer_json(bpe):
    merges = [bpe.merges[r] for r in sorted(bpe.used)]
    vocab = {t: i for i, t in enumerate(BYTE_ORDER)}
    for r in sorted(bpe.used):
        a, b = bpe.merges[r]
        vocab[a + b] = 256 + r
    # HF tokenizers numbers an added token that is not in the model's vocabulary after the vocabulary's size; in the
    # full tokenizer that size is 151643, here it is not, so the added tokens are vocabulary entries at their ids
    vocab.update(ADDED)
    added = [dict(id=i, content=t, single_word=False, lstrip=False, rstrip=False, normalized=False, special=True)
             for t, i in sorted(ADDED.items(), key=lambda kv: kv[1])]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": QWEN2_REGEX}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
                           "use_regex": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [a + " " + b for a, b in merges]},
    }


def main(merges_path, out):
    with open(merges_path, encoding="utf-8") as f:
        lines = [ln.rstrip("\n") for ln in f if not ln.startswith("#version")]
    merges = [tuple(ln.split(" ")) for ln in lines if ln]
    assert len(merges) == 151387, len(merges)            # 256 + 151387 = 151643 = <|endoftext|>
    bpe = Qwen2Bpe(merges)
    cases = []
    for name, task, grid, cat in CASES:
        text = prompt_text(task, grid, cat)
        cases.append({"name": name, "task": task, "gridCols": grid[0] if grid else 0,
                      "gridRows": grid[1] if grid else 0, "category": cat, "text": text, "ids": bpe.encode(text)})
    words = {w: bpe.encode(w) for w in ("Yes", "No", "\n", "system", "user", "assistant")}
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(reduced_tokenizer_json(bpe), f, ensure_ascii=False, indent=1)
        f.write("\n")
    doc = {"tokenizer": "Qwen2 (MiniCPM-V 2.6), reduced to the %d merges these texts use" % len(bpe.used),
           "queryNum": QUERY_NUM, "words": words, "cases": cases}
    with open(os.path.join(out, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    for c in cases:
        print(c["name"], len(c["ids"]), "ids", file=sys.stderr)
    print("words", words, "merges used", len(bpe.used), file=sys.stderr)


BYTE_ORDER = byte_order()

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
