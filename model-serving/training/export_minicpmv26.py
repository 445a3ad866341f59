#!/usr/bin/python3
"""Export a REAL MiniCPM-V 2.6 checkpoint (openbmb/MiniCPM-V-2_6) to the Glimpse model contract.

NEVER RUN ON THE REAL CHECKPOINT: that needs `transformers` (trust_remote_code; torch >= 2.1), the ~16 GB
checkpoint and, for the LLM, a GPU with >= 24 GB (float16) or >= 40 GB of RAM (float32); none of that exists where
this project was built (no transformers, no network). What was run here: this script end to end with --replica
(the architecture at toy size, random weights) on CPU in float32 and with --precision float16 (float32 export, then
to_fp16's conversion), and the engine on both against the replica's PyTorch forward pass. See docs/real-model.md
for what only a GPU with the real weights can verify; compare its output with the HF model before use.

Fixed against the first version (issue #23): dummy inputs follow the model's device and dtype; RoPE inv_freq and
positions are computed in float32 and the tables cast (glimpse_train.model.Decoder); RMSNorm and the attention
softmax upcast to float32 like Qwen2; graphs are checked BY PATH (external data; a float32 decoder is ~30 GB, far
above protobuf's 2 GiB); the LLM is adopted from the HF model's own tensors (meta-device Decoder, load_state_dict
with assign=True) instead of being copied, and the HF model is loaded in float16 for --device cuda, so one copy of
the weights is in memory (~16 GB float16, ~32 GB float32).

What it does, reusing the tiny model's modules and export functions (glimpse_train.model / glimpse_train.export):
* vision.onnx = SigLIP-400M NaViT ViT (27 layers, d 1152, 16 heads, tanh GELU, 70x70 position table) + resampler
  (64 queries, 28 heads, D 3584), loaded into glimpse_train.model.Vision (posBuckets 70). The HF code computes
  position buckets and the resampler's padding/PE with Python loops over tgt_sizes (not exportable with dynamic
  shapes); Vision does the same computation with tensor ops:
    - buckets by HF's rule (--position-buckets bucketize, the default here: a table of torch.bucketize results,
      see checks/check_position_buckets.py; 33 of 280 sides have a row one bucket lower than the integer rule), or
      floor(70*i/Hp)*70 + floor(70*j/Wp) (--position-buckets floor, llama.cpp's and the tiny model's rule);
    - resampler keys get the 2-D sin-cos PE computed in-graph for any Hp, Wp (HF slices a cached 70x70 table and
      grows it, same values).
* decoder.onnx + embed.onnx = Qwen2-7B loaded into glimpse_train.model.Decoder (untied lm_head) and exported with
  the same DecoderGraph (concat-style KV cache, names past_key_values.{i}.key/value -> present.{i}.key/value).
  7.6 B parameters: export in fp16 on a CUDA device (torch.onnx writes external data files beside the .onnx).
  Alternative (and the faster runtime): onnxruntime-genai's model builder,
      python -m onnxruntime_genai.models.builder -i LLM_DIR -o OUT -p fp16 -e cuda \
          --extra_options exclude_embeds=true
  on the LLM saved as a plain Qwen2 checkpoint (see save_llm_only below); it emits GroupQueryAttention with a
  shared KV buffer, inputs_embeds input and the same past/present names (set "decoderStyle": "gqa" then).
  Or, for a float32 export on CPU, `make_gqa_decoder.py OUT` adds this project's GroupQueryAttention graph beside the
  concat one (glimpse_train/gqa_decoder.py; it reads the untied lm_head; not for float16 exports).
* model.json with queryNum 64, scaleResolution 448, posBuckets 70, the reference prompt (HF chat(): default system
  turn, image before the question, maxSliceNums 9, EXIF not applied, the bucket rule used), and the Qwen2
  tokenizer.json copied from the checkpoint (its special tokens include <unk>, <image>, </image>, <slice>, </slice>,
  <image_id>, </image_id>).

usage: export_minicpmv26.py (--hf MODEL_DIR_OR_ID | --replica SEED --replica-tokenizer TOKENIZER_JSON) --out OUT_DIR
                            [--device cuda] [--precision float32|float16] [--skip-llm] [--save-llm-only DIR]
                            [--position-buckets bucketize|floor]

--precision defaults to float16 on cuda (the LLM traced in float16, the vision tower in float32) and float32 on cpu.
--device cpu --precision float16 exports float32 into a staging directory beside OUT_DIR, converts it into OUT_DIR
with to_fp16.convert (everything float16 except the reference's float32 regions; model.json "precision" as to_fp16
writes it) and removes the staging directory: it needs disk for both copies (~30 + ~16 GB for the real model).

--replica SEED takes the down-sized random-weight replica of the architecture (glimpse_train/replica26.py: the
real module layout and state-dict names) instead of the checkpoint; everything after loading is the same code.
make_replica26.py runs it twice on CPU, --precision float32 and float16 (torch 1.13 is enough for the replica,
which is copied rather than adopted); ReplicaMiniCpmV26ITCase checks both against PyTorch in Java
(docs/real-model.md).
"""
import argparse
import json
import os
import shutil
import tempfile

