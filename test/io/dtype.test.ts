import { f16ToF32, f32ToF16, toFloat16 } from '../../src/io/dtype.js';
import { assertArrayEqual, assertEqual } from '../helpers/check.js';

describe('float16 conversion', () => {
  it('rounds to nearest, ties to even, like torch .half()', () => {
    const cases: [number, number][] = [
      [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65519, 0x7bff], [65520, 0x7c00], [1e10, 0x7c00], [-Infinity, 0xfc00],
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [1 + 2 ** -10 + 2 ** -12, 0x3c01],
      [2 ** -24, 0x0001], [2 ** -25, 0x0000], [1.5 * 2 ** -25, 0x0001], [2 ** -14, 0x0400], [2 ** -14 - 2 ** -25, 0x0400],
      [0, 0], [-0, 0x8000],
    ];
    for (const [x, h] of cases) assertEqual(f32ToF16(x).toString(16), h.toString(16), `f32ToF16(${x})`);
    assertEqual(f32ToF16(NaN) & 0x7c00, 0x7c00, 'NaN exponent');
    assertEqual(Number.isNaN(f16ToF32(f32ToF16(NaN))), true, 'NaN round trip');
  });

  it('converts every f16 value back exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue; // NaNs
      const back = f32ToF16(f16ToF32(h));
      if (back !== h) throw new Error(`0x${h.toString(16)} -> ${f16ToF32(h)} -> 0x${back.toString(16)}`);
    }
    const t = toFloat16({ dtype: 'f32', shape: [2], data: Float32Array.of(0.5, -3) });
    assertArrayEqual(t.data as Uint16Array, [0x3800, 0xc200], 'tensor');
  });
});
