"""ONNX export of the tiny model to the Glimpse contract (docs/design.md section 3) + model.json.

vision.onnx : pixel_values f32 [N,3,14,L*14], patch_attention_mask i64 [N,L], tgt_sizes i64 [N,2]
              -> image_features f32 [N,Q,D]
embed.onnx  : input_ids i64 [B,T] -> inputs_embeds f32 [B,T,D]
decoder.onnx: inputs_embeds f32 [B,T,D], attention_mask i64 [B,S_past+T], position_ids i64 [B,T],
              past_key_values.{i}.key|value f32 [B,kvHeads,S_past,headDim]
              -> logits f32 [B,T,V], present.{i}.key|value f32 [B,kvHeads,S_past+T,headDim]
The functions here take plain nn.Modules so that export_minicpmv26.py can reuse them for a real checkpoint.
"""
import json
import os
import re

import onnx
import torch
import torch.nn as nn

from . import data

OPSET = 17


class VisionGraph(nn.Module):
    def __init__(self, vision):
        super().__init__()
        self.vision = vision

    def forward(self, pixel_values, patch_attention_mask, tgt_sizes):
        return self.vision(pixel_values, tgt_sizes, patch_attention_mask)


class EmbedGraph(nn.Module):
    def __init__(self, embed_tokens):
        super().__init__()
        self.embed_tokens = embed_tokens

    def forward(self, input_ids):
        return self.embed_tokens(input_ids)


class DecoderGraph(nn.Module):
    def __init__(self, decoder, n_layers):
        super().__init__()
        self.decoder = decoder
        self.n = n_layers

    def forward(self, inputs_embeds, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(self.n)]
        logits, presents = self.decoder(inputs_embeds, attention_mask, position_ids, past)
        flat = []
        for k, v in presents:
            flat += [k, v]
        return (logits, *flat)


def dumps(obj):
    """json with indent 1 but number/string lists on one line."""
    s = json.dumps(obj, indent=1, ensure_ascii=False)
    return re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", s) + "\n"


def check(path):
    """Checks the graph BY PATH: the checker then reads external data itself, so graphs over
    2 GiB (a 7B decoder: ~15 GB in float16, ~30 GB in float32) pass, and no copy of the weights is
    loaded into this process."""
    onnx.checker.check_model(path, full_check=True)


def _like(module):
    """(device, float dtype) of a module's parameters: dummy inputs must match them."""
    p = next(module.parameters())
    return p.device, p.dtype


# Constant folding is left to ONNX Runtime (it folds at session load): unfolded graphs keep every
# weight as an initializer named by its state-dict key, so the shipped model is also a checkpoint
# (checkpoint.from_model_dir) that training can resume from and the PyTorch reference can run.
def export_vision(vision, path, patch=14):
    g = VisionGraph(vision).eval()
    dev, dt = _like(vision)
    pv = torch.randn(3, 3, patch, 40 * patch, device=dev, dtype=dt)
    ts = torch.tensor([[5, 8], [4, 9], [6, 6]], dtype=torch.int64, device=dev)
    mask = torch.zeros(3, 40, dtype=torch.int64, device=dev)
    for n, (h, w) in enumerate(ts.tolist()):
        mask[n, :h * w] = 1
    torch.onnx.export(g, (pv, mask, ts), path, opset_version=OPSET, do_constant_folding=False,
                      input_names=["pixel_values", "patch_attention_mask", "tgt_sizes"],
                      output_names=["image_features"],
                      dynamic_axes={"pixel_values": {0: "N", 3: "L14"}, "patch_attention_mask": {0: "N", 1: "L"},
                                    "tgt_sizes": {0: "N"}, "image_features": {0: "N"}})
    check(path)


def export_embed(embed_tokens, path):
    g = EmbedGraph(embed_tokens).eval()
    ids = torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=torch.int64, device=_like(embed_tokens)[0])
    torch.onnx.export(g, (ids,), path, opset_version=OPSET, input_names=["input_ids"],
                      output_names=["inputs_embeds"],
                      dynamic_axes={"input_ids": {0: "B", 1: "T"}, "inputs_embeds": {0: "B", 1: "T"}})
    check(path)


