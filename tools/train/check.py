"""Listen-free check during training: synthesise the held-out sentences with the PyTorch model
(work/ckpt.pt) + Griffin-Lim and ask pocketsphinx (JSGF grammar of exactly those sentences) which
sentence it heard. Prints hits/total.  python3 check.py [ckpt] [--espeak]"""
import json, os, re, subprocess, sys, tempfile, wave
import numpy as np
import torch
import audio
from model import FlowGenerator

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, 'work')


def norm(s):
    return ' '.join(re.sub(r"[^a-z' ]", ' ', s.lower()).split())


def write_wav(path, x, sr):
    x = np.clip(x / max(1e-6, np.abs(x).max()) * 0.9, -1, 1)
    with wave.open(path, 'wb') as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(sr)
        w.writeframes((x * 32767).astype('<i2').tobytes())


def recognise(wav, grammar, tmp):
    w16 = os.path.join(tmp, 'x16.wav')
    subprocess.run(['sox', wav, '-r', '16000', '-c', '1', '-b', '16', w16], check=True)
    r = subprocess.run(['pocketsphinx_continuous', '-jsgf', grammar, '-infile', w16], capture_output=True, text=True)
    return ' '.join(r.stdout.split())


def main():
    torch.set_num_threads(1)
    items = json.load(open(os.path.join(WORK, 'eval.json')))
    tmp = tempfile.mkdtemp()
    grammar = os.path.join(tmp, 'g.jsgf')
    with open(grammar, 'w') as f:
        f.write('#JSGF V1.0;\ngrammar evalset;\npublic <sentence> = ' + ' | '.join(norm(it['text']) for it in items) + ' ;\n')
    espeak = '--espeak' in sys.argv
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    outdir = os.path.join(WORK, 'check')
    os.makedirs(outdir, exist_ok=True)
    if not espeak:
        ck = torch.load(args[0] if args else os.path.join(WORK, 'ckpt.pt'))
        net = FlowGenerator(**ck['config']).eval()
        net.load_state_dict(ck['model'])
        print('step', ck['step'])
    hits = 0
    torch.manual_seed(0)
    for i, it in enumerate(items):
        wav = os.path.join(outdir, f'{"espeak" if espeak else "model"}-{i:02d}.wav')
        if espeak:
            subprocess.run(['espeak-ng', '-v', 'en-us', '-w', wav, it['text']], check=True)
        else:
            mel, _ = net.infer(torch.tensor([it['ids']]), noise_scale=0.667)
            write_wav(wav, audio.griffin_lim(mel, 60).numpy(), audio.SR)
        heard = recognise(wav, grammar, tmp)
        ok = heard == norm(it['text'])
        hits += ok
        print(f'{"OK " if ok else "-- "} {it["text"]!r} -> {heard!r}', flush=True)
    print(f'identified {hits}/{len(items)}')


if __name__ == '__main__':
    main()
