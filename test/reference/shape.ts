// Plain-TS references for concat, slice, permute, flip and pad (row-major, any rank).

function strides(shape: readonly number[]): number[] {
  return shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** out[c] = f(c) over every coordinate of `shape`. */
function build(shape: readonly number[], f: (c: number[]) => number): Float64Array {
  const y = new Float64Array(size(shape));
  const st = strides(shape);
  for (let i = 0; i < y.length; i++) y[i] = f(shape.map((d, k) => Math.floor(i / st[k]!) % d));
  return y;
}

const at = (x: ArrayLike<number>, shape: readonly number[], c: number[]): number => {
  const st = strides(shape);
  return x[c.reduce((s, v, k) => s + v * st[k]!, 0)]!;
};

export function concatRef(xs: { data: ArrayLike<number>; shape: number[] }[], axis: number): Float64Array {
  const shape = xs[0]!.shape.slice();
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
  return build(shape, (c) => {
    let k = c[axis]!;
    for (const x of xs) {
      if (k < x.shape[axis]!) return at(x.data, x.shape, c.map((v, i) => (i === axis ? k : v)));
      k -= x.shape[axis]!;
    }
    throw new Error('unreachable');
  });
}

export function sliceRef(x: ArrayLike<number>, shape: number[], axis: number, start: number, end: number): Float64Array {
  const out = shape.slice();
  out[axis] = end - start;
  return build(out, (c) => at(x, shape, c.map((v, i) => (i === axis ? v + start : v))));
}

export function permuteRef(x: ArrayLike<number>, shape: number[], perm: number[]): Float64Array {
  const out = perm.map((p) => shape[p]!);
  return build(out, (c) => {
    const src = new Array<number>(shape.length);
    perm.forEach((p, k) => { src[p] = c[k]!; });
    return at(x, shape, src);
  });
}

export function flipRef(x: ArrayLike<number>, shape: number[], axis: number): Float64Array {
  return build(shape, (c) => at(x, shape, c.map((v, i) => (i === axis ? shape[axis]! - 1 - v : v))));
}

export function padRef(x: ArrayLike<number>, shape: number[], axis: number, before: number, after: number, value: number): Float64Array {
  const out = shape.slice();
  out[axis] = shape[axis]! + before + after;
  return build(out, (c) => {
    const k = c[axis]! - before;
    return k < 0 || k >= shape[axis]! ? value : at(x, shape, c.map((v, i) => (i === axis ? k : v)));
  });
}
