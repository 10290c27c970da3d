import { add, affine, exp, gatedTanhSigmoid, leakyRelu, logClamp, mul, relu, sigmoid, sub, tanh } from '../../src/ops/elementwise.js';
import { assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';

const TOL = 1e-6;
const sig = (x: number): number => 1 / (1 + Math.exp(-x));

describe('elementwise', () => {
  const unaries = [
    ['exp', exp, Math.exp],
    ['tanh', tanh, Math.tanh],
    ['sigmoid', sigmoid, sig],
    ['relu', relu, (x: number) => Math.max(x, 0)],
  ] as const;
  for (const [name, op, ref] of unaries) {
    it(`${name} on 1001 elements`, async () => {
      const e = await getEngine();
      const x = randArray(1001, 11, 4);
      assertClose(await e.readF32(op(e, e.upload(x, [7, 143]))), Array.from(x, ref), TOL, name);
    });
  }

  it('affine, leaky relu, log clamp, and saturating tanh/sigmoid', async () => {
    const e = await getEngine();
    const x = randArray(517, 12, 3);
    x[0] = 200; x[1] = -200; x[2] = 0;
    const t = e.upload(x, [517]);
    assertClose(await e.readF32(affine(e, t, 2.5, -1)), Array.from(x, (v) => v * 2.5 - 1), TOL, 'affine');
    assertClose(await e.readF32(leakyRelu(e, t, 0.1)), Array.from(x, (v) => (v >= 0 ? v : 0.1 * v)), TOL, 'leaky');
    assertClose(await e.readF32(logClamp(e, t, 1e-5)), Array.from(x, (v) => Math.log(Math.max(v, 1e-5))), TOL, 'logClamp');
    assertClose(await e.readF32(tanh(e, t)), Array.from(x, Math.tanh), TOL, 'tanh saturates');
    assertClose(await e.readF32(sigmoid(e, t)), Array.from(x, sig), TOL, 'sigmoid saturates');
  });

  it('broadcasting add/sub/mul over [3,1,5] and [4,1]', async () => {
    const e = await getEngine();
    const a = randArray(15, 13);
    const b = randArray(4, 14);
    const ta = e.upload(a, [3, 1, 5]);
    const tb = e.upload(b, [4, 1]);
    const want = (f: (x: number, y: number) => number): number[] => {
      const out: number[] = [];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++) out.push(f(a[i * 5 + k]!, b[j]!));
      return out;
    };
    const y = add(e, ta, tb);
    assertClose(await e.readF32(y), want((x, z) => x + z), TOL, 'add');
    assertClose(await e.readF32(sub(e, ta, tb)), want((x, z) => x - z), TOL, 'sub');
    assertClose(await e.readF32(mul(e, ta, tb)), want((x, z) => x * z), TOL, 'mul');
    if (y.shape.join() !== '3,4,5') throw new Error(`shape ${y.shape}`);
  });

  it('WaveNet gate tanh(a+b)·sigmoid(a+b) on [2·37, 53]', async () => {
    const e = await getEngine();
    const [c, t] = [37, 53];
    const a = randArray(2 * c * t, 15, 3);
    const b = randArray(2 * c * t, 16, 3);
    const want = new Float32Array(c * t);
    for (let i = 0; i < c * t; i++) want[i] = Math.tanh(a[i]! + b[i]!) * sig(a[i + c * t]! + b[i + c * t]!);
    const y = gatedTanhSigmoid(e, e.upload(a, [2 * c, t]), e.upload(b, [2 * c, t]));
    assertClose(await e.readF32(y), want, TOL, 'gate');
    const noB = new Float32Array(c * t);
    for (let i = 0; i < c * t; i++) noB[i] = Math.tanh(a[i]!) * sig(a[i + c * t]!);
    assertClose(await e.readF32(gatedTanhSigmoid(e, e.upload(a, [2 * c, t]))), noB, TOL, 'gate without addend');
  });

  it('rejects shapes that do not broadcast', async () => {
    const e = await getEngine();
    await assertRejects(() => add(e, e.upload(new Float32Array(6), [2, 3]), e.upload(new Float32Array(4), [4])), /add: shapes \[2, 3\] and \[4\] do not broadcast/);
  });
});
