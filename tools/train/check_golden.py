"""Checks model.py against /work/shared/golden/glowtts-small.safetensors (the original's outputs)."""
import json, sys
import numpy as np
import torch
import audio
from model import FlowGenerator, maximum_path

g, meta = audio.read_st(sys.argv[1] if len(sys.argv) > 1 else '/work/shared/golden/glowtts-small.safetensors')
cfg = json.loads(meta['config'])
net = FlowGenerator(**cfg).eval()
sd = {k[len('weights.'):]: torch.from_numpy(v.copy()) for k, v in g.items() if k.startswith('weights.')}
missing = set(net.state_dict()) ^ set(sd)
assert not missing, f'key mismatch: {sorted(missing)[:10]}'
net.load_state_dict(sd)
ids = torch.from_numpy(g['input.text'].copy())
with torch.no_grad():
    x_m, logw, x_mask = net.encoder(ids, torch.tensor([ids.shape[1]]))
    print('x_m err', np.abs(x_m.numpy() - g['output.x_m']).max(), 'logw err', np.abs(logw.numpy() - g['output.logw']).max())
    w = torch.ceil(torch.exp(logw))[0, 0].long()
    z_m = torch.repeat_interleave(x_m[0], w, 1)[None][:, :, :g['input.noise'].shape[2]]
    z = z_m + torch.from_numpy(g['input.noise'].copy()) * float(meta['noise_scale'])
    y, _ = net.decoder(z, torch.ones(1, 1, z.shape[2]), reverse=True)
    ref = g['output.mel']
    print('mel rel err', np.abs(y.numpy() - ref).max() / np.abs(ref).max())
    mel = torch.from_numpy(g['align.input.mel'].copy())
    _, _, attn = net(ids, torch.tensor([ids.shape[1]]), mel, torch.tensor([mel.shape[2]]))
    print('align attn equal', np.array_equal(attn.numpy(), g['align.output.attn']))
    p = maximum_path(torch.from_numpy(g['mas.input.value'].copy()), torch.from_numpy(g['mas.input.mask'].copy()))
    print('mas equal', np.array_equal(p.numpy(), g['mas.output.path']))
    zz, _ = net.decoder(mel, torch.ones(1, 1, mel.shape[2]))
    print('align z rel err', np.abs(zz.numpy() - g['align.output.z']).max() / np.abs(g['align.output.z']).max())
