#!/usr/bin/env python3
"""PyTorch CPU HiFi-GAN generator inference for flowgpu's benchmark ratio.

A short re-statement of jik876/hifi-gan's Generator.forward (weight norm already folded) on plain
tensors, on the file flowgpu's bench writes (the mel as `input.mel`); timing, output and command
line as tools/bench/common.py says.

usage: hifigan_torch.py weights.safetensors [--repeats 3] [--threads N] [--out audio.npy]
"""
import torch
import torch.nn.functional as F

from common import run

SLOPE = 0.1


def resblock(sd, x, j, kind, k, dilations):
    p = f"resblocks.{j}."
    for i, d in enumerate(dilations):
        if kind == "1":
            t = F.conv1d(F.leaky_relu(x, SLOPE), sd[p + f"convs1.{i}.weight"], sd[p + f"convs1.{i}.bias"], dilation=d, padding=d * (k - 1) // 2)
            t = F.conv1d(F.leaky_relu(t, SLOPE), sd[p + f"convs2.{i}.weight"], sd[p + f"convs2.{i}.bias"], padding=(k - 1) // 2)
        else:
            t = F.conv1d(F.leaky_relu(x, SLOPE), sd[p + f"convs.{i}.weight"], sd[p + f"convs.{i}.bias"], dilation=d, padding=d * (k - 1) // 2)
        x = x + t
    return x


def generate(sd, cfg, mel):
    k = sd["conv_pre.weight"].shape[2]
    x = F.conv1d(mel, sd["conv_pre.weight"], sd["conv_pre.bias"], padding=(k - 1) // 2)
    kernels = cfg["resblock_kernel_sizes"]
    for i, (u, ku) in enumerate(zip(cfg["upsample_rates"], cfg["upsample_kernel_sizes"])):
        x = F.conv_transpose1d(F.leaky_relu(x, SLOPE), sd[f"ups.{i}.weight"], sd[f"ups.{i}.bias"], stride=u, padding=(ku - u) // 2)
        total = None
        for j, kr in enumerate(kernels):
            r = resblock(sd, x, i * len(kernels) + j, str(cfg["resblock"]), kr, cfg["resblock_dilation_sizes"][j])
            total = r if total is None else total + r
        x = total / len(kernels)
    k = sd["conv_post.weight"].shape[2]
    x = F.conv1d(F.leaky_relu(x), sd["conv_post.weight"], sd["conv_post.bias"], padding=(k - 1) // 2)
    return torch.tanh(x).reshape(-1)


if __name__ == "__main__":
    run(lambda sd, inputs, cfg, a: lambda: generate(sd, cfg, inputs["mel"]))
