"""A down-sized replica of MiniCPM-V 2.6 (openbmb/MiniCPM-V-2_6) in plain PyTorch, for checking the export
without `transformers` and without the real weights.

Module layout and state-dict names are those of the published checkpoint (modeling_minicpmv.py,
modeling_navit_siglip.py, resampler.py; vLLM's minicpmv.py): `vpm.embeddings.patch_embedding`,
`vpm.embeddings.position_embedding`, `vpm.encoder.layers.N.self_attn.{q,k,v,out}_proj`, `layer_norm1/2`,
`mlp.fc1/fc2`, `vpm.post_layernorm`; `resampler.{query, kv_proj, attn (nn.MultiheadAttention, packed
in_proj), ln_q, ln_kv, ln_post, proj}`; `llm.model.embed_tokens`, `llm.model.layers.N.self_attn.{q,k,v,o}_proj`
(q/k/v with bias), `mlp.{gate,up,down}_proj`, `input_layernorm`, `post_attention_layernorm`, `llm.model.norm`,
`llm.lm_head` (untied). The config object carries the attribute names export_minicpmv26.py reads from the HF
config. Only the sizes and the vocabulary are small.

The forward pass is written from the reference semantics, independently of glimpse_train.model (which the
export maps these weights onto): HF's per-image Python loops (bucketize position ids, sliced 2-D sin-cos table,
key_padding_mask), nn.MultiheadAttention in sequence-first layout, image rows located by the <image>/<slice>
bounds, and a Qwen2 decoder that recomputes the whole sequence at every greedy step (no KV cache). So
PyTorch-replica == ONNX-in-Java checks the export's mapping and graphs, not one implementation against itself.
"""
import math
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SIZES = dict(vit_hidden=8, vit_layers=2, vit_heads=2, vit_mlp=16, image_size=980, patch=14, query_num=16,
             hidden=128, layers=2, heads=4, kv_heads=2, intermediate=64, rope_theta=1000000.0, rms_eps=1e-6,
             max_positions=4096)


def make_config(vocab, s=SIZES):
    """The HF config attributes the export reads (MiniCPMVConfig extends Qwen2Config; 2.6's real values in
    comments)."""
    vision = SimpleNamespace(patch_size=s["patch"], hidden_size=s["vit_hidden"],          # 14, 1152
                             num_hidden_layers=s["vit_layers"], num_attention_heads=s["vit_heads"],  # 27, 16
                             intermediate_size=s["vit_mlp"], image_size=s["image_size"],  # 4304, 980
                             layer_norm_eps=1e-6)
    return SimpleNamespace(vision_config=vision, query_num=s["query_num"], vocab_size=vocab,   # 64, 151666
                           drop_vision_last_layer=False,
                           hidden_size=s["hidden"], num_hidden_layers=s["layers"],          # 3584, 28
                           num_attention_heads=s["heads"], num_key_value_heads=s["kv_heads"],  # 28, 4
                           intermediate_size=s["intermediate"], rope_theta=s["rope_theta"],  # 18944, 1e6
                           rms_norm_eps=s["rms_eps"], max_position_embeddings=s["max_positions"],
                           tie_word_embeddings=False)


# --------------------------------------------------------------------------------------------------------
# SigLIP NaViT (modeling_navit_siglip.py)
# --------------------------------------------------------------------------------------------------------
class SiglipVisionEmbeddings(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.patch_size = v.patch_size
        self.patch_embedding = nn.Conv2d(3, v.hidden_size, v.patch_size, v.patch_size)
        self.num_patches_per_side = v.image_size // v.patch_size
        self.position_embedding = nn.Embedding(self.num_patches_per_side ** 2, v.hidden_size)

    def forward(self, pixel_values, patch_attention_mask, tgt_sizes):
        x = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)      # [N, L, d]
        B = self.num_patches_per_side
        boundaries = torch.arange(1 / B, 1.0, 1 / B)
        pos = torch.zeros(x.shape[0], x.shape[1], dtype=torch.long)
        for n in range(x.shape[0]):
            h, w = int(tgt_sizes[n, 0]), int(tgt_sizes[n, 1])
            bh = torch.bucketize(torch.arange(0, 1 - 1e-6, 1 / h), boundaries, right=True)
            bw = torch.bucketize(torch.arange(0, 1 - 1e-6, 1 / w), boundaries, right=True)
            pos[n][patch_attention_mask[n].view(-1)] = (bh[:, None] * B + bw).flatten()
        return x + self.position_embedding(pos)


