"""Byte-level BPE: a small trainer, a writer for Hugging Face tokenizers' tokenizer.json, and a pure-Python
encoder/decoder that reproduces HF tokenizers (0.21, as shipped in DJL 0.38) on the texts this project uses.

Pre-tokenisation = HF ByteLevel(add_prefix_space=False, use_regex=True), i.e. the GPT-2 regex. Python's
``re`` has no \\p{L}/\\p{N}; they are approximated by [^\\W\\d_] and \\d, which is exact for ASCII text
(all generated text is ASCII). Merges never involve digits, so digits are always one token each.
Special (added) tokens are matched first, leftmost-longest, as HF does.
"""
import collections
import json
import re

SPECIAL_TOKENS = ["<unk>", "<image>", "</image>", "<slice>", "</slice>", "<image_id>", "</image_id>",
                  "<|im_start|>", "<|im_end|>", "<|endoftext|>"]

_PAT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+""")
# '_' counts as a word character for Python's \w but as punctuation for the GPT-2 regex, so texts with
# '_' are rejected by pretokenize() (generated text never contains it).


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


B2U = bytes_to_unicode()
U2B = {v: k for k, v in B2U.items()}


def pretokenize(text):
    if "_" in text or any(ord(ch) > 127 for ch in text):
        raise ValueError("tokenizer.py only guarantees HF parity on ASCII text without '_': %r" % text)
    return ["".join(B2U[b] for b in piece.encode("utf-8")) for piece in _PAT.findall(text)]


def train_bpe(texts, vocab_size):
    """Learns merges until the vocabulary (specials + 256 bytes + merges) reaches vocab_size.
    Pairs that contain a digit are never merged."""
    words = collections.Counter()
    for t in texts:
        for seg in split_special(t):
            if seg in SPECIAL_TOKENS:
                continue
            for p in pretokenize(seg):
                words[p] += 1
    words = {tuple(w): c for w, c in words.items()}
    merges = []
    n_base = len(SPECIAL_TOKENS) + 256
    digits = set("0123456789")
    while n_base + len(merges) < vocab_size:
        pairs = collections.Counter()
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                if digits & set(a + b):
                    continue
                pairs[(a, b)] += c
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if pairs[best] < 2:
            break
        merges.append(best)
        a, b = best
        nw = {}
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            nw[tuple(out)] = nw.get(tuple(out), 0) + c
        words = nw
    return merges


def split_special(text):
    """Split on special tokens, leftmost-longest."""
    out, i, start = [], 0, 0
    toks = sorted(SPECIAL_TOKENS, key=len, reverse=True)
    while i < len(text):
        if text[i] == "<":
            for t in toks:
                if text.startswith(t, i):
                    if start < i:
                        out.append(text[start:i])
                    out.append(t)
                    i += len(t)
                    start = i
                    break
            else:
                i += 1
        else:
            i += 1
    if start < len(text):
        out.append(text[start:])
    return out


class Tokenizer:
    def __init__(self, vocab, merges):
        self.vocab = vocab                      # str -> id
        self.inv = {i: s for s, i in vocab.items()}
        self.ranks = {tuple(m): r for r, m in enumerate(merges)}
        self.merges = merges
        self.cache = {}

    @classmethod
    def build(cls, merges):
        vocab = {}
        for t in SPECIAL_TOKENS:
            vocab[t] = len(vocab)
        for b in range(256):
            vocab[B2U[b]] = len(vocab)
        for a, b in merges:
            vocab[a + b] = len(vocab)
        return cls(vocab, merges)

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            j = json.load(f)
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in j["model"]["merges"]]
        return cls(j["model"]["vocab"], merges)

    def _bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            best, bi = None, -1
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best is None or r < best):
                    best, bi = r, i
            if best is None:
                break
            parts[bi:bi + 2] = [parts[bi] + parts[bi + 1]]
        self.cache[word] = parts
        return parts

    def encode(self, text):
        ids = []
        for seg in split_special(text):
            if seg in SPECIAL_TOKENS:
                ids.append(self.vocab[seg])
                continue
            for p in pretokenize(seg):
                ids.extend(self.vocab[t] for t in self._bpe(p))
        return ids

    def decode(self, ids, skip_special=True):
        out, buf = [], []
        for i in ids:
            s = self.inv[int(i)]
            if s in SPECIAL_TOKENS:
                if buf:
                    out.append(bytes(buf).decode("utf-8", "replace"))
                    buf = []
                if not skip_special:
                    out.append(s)
                continue
            buf.extend(U2B[c] for c in s)
        if buf:
            out.append(bytes(buf).decode("utf-8", "replace"))
        return "".join(out)

    def id(self, tok):
        return self.vocab[tok]

    def to_hf_json(self):
        added = [dict(id=self.vocab[t], content=t, single_word=False, lstrip=False, rstrip=False,
                      normalized=False, special=True) for t in SPECIAL_TOKENS]
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                              "use_regex": True},
            "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
                               "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                      "ignore_merges": False, "vocab": self.vocab,
                      "merges": [a + " " + b for a, b in self.merges]},
        }

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_hf_json(), f, ensure_ascii=False, indent=1)
            f.write("\n")
