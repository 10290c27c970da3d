// Weight precision. The GEMM-shaped kernels (matmul, conv, WaveNet) declare their weight bindings
// with element-type aliases (`array<wtype>`, read as `f32(w[i])`, accumulated in f32); a prelude
// fixes each alias to f32 or f16, so one .wgsl file gives both variants and no preprocessor is
// needed. An f16 variant is another family (another module and other pipeline keys).
import type { Engine } from './engine.js';
import { FlowgpuError } from './errors.js';
import type { GpuDType } from './tensor.js';

/** How a model stores its GEMM weights on the GPU: 'f16' halves their memory and bandwidth. */
export type Precision = 'f32' | 'f16';

export const PRECISIONS: readonly Precision[] = ['f32', 'f16'];

/** `precision` checked against the engine: 'f16' needs the adapter's shader-f16 feature. */
export function checkPrecision(e: Engine, precision: Precision, what: string): Precision {
  if (!PRECISIONS.includes(precision)) throw new FlowgpuError(`${what}: precision must be 'f32' or 'f16', got ${String(precision)}`);
  if (precision === 'f16' && !e.hasF16) {
    throw new FlowgpuError(
      `${what}: precision 'f16' needs the WebGPU feature 'shader-f16', which this adapter (${e.adapterName}) does not offer ` +
        `(SwiftShader and Dawn's OpenGL ES backend lack it); load with precision 'f32' (the default)`,
    );
  }
  return precision;
}

const variants = new Map<string, Map<string, { family: string; source: string }>>();

/**
 * The family and source of a kernel whose aliases (e.g. `{ wtype: w.dtype }`) are fixed to the
 * given element types: `family` itself when all are f32, else `family[wtype: f16]`.
 */
export function typedKernel(family: string, source: string, types: Record<string, GpuDType>): { family: string; source: string } {
  const names = Object.keys(types).sort();
  for (const n of names) {
    if (types[n] !== 'f32' && types[n] !== 'f16') throw new FlowgpuError(`${family}: ${n} must be f32 or f16, got ${types[n]}`);
  }
  const half = names.filter((n) => types[n] === 'f16');
  const key = half.join(',');
  let bySource = variants.get(source);
  if (!bySource) variants.set(source, (bySource = new Map()));
  let v = bySource.get(key);
  if (!v) {
    const prelude = (half.length ? 'enable f16;\n' : '') + names.map((n) => `alias ${n} = ${types[n]};\n`).join('');
    v = { family: half.length ? `${family}[${half.join(', ')}: f16]` : family, source: prelude + source };
    bySource.set(key, v);
  }
  return v;
}
