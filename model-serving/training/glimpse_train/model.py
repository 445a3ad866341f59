"""MiniCPM-V 2.6 architecture at toy size: NaViT-style ViT with bucketed learned positions, a one-layer
perceiver resampler with 2-D sin-cos key positions, and a Qwen2-style decoder (RMSNorm, RoPE, GQA, SwiGLU,
tied embeddings).

Everything that depends on sizes is written with tensor ops (no int() on shapes) so that torch.onnx.export
produces graphs with dynamic axes; attention is matmul/softmax/matmul (torch 1.13 has no SDPA export).
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG = -1e9


@dataclass
class Config:
    vocab: int = 393
    patch: int = 14
    vit_hidden: int = 192
    vit_layers: int = 4
    vit_heads: int = 3
    vit_mlp: int = 768
    pos_buckets: int = 16
    pos_bucket_rule: str = "floor"   # "floor" (integer, llama.cpp's) or "bucketize" (HF's float32 rule)
    query_num: int = 16
    resampler_heads: int = 2
    hidden: int = 256
    layers: int = 4
    heads: int = 4
    kv_heads: int = 2
    head_dim: int = 64
    intermediate: int = 768
    rope_theta: float = 10000.0
    rms_eps: float = 1e-6
    ln_eps: float = 1e-6
    max_positions: int = 1024
    n_ocr_classes: int = 38          # aux heads only: blank + OCR charset
    n_scene_patch: int = 37          # aux: background + 8 colours x 4 shapes + 4 symbols
    n_scene_seq: int = 19            # aux: blank + colours, shapes, relations, symbols
    vit_gelu: str = "none"           # "none" = erf GELU (tiny model); "tanh" = gelu_pytorch_tanh (SigLIP)
    tie_embeddings: bool = True      # Qwen2-7B (MiniCPM-V 2.6) has a separate lm_head

    def to_dict(self):
        return asdict(self)


# ----------------------------------------------------------------------------------------------------------
# vision
# ----------------------------------------------------------------------------------------------------------
def patch_grid(tgt_sizes, L):
    """tgt_sizes [N,2] (rows, cols) int64, L (0-d int64 tensor or int) -> row i, col j, valid mask, all [N,L]."""
    k = torch.arange(L, dtype=torch.int64, device=tgt_sizes.device).unsqueeze(0)          # [1,L]
    hp = tgt_sizes[:, 0:1]
    wp = tgt_sizes[:, 1:2]
    i = torch.div(k, wp, rounding_mode="floor")
    j = k - i * wp
    valid = k < hp * wp
    return i, j, valid


class VitLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c.vit_hidden
        self.h = c.vit_heads
        self.gelu = c.vit_gelu
        self.ln1 = nn.LayerNorm(d, eps=c.ln_eps)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=c.ln_eps)
        self.fc1 = nn.Linear(d, c.vit_mlp)
        self.fc2 = nn.Linear(c.vit_mlp, d)

    def forward(self, x, key_ok):
        # x [N,L,d], key_ok [N,1,1,L] bool
        N, L, d = x.shape
        h = self.ln1(x)
        q, k, v = self.qkv(h).reshape(N, L, 3, self.h, d // self.h).permute(2, 0, 3, 1, 4)
        s = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(d // self.h))
        s = torch.where(key_ok, s, torch.full_like(s, NEG))
        a = torch.matmul(torch.softmax(s, dim=-1), v)
        x = x + self.out(a.transpose(1, 2).reshape(N, L, d))
        x = x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate=self.gelu))
        return x


class Resampler(nn.Module):
    def __init__(self, c):
        super().__init__()
        D = c.hidden
        self.D, self.heads = D, c.resampler_heads
        self.query = nn.Parameter(torch.randn(c.query_num, D) * 0.02)
        self.kv_proj = nn.Linear(c.vit_hidden, D, bias=False)
        self.ln_kv = nn.LayerNorm(D, eps=c.ln_eps)
        self.ln_q = nn.LayerNorm(D, eps=c.ln_eps)
        self.in_proj = nn.Linear(D, 3 * D)          # packed q,k,v like torch MultiheadAttention
        self.out_proj = nn.Linear(D, D)
        self.ln_post = nn.LayerNorm(D, eps=c.ln_eps)
        self.proj = nn.Parameter(torch.randn(D, D) * D ** -0.5)
        q4 = D // 4
        self.register_buffer("omega", 1.0 / (10000.0 ** (torch.arange(q4, dtype=torch.float32) / q4)),
                             persistent=False)

    def pos_embed(self, i, j):
        """2-D sin-cos (MiniCPM-V 2.5+ form): [sin(j w), cos(j w), sin(i w), cos(i w)]; i,j [N,L] int64."""
        ej = j.to(torch.float32).unsqueeze(-1) * self.omega
        ei = i.to(torch.float32).unsqueeze(-1) * self.omega
        return torch.cat([torch.sin(ej), torch.cos(ej), torch.sin(ei), torch.cos(ei)], dim=-1)

    def forward(self, x, i, j, valid):
        N, L, _ = x.shape
        D, H = self.D, self.heads
        kv = self.ln_kv(self.kv_proj(x))                          # [N,L,D]
        q = self.ln_q(self.query)                                 # [Q,D]
        k_in = kv + self.pos_embed(i, j)
        wq, wk, wv = self.in_proj.weight.chunk(3, dim=0)
        bq, bk, bv = self.in_proj.bias.chunk(3, dim=0)
        qh = F.linear(q, wq, bq).reshape(-1, H, D // H).transpose(0, 1).unsqueeze(0)      # [1,H,Q,hd]
        kh = F.linear(k_in, wk, bk).reshape(N, L, H, D // H).transpose(1, 2)             # [N,H,L,hd]
        vh = F.linear(kv, wv, bv).reshape(N, L, H, D // H).transpose(1, 2)
        s = torch.matmul(qh, kh.transpose(-1, -2)) * (1.0 / math.sqrt(D // H))            # [N,H,Q,L]
        s = torch.where(valid[:, None, None, :], s, torch.full_like(s, NEG))
        o = torch.matmul(torch.softmax(s, dim=-1), vh)                                    # [N,H,Q,hd]
        o = self.out_proj(o.transpose(1, 2).reshape(N, -1, D))
        return torch.matmul(self.ln_post(o), self.proj)


class Vision(nn.Module):
    """pixel_values [N,3,14,L*14], tgt_sizes [N,2] -> image_features [N,Q,D] (and ViT states for aux losses)."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.patch_embed = nn.Conv2d(3, c.vit_hidden, c.patch, c.patch)
        self.pos = nn.Embedding(c.pos_buckets * c.pos_buckets, c.vit_hidden)
        self.layers = nn.ModuleList([VitLayer(c) for _ in range(c.vit_layers)])
        self.post_ln = nn.LayerNorm(c.vit_hidden, eps=c.ln_eps)
        self.resampler = Resampler(c)
        if c.pos_bucket_rule == "bucketize":
            # a buffer, so that the export writes it once as an initializer (a traced constant is written per use,
            # and torch 1.13's exporter spends minutes on a table this size); uint8 when the buckets fit (2.6: 70)
            t = bucket_table(c.pos_buckets)
            self.register_buffer("pos_bucket_table", t.to(torch.uint8) if c.pos_buckets <= 256 else t)

    def forward(self, pixel_values, tgt_sizes, patch_attention_mask=None, return_states=False):
        x = self.patch_embed(pixel_values).flatten(2).transpose(1, 2)        # [N,L,d]
        L = x.shape[1]
        i, j, valid = patch_grid(tgt_sizes, L)
        if patch_attention_mask is not None:
            valid = valid & (patch_attention_mask > 0)
        B = self.c.pos_buckets
        if self.c.pos_bucket_rule == "bucketize":
            bh = bucketize_reference(i, tgt_sizes[:, 0:1], B, self.pos_bucket_table)
            bw = bucketize_reference(j, tgt_sizes[:, 1:2], B, self.pos_bucket_table)
        else:
            bh = torch.div(i * B, tgt_sizes[:, 0:1], rounding_mode="floor")
            bw = torch.div(j * B, tgt_sizes[:, 1:2], rounding_mode="floor")
        pos_id = torch.where(valid, bh * B + bw, torch.zeros_like(bh))
        x = x + self.pos(pos_id)
        key_ok = valid[:, None, None, :]
        for layer in self.layers:
            x = layer(x, key_ok)
        x = self.post_ln(x)
        feats = self.resampler(x, i, j, valid)
        if return_states:
            return feats, x, valid
        return feats