class SiglipAttention(nn.Module):
    def __init__(self, v):
        super().__init__()
        d = v.hidden_size
        self.heads, self.hd = v.num_attention_heads, d // v.num_attention_heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x, additive_mask):
        N, L, d = x.shape

        def split(t):
            return t.view(N, L, self.heads, self.hd).transpose(1, 2)
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        s = torch.matmul(q, k.transpose(2, 3)) * self.hd ** -0.5 + additive_mask
        p = torch.softmax(s, dim=-1, dtype=torch.float32).to(q.dtype)
        return self.out_proj(torch.matmul(p, v).transpose(1, 2).reshape(N, L, d))


class SiglipMLP(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.fc1 = nn.Linear(v.hidden_size, v.intermediate_size)
        self.fc2 = nn.Linear(v.intermediate_size, v.hidden_size)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))         # hidden_act gelu_pytorch_tanh


class SiglipEncoderLayer(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.self_attn = SiglipAttention(v)
        self.layer_norm1 = nn.LayerNorm(v.hidden_size, eps=v.layer_norm_eps)
        self.mlp = SiglipMLP(v)
        self.layer_norm2 = nn.LayerNorm(v.hidden_size, eps=v.layer_norm_eps)

    def forward(self, x, additive_mask):
        x = x + self.self_attn(self.layer_norm1(x), additive_mask)
        return x + self.mlp(self.layer_norm2(x))


class SiglipEncoder(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.layers = nn.ModuleList([SiglipEncoderLayer(v) for _ in range(v.num_hidden_layers)])


class SiglipVisionTransformer(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.embeddings = SiglipVisionEmbeddings(v)
        self.encoder = SiglipEncoder(v)
        self.post_layernorm = nn.LayerNorm(v.hidden_size, eps=v.layer_norm_eps)

    def forward(self, pixel_values, patch_attention_mask, tgt_sizes):
        """patch_attention_mask [N, 1, L] bool (HF's shape)."""
        x = self.embeddings(pixel_values, patch_attention_mask, tgt_sizes)
        keys = patch_attention_mask.view(x.shape[0], -1)
        # _prepare_4d_attention_mask: padded keys get the dtype's minimum
        additive = (~keys)[:, None, None, :].to(x.dtype) * torch.finfo(x.dtype).min
        for layer in self.encoder.layers:
            x = layer(x, additive)
        return self.post_layernorm(x)


# --------------------------------------------------------------------------------------------------------
# Resampler2_5 (resampler.py)
# --------------------------------------------------------------------------------------------------------
def sincos_2d(embed_dim, h, w):
    """get_2d_sincos_pos_embed as the reference computes it (float32 numpy): meshgrid(w, h), the column (w) half
    first; each half = [sin(pos * omega), cos(pos * omega)], omega = 1 / 10000^(k / (D/4)), k < D/4."""
    gw, gh = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))

    def one_d(pos):
        omega = np.arange(embed_dim // 4, dtype=np.float32)
        omega /= embed_dim / 4.0
        omega = 1.0 / 10000 ** omega
        out = np.einsum("hw,d->hwd", pos, omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=-1)
    return np.concatenate([one_d(gw), one_d(gh)], axis=-1)        # [h, w, D]


class Resampler(nn.Module):
    def __init__(self, num_queries, embed_dim, num_heads, kv_dim, max_size=(70, 70)):
        super().__init__()
        self.embed_dim = embed_dim
        self.query = nn.Parameter(torch.zeros(num_queries, embed_dim))
        self.kv_proj = nn.Linear(kv_dim, embed_dim, bias=False)
        self.attn = nn.MultiheadAttention(embed_dim, num_heads)
        self.ln_q, self.ln_kv, self.ln_post = (nn.LayerNorm(embed_dim, eps=1e-6) for _ in range(3))
        self.proj = nn.Parameter(embed_dim ** -0.5 * torch.randn(embed_dim, embed_dim))
        self.max_size = max_size

    def forward(self, x, tgt_sizes):
        bs = x.shape[0]
        patch_len = (tgt_sizes[:, 0] * tgt_sizes[:, 1]).tolist()
        mh, mw = max(self.max_size[0], int(tgt_sizes[:, 0].max())), max(self.max_size[1], int(tgt_sizes[:, 1].max()))
        table = torch.from_numpy(sincos_2d(self.embed_dim, mh, mw)).float()
        max_len = max(patch_len)
        key_padding_mask = torch.zeros(bs, max_len, dtype=torch.bool)
        pos = []
        for n in range(bs):
            h, w = int(tgt_sizes[n, 0]), int(tgt_sizes[n, 1])
            pos.append(table[:h, :w, :].reshape(h * w, -1))
            key_padding_mask[n, patch_len[n]:] = True
        pos = nn.utils.rnn.pad_sequence(pos, batch_first=False)                   # [L, bs, D]
        x = self.ln_kv(self.kv_proj(x)).permute(1, 0, 2)                           # [L, bs, D]
        q = self.ln_q(self.query).unsqueeze(1).repeat(1, bs, 1)                    # [Q, bs, D]
        out = self.attn(q, x + pos, x, key_padding_mask=key_padding_mask)[0]
        return self.ln_post(out.permute(1, 0, 2)) @ self.proj


# --------------------------------------------------------------------------------------------------------
# Qwen2 (transformers' modeling_qwen2.py)
# --------------------------------------------------------------------------------------------------------
class Qwen2RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        xf = x.to(torch.float32)
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * xf.to(x.dtype)


class Qwen2Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h, self.kvh = c.num_attention_heads, c.num_key_value_heads
        self.hd = c.hidden_size // self.h
        self.theta = c.rope_theta
        self.q_proj = nn.Linear(c.hidden_size, self.h * self.hd, bias=True)
        self.k_proj = nn.Linear(c.hidden_size, self.kvh * self.hd, bias=True)
        self.v_proj = nn.Linear(c.hidden_size, self.kvh * self.hd, bias=True)
        self.o_proj = nn.Linear(self.h * self.hd, c.hidden_size, bias=False)

    def forward(self, x):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.kvh, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.kvh, self.hd).transpose(1, 2)
        inv = 1.0 / (self.theta ** (torch.arange(0, self.hd, 2, dtype=torch.int64).float() / self.hd))
        f = torch.outer(torch.arange(T, dtype=torch.float32), inv)
        emb = torch.cat([f, f], dim=-1)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)

        def rot(t):
            return torch.cat([-t[..., self.hd // 2:], t[..., :self.hd // 2]], dim=-1)
        q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
        k = k.repeat_interleave(self.h // self.kvh, dim=1)                         # repeat_kv
        v = v.repeat_interleave(self.h // self.kvh, dim=1)
        s = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.hd)
        causal = torch.full((T, T), torch.finfo(s.dtype).min).triu(1)
        p = torch.softmax((s + causal).float(), dim=-1).to(q.dtype)
        return self.o_proj(torch.matmul(p, v).transpose(1, 2).reshape(B, T, -1))


class Qwen2MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Qwen2DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Qwen2Attention(c)
        self.mlp = Qwen2MLP(c)
        self.input_layernorm = Qwen2RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.post_attention_layernorm = Qwen2RMSNorm(c.hidden_size, c.rms_norm_eps)

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


class Qwen2Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList([Qwen2DecoderLayer(c) for _ in range(c.num_hidden_layers)])
        self.norm = Qwen2RMSNorm(c.hidden_size, c.rms_norm_eps)


class Qwen2ForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.model = Qwen2Model(c)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)

    def forward(self, inputs_embeds):
        x = inputs_embeds
        for layer in self.model.layers:
            x = layer(x)
        return self.lm_head(self.model.norm(x))


# --------------------------------------------------------------------------------------------------------
# MiniCPMV (modeling_minicpmv.py)
# --------------------------------------------------------------------------------------------------------
class MiniCPMVReplica(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.llm = Qwen2ForCausalLM(config)
        self.vpm = SiglipVisionTransformer(config.vision_config)
        pb = config.vision_config.image_size // config.vision_config.patch_size
        self.resampler = Resampler(config.query_num, config.hidden_size, config.hidden_size // 128,
                                   config.vision_config.hidden_size, (pb, pb))

    def pad(self, strips):
        """strips: per image (overview, then slices row-major) a [3, 14, L*14] float32 tensor (the processor's
        reshape_by_patch layout) -> pixel_values [N, 3, 14, Lmax*14] zero-padded and the patch mask [N, 1, Lmax]
        (True = real patch), as get_vllm_embedding pads them."""
        p = self.config.vision_config.patch_size
        lens = [s.shape[2] // p for s in strips]
        pv = torch.zeros(len(strips), 3, p, max(lens) * p)
        mask = torch.zeros(len(strips), 1, max(lens), dtype=torch.bool)
        for n, s in enumerate(strips):
            pv[n, :, :, :s.shape[2]] = s
            mask[n, 0, :lens[n]] = True
        return pv, mask

    @torch.no_grad()
    def encode(self, pv, mask, tgt_sizes):
        return self.resampler(self.vpm(pv, mask, tgt_sizes), tgt_sizes)

    @torch.no_grad()
    def embed(self, ids, features, start_ids, end_ids):
        """Text embeddings with the rows strictly between each <image>/<slice> start and its end token replaced
        by the next image's Q features (HF get_vllm_embedding's image_bound)."""
        e = self.llm.model.embed_tokens(torch.tensor([ids]))[0].clone()
        starts = [i for i, t in enumerate(ids) if t in start_ids]
        ends = [i for i, t in enumerate(ids) if t in end_ids]
        assert len(starts) == len(ends) == features.shape[0], (len(starts), len(ends), features.shape)
        for n, (a, b) in enumerate(zip(starts, ends)):
            e[a + 1:b] = features[n]
        return e

    @torch.no_grad()
    def greedy(self, embeds, n_new, stop_ids=()):
        """Greedy decoding by recomputing the full sequence each step. Returns (tokens, per-step logits)."""
        x = embeds.unsqueeze(0)
        toks, steps = [], []
        for _ in range(n_new):
            last = self.llm(x)[0, -1]
            steps.append(last)
            t = int(torch.argmax(last))
            toks.append(t)
            if t in stop_ids:
                break
            x = torch.cat([x, self.llm.model.embed_tokens(torch.tensor([[t]]))], dim=1)
        return toks, steps


def build(vocab, seed, sizes=SIZES):
    """Random weights from one seed. Scales are chosen so that a few random layers give varied greedy
    tokens (not one token repeated): unit-variance embeddings, linear layers at ~1/sqrt(fan_in) with
    non-zero biases, LayerNorm/RMSNorm gains around 1, an lm_head giving logits of a few units."""
    torch.manual_seed(seed)
    m = MiniCPMVReplica(make_config(vocab, sizes))
    g = torch.Generator().manual_seed(seed)
    for name, p in m.named_parameters():
        with torch.no_grad():
            if "norm" in name or ".ln_" in name:
                base = 1.0 if name.endswith("weight") else 0.0
                p.copy_(base + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
            elif name.endswith("embed_tokens.weight") or name.endswith("position_embedding.weight") \
                    or name.endswith("resampler.query"):
                p.copy_(torch.randn(p.shape, generator=g))
            elif name.endswith("lm_head.weight"):
                p.copy_(torch.randn(p.shape, generator=g) * 3.0 / math.sqrt(p.shape[1]))
            elif name.endswith("patch_embedding.weight"):
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p[0].numel()))
            else:                                   # weight matrices, resampler proj
                fan_in = p.shape[-1] if p.dim() > 1 else p.shape[0]
                p.copy_(torch.randn(p.shape, generator=g) * 1.2 / math.sqrt(fan_in))
    return m.eval()
