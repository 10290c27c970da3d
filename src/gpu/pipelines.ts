// Compiled pipelines keyed by shader + entry point + override constants. Shapes never enter the
// key (they travel in uniforms), so a new utterance length never triggers a recompile.

export type Constants = Record<string, number>;

export interface KernelRef {
  /** Short family name, used in labels and errors (e.g. 'conv1d'). */
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

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly pending = new Map<string, Promise<GPUComputePipeline>>();
  compiled = 0;

  constructor(private readonly device: GPUDevice) {}

  private module(k: KernelRef): GPUShaderModule {
    let m = this.modules.get(k.family);
    if (!m) {
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