# ----------------------------------------------------------------------------------------------------------
# decoder
# ----------------------------------------------------------------------------------------------------------
_BUCKET_TABLES = {}


def bucket_table(B, max_side=512):
    """[max_side + 1, max_side] int64: row n holds HF modeling_navit_siglip's buckets of the n patch
    rows (or columns) of a side n: torch.bucketize(torch.arange(0, 1 - 1e-6, 1 / n),
    torch.arange(1 / B, 1.0, 1 / B), right=True), computed here with those very torch calls. A table
    rather than arithmetic because float32 arange rounds in ways no closed formula reproduces (it
    differs from both i * (1/n) in float32 and in float64, and may differ between CPU builds and
    CUDA); the export bakes in what this machine's torch computes."""
    key = (B, max_side)
    if key not in _BUCKET_TABLES:
        t = torch.zeros(max_side + 1, max_side, dtype=torch.int64)
        bounds = torch.arange(1 / B, 1.0, 1 / B)
        for n in range(1, max_side + 1):
            t[n, :n] = torch.bucketize(torch.arange(0, 1 - 1e-6, 1 / n), bounds, right=True)
        _BUCKET_TABLES[key] = t
    return _BUCKET_TABLES[key]


def bucketize_reference(idx, n, B, table=None, max_side=512):
    """Buckets of patch indices idx [N, L] on sides n [N, 1] by the HF rule (bucket_table, or the given copy of it,
    any integer dtype), as a Gather that exports. Sides above max_side are not supported (clamped)."""
    t = (bucket_table(B, max_side) if table is None else table).to(idx.device)
    flat = n.clamp(max=max_side) * max_side + idx.clamp(max=max_side - 1)
    return t.reshape(-1)[flat].to(torch.int64)


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        # float32 like the reference (Qwen2RMSNorm): in float16, x^2 overflows for |x| > 256
        xf = x.float()
        y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * y.to(x.dtype)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c.hidden
        self.c = c
        self.input_layernorm = RMSNorm(d, c.rms_eps)
        self.q_proj = nn.Linear(d, c.heads * c.head_dim)
        self.k_proj = nn.Linear(d, c.kv_heads * c.head_dim)
        self.v_proj = nn.Linear(d, c.kv_heads * c.head_dim)
        self.o_proj = nn.Linear(c.heads * c.head_dim, d, bias=False)
        self.post_attention_layernorm = RMSNorm(d, c.rms_eps)
        self.gate_proj = nn.Linear(d, c.intermediate, bias=False)
        self.up_proj = nn.Linear(d, c.intermediate, bias=False)
        self.down_proj = nn.Linear(c.intermediate, d, bias=False)

    def forward(self, x, cos, sin, allowed, past_k=None, past_v=None):
        c = self.c
        B, T, _ = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).reshape(B, T, c.heads, c.head_dim).transpose(1, 2)
        k = self.k_proj(h).reshape(B, T, c.kv_heads, c.head_dim).transpose(1, 2)
        v = self.v_proj(h).reshape(B, T, c.kv_heads, c.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        present = (k, v)
        # Grouped-query attention without expanding K/V to every query head: the query heads that
        # share a KV head (head = kv * rep + r) are stacked along the row axis and attend to that
        # KV head's cache directly, so a decode step reads the cache once instead of writing a
        # heads-wide copy of it. Same math as expanding K/V.
        rep = c.heads // c.kv_heads
        S = k.shape[2]
        qg = q.reshape(B, c.kv_heads, rep * T, c.head_dim)
        s = torch.matmul(qg, k.transpose(-1, -2)) * (1.0 / math.sqrt(c.head_dim))     # [B,kvh,rep*T,S]
        ok = allowed.expand(B, rep, T, S).reshape(B, 1, rep * T, S)
        # mask and softmax in float32, as the reference (softmax(dtype=float32).to(q.dtype))
        s = s.float()
        s = torch.where(ok, s, torch.full_like(s, NEG))
        p = torch.softmax(s, dim=-1).to(v.dtype)
        a = torch.matmul(p, v).reshape(B, c.heads, T, c.head_dim)
        x = x + self.o_proj(a.transpose(1, 2).reshape(B, T, c.heads * c.head_dim))
        h = self.post_attention_layernorm(x)
        x = x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))
        return x, present


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c.vocab, c.hidden)
        nn.init.normal_(self.embed_tokens.weight, std=0.02)
        self.layers = nn.ModuleList([DecoderLayer(c) for _ in range(c.layers)])
        self.norm = RMSNorm(c.hidden, c.rms_eps)
        self.lm_head = None if c.tie_embeddings else nn.Linear(c.hidden, c.vocab, bias=False)
        inv = 1.0 / (c.rope_theta ** (torch.arange(0, c.head_dim, 2, dtype=torch.float32) / c.head_dim))
        self.register_buffer("inv_freq", inv, persistent=False)

    def forward(self, inputs_embeds, attention_mask, position_ids, past=None, return_hidden=False):
        """inputs_embeds [B,T,D], attention_mask [B,S_past+T] (1 = attend), position_ids [B,T],
        past: list of (k, v) [B,kvh,S_past,hd] or None. Returns logits [B,T,V], presents."""
        B, T = inputs_embeds.shape[0], inputs_embeds.shape[1]
        # RoPE in float32 whatever the model's dtype: inv_freq recomputed here (a buffer would be
        # rounded by .half(), and its error grows with the position), tables cast at the end
        c = self.c
        inv = 1.0 / (c.rope_theta ** (torch.arange(0, c.head_dim, 2, dtype=torch.float32,
                                                   device=inputs_embeds.device) / c.head_dim))
        f = position_ids.to(torch.float32).unsqueeze(-1) * inv                    # [B,T,hd/2]
        emb = torch.cat([f, f], dim=-1)
        cos = torch.cos(emb).unsqueeze(1).to(inputs_embeds.dtype)                 # [B,1,T,hd]
        sin = torch.sin(emb).unsqueeze(1).to(inputs_embeds.dtype)
        S = attention_mask.shape[1]
        q_idx = torch.arange(T, device=inputs_embeds.device) + (S - T)          # absolute query index
        k_idx = torch.arange(S, device=inputs_embeds.device)
        causal = k_idx.unsqueeze(0) <= q_idx.unsqueeze(1)                         # [T,S]
        allowed = causal.unsqueeze(0).unsqueeze(0) & (attention_mask[:, None, None, :] > 0)   # [B,1,T,S]
        x = inputs_embeds
        presents = []
        for n, layer in enumerate(self.layers):
            pk, pv = (past[n] if past is not None else (None, None))
            x, pr = layer(x, cos, sin, allowed, pk, pv)
            presents.append(pr)
        x = self.norm(x)
        logits = F.linear(x, self.embed_tokens.weight) if self.lm_head is None else self.lm_head(x)
        if return_hidden:
            return logits, presents, x
        return logits, presents


