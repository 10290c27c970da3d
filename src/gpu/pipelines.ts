// Compiled pipelines keyed by shader + entry point + override constants. Shapes never enter the
// key (they travel in uniforms), so a new utterance length never triggers a recompile.
import { FlowgpuError } from './errors.js';

export type Constants = Record<string, number>;

export interface KernelRef {
  /** Short family name, used in labels and errors (e.g. 'conv1d'); names one source (a variant
   *  with other element types is another family: src/gpu/precision.ts). */
  family: string;
  /** WGSL source of the whole family. */
  source: string;
  entry: string;
  constants?: Constants;
}

export function pipelineKey(k: KernelRef): string {
  const c = k.constants ? Object.keys(k.constants).sort().map((n) => `${n}=${k.constants![n]}`).join(',') : '';
  return `${k.family}:${k.entry}:${c}`;
}

export interface BindingAccess {
  /** The WGSL variable's name (for errors). */
  name: string;
  write: boolean;
  /** Its elements are f16 (`array<f16>`, directly or through an `alias`). */
  half: boolean;
}

const accessCache = new Map<string, Map<number, BindingAccess>>();

/** Each storage binding's declared access for one entry point (`var<storage, read_write>` writes;
 *  `read` or none reads), parsed once per kernel. Entry points of a family may declare one binding
 *  number several times: the declaration the entry point (or a function it calls) names counts. */
export function bindingAccess(k: KernelRef): ReadonlyMap<number, BindingAccess> {
  const key = `${k.family}:${k.entry}`;
  let m = accessCache.get(key);
  if (!m) {
    const used = namesUsedBy(k.source, k.entry);
    const aliases = new Map(Array.from(k.source.matchAll(/\balias\s+(\w+)\s*=\s*(\w+)\s*;/g), ([, a, t]) => [a!, t!]));
    m = new Map();
    for (const [, attrs, mode, name, elem] of k.source.matchAll(/((?:@\w+\s*\([^)]*\)\s*)+)var\s*<\s*storage\s*(?:,\s*(\w+)\s*)?>\s*(\w+)(?:\s*:\s*array\s*<\s*(?:vec[234]\s*<\s*)?(\w+))?/g)) {
      const binding = /@binding\s*\(\s*(\d+)\s*\)/.exec(attrs!);
      if (!binding || !used.has(name!)) continue;
      m.set(Number(binding[1]), { name: name!, write: mode === 'read_write', half: /^(f16|vec[234]h)$/.test(aliases.get(elem ?? '') ?? elem ?? '') });
    }
    accessCache.set(key, m);
  }
  return m;
}

/** The identifiers an entry point's body and the functions it calls (transitively) mention. */
function namesUsedBy(source: string, entry: string): Set<string> {
  const bodies = new Map<string, string>();
  for (const f of source.matchAll(/\bfn\s+(\w+)\s*\(/g)) {
    const open = source.indexOf('{', f.index);
    let depth = 0;
    let end = open;
    for (; end < source.length; end++) {
      if (source[end] === '{') depth++;
      else if (source[end] === '}' && --depth === 0) break;
    }
    bodies.set(f[1]!, source.slice(f.index, end + 1));
  }
  const used = new Set<string>();
  const visit = (fn: string): void => {
    for (const [id] of (bodies.get(fn) ?? '').matchAll(/\b[A-Za-z_]\w*\b/g)) {
      if (used.has(id)) continue;
      used.add(id);
      if (bodies.has(id)) visit(id);
    }
  };
  visit(entry);
  return used;
}

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly pending = new Map<string, Promise<GPUComputePipeline>>();
  compiled = 0;

  constructor(private readonly device: GPUDevice) {}

  private module(k: KernelRef): GPUShaderModule {
    let m = this.modules.get(k.family);
    if (!m) {
      if (/^\s*enable\s+f16\s*;/.test(k.source) && !this.device.features.has('shader-f16')) {
        throw new FlowgpuError(
          `${k.family}: this kernel reads f16 weights, but the adapter has no 'shader-f16' feature (SwiftShader and Dawn's ` +
            `OpenGL ES backend lack it); use precision 'f32' (the default), or a GPU whose WebGPU offers shader-f16`,
        );
      }
      m = this.device.createShaderModule({ code: k.source, label: k.family });
      this.modules.set(k.family, m);
    }
    return m;
  }

  private descriptor(k: KernelRef): GPUComputePipelineDescriptor {
    return {
      label: pipelineKey(k),
      layout: 'auto',
      compute: { module: this.module(k), entryPoint: k.entry, constants: k.constants ?? {} },
    };
  }

  /** The pipeline, compiled synchronously if `prepare` did not compile it earlier. */
  get(k: KernelRef): GPUComputePipeline {
    const key = pipelineKey(k);
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.device.createComputePipeline(this.descriptor(k));
      this.pipelines.set(key, p);
      this.compiled++;
    }
    return p;
  }

  /** Compiles ahead of use, asynchronously (at model load, never on the first call). */
  async prepare(kernels: KernelRef[]): Promise<void> {
    await Promise.all(kernels.map((k) => {
      const key = pipelineKey(k);
      if (this.pipelines.has(key)) return undefined;
      let job = this.pending.get(key);
      if (!job) {
        job = this.device.createComputePipelineAsync(this.descriptor(k)).then((p) => {
          this.pipelines.set(key, p);
          this.pending.delete(key);
          this.compiled++;
          return p;
        });
        this.pending.set(key, job);
      }
      return job;
    }));
  }

  get size(): number {
    return this.pipelines.size;
  }
}
