#!/usr/bin/env python3
"""PyTorch CPU WaveGlow inference for flowgpu's benchmark ratio.

A small, self-contained re-statement of NVIDIA/waveglow's WaveGlow.infer (glow.py) on plain
tensors: it reads the same safetensors file flowgpu's bench writes (state_dict names, weight norm
already folded, config JSON in the metadata, the mel as `input.mel`), times inference and prints
one JSON line: {"seconds": median wall time, "cpu_seconds": median CPU time (all threads),
"samples": n, "khz": ..., "threads": ...}. With --out it also
saves the audio as .npy so the bench can compare outputs (sigma 0 is deterministic).

usage: waveglow_torch.py weights.safetensors [--sigma 0] [--repeats 3] [--threads N] [--out audio.npy]
"""
import argparse
import json
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        arr = np.frombuffer(data, dtype=DTYPES[h["dtype"]], count=(b - a) // np.dtype(DTYPES[h["dtype"]]).itemsize, offset=base + a)
        tensors[name] = torch.from_numpy(arr.reshape(h["shape"]).astype(np.float32))
    return tensors, meta


def timed(fn, repeats):
    """One warm-up call, then the median wall and CPU (all threads) seconds of `repeats` calls of
    fn() -> audio; returns (audio, the JSON result the bench reads)."""
    audio = fn()
    times = []
    cpu = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        c0 = time.process_time()
        audio = fn()
        cpu.append(time.process_time() - c0)
        times.append(time.perf_counter() - t0)
    times.sort()
    cpu.sort()
    sec = times[len(times) // 2]
    return audio, {"seconds": sec, "cpu_seconds": cpu[len(cpu) // 2], "samples": int(audio.numel()), "khz": audio.numel() / sec / 1000,
                   "threads": torch.get_num_threads(), "torch": torch.__version__}


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

    @torch.no_grad()
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights")
    ap.add_argument("--sigma", type=float, default=0.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    tensors, meta = read_safetensors(a.weights)
    cfg = json.loads(meta["config"])
    mel = tensors.pop("input.mel")
    if mel.dim() == 2:
        mel = mel.unsqueeze(0)
    model = TorchWaveGlow(tensors, cfg)
    gen = torch.Generator().manual_seed(0)
    audio, result = timed(lambda: model.infer(mel, a.sigma, gen), a.repeats)
    if a.out:
        np.save(a.out, audio.numpy().astype(np.float32))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
