#!/usr/bin/env python3
"""PyTorch CPU WaveGlow inference for flowgpu's benchmark ratio.

A short re-statement of NVIDIA/waveglow's WaveGlow.infer (glow.py) on plain tensors, on the file
flowgpu's bench writes (weight norm already folded, the mel as `input.mel` [1, 80, frames]);
timing, output and command line as tools/bench/common.py says (sigma 0 is deterministic).

usage: waveglow_torch.py weights.safetensors [--sigma 0] [--repeats 3] [--threads N] [--out audio.npy]
"""
import torch
import torch.nn.functional as F

from common import run

class TorchWaveGlow:
    def __init__(self, sd, cfg):
        self.sd = sd
        self.n_flows = cfg["n_flows"]
        self.n_group = cfg["n_group"]
        self.n_early_every = cfg["n_early_every"]
        self.n_early_size = cfg["n_early_size"]
        wn = cfg["WN_config"]
        self.n_layers = wn["n_layers"]
        self.n_channels = wn["n_channels"]
        self.kernel_size = wn["kernel_size"]
        self.stride = 256
        rem = self.n_group
        for k in range(self.n_flows):
            if k % self.n_early_every == 0 and k > 0:
                rem -= self.n_early_size
        self.n_remaining = rem
        # 1x1 convolution inverses once, in float64 (the weights are not orthonormal).
        self.w_inv = [sd[f"convinv.{k}.conv.weight"].squeeze(-1).double().inverse().float().unsqueeze(-1)
                      for k in range(self.n_flows)]

    def wn(self, k, audio, cond):
        p = f"WN.{k}."
        sd = self.sd
        nc = self.n_channels
        h = F.conv1d(audio, sd[p + "start.weight"], sd[p + "start.bias"])
        g_all = F.conv1d(cond, sd[p + "cond_layer.weight"], sd[p + "cond_layer.bias"])
        out = None
        for i in range(self.n_layers):
            d = 2 ** i
            pad = (self.kernel_size * d - d) // 2
            x_in = F.conv1d(h, sd[p + f"in_layers.{i}.weight"], sd[p + f"in_layers.{i}.bias"], dilation=d, padding=pad)
            z = x_in + g_all[:, i * 2 * nc:(i + 1) * 2 * nc]
            acts = torch.tanh(z[:, :nc]) * torch.sigmoid(z[:, nc:])
            rs = F.conv1d(acts, sd[p + f"res_skip_layers.{i}.weight"], sd[p + f"res_skip_layers.{i}.bias"])
            if i < self.n_layers - 1:
                h = h + rs[:, :nc]
                skip = rs[:, nc:]
            else:
                skip = rs
            out = skip if out is None else out + skip
        return F.conv1d(out, sd[p + "end.weight"], sd[p + "end.bias"])

    def infer(self, mel, sigma, gen):
        sd = self.sd
        up = F.conv_transpose1d(mel, sd["upsample.weight"], sd["upsample.bias"], stride=self.stride)
        k = sd["upsample.weight"].shape[2]
        up = up[:, :, :-(k - self.stride)]
        g = self.n_group
        cond = up.unfold(2, g, g).permute(0, 2, 1, 3).contiguous()
        cond = cond.view(cond.size(0), cond.size(1), -1).permute(0, 2, 1)
        t = cond.size(2)
        audio = sigma * torch.randn(1, self.n_remaining, t, generator=gen)
        for k in reversed(range(self.n_flows)):
            n_half = audio.size(1) // 2
            a0, a1 = audio[:, :n_half], audio[:, n_half:]
            st = self.wn(k, a0, cond)
            b, s = st[:, :n_half], st[:, n_half:]
            a1 = (a1 - b) * torch.exp(-s)
            audio = F.conv1d(torch.cat([a0, a1], 1), self.w_inv[k])
            if k % self.n_early_every == 0 and k > 0:
                z = torch.randn(1, self.n_early_size, t, generator=gen)
                audio = torch.cat([sigma * z, audio], 1)
        return audio.permute(0, 2, 1).reshape(-1)


def make(sd, inputs, cfg, a):
    mel = inputs["mel"]
    model = TorchWaveGlow(sd, cfg)
    gen = torch.Generator().manual_seed(0)
    return lambda: model.infer(mel, a.sigma, gen)


if __name__ == "__main__":
    run(make, lambda ap: ap.add_argument("--sigma", type=float, default=0.0))