class TiedCtcHead(nn.Module):
    """OCR CTC scores of the resampler outputs against the decoder's own character embeddings (training only,
    not exported): scaled cosine similarity to a learned blank vector and to each character's token embedding.
    It pulls every visual token towards the embedding of the character it reads, the form in which the decoder
    already reads text, instead of towards a separate classifier's directions."""

    def __init__(self, c):
        super().__init__()
        # a fixed start (no random draw): adding this head leaves the other heads' initial weights and the RNG
        # stream of earlier runs as they were
        self.blank = nn.Parameter(torch.full((c.hidden,), c.hidden ** -0.5))
        self.log_scale = nn.Parameter(torch.tensor(math.log(10.0)))

    def forward(self, feats, char_embeddings):
        """feats [..., D], char_embeddings [C-1, D] (detached: the text side does not move) -> logits [..., C]."""
        classes = F.normalize(torch.cat([self.blank[None], char_embeddings], 0), dim=-1)
        return F.normalize(feats, dim=-1) @ classes.t() * self.log_scale.exp()


class GlimpseModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.vision = Vision(c)
        self.decoder = Decoder(c)
        # auxiliary OCR heads (training only, not exported)
        self.patch_char_head = nn.Linear(c.vit_hidden, c.n_ocr_classes)
        self.ctc_head = nn.Linear(c.hidden, c.n_ocr_classes)
        # auxiliary scene heads (training only): per-patch object/symbol class, CTC over the resampler queries
        self.scene_patch_head = nn.Linear(c.vit_hidden, c.n_scene_patch)
        self.scene_ctc_head = nn.Linear(c.hidden, c.n_scene_seq)
        self.ctc_tied = TiedCtcHead(c)

    def ocr_ctc_logits(self, feats, char_ids=None):
        """CTC logits over blank + the OCR charset for resampler outputs: the tied head when char_ids (the token id
        of each OCR character) is given, the separate linear head otherwise."""
        if char_ids is None:
            return self.ctc_head(feats)
        return self.ctc_tied(feats, self.decoder.embed_tokens.weight[char_ids].detach())

    def embed_with_images(self, input_ids, image_features, unk_id):
        """Replace <unk> rows (in order) with image feature rows (overview, then slices row-major)."""
        e = self.decoder.embed_tokens(input_ids)
        m = (input_ids == unk_id).unsqueeze(-1)
        return e.masked_scatter(m, image_features.reshape(-1, e.shape[-1]).to(e.dtype))
