"""A Glow-TTS FlowGenerator written for this recipe from the paper (Kim et al. 2020) and the
semantics of jaywalnut310/glow-tts. Module structure and parameter names follow that repository
exactly, so `state_dict()` has its key names and flowgpu's GlowTTS loader reads the result.
Only what the demo voice uses is here: single speaker, no block_length, sigmoid_scale off."""
import math
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import weight_norm


def seq_mask(lengths, max_len=None):
    max_len = int(lengths.max()) if max_len is None else max_len
    return (torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None])


class LayerNorm(nn.Module):
    """Layer norm over the channel axis of [b, c, t] (eps 1e-4)."""

    def __init__(self, channels, eps=1e-4):
        super().__init__()
        self.eps = eps
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        mu = x.mean(1, keepdim=True)
        var = ((x - mu) ** 2).mean(1, keepdim=True)
        return (x - mu) * torch.rsqrt(var + self.eps) * self.gamma[None, :, None] + self.beta[None, :, None]


class ConvReluNorm(nn.Module):
    def __init__(self, channels, kernel_size=5, n_layers=3, p_dropout=0.5):
        super().__init__()
        self.conv_layers = nn.ModuleList(nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2) for _ in range(n_layers))
        self.norm_layers = nn.ModuleList(LayerNorm(channels) for _ in range(n_layers))
        self.drop = nn.Dropout(p_dropout)
        self.proj = nn.Conv1d(channels, channels, 1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x, mask):
        h = x
        for conv, norm in zip(self.conv_layers, self.norm_layers):
            h = self.drop(torch.relu(norm(conv(h * mask))))
        return (x + self.proj(h)) * mask


class RelMultiHeadAttention(nn.Module):
    """Self-attention with relative position keys/values shared over heads (window w)."""

    def __init__(self, channels, n_heads, window_size, p_dropout):
        super().__init__()
        self.h = n_heads
        self.d = channels // n_heads
        self.w = window_size
        self.conv_q = nn.Conv1d(channels, channels, 1)
        self.conv_k = nn.Conv1d(channels, channels, 1)
        self.conv_v = nn.Conv1d(channels, channels, 1)
        self.emb_rel_k = nn.Parameter(torch.randn(1, 2 * window_size + 1, self.d) * self.d ** -0.5)
        self.emb_rel_v = nn.Parameter(torch.randn(1, 2 * window_size + 1, self.d) * self.d ** -0.5)
        self.conv_o = nn.Conv1d(channels, channels, 1)
        self.drop = nn.Dropout(p_dropout)
        for c in (self.conv_q, self.conv_k, self.conv_v):
            nn.init.xavier_uniform_(c.weight)

    def rel_table(self, emb, t):
        # rows for relative offsets -(t-1) .. (t-1), zero beyond the window
        idx = torch.arange(-(t - 1), t)
        valid = (idx.abs() <= self.w).float()[:, None]
        return emb[0, (idx.clamp(-self.w, self.w) + self.w)] * valid  # [2t-1, d]

    def forward(self, x, mask2d):
        b, c, t = x.shape
        q = self.conv_q(x).view(b, self.h, self.d, t).transpose(2, 3)
        k = self.conv_k(x).view(b, self.h, self.d, t).transpose(2, 3)
        v = self.conv_v(x).view(b, self.h, self.d, t).transpose(2, 3)
        scores = q @ k.transpose(-1, -2)
        # relative keys: score[i, j] += q_i . r_k[j - i]
        rel = torch.arange(t)[None, :] - torch.arange(t)[:, None]  # j - i
        rk = self.rel_table(self.emb_rel_k, t)  # index by (j - i) + t - 1
        rel_logits = q @ rk.t()  # [b, h, t, 2t-1]
        scores = scores + torch.gather(rel_logits, 3, (rel + t - 1)[None, None].expand(b, self.h, t, t))
        scores = scores / math.sqrt(self.d)
        scores = scores.masked_fill(mask2d == 0, -1e4)
        p = self.drop(F.softmax(scores, -1))
        out = p @ v
        # relative values: out_i += sum_j p[i, j] r_v[j - i]
        rv = self.rel_table(self.emb_rel_v, t)
        prel = torch.zeros(b, self.h, t, 2 * t - 1, dtype=p.dtype)
        prel = prel.scatter_add(3, (rel + t - 1)[None, None].expand(b, self.h, t, t), p)
        out = out + prel @ rv
        return self.conv_o(out.transpose(2, 3).reshape(b, c, t))