def export_decoder(decoder, path, n_layers, kv_heads, head_dim, hidden):
    g = DecoderGraph(decoder, n_layers).eval()
    B, T, P = 2, 3, 4
    dev, dt = _like(decoder)  # a CUDA float16 model needs CUDA float16 dummies (else o_proj fails)
    emb = torch.randn(B, T, hidden, device=dev, dtype=dt)
    am = torch.ones(B, P + T, dtype=torch.int64, device=dev)
    am[1, :2] = 0
    pos = torch.arange(P, P + T, device=dev).unsqueeze(0).expand(B, T).contiguous()
    past = []
    names_in = ["inputs_embeds", "attention_mask", "position_ids"]
    names_out = ["logits"]
    dyn = {"inputs_embeds": {0: "B", 1: "T"}, "attention_mask": {0: "B", 1: "S_total"},
           "position_ids": {0: "B", 1: "T"}, "logits": {0: "B", 1: "T"}}
    for i in range(n_layers):
        for kv in ("key", "value"):
            past.append(torch.randn(B, kv_heads, P, head_dim, device=dev, dtype=dt))
            names_in.append("past_key_values.%d.%s" % (i, kv))
            names_out.append("present.%d.%s" % (i, kv))
            dyn[names_in[-1]] = {0: "B", 2: "S_past"}
            dyn[names_out[-1]] = {0: "B", 2: "S_total"}
    torch.onnx.export(g, (emb, am, pos, *past), path, opset_version=OPSET, do_constant_folding=False,
                      input_names=names_in, output_names=names_out, dynamic_axes=dyn)
    check(path)


def manifest(cfg, version, training):
    return {
        "name": "glimpse-tiny", "version": version, "architecture": "minicpmv-2.6",
        "vision": {"patchSize": cfg.patch, "scaleResolution": 112, "maxSliceNums": 9, "queryNum": cfg.query_num,
                   "posBuckets": cfg.pos_buckets, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
                   "hidden": cfg.vit_hidden, "layers": cfg.vit_layers, "heads": cfg.vit_heads,
                   "resize": "PIL BICUBIC", "patchAttentionMask": "int64 [N,L], 1 = valid patch"},
        "llm": {"hidden": cfg.hidden, "layers": cfg.layers, "heads": cfg.heads, "kvHeads": cfg.kv_heads,
                "headDim": cfg.head_dim, "intermediate": cfg.intermediate, "vocab": cfg.vocab,
                "maxPositions": cfg.max_positions, "ropeTheta": cfg.rope_theta, "rmsNormEps": cfg.rms_eps,
                "decoderStyle": "concat", "tiedEmbeddings": bool(cfg.tie_embeddings)},
        "specialTokens": {"unk": "<unk>", "imageStart": "<image>", "imageEnd": "</image>", "sliceStart": "<slice>",
                          "sliceEnd": "</slice>", "imageIdStart": "<image_id>", "imageIdEnd": "</image_id>",
                          "imStart": "<|im_start|>", "imEnd": "<|im_end|>", "eos": "<|endoftext|>",
                          "pad": "<|endoftext|>"},
        "chatTemplate": data.CHAT_TEMPLATE,
        "stopTokens": ["<|im_end|>", "<|endoftext|>"],
        "tasks": {
            "caption": {"instruction": data.INSTRUCTIONS["caption"], "maxSliceNums": 4, "maxNewTokens": 24},
            "ocr": {"instruction": data.INSTRUCTIONS["ocr"], "maxSliceNums": 9, "maxNewTokens": 64},
            "moderation": {"instruction": data.INSTRUCTIONS["moderation"], "question": data.MODERATION_QUESTION,
                           "categories": list(data.CATEGORIES), "yes": "yes", "no": "no", "threshold": 0.5,
                           "maxSliceNums": 4, "maxNewTokens": 1},
        },
        "files": {"vision": "vision.onnx", "embed": "embed.onnx", "decoder": "decoder.onnx",
                  "tokenizer": "tokenizer.json"},
        "training": training,
    }


def export_all(model, out_dir, version, training):
    c = model.c
    model.eval()
    export_vision(model.vision, os.path.join(out_dir, "vision.onnx"), c.patch)
    export_embed(model.decoder.embed_tokens, os.path.join(out_dir, "embed.onnx"))
    export_decoder(model.decoder, os.path.join(out_dir, "decoder.onnx"), c.layers, c.kv_heads, c.head_dim, c.hidden)
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        f.write(dumps(manifest(c, version, training)))
    # the GroupQueryAttention decoder (the engine's default on CPU) beside the concat one, one weights file
    from . import gqa_decoder
    m, _, _ = gqa_decoder.convert(out_dir)
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        f.write(dumps(m))
