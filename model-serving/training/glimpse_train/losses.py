"""Training losses: the answer loss and the auxiliary losses of the heads dropped at export."""
import torch
import torch.nn.functional as F


def answer_loss(model, b, tok, feats):
    """Next-token cross-entropy on the answer tokens, and the token accuracy."""
    emb = model.embed_with_images(b["input_ids"], feats, tok.id("<unk>"))
    logits, _ = model.decoder(emb, b["attention_mask"], b["position_ids"])
    lg = logits[:, :-1].reshape(-1, logits.shape[-1])
    lab = b["labels"][:, 1:].reshape(-1)
    with torch.no_grad():
        m = lab != -100
        acc = ((lg.argmax(-1) == lab) & m).sum() / m.sum().clamp(min=1)
    return {"lm": F.cross_entropy(lg, lab, ignore_index=-100), "tok_acc": acc}


def losses(model, b, tok, cfg, freeze_vision=False, vision_only=False, ctc_char_ids=None):
    """The answer loss and the auxiliary losses. freeze_vision: the answer loss alone, vision run without gradients
    (decoder-only stage); vision_only: the auxiliary losses alone, the decoder not run (vision-only stage);
    ctc_char_ids: score the OCR CTC loss with the tied head (see TiedCtcHead) instead of the linear one."""
    if freeze_vision:
        with torch.no_grad():
            feats = model.vision(b["pixel_values"], b["tgt_sizes"])
        return answer_loss(model, b, tok, feats)
    feats, vit_states, valid = model.vision(b["pixel_values"], b["tgt_sizes"], return_states=True)
    out = {"lm": torch.zeros(()), "tok_acc": torch.zeros(())} if vision_only else answer_loss(model, b, tok, feats)
    pl = b["patch_labels"]
    if b["has_ocr"]:
        pc = model.patch_char_head(vit_states)
        out["patch"] = F.cross_entropy(pc.reshape(-1, pc.shape[-1]), pl.reshape(-1), ignore_index=-100)
        idx = [n for n, t in enumerate(b["ctc_targets"]) if t is not None]
        lp = F.log_softmax(model.ocr_ctc_logits(feats[idx], ctc_char_ids), dim=-1).transpose(0, 1)      # [Q,n,C]
        tg = [b["ctc_targets"][n] for n in idx]
        flat = torch.tensor([c for t in tg for c in t], dtype=torch.long, device=lp.device)
        out["ctc"] = F.ctc_loss(lp, flat, torch.full((len(idx),), lp.shape[0], dtype=torch.long),
                                torch.tensor([len(t) for t in tg], dtype=torch.long), blank=0,
                                zero_infinity=True)
    sl = b["scene_patch_labels"]
    if b["has_scene"]:
        sc = model.scene_patch_head(vit_states)
        out["scene_patch"] = F.cross_entropy(sc.reshape(-1, sc.shape[-1]), sl.reshape(-1), ignore_index=-100)
        with torch.no_grad():
            m = (sl > 0)
            out["scene_patch_acc"] = ((sc.argmax(-1) == sl) & m).sum() / m.sum().clamp(min=1)
        idx = [n for n, t in enumerate(b["scene_seq"]) if t is not None]
        lp = F.log_softmax(model.scene_ctc_head(feats[idx]), dim=-1).transpose(0, 1)
        tg = [b["scene_seq"][n] for n in idx]
        if sum(len(t) for t in tg) > 0:
            out["scene_ctc"] = F.ctc_loss(lp, torch.tensor([c for t in tg for c in t], dtype=torch.long,
                                                        device=lp.device),
                                          torch.full((len(idx),), lp.shape[0], dtype=torch.long),
                                          torch.tensor([len(t) for t in tg], dtype=torch.long), blank=0,
                                          zero_infinity=True)
    return out
