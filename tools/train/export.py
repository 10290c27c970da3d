"""Exports work/ckpt.pt to weights/demo-voice.safetensors: f32 tensors named exactly as glow-tts's
FlowGenerator state_dict (weight norm kept as weight_g/weight_v, like published checkpoints), with
the constructor arguments as a JSON `config` in the metadata.  python3 export.py [ckpt] [out]"""
import json, os, struct, sys
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def write_safetensors(path, tensors, metadata):
    header, blobs, off = {'__metadata__': metadata}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name].detach().cpu().numpy().astype('<f4'))
        header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [off, off + a.nbytes]}
        blobs.append(a.tobytes())
        off += a.nbytes
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path + '.tmp', 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(path + '.tmp', path)


def main():
    ck_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'work', 'ckpt.pt')
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, 'weights', 'demo-voice.safetensors')
    ck = torch.load(ck_path)
    cfg = dict(ck['config'])
    meta = {
        'model': 'glow-tts',
        'config': json.dumps(cfg),
        'front_end': 'glowtts',
        'text_cleaners': 'english_cleaners',
        'add_blank': 'false',
        'sampling_rate': '22050',
        'n_mel_channels': '80',
        'hop_length': '256',
        'noise_scale': '0.667',
        'length_scale': '1.0',
        'vocoder': 'griffinlim',
        'voice': 'espeak-ng en-us (audio output of espeak-ng 1.51), Tacotron 2 mels',
        'training': f"flowgpu tools/train (own code), step {ck['step']}, {ck.get('seconds', 0) / 60:.0f} min on 2 CPU cores",
        'license': 'BSD-3-Clause (as flowgpu); trained only on audio output of espeak-ng (GPL-3.0-or-later program; its output is not covered by it)',
    }
    os.makedirs(os.path.dirname(out), exist_ok=True)
    write_safetensors(out, ck['model'], meta)
    print(f"wrote {out}: {len(ck['model'])} tensors, {os.path.getsize(out) / 1e6:.1f} MB, step {ck['step']}")


if __name__ == '__main__':
    main()