import torch

import to_fp16
from glimpse_train import export
from glimpse_train.model import Config, Decoder, Vision


# HF chat() for [{"role": "user", "content": [image, question]}]: the Qwen2 template's default system turn, then
# "(<image>./</image>)\n" + question, the marker expanded to the slice placeholder (docs/real-model.md)
CHAT_TEMPLATE_26 = ("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                    "<|im_start|>user\n{image}\n{instruction}{question}<|im_end|>\n<|im_start|>assistant\n")
TASKS_26 = {
    "caption": {"instruction": "Describe this image.", "maxSliceNums": 9, "maxNewTokens": 128},
    "ocr": {"instruction": "Read all the text in this image.", "maxSliceNums": 9, "maxNewTokens": 512},
    # the answer's first token is scored; "Yes"/"No" must each be one Qwen2 token (ChatPromptBuilder checks)
    "moderation": {"instruction": "Answer the question about this image.",
                   "question": "Does it show {category}? Answer Yes or No.",
                   "categories": ["violence", "weapons", "nudity", "drugs"], "yes": "Yes", "no": "No",
                   "threshold": 0.5, "maxSliceNums": 9, "maxNewTokens": 1},
}


def vision_config(hf_cfg, bucket_rule="bucketize"):
    v = hf_cfg.vision_config
    # MiniCPMV.init_vision_module drops the last SigLIP layer when drop_vision_last_layer (2.6: false)
    layers = v.num_hidden_layers - (1 if getattr(hf_cfg, "drop_vision_last_layer", False) else 0)
    return Config(pos_bucket_rule=bucket_rule, vocab=hf_cfg.vocab_size, patch=v.patch_size, vit_hidden=v.hidden_size,
                  vit_layers=layers, vit_heads=v.num_attention_heads, vit_mlp=v.intermediate_size,
                  pos_buckets=v.image_size // v.patch_size, query_num=hf_cfg.query_num,
                  resampler_heads=hf_cfg.hidden_size // 128, hidden=hf_cfg.hidden_size, vit_gelu="tanh")


def llm_config(hf_cfg):
    return Config(vocab=hf_cfg.vocab_size, hidden=hf_cfg.hidden_size, layers=hf_cfg.num_hidden_layers,
                  heads=hf_cfg.num_attention_heads, kv_heads=hf_cfg.num_key_value_heads,
                  head_dim=hf_cfg.hidden_size // hf_cfg.num_attention_heads,
                  intermediate=hf_cfg.intermediate_size, rope_theta=hf_cfg.rope_theta,
                  rms_eps=hf_cfg.rms_norm_eps, max_positions=hf_cfg.max_position_embeddings,
                  tie_embeddings=bool(getattr(hf_cfg, "tie_word_embeddings", False)))


def load_vision(hf, cfg):
    """Maps vpm.* (Idefics2/NaViT SigLIP) and resampler.* onto glimpse_train.model.Vision."""
    sd = hf.state_dict()
    out = {"patch_embed.weight": sd["vpm.embeddings.patch_embedding.weight"],
           "patch_embed.bias": sd["vpm.embeddings.patch_embedding.bias"],
           "pos.weight": sd["vpm.embeddings.position_embedding.weight"],
           "post_ln.weight": sd["vpm.post_layernorm.weight"], "post_ln.bias": sd["vpm.post_layernorm.bias"]}
    for n in range(cfg.vit_layers):
        p = "vpm.encoder.layers.%d." % n
        q = "layers.%d." % n
        for a, b in (("layer_norm1", "ln1"), ("layer_norm2", "ln2"), ("self_attn.out_proj", "out"),
                     ("mlp.fc1", "fc1"), ("mlp.fc2", "fc2")):
            out[q + b + ".weight"] = sd[p + a + ".weight"]
            out[q + b + ".bias"] = sd[p + a + ".bias"]
        for t in ("weight", "bias"):
            out[q + "qkv." + t] = torch.cat([sd[p + "self_attn.%s_proj.%s" % (x, t)] for x in "qkv"], 0)
    r = "resampler."
    out.update({"resampler.query": sd[r + "query"], "resampler.kv_proj.weight": sd[r + "kv_proj.weight"],
                "resampler.in_proj.weight": sd[r + "attn.in_proj_weight"],
                "resampler.in_proj.bias": sd[r + "attn.in_proj_bias"],
                "resampler.out_proj.weight": sd[r + "attn.out_proj.weight"],
                "resampler.out_proj.bias": sd[r + "attn.out_proj.bias"], "resampler.proj": sd[r + "proj"]})
    for ln in ("ln_q", "ln_kv", "ln_post"):
        for t in ("weight", "bias"):
            out["resampler.%s.%s" % (ln, t)] = sd[r + "%s.%s" % (ln, t)]
    v = Vision(cfg)
    if cfg.pos_bucket_rule == "bucketize":
        out["pos_bucket_table"] = v.pos_bucket_table       # computed here, not a checkpoint weight
    v.load_state_dict(out, strict=True)
    return v.float().eval()


def load_decoder(hf, cfg):
    """Maps llm.model.* / llm.lm_head onto glimpse_train.model.Decoder (Qwen2 names without self_attn./mlp.)."""
    sd = hf.llm.state_dict()
    out = {"embed_tokens.weight": sd["model.embed_tokens.weight"], "norm.weight": sd["model.norm.weight"]}
    if not cfg.tie_embeddings:
        out["lm_head.weight"] = sd["lm_head.weight"]
    for k, t in sd.items():
        if k.startswith("model.layers."):
            out[k[len("model."):].replace("self_attn.", "").replace("mlp.", "")] = t
    if not _torch_at_least(2, 1):
        # torch < 2.1 has no assign=True: copy (only for a small model, i.e. the replica)
        d = Decoder(cfg)
        d.load_state_dict(out, strict=True)
        return d.eval()
    # adopt the HF tensors (same storage) instead of copying them into a second, randomly initialised
    # Decoder: a 7B LLM must be in memory once
    with torch.device("meta"):
        d = Decoder(cfg)
    d.load_state_dict(out, strict=True, assign=True)
    # the one non-persistent buffer is still on the meta device; forward() recomputes it in float32
    d.inv_freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, cfg.head_dim, 2, dtype=torch.float32) / cfg.head_dim))
    return d.eval()


