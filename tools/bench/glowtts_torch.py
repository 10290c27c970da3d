#!/usr/bin/env python3
"""PyTorch CPU Glow-TTS inference for flowgpu's benchmark ratio.

A short re-statement of jaywalnut310/glow-tts's FlowGenerator inference (gen=True, batch 1, so
every mask is all ones and left out): text encoder (optional ConvReluNorm prenet, relative-position
self-attention layers, FFN), duration predictor, ceil durations, the prior expanded along the
path plus the given noise · noise_scale, and the flow decoder (ActNorm, InvConvNear, coupling
with a WaveNet) in reverse. Reads the file flowgpu's bench writes (state_dict names, weight norm
kept or folded, `input.ids` and `input.noise` [n_mel, ≥ frames]); timing, output (the mel
[n_mel, frames]) and command line as tools/bench/common.py says.

usage: glowtts_torch.py weights.safetensors [--noise-scale 0.667] [--length-scale 1] [--repeats 3] [--threads N] [--out mel.npy]
"""
import math

import torch
import torch.nn.functional as F

from common import fold_weight_norm, run

EPS = 1e-4  # glow-tts's LayerNorm


def conv(sd, name, x, dilation=1):
    w = sd[name + ".weight"]
    k = w.shape[2]
    return F.conv1d(x, w, sd.get(name + ".bias"), dilation=dilation, padding=dilation * (k - 1) // 2)


def norm(sd, name, x):
    """LayerNorm over the channels of [1, C, T]."""
    y = F.layer_norm(x.transpose(1, 2), (x.shape[1],), eps=EPS)
    return y.transpose(1, 2) * sd[name + ".gamma"].view(1, -1, 1) + sd[name + ".beta"].view(1, -1, 1)


def relative(emb, t):
    """[t, t, C]: emb[w + j − i] where |j − i| ≤ w (the window), else 0; emb is [1, 2w + 1, C]."""
    w = (emb.shape[1] - 1) // 2
    d = torch.arange(t).view(1, -1) - torch.arange(t).view(-1, 1)
    inside = (d.abs() <= w).unsqueeze(-1).float()
    return emb[0][(d + w).clamp(0, 2 * w)] * inside


def attention(sd, p, x, heads, block_length):
    c, t = x.shape[1], x.shape[2]
    kc = c // heads
    q, k, v = (conv(sd, f"{p}.conv_{n}", x).view(heads, kc, t).transpose(1, 2) for n in "qkv")  # [h, t, kc]
    scores = q @ k.transpose(1, 2) / math.sqrt(kc)
    rel = p + ".emb_rel_k" in sd
    if rel:
        scores = scores + torch.einsum("hic,ijc->hij", q, relative(sd[p + ".emb_rel_k"], t)) / math.sqrt(kc)
    if block_length is not None:
        band = torch.ones(t, t).triu(-block_length).tril(block_length)
        scores = scores * band - 1e4 * (1 - band)
    pa = F.softmax(scores, dim=-1)
    out = pa @ v
    if rel:
        out = out + torch.einsum("hij,ijc->hic", pa, relative(sd[p + ".emb_rel_v"], t))
    return conv(sd, p + ".conv_o", out.transpose(1, 2).reshape(1, c, t))


def encode(sd, cfg, ids):
    h = cfg.get("hidden_channels_enc") or cfg["hidden_channels"]
    x = (sd["encoder.emb.weight"][ids] * math.sqrt(h)).t().unsqueeze(0)  # [1, h, tx]
    if cfg.get("prenet"):
        y = x
        for i in range(3):
            y = torch.relu(norm(sd, f"encoder.pre.norm_layers.{i}", conv(sd, f"encoder.pre.conv_layers.{i}", y)))
        x = x + conv(sd, "encoder.pre.proj", y)
    for i in range(cfg["n_layers_enc"]):
        p = f"encoder.encoder.attn_layers.{i}"
        x = norm(sd, f"encoder.encoder.norm_layers_1.{i}", x + attention(sd, p, x, cfg["n_heads"], cfg.get("block_length")))
        f = f"encoder.encoder.ffn_layers.{i}"
        x = norm(sd, f"encoder.encoder.norm_layers_2.{i}", x + conv(sd, f + ".conv_2", torch.relu(conv(sd, f + ".conv_1", x))))
    x_m = conv(sd, "encoder.proj_m", x)
    x_logs = torch.zeros_like(x_m) if cfg.get("mean_only") else conv(sd, "encoder.proj_s", x)
    d = x
    for i in (1, 2):
        d = norm(sd, f"encoder.proj_w.norm_{i}", torch.relu(conv(sd, f"encoder.proj_w.conv_{i}", d)))
    return x_m[0], x_logs[0], conv(sd, "encoder.proj_w.proj", d)[0, 0]


def wn(sd, p, x, layers, dilation_rate):
    hid = x.shape[1]
    out = 0
    for i in range(layers):
        z = conv(sd, f"{p}.in_layers.{i}", x, dilation=dilation_rate ** i)
        rs = conv(sd, f"{p}.res_skip_layers.{i}", torch.tanh(z[:, :hid]) * torch.sigmoid(z[:, hid:]))
        if i < layers - 1:
            x = x + rs[:, :hid]
            out = out + rs[:, hid:]
        else:
            out = out + rs
    return out


def decode_reverse(sd, cfg, z):
    sqz = cfg.get("n_sqz", 1)
    split = cfg.get("n_split", 4)
    c, t = z.shape
    # squeeze: [c, t] → [c·sqz, t/sqz], channel j·c + i holds frame s·sqz + j of channel i
    x = z.view(c, t // sqz, sqz).permute(2, 0, 1).reshape(1, c * sqz, t // sqz)
    ch = c * sqz
    for b in reversed(range(cfg["n_blocks_dec"])):
        p = f"decoder.flows.{3 * b + 2}"
        x0, x1 = x[:, :ch // 2], x[:, ch // 2:]
        st = conv(sd, p + ".end", wn(sd, p + ".wn", conv(sd, p + ".start", x0), cfg["n_block_layers"], cfg.get("dilation_rate", 1)))
        m, logs = st[:, :ch // 2], st[:, ch // 2:]
        if cfg.get("sigmoid_scale"):
            logs = torch.log(1e-6 + torch.sigmoid(logs + 2))
        x = torch.cat([x0, (x1 - m) * torch.exp(-logs)], 1)
        # InvConvNear: n_split-channel groups mixed by the inverse of an n_split × n_split matrix.
        tt = x.shape[2]
        g = x.view(2, ch // split, split // 2, tt).permute(0, 2, 1, 3).reshape(split, ch // split, tt)
        w_inv = torch.inverse(sd[f"decoder.flows.{3 * b + 1}.weight"].double()).float()
        g = torch.einsum("ij,jct->ict", w_inv, g)
        x = g.view(2, split // 2, ch // split, tt).permute(0, 2, 1, 3).reshape(1, ch, tt)
        a = f"decoder.flows.{3 * b}"
        x = (x - sd[a + ".bias"]) * torch.exp(-sd[a + ".logs"])
    return x[0].view(sqz, c, t // sqz).permute(1, 2, 0).reshape(c, t)


def make(sd, inputs, cfg, a):
    fold_weight_norm(sd)
    ids = inputs["ids"].long().view(-1)
    noise = inputs["noise"]
    sqz = cfg.get("n_sqz", 1)

    def infer():
        x_m, x_logs, logw = encode(sd, cfg, ids)
        w = torch.ceil(torch.exp(logw) * a.length_scale)
        frames = max(int(w.sum().item()), 1) // sqz * sqz
        token = torch.repeat_interleave(torch.arange(len(ids)), w.long())[:frames]  # frame → token
        z = x_m[:, token] + torch.exp(x_logs[:, token]) * noise[:, :frames] * a.noise_scale
        return decode_reverse(sd, cfg, z)

    return infer


if __name__ == "__main__":
    def options(ap):
        ap.add_argument("--noise-scale", type=float, default=0.667)
        ap.add_argument("--length-scale", type=float, default=1.0)
    run(make, options)
