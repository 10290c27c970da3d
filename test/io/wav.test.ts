import { decodeWav, encodeWav } from '../../src/io/wav.js';
import { assertArrayEqual, assertClose, assertEqual, assertRejects } from '../helpers/check.js';

describe('wav', () => {
  const x = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i / 7) * 0.9);

  it('16-bit PCM: header fields and round trip within one step', () => {
    const bytes = encodeWav(x, 22050);
    const v = new DataView(bytes.buffer);
    assertEqual(String.fromCharCode(...bytes.subarray(0, 4)), 'RIFF', 'magic');
    assertEqual(v.getUint32(4, true), bytes.length - 8, 'RIFF size');
    assertEqual(v.getUint16(20, true), 1, 'PCM');
    assertEqual(v.getUint32(24, true), 22050, 'rate');
    assertEqual(v.getUint16(34, true), 16, 'bits');
    assertEqual(v.getUint32(40, true), 2002, 'data bytes');
    const w = decodeWav(bytes);
    assertEqual(w.sampleRate, 22050, 'rate');
    assertEqual(w.encoding, 'pcm16', 'encoding');
    assertEqual(w.channels.length, 1, 'channels');
    assertClose(w.channels[0]!, x, 1.5 / 32768 / 0.9, 'samples');
  });

  it('clips PCM beyond ±1 and maps NaN to 0', () => {
    const w = decodeWav(encodeWav(new Float32Array([2, -2, NaN, 1, -1]), 8000));
    assertArrayEqual(w.channels[0]!, [32767 / 32768, -1, 0, 32767 / 32768, -32767 / 32768], 'samples');
  });

  it('32-bit float: exact round trip, stereo', () => {
    const y = x.map((v) => -v * 3);
    const w = decodeWav(encodeWav([x, y], 44100, 'float32'));
    assertEqual(w.encoding, 'float32', 'encoding');
    assertArrayEqual(w.channels[0]!, x, 'left');
    assertArrayEqual(w.channels[1]!, y, 'right');
  });

  it('reads 24-bit PCM and skips unknown chunks; rejects non-WAV', async () => {
    // fmt (PCM 24-bit mono 16 kHz), a LIST chunk, then 2 samples: 0x400000 (0.5) and 0x800000 (−1).
    const parts = [
      'RIFF', [0, 0, 0, 0], 'WAVE', 'fmt ', [16, 0, 0, 0], [1, 0, 1, 0], [0x80, 0x3e, 0, 0], [0x80, 0xbb, 0, 0], [3, 0, 24, 0],
      'LIST', [3, 0, 0, 0], [1, 2, 3, 0], 'data', [6, 0, 0, 0], [0, 0, 0x40, 0, 0, 0x80],
    ];
    const bytes = Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
    const w = decodeWav(bytes);
    assertEqual(w.sampleRate, 16000, 'rate');
    assertArrayEqual(w.channels[0]!, [0.5, -1], 'samples');
    await assertRejects(() => decodeWav(new Uint8Array(44)), /not a WAV file/);
  });
});
