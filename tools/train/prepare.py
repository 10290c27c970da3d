"""Speaks work/corpus.json with espeak-ng (en-us, 22050 Hz mono), trims leading/trailing silence
lightly and computes flowgpu's mel (audio.py). Writes work/data.pt: [{text, ids, mel [80, T]}]."""
import hashlib, json, os, subprocess, sys, wave
from concurrent.futures import ThreadPoolExecutor
import numpy as np
import torch
import audio

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, 'work')
VOICE = os.environ.get('ESPEAK_VOICE', 'en-us')


def speak(text, path):
    subprocess.run(['espeak-ng', '-v', VOICE, '-w', path, text], check=True)


def read_wav(path):
    with wave.open(path, 'rb') as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        sr = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype='<i2').astype(np.float32) / 32768.0
    if sr != audio.SR:
        raise SystemExit(f'espeak-ng wrote {sr} Hz; expected {audio.SR}')
    return x


def trim(x, lead=0.05, tail=0.1):
    env = np.abs(x)
    thr = 0.02 * env.max()
    idx = np.nonzero(env > thr)[0]
    if len(idx) == 0:
        return x
    a = max(0, idx[0] - int(lead * audio.SR))
    b = min(len(x), idx[-1] + int(tail * audio.SR))
    return x[a:b]


def main():
    items = json.load(open(os.path.join(WORK, sys.argv[1] if len(sys.argv) > 1 else 'corpus.json')))
    out_name = sys.argv[2] if len(sys.argv) > 2 else 'data.pt'
    wavdir = os.path.join(WORK, 'wav')
    os.makedirs(wavdir, exist_ok=True)
    paths = [os.path.join(wavdir, hashlib.sha1((VOICE + '|' + it['text']).encode()).hexdigest()[:16] + '.wav') for it in items]
    todo = [(it['text'], p) for it, p in zip(items, paths) if not os.path.exists(p)]
    with ThreadPoolExecutor(2) as ex:
        list(ex.map(lambda a: speak(*a), todo))
    data, secs = [], 0.0
    for it, p in zip(items, paths):
        x = trim(read_wav(p))
        secs += len(x) / audio.SR
        m = audio.mel(torch.from_numpy(x))[0]
        data.append({'text': it['text'], 'ids': torch.tensor(it['ids'], dtype=torch.long), 'mel': m.clone()})
    torch.save(data, os.path.join(WORK, out_name))
    print(f'{len(data)} utterances, {secs / 60:.1f} min of audio -> {out_name}')


if __name__ == '__main__':
    main()
