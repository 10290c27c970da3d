#!/usr/bin/env python3
"""Writes a large torch.save checkpoint of random float32 weights in the WaveGlow layout
(weight-normed WN layers, fused cond_layer), for measuring flowgpu's checkpoint loading memory.

    python3 tools/gen-large-checkpoint.py out.pt [--layout zip|legacy] [--channels 360]

The default 360 WN channels give about 149 M parameters, a ~595 MB file (the published 256-channel
WaveGlow state dict is 88 M). Needs torch (any version with both serialisation layouts, e.g. 1.13).
"""
import argparse
import collections

import torch


def waveglow_state_dict(channels, n_mel=80, n_flows=12, n_group=8, early_every=4, early_size=2, n_layers=8, kernel=3):
    sd = collections.OrderedDict()
    gen = torch.Generator().manual_seed(0)

    def rand(*shape):
        return torch.randn(*shape, generator=gen)

    def normed(prefix, out_ch, in_ch, k):
        sd[prefix + '.bias'] = rand(out_ch)
        sd[prefix + '.weight_g'] = rand(out_ch, 1, 1)
        sd[prefix + '.weight_v'] = rand(out_ch, in_ch, k)

    sd['upsample.weight'] = rand(n_mel, n_mel, 1024)
    sd['upsample.bias'] = rand(n_mel)
    remaining = n_group
    for k in range(n_flows):
        if k % early_every == 0 and k > 0:
            remaining -= early_size
        half = remaining // 2
        wn = f'WN.{k}.'
        for i in range(n_layers):
            normed(f'{wn}in_layers.{i}', 2 * channels, channels, kernel)
        for i in range(n_layers):
            normed(f'{wn}res_skip_layers.{i}', 2 * channels if i < n_layers - 1 else channels, channels, 1)
        normed(f'{wn}start', channels, half, 1)
        sd[f'{wn}end.weight'] = rand(2 * half, channels, 1)
        sd[f'{wn}end.bias'] = rand(2 * half)
        normed(f'{wn}cond_layer', 2 * channels * n_layers, n_mel * n_group, 1)
        sd[f'convinv.{k}.conv.weight'] = rand(remaining, remaining, 1)
    return sd


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('out')
    p.add_argument('--layout', choices=['zip', 'legacy'], default='zip')
    p.add_argument('--channels', type=int, default=360)
    a = p.parse_args()
    sd = waveglow_state_dict(a.channels)
    n = sum(t.numel() for t in sd.values())
    torch.save({'model': sd, 'iteration': 0}, a.out, _use_new_zipfile_serialization=a.layout == 'zip')
    print(f'{a.out}: {len(sd)} tensors, {n:,} parameters, {n * 4 / 1e6:.1f} MB of float32 ({a.layout} layout)')


if __name__ == '__main__':
    main()