class FFN(nn.Module):
    def __init__(self, channels, filter_channels, kernel_size, p_dropout):
        super().__init__()
        self.conv_1 = nn.Conv1d(channels, filter_channels, kernel_size, padding=kernel_size // 2)
        self.conv_2 = nn.Conv1d(filter_channels, channels, kernel_size, padding=kernel_size // 2)
        self.drop = nn.Dropout(p_dropout)

    def forward(self, x, mask):
        return self.conv_2(self.drop(torch.relu(self.conv_1(x * mask))) * mask) * mask


class Encoder(nn.Module):
    def __init__(self, channels, filter_channels, n_heads, n_layers, kernel_size, p_dropout, window_size):
        super().__init__()
        self.drop = nn.Dropout(p_dropout)
        self.attn_layers = nn.ModuleList(RelMultiHeadAttention(channels, n_heads, window_size, p_dropout) for _ in range(n_layers))
        self.norm_layers_1 = nn.ModuleList(LayerNorm(channels) for _ in range(n_layers))
        self.ffn_layers = nn.ModuleList(FFN(channels, filter_channels, kernel_size, p_dropout) for _ in range(n_layers))
        self.norm_layers_2 = nn.ModuleList(LayerNorm(channels) for _ in range(n_layers))

    def forward(self, x, mask):
        mask2d = (mask[:, :, :, None] * mask[:, :, None, :])  # [b, 1, t, t]
        for attn, n1, ffn, n2 in zip(self.attn_layers, self.norm_layers_1, self.ffn_layers, self.norm_layers_2):
            x = x * mask
            x = n1(x + self.drop(attn(x, mask2d)))
            x = n2(x + self.drop(ffn(x, mask)))
        return x * mask


class DurationPredictor(nn.Module):
    def __init__(self, channels, filter_channels, kernel_size, p_dropout):
        super().__init__()
        self.drop = nn.Dropout(p_dropout)
        self.conv_1 = nn.Conv1d(channels, filter_channels, kernel_size, padding=kernel_size // 2)
        self.norm_1 = LayerNorm(filter_channels)
        self.conv_2 = nn.Conv1d(filter_channels, filter_channels, kernel_size, padding=kernel_size // 2)
        self.norm_2 = LayerNorm(filter_channels)
        self.proj = nn.Conv1d(filter_channels, 1, 1)

    def forward(self, x, mask):
        x = self.drop(self.norm_1(torch.relu(self.conv_1(x * mask))))
        x = self.drop(self.norm_2(torch.relu(self.conv_2(x * mask))))
        return self.proj(x * mask) * mask


class TextEncoder(nn.Module):
    def __init__(self, n_vocab, out_channels, hidden, filter_channels, filter_channels_dp, n_heads, n_layers,
                 kernel_size, p_dropout, window_size, prenet):
        super().__init__()
        self.hidden = hidden
        self.emb = nn.Embedding(n_vocab, hidden)
        nn.init.normal_(self.emb.weight, 0.0, hidden ** -0.5)
        self.prenet = prenet
        if prenet:
            self.pre = ConvReluNorm(hidden, 5, 3, 0.5)
        self.encoder = Encoder(hidden, filter_channels, n_heads, n_layers, kernel_size, p_dropout, window_size)
        self.proj_m = nn.Conv1d(hidden, out_channels, 1)
        self.proj_w = DurationPredictor(hidden, filter_channels_dp, kernel_size, p_dropout)

    def forward(self, ids, lengths):
        x = (self.emb(ids) * math.sqrt(self.hidden)).transpose(1, 2)
        mask = seq_mask(lengths, ids.shape[1])[:, None].float()
        if self.prenet:
            x = self.pre(x, mask)
        x = self.encoder(x, mask)
        return self.proj_m(x) * mask, self.proj_w(x.detach(), mask), mask


class ActNorm(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.logs = nn.Parameter(torch.zeros(1, channels, 1))
        self.bias = nn.Parameter(torch.zeros(1, channels, 1))
        self.ddi = False

    def forward(self, x, mask, reverse=False):
        if self.ddi:  # data-dependent init: zero mean, unit variance on the first batch
            with torch.no_grad():
                n = mask.sum((0, 2))
                m = (x * mask).sum((0, 2)) / n
                var = (x * x * mask).sum((0, 2)) / n - m ** 2
                logs = 0.5 * torch.log(var.clamp_min(1e-6))
                self.bias.copy_((-m * torch.exp(-logs)).view_as(self.bias))
                self.logs.copy_((-logs).view_as(self.logs))
            self.ddi = False
        if reverse:
            return (x - self.bias) * torch.exp(-self.logs) * mask, None
        return (self.bias + torch.exp(self.logs) * x) * mask, self.logs.sum() * mask.sum((1, 2))


class InvConvNear(nn.Module):
    """1x1 invertible conv mixing n_split channel groups (the [2, c/n, n/2] regrouping of glow-tts)."""

    def __init__(self, channels, n_split=4):
        super().__init__()
        self.n = n_split
        w = torch.linalg.qr(torch.randn(n_split, n_split))[0]
        if torch.det(w) < 0:
            w[:, 0] = -w[:, 0]
        self.weight = nn.Parameter(w)

    def forward(self, x, mask, reverse=False):
        b, c, t = x.shape
        n = self.n
        x = x.view(b, 2, c // n, n // 2, t).permute(0, 1, 3, 2, 4).reshape(b, n, c // n, t)
        w = torch.inverse(self.weight) if reverse else self.weight
        z = torch.einsum('ij,bjct->bict', w, x)
        z = z.view(b, 2, n // 2, c // n, t).permute(0, 1, 3, 2, 4).reshape(b, c, t) * mask
        logdet = None if reverse else torch.logdet(self.weight) * (c / n) * mask.sum((1, 2))
        return z, logdet


class WN(nn.Module):
    def __init__(self, hidden, kernel_size, dilation_rate, n_layers, p_dropout):
        super().__init__()
        self.hidden = hidden
        self.n_layers = n_layers
        self.in_layers = nn.ModuleList()
        self.res_skip_layers = nn.ModuleList()
        self.drop = nn.Dropout(p_dropout)
        for i in range(n_layers):
            d = dilation_rate ** i
            self.in_layers.append(weight_norm(nn.Conv1d(hidden, 2 * hidden, kernel_size, dilation=d, padding=(kernel_size * d - d) // 2)))
            out = 2 * hidden if i < n_layers - 1 else hidden
            self.res_skip_layers.append(weight_norm(nn.Conv1d(hidden, out, 1)))

    def forward(self, x, mask):
        out = 0
        for i in range(self.n_layers):
            h = self.drop(self.in_layers[i](x))
            acts = torch.tanh(h[:, :self.hidden]) * torch.sigmoid(h[:, self.hidden:])
            rs = self.res_skip_layers[i](acts)
            if i < self.n_layers - 1:
                x = (x + rs[:, :self.hidden]) * mask
                out = out + rs[:, self.hidden:]
            else:
                out = out + rs
        return out * mask


class CouplingBlock(nn.Module):
    def __init__(self, channels, hidden, kernel_size, dilation_rate, n_layers, p_dropout):
        super().__init__()
        self.half = channels // 2
        self.start = weight_norm(nn.Conv1d(channels // 2, hidden, 1))
        self.end = nn.Conv1d(hidden, channels, 1)
        nn.init.zeros_(self.end.weight)
        nn.init.zeros_(self.end.bias)
        self.wn = WN(hidden, kernel_size, dilation_rate, n_layers, p_dropout)

    def forward(self, x, mask, reverse=False):
        x0, x1 = x[:, :self.half], x[:, self.half:]
        out = self.end(self.wn(self.start(x0) * mask, mask))
        m, logs = out[:, :self.half], out[:, self.half:]
        if reverse:
            return torch.cat([x0, (x1 - m) * torch.exp(-logs) * mask], 1), None
        return torch.cat([x0, (m + torch.exp(logs) * x1) * mask], 1), (logs * mask).sum((1, 2))


class FlowSpecDecoder(nn.Module):
    def __init__(self, channels, hidden, kernel_size, dilation_rate, n_blocks, n_layers, p_dropout, n_split, n_sqz):
        super().__init__()
        self.n_sqz = n_sqz
        c = channels * n_sqz
        self.flows = nn.ModuleList()
        for _ in range(n_blocks):
            self.flows.append(ActNorm(c))
            self.flows.append(InvConvNear(c, n_split))
            self.flows.append(CouplingBlock(c, hidden, kernel_size, dilation_rate, n_layers, p_dropout))

    def squeeze(self, x, mask):
        b, c, t = x.shape
        s = self.n_sqz
        t = (t // s) * s
        x = x[:, :, :t].reshape(b, c, t // s, s).permute(0, 3, 1, 2).reshape(b, c * s, t // s)
        mask = mask[:, :, s - 1::s]
        return x * mask, mask

    def unsqueeze(self, x, mask):
        b, cs, t = x.shape
        s = self.n_sqz
        x = x.reshape(b, s, cs // s, t).permute(0, 2, 3, 1).reshape(b, cs // s, t * s)
        mask = mask[:, :, :, None].repeat(1, 1, 1, s).reshape(b, 1, t * s)
        return x * mask, mask

    def forward(self, x, mask, reverse=False):
        x, m = self.squeeze(x, mask)
        logdet = 0
        for f in (reversed(self.flows) if reverse else self.flows):
            x, ld = f(x, m, reverse=reverse)
            if ld is not None:
                logdet = logdet + ld
        x, _ = self.unsqueeze(x, m)
        return x, logdet


def maximum_path(logp, mask):
    """Monotonic alignment search (glow-tts tie rule). logp, mask: [b, tx, ty] -> path [b, tx, ty]."""
    neg = -1e9
    v = (logp * mask).double()
    b, tx, ty = v.shape
    tx_len = mask[:, :, 0].sum(1).long()
    ty_len = mask[:, 0, :].sum(1).long()
    acc = torch.full((b, tx), neg, dtype=torch.float64)
    acc[:, 0] = 0.0
    dirs = torch.zeros(b, tx, ty, dtype=torch.bool)  # True: came from x-1
    xs = torch.arange(tx)[None, :]
    prev = None
    for y in range(ty):
        if y == 0:
            cur = torch.full((b, tx), neg, dtype=torch.float64)
            cur[:, 0] = v[:, 0, 0]
        else:
            stay = prev.clone()
            stay[xs.expand(b, tx) == y] = neg  # x == y: cannot stay
            move = torch.cat([torch.full((b, 1), neg, dtype=torch.float64), prev[:, :-1]], 1)
            dirs[:, :, y] = move > stay
            cur = torch.maximum(stay, move) + v[:, :, y]
            cur[xs.expand(b, tx) > y] = neg
        prev = cur
    path = torch.zeros(b, tx, ty)
    for i in range(b):
        idx = int(tx_len[i]) - 1
        d = dirs[i].numpy()
        for y in range(int(ty_len[i]) - 1, -1, -1):
            path[i, idx, y] = 1
            if idx != 0 and (idx == y or d[idx, y]):
                idx -= 1
    return path


class FlowGenerator(nn.Module):
    def __init__(self, n_vocab, hidden_channels, filter_channels, filter_channels_dp, out_channels, kernel_size=3,
                 n_heads=2, n_layers_enc=6, p_dropout=0., n_blocks_dec=12, kernel_size_dec=5, dilation_rate=1,
                 n_block_layers=4, p_dropout_dec=0., n_split=4, n_sqz=2, window_size=4, mean_only=True,
                 prenet=True, hidden_channels_enc=None, hidden_channels_dec=None, **_):
        super().__init__()
        assert mean_only, 'this recipe trains mean-only models'
        self.n_sqz = n_sqz
        self.encoder = TextEncoder(n_vocab, out_channels, hidden_channels_enc or hidden_channels, filter_channels,
                                   filter_channels_dp, n_heads, n_layers_enc, kernel_size, p_dropout, window_size, prenet)
        self.decoder = FlowSpecDecoder(out_channels, hidden_channels_dec or hidden_channels, kernel_size_dec,
                                       dilation_rate, n_blocks_dec, n_block_layers, p_dropout_dec, n_split, n_sqz)

    def set_ddi(self, on):
        for f in self.decoder.flows:
            if isinstance(f, ActNorm):
                f.ddi = on

    def forward(self, ids, id_lens, mel, mel_lens):
        """Training pass: returns the MLE loss and the duration loss (glow-tts train.py)."""
        x_m, logw, x_mask = self.encoder(ids, id_lens)
        t = (mel.shape[2] // self.n_sqz) * self.n_sqz
        mel = mel[:, :, :t]
        mel_lens = (mel_lens // self.n_sqz) * self.n_sqz
        z_mask = seq_mask(mel_lens, t)[:, None].float()
        z, logdet = self.decoder(mel, z_mask)
        attn_mask = x_mask[:, 0, :, None] * z_mask[:, 0, None, :]  # [b, tx, ty]
        with torch.no_grad():
            # log N(z; m, 1) per (text, frame), up to constants (x_logs = 0: mean-only)
            logp = -0.5 * (x_m ** 2).sum(1)[:, :, None] + x_m.transpose(1, 2) @ z - 0.5 * (z ** 2).sum(1)[:, None, :]
            attn = maximum_path(logp, attn_mask)
        z_m = (attn.transpose(1, 2) @ x_m.transpose(1, 2)).transpose(1, 2)
        n = (torch.ones_like(z) * z_mask).sum()
        l_mle = (0.5 * ((z - z_m) ** 2 * z_mask).sum() - logdet.sum()) / n + 0.5 * math.log(2 * math.pi)
        logw_ = torch.log(1e-8 + attn.sum(-1))[:, None] * x_mask
        l_dur = ((logw - logw_) ** 2).sum() / id_lens.sum()
        return l_mle, l_dur, attn

    @torch.no_grad()
    def infer(self, ids, noise_scale=0.667, length_scale=1.0):
        lens = torch.tensor([ids.shape[1]])
        x_m, logw, x_mask = self.encoder(ids, lens)
        w = torch.ceil(torch.exp(logw) * x_mask * length_scale)[0, 0]
        t = max(1, int(w.sum()))
        t = (t // self.n_sqz) * self.n_sqz
        dur = w.long()
        z_m = torch.repeat_interleave(x_m[0], dur, dim=1)[:, :t][None]
        z = z_m + torch.randn_like(z_m) * noise_scale
        mask = torch.ones(1, 1, z.shape[2])
        y, _ = self.decoder(z, mask, reverse=True)
        return y[0], dur
