import { readMel, readNpy, writeNpy } from '../../src/io/npy.js';
import { assertArrayEqual, assertEqual, assertRejects } from '../helpers/check.js';

// Files written by numpy.save (base64): Fortran-order float64 (2, 3), big-endian float32 (1, 2, 3), float32 (2,).
const FORTRAN_F8 = 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAAhAAAAAAAAA8D8AAAAAAAAQQAAAAAAAAABAAAAAAAAAFEA=';
const BIG_F4 = 'k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsIDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAP4AAAEAAAABAQAAAQIAAAECgAAA=';
const VEC_F4 = 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAAwA==';

function b64(s: string): Uint8Array {
  const bin = atob(s);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

describe('npy', () => {
  it('reads numpy files: Fortran order, big-endian, float64, 1-d', () => {
    const f = readNpy(b64(FORTRAN_F8));
    assertArrayEqual(f.shape, [2, 3], 'shape');
    assertArrayEqual(f.data, [0, 1, 2, 3, 4, 5], 'C-order values');
    const g = readNpy(b64(BIG_F4));
    assertArrayEqual(g.shape, [1, 2, 3], 'shape');
    assertArrayEqual(g.data, [0, 1, 2, 3, 4, 5], 'values');
    assertArrayEqual(readNpy(b64(VEC_F4)).data, [1.5, -2], '1-d');
  });

  it('writes what numpy writes, and reads it back', () => {
    assertArrayEqual(writeNpy(new Float32Array([1.5, -2]), [2]), b64(VEC_F4), 'bytes');
    const data = Float32Array.from({ length: 80 * 7 }, (_, i) => Math.sin(i));
    const back = readNpy(writeNpy(data, [80, 7]));
    assertArrayEqual(back.shape, [80, 7], 'shape');
    assertArrayEqual(back.data, data, 'values');
    assertEqual((10 + new DataView(writeNpy(data, [80, 7]).buffer).getUint16(8, true)) % 64, 0, 'header aligned to 64');
  });

  it('reads mels [n_mel, T] and [1, n_mel, T]; names bad ones', async () => {
    const m = readMel(b64(BIG_F4), 2);
    assertEqual(m.nMel, 2, 'n_mel');
    assertEqual(m.frames, 3, 'frames');
    await assertRejects(() => readMel(b64(FORTRAN_F8), 3), /has 2 channels, but this vocoder expects 3.*transposed/);
    await assertRejects(() => readMel(b64(VEC_F4)), /expected \[n_mel, frames\]/);
    await assertRejects(() => readMel(writeNpy(new Float32Array(0), [80, 0]), 80), /empty/);
    await assertRejects(() => readNpy(new Uint8Array(20)), /not a \.npy file/);
  });
});
