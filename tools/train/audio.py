"""Tacotron 2 mel spectrogram (as flowgpu's src/ops/stft.ts computes it) and Griffin-Lim, in torch.

22050 Hz, n_fft 1024, hop 256, win 1024 (Hann, periodic), reflect padding of n_fft/2,
80 slaney-normalised mel bands 0-8000 Hz (librosa's default mel filterbank), log(clamp(x, 1e-5)).
"""
import math
import numpy as np
import torch

SR, N_FFT, HOP, WIN, N_MELS, FMIN, FMAX = 22050, 1024, 256, 1024, 80, 0.0, 8000.0


def _hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def _mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_basis(sr=SR, n_fft=N_FFT, n_mels=N_MELS, fmin=FMIN, fmax=FMAX):
    """Slaney-style triangular filters with slaney area normalisation, [n_mels, n_fft//2+1]."""
    fftfreqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    w = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels])
    w *= enorm[:, None]
    return w.astype(np.float32)


_BASIS = torch.from_numpy(mel_basis())
_WINDOW = torch.hann_window(WIN, periodic=True)


def magnitude(audio):
    """audio: float tensor [T] or [B, T] in [-1, 1] -> |STFT| [B, 513, frames]."""
    if audio.dim() == 1:
        audio = audio[None]
    x = torch.nn.functional.pad(audio[:, None], (N_FFT // 2, N_FFT // 2), mode='reflect')[:, 0]
    spec = torch.stft(x, N_FFT, HOP, WIN, window=_WINDOW, center=False, return_complex=True)
    return spec.abs()


def mel(audio):
    """Log mel [B, 80, frames] (frames = T // 256 + 1)."""
    return torch.log(torch.clamp(torch.matmul(_BASIS, magnitude(audio)), min=1e-5))


def griffin_lim(logmel, n_iter=60, momentum=0.99):
    """Mel [80, frames] -> audio, via the mel-basis pseudo-inverse and fast Griffin-Lim."""
    m = torch.exp(logmel.float())
    mag = torch.clamp(torch.matmul(torch.linalg.pinv(_BASIS), m), min=0)
    frames = mag.shape[-1]
    length = (frames - 1) * HOP
    angles = torch.exp(2j * math.pi * torch.rand(mag.shape))
    prev = torch.zeros_like(angles)
    spec = mag * angles
    for _ in range(n_iter):
        y = torch.istft(spec, N_FFT, HOP, WIN, window=_WINDOW, center=True, length=length)
        rebuilt = torch.stft(y, N_FFT, HOP, WIN, window=_WINDOW, center=True, pad_mode='reflect', return_complex=True)
        angles = rebuilt - momentum / (1 + momentum) * prev
        prev = rebuilt
        angles = angles / (angles.abs() + 1e-16)
        spec = mag * angles
    return torch.istft(spec, N_FFT, HOP, WIN, window=_WINDOW, center=True, length=length)


def read_st(path):
    import json, struct
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        dt = {'F32': np.float32, 'I64': np.int64}[v['dtype']]
        a, b = v['data_offsets']
        out[k] = np.frombuffer(data[a:b], dtype=dt).reshape(v['shape'])
    return out, header.get('__metadata__', {})


if __name__ == '__main__':
    import sys
    g, _ = read_st(sys.argv[1] if len(sys.argv) > 1 else '/work/shared/golden/mel-stft.safetensors')
    b = mel_basis()
    print('mel basis max abs err', np.abs(b - g['mel_basis']).max())
    m = mel(torch.from_numpy(g['input.audio'].copy())).numpy()
    err = np.abs(m - g['output.mel']).max()
    print('mel max abs err', err, 'rel', err / np.abs(g['output.mel']).max())
    assert err < 1e-4, 'mel does not match the golden'
