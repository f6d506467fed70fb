"""A small decoder-only GPT (pre-LN, learned positions, GELU, tied embeddings)
with an explicit KV cache and left-padding aware attention, written so that
torch.onnx.export traces it into ONE graph with optimum-style I/O.

forward(input_ids [B,T], attention_mask [B,P+T], position_ids [B,T], past)
  past: list of (key, value) per layer, each [B, H, P, D] (P may be 0)
returns (logits [B,T,V] or scores [B,T] for the PRM, presents)
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG = -1e9  # large negative instead of -inf: fully masked rows stay finite


@dataclass
class GPTConfig:
    vocab_size: int = 100
    block_size: int = 384
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    prm: bool = False  # adds a per-token scalar head
    # rotary position embeddings instead of a learned table: "look k characters back" is then
    # one pattern for every position, which is what copying operands and results needs
    rope: bool = False

    def to_dict(self):
        return asdict(self)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg.n_head
        self.head_dim = cfg.n_embd // cfg.n_head
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, bias, past_k, past_v, rotary=None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        if rotary is not None:
            q, k = apply_rotary(q, rotary), apply_rotary(k, rotary)
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim))
        att = att + bias  # [B,1,T,P+T] additive mask (0 or NEG)
        att = F.softmax(att, dim=-1)
        att = self.drop(att)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        return self.drop(self.proj(y)), k, v


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.n_embd)
        self.attn = Attention(cfg)
        self.ln2 = nn.LayerNorm(cfg.n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(cfg.n_embd, 4 * cfg.n_embd), nn.GELU(),
            nn.Linear(4 * cfg.n_embd, cfg.n_embd), nn.Dropout(cfg.dropout))

    def forward(self, x, bias, past_k, past_v, rotary=None):
        a, k, v = self.attn(self.ln1(x), bias, past_k, past_v, rotary)
        x = x + a
        x = x + self.mlp(self.ln2(x))
        return x, k, v


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        if cfg.rope:
            hd = cfg.n_embd // cfg.n_head
            self.register_buffer("inv_freq", 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd)), persistent=False)
        else:
            self.wpe = nn.Embedding(cfg.block_size, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        if cfg.prm:
            self.score_head = nn.Linear(cfg.n_embd, 1)
        self.apply(self._init)
        for n, p in self.named_parameters():
            if n.endswith("proj.weight") or n.endswith("mlp.2.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0.0, 0.02)

    def num_params(self):
        return sum(p.numel() for p in self.parameters())

    def empty_past(self, batch, device=None):
        H, D = self.cfg.n_head, self.cfg.n_embd // self.cfg.n_head
        z = torch.zeros(batch, H, 0, D, device=device)
        return [(z, z) for _ in range(self.cfg.n_layer)]

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        B, T = input_ids.shape
        if past is None:
            past = self.empty_past(B, input_ids.device)
        P = past[0][0].shape[2]
        if attention_mask is None:
            attention_mask = torch.ones(B, P + T, dtype=torch.long, device=input_ids.device)
        if position_ids is None:
            position_ids = torch.arange(P, P + T, device=input_ids.device).unsqueeze(0).expand(B, T)
        # causal in key-index space: query i (absolute P+i) sees keys j <= P+i
        S = attention_mask.shape[1]
        qi = torch.arange(T, device=input_ids.device).unsqueeze(1) + (S - T)
        kj = torch.arange(S, device=input_ids.device).unsqueeze(0)
        allowed = (kj <= qi).unsqueeze(0) & (attention_mask > 0).unsqueeze(1)  # [B,T,S]
        bias = torch.where(allowed, torch.zeros((), dtype=torch.float32),
                           torch.full((), NEG, dtype=torch.float32)).unsqueeze(1)
        x, rotary = self._embed(input_ids, position_ids)
        presents = []
        for blk, (pk, pv) in zip(self.blocks, past):
            x, k, v = blk(x, bias, pk, pv, rotary)
            presents.append((k, v))
        x = self.ln_f(x)
        if self.cfg.prm:
            out = torch.sigmoid(self.score_head(x).squeeze(-1))
        else:
            out = x @ self.wte.weight.t()  # tied embeddings
        return out, presents

    def hidden_scores_logit(self, input_ids, attention_mask=None):
        """PRM training helper: raw (pre-sigmoid) per-token head output."""
        assert self.cfg.prm
        B, T = input_ids.shape
        x = self._trunk(input_ids, attention_mask)
        return self.score_head(x).squeeze(-1)

    def _trunk(self, input_ids, attention_mask=None):
        B, T = input_ids.shape
        if attention_mask is None:
            attention_mask = torch.ones(B, T, dtype=torch.long, device=input_ids.device)
        pos = (attention_mask.cumsum(1) - 1).clamp(min=0)
        qi = torch.arange(T, device=input_ids.device).unsqueeze(1)
        allowed = (qi >= qi.t()).unsqueeze(0) & (attention_mask > 0).unsqueeze(1)
        bias = torch.where(allowed, 0.0, NEG).unsqueeze(1)
        x, rotary = self._embed(input_ids, pos)
        for blk, (pk, pv) in zip(self.blocks, self.empty_past(B, input_ids.device)):
            x, _, _ = blk(x, bias, pk, pv, rotary)
        return self.ln_f(x)

    def _embed(self, input_ids, position_ids):
        """Token embeddings plus either learned positions or (cos, sin) for rotary attention."""
        x = self.wte(input_ids)
        if not self.cfg.rope:
            return self.drop(x + self.wpe(position_ids)), None
        angles = position_ids.unsqueeze(-1).float() * self.inv_freq  # [B,T,D/2]
        angles = torch.cat([angles, angles], dim=-1).unsqueeze(1)  # [B,1,T,D]
        return self.drop(x), (angles.cos(), angles.sin())

    def train_logits(self, input_ids):
        """Right-padded training batch (no cache): logits [B,T,V]."""
        x = self._trunk(input_ids)
        return x @ self.wte.weight.t()


def apply_rotary(x, rotary):
    """GPT-NeoX style rotation of the two halves of each head dimension."""
    cos, sin = rotary
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated * sin


def left_pad_positions(attention_mask):
    """Position ids for left padding: 0 at the first real token; padded slots get 0."""
    return (attention_mask.long().cumsum(-1) - 1).clamp(min=0)


def deepen(model, n_layer):
    """A deeper copy of `model` that computes exactly the same function: the trained blocks keep
    their order and every new block is inserted after one of them with its output projections
    zeroed, so it adds nothing to the residual stream until training moves it (growth by
    identity blocks; used for the 4x policy so it starts from the trained small one)."""
    old = model.cfg.n_layer
    assert n_layer > old and n_layer % old == 0, "n_layer must be a multiple of the trained depth"
    cfg = GPTConfig(**{**model.cfg.to_dict(), "n_layer": n_layer})
    torch.manual_seed(0)  # the new blocks' input weights are random: fix them for reproducibility
    grown = GPT(cfg)
    state = grown.state_dict()
    per = n_layer // old
    for name, value in model.state_dict().items():
        if not name.startswith("blocks."):
            state[name] = value.clone()
            continue
        _, i, rest = name.split(".", 2)
        state[f"blocks.{int(i) * per}.{rest}"] = value.clone()
    for j in range(n_layer):
        if j % per:  # a new block: zero the two projections that write into the residual stream
            for rest in ("attn.proj.weight", "attn.proj.bias", "mlp.2.weight", "mlp.2.bias"):
                state[f"blocks.{j}.{rest}"].zero_()
    grown.load_state_dict(state)
    return grown


def save_ckpt(path, model, extra=None):
    torch.save({"config": model.cfg.to_dict(), "state": model.state_dict(), "extra": extra or {}}, path)


def load_ckpt(path, prm=None):
    ck = torch.load(path, map_location="cpu")
    cfg = GPTConfig(**ck["config"])
    if prm is not None:
        cfg.prm = prm
    m = GPT(cfg)
    missing, unexpected = m.load_state_dict(ck["state"], strict=False)
    assert not unexpected, unexpected
    assert all(k.startswith("score_head") for k in missing), missing
    return m, ck.get("extra", {})