def _torch_at_least(major, minor):
    return tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2]) >= (major, minor)


def load_hf(a, dtype):
    """(model, tokenizer writer): the real checkpoint through transformers, or with --replica SEED the down-sized
    replica (glimpse_train.replica26: the real module layout and state-dict names, random weights) and its
    small byte-level BPE tokenizer (--replica-tokenizer), so that the rest of this script runs unchanged."""
    if a.replica is not None:
        from glimpse_train import replica26
        with open(a.replica_tokenizer, encoding="utf-8") as f:
            vocab = len(json.load(f)["model"]["vocab"])
        hf = replica26.build(vocab, a.replica).to(dtype)

        def write_tokenizer(out):
            shutil.copy(a.replica_tokenizer, os.path.join(out, "tokenizer.json"))
        return hf, write_tokenizer
    if not _torch_at_least(2, 1):
        raise SystemExit("torch >= 2.1 is needed (meta-device modules, load_state_dict(assign=True))")
    from transformers import AutoModel, AutoTokenizer   # not installed in this project's environment
    hf = AutoModel.from_pretrained(a.hf, trust_remote_code=True, torch_dtype=dtype).eval()

    def write_tokenizer(out):
        tok = AutoTokenizer.from_pretrained(a.hf, trust_remote_code=True)
        tok.save_pretrained(os.path.join(out, "hf-tokenizer"))
        shutil.copy(os.path.join(out, "hf-tokenizer", "tokenizer.json"), os.path.join(out, "tokenizer.json"))
    return hf, write_tokenizer


