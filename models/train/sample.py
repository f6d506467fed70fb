"""Batched generation with a KV cache (left padding), used for evaluation,
policy sampling and Monte-Carlo rollouts."""
import torch

import tokenizer as tok
from model import left_pad_positions


@torch.no_grad()
def generate(model, prompts, max_new=160, temperature=0.0, batch_size=256, generator=None):
    """prompts: list of token-id lists (each starting with <bos>).
    Returns the generated continuation text for each prompt (up to <eos>, exclusive)."""
    model.eval()
    results = [None] * len(prompts)
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    limit = model.cfg.block_size
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        batch = [prompts[i] for i in idx]
        L = max(len(p) for p in batch)
        ids = torch.tensor([[tok.PAD] * (L - len(p)) + p for p in batch])
        mask = torch.tensor([[0] * (L - len(p)) + [1] * len(p) for p in batch])
        pos = left_pad_positions(mask)
        B = len(batch)
        out_tokens = [[] for _ in range(B)]
        done = torch.zeros(B, dtype=torch.bool)
        past = None
        steps = min(max_new, limit - L)
        for t in range(steps):
            logits, past = model(ids, mask, pos, past)
            logits = logits[:, -1, :].float()
            logits[:, :tok.EOS] = -1e9  # never emit <pad>/<bos>
            logits[:, tok.UNK] = -1e9
            if temperature <= 0:
                nxt = logits.argmax(-1)
            else:
                probs = torch.softmax(logits / temperature, -1)
                nxt = torch.multinomial(probs, 1, generator=generator).squeeze(1)
            nxt = torch.where(done, torch.full_like(nxt, tok.PAD), nxt)
            for b in range(B):
                if not done[b]:
                    out_tokens[b].append(int(nxt[b]))
            done |= nxt == tok.EOS
            if bool(done.all()):
                break
            ids = nxt.unsqueeze(1)
            mask = torch.cat([mask, torch.ones(B, 1, dtype=mask.dtype)], 1)
            pos = pos[:, -1:] + 1
        for b, i in enumerate(idx):
            toks = out_tokens[b]
            if tok.EOS in toks:
                toks = toks[:toks.index(tok.EOS)]
            results[i] = tok.decode(toks)
    return results
