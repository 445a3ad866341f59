"""PyTorch reference inference (the ONNX graphs and the Java engine must reproduce this)."""
import torch

from . import batching, checkpoint, data, slicing
from .model import Config, GlimpseModel
from .tokenizer import Tokenizer

TASK_DEFAULTS = {"caption": dict(max_slices=4, max_new=24), "ocr": dict(max_slices=9, max_new=64),
                 "moderation": dict(max_slices=4, max_new=1)}


def load_model(ckpt_path, device="cpu"):
    """(model in eval mode on device, checkpoint dict); ckpt_path is a checkpoint file, a split directory or an
    exported model directory."""
    ck = checkpoint.load(ckpt_path)
    cfg = Config(**ck["config"])
    m = GlimpseModel(cfg)
    checkpoint.load_into(m, ck)
    m.eval()
    return m.to(device), ck


def encode_image(model, img, max_slices):
    p, images, maps, strips, tgts = batching.prepare_image(img, max_slices)
    pv, mask = slicing.batch_strips(strips)
    dev = next(model.parameters()).device
    pv_t = torch.from_numpy(pv).to(dev)
    ts = torch.tensor(tgts, dtype=torch.int64, device=dev)
    with torch.no_grad():
        feats = model.vision(pv_t, ts)
    return dict(plan=p, pixel_values=pv_t, patch_mask=torch.from_numpy(mask), tgt_sizes=ts, features=feats)


@torch.no_grad()
def generate(model, tok, img, task, category=None, max_slices=None, max_new=None, enc=None):
    d = TASK_DEFAULTS[task]
    max_slices = max_slices or d["max_slices"]
    max_new = max_new or d["max_new"]
    enc = enc or encode_image(model, img, max_slices)
    prompt = data.build_prompt(task, slicing.placeholder(enc["plan"], model.c.query_num), category)
    ids = tok.encode(prompt)
    dev = next(model.parameters()).device
    x = torch.tensor([ids], device=dev)
    emb = model.embed_with_images(x, enc["features"], tok.id("<unk>"))
    T = len(ids)
    logits, past = model.decoder(emb, torch.ones(1, T, dtype=torch.int64, device=dev),
                                torch.arange(T, device=dev).unsqueeze(0))
    first_logits = logits[0, -1].clone()
    out = []
    stops = {tok.id("<|im_end|>"), tok.id("<|endoftext|>")}
    last = logits[0, -1]
    pos = T
    while len(out) < max_new:
        nxt = int(torch.argmax(last))
        out.append(nxt)
        if nxt in stops or len(out) >= max_new:
            break
        e = model.decoder.embed_tokens(torch.tensor([[nxt]], device=dev))
        logits, past = model.decoder(e, torch.ones(1, pos + 1, dtype=torch.int64, device=dev),
                                     torch.tensor([[pos]], device=dev), past)
        last = logits[0, -1]
        pos += 1
    text = tok.decode([i for i in out if i not in stops])
    res = dict(prompt_ids=ids, output_ids=out, text=text, enc=enc, first_logits=first_logits, prompt=prompt)
    if task == "moderation":
        yn = torch.softmax(first_logits[[tok.id("yes"), tok.id("no")]], dim=0)
        res["p_yes"] = float(yn[0])
    return res