def main(argv=None):
    ap = argparse.ArgumentParser()
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--hf", help="openbmb/MiniCPM-V-2_6 or a local copy")
    src.add_argument("--replica", type=int, metavar="SEED",
                     help="export the down-sized random-weight replica built from SEED (glimpse_train.replica26)")
    ap.add_argument("--replica-tokenizer", help="tokenizer.json for --replica (its vocabulary size sets the LLM's)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--precision", choices=("float32", "float16"),
                    help="default: float16 on cuda, float32 on cpu; float16 on cpu exports float32, then to_fp16")
    ap.add_argument("--skip-llm", action="store_true")
    ap.add_argument("--save-llm-only", help="also save the LLM as a plain Qwen2 checkpoint (for the genai builder)")
    ap.add_argument("--position-buckets", choices=("bucketize", "floor"), default="bucketize")
    a = ap.parse_args(argv)
    if a.replica is not None and not a.replica_tokenizer:
        ap.error("--replica needs --replica-tokenizer")
    precision = a.precision or ("float16" if a.device == "cuda" else "float32")
    if precision == "float16" and a.device == "cpu":
        # torch 1.13 cannot trace float16 on CPU ("addmm_impl_cpu_" not implemented for 'Half'): export float32
        # into a staging directory beside OUT, then convert it with to_fp16 (weights, I/O and activations float16;
        # RMSNorm, softmax, RoPE and mask arithmetic kept float32, as the reference), the conversion its CLI does
        parent = os.path.dirname(os.path.abspath(a.out))
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=os.path.basename(os.path.abspath(a.out)) + ".fp32-", dir=parent)
        try:
            export_model(a, "float32", staging)
            to_fp16.convert(staging, a.out)
            if os.path.isdir(os.path.join(staging, "hf-tokenizer")):   # to_fp16 copies tokenizer.json only
                shutil.copytree(os.path.join(staging, "hf-tokenizer"), os.path.join(a.out, "hf-tokenizer"),
                                dirs_exist_ok=True)
        finally:
            shutil.rmtree(staging)
    else:
        export_model(a, precision, a.out)


def export_model(a, precision, out):
    """Exports in PRECISION on a.device into OUT: the native path (float16 needs --device cuda)."""
    dtype = torch.float16 if precision == "float16" else torch.float32
    hf, write_tokenizer = load_hf(a, dtype)
    cfg_v = vision_config(hf.config, a.position_buckets)
    os.makedirs(out, exist_ok=True)
    with torch.no_grad():
        vis = load_vision(hf, cfg_v)
        export.export_vision(vis, os.path.join(out, "vision.onnx"), cfg_v.patch)
        if a.save_llm_only:
            hf.llm.save_pretrained(a.save_llm_only)
        cfg_l = llm_config(hf.config.llm_config if hasattr(hf.config, "llm_config") else hf.config)
        if not a.skip_llm:
            dec = load_decoder(hf, cfg_l)
            del hf.llm  # dec holds the only reference to the LLM's tensors from here on
            dec = dec.to(a.device, dtype)  # moves (cuda) or nothing to do (cpu, already float32)
            # torch.onnx writes graphs over 2 GiB with external data beside the .onnx
            export.export_embed(dec.embed_tokens, os.path.join(out, "embed.onnx"))
            export.export_decoder(dec, os.path.join(out, "decoder.onnx"), cfg_l.layers, cfg_l.kv_heads,
                                  cfg_l.head_dim, cfg_l.hidden)
    write_tokenizer(out)
    source = a.hf if a.replica is None else "glimpse_train.replica26 seed %d (random weights)" % a.replica
    m = export.manifest(cfg_l, "2.6.0", {"source": source})
    m["name"] = "minicpm-v-2.6" if a.replica is None else "minicpm-v-2.6-replica"
    m["vision"].update({"scaleResolution": 448, "queryNum": cfg_v.query_num, "posBuckets": cfg_v.pos_buckets,
                        "hidden": cfg_v.vit_hidden, "layers": cfg_v.vit_layers, "heads": cfg_v.vit_heads})
    m["chatTemplate"] = CHAT_TEMPLATE_26
    m["tasks"] = TASKS_26
    m["preprocessing"] = {"exifOrientation": "ignore", "positionBuckets": a.position_buckets}
    m["precision"] = {"vision": "float32", "llm": precision}
    with open(os.path.join(out, "model.json"), "w") as f:
        f.write(export.dumps(m))


if __name__ == "__main__":
    main()
