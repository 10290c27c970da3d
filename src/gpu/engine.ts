import { describeShape, FlowgpuError } from './errors.js';
import { type Param, writeParams } from './params.js';
import { bindingAccess, type KernelRef, PipelineCache } from './pipelines.js';
import { BufferPool } from './pool.js';
import { bytesPerElement, type GpuDType, paddedBytes, Tensor } from './tensor.js';
import { Usage } from './usage.js';

export interface EngineOptions {
  /** A GPU to use; defaults to `navigator.gpu` (browsers, Deno). Node passes Dawn's. */
  gpu?: GPU;
  /** An adapter already requested (skips `requestAdapter`). */
  adapter?: GPUAdapter;
  /** Dispatches recorded before a submit (bounded so no submit trips a driver watchdog). */
  dispatchesPerSubmit?: number;
  /** Check every dispatch for validation errors and name the op (slow; for debugging). */
  validateEachOp?: boolean;
  /** Name of the backend, for reports (`doctor`, `bench`). */
  backend?: string;
}

export interface Dispatch {
  kernel: KernelRef;
  /** The op's name for errors (default: the kernel's family and entry point). */
  label?: string;
  /** Values of the kernel's `Params` uniform struct (binding 0), in field order. */
  params?: readonly Param[];
  /** Storage buffers bound at 1, 2, ... in order. What each one is read or written is the WGSL
   *  declaration's access (`var<storage, read>` / `read_write`); the engine refuses a written
   *  binding that overlaps another. `undefined` is an input the op does not use this time (the
   *  kernel must not touch it, e.g. behind a `has_bias` flag): the engine binds a spare buffer. */
  bindings: readonly (Tensor | undefined)[];
  /** Workgroup counts; a count over the per-dimension limit must be split by the op. */
  workgroups: readonly [number, number?, number?];
}

/** Values of a tensor on the host: a Uint16Array holds f16 bits (a half-precision weight). */
export type HostArray = Float32Array | Int32Array | Uint32Array | Uint16Array;

function dtypeOf(data: HostArray): GpuDType {
  return data instanceof Float32Array ? 'f32' : data instanceof Int32Array ? 'i32' : data instanceof Uint16Array ? 'f16' : 'u32';
}

function hostArray(dtype: GpuDType, data: ArrayBuffer): HostArray {
  return dtype === 'f32' ? new Float32Array(data) : dtype === 'i32' ? new Int32Array(data) : dtype === 'f16' ? new Uint16Array(data) : new Uint32Array(data);
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  backend: string;
  isFallback: boolean;
}

type Tracked = Tensor | readonly Tracked[] | { readonly [k: string]: Tracked } | undefined | null | number | string | boolean;

/** Input lengths (tokens or frames) a model's load-time warm-up runs: the kernels' tiles change
 *  with the length at 16, 32 and 64 columns and with the amount of work, so these reach each. */
export const WARM_UP_LENGTHS = [5, 20, 40, 90] as const;

const PARAM_SLOT = 256; // minUniformBufferOffsetAlignment on every adapter we know
const ARENA_SLOTS = 256;

/** A tensor's binding, rounded up to whole vec4s (pool buffers are multiples of 64 bytes and
 *  views start 256-aligned, so the extra bytes are in the buffer and belong to no other binding).
 *  Kernels that read `array<vec4f>` (the subgroup kernels) then see the last partial vec4:
 *  SwiftShader bounds-checks whole vec4s and returned 0 for it. */
function bindingSize(t: Tensor): number {
  return Math.min(t.buffer.size - t.byteOffset, Math.ceil(Math.max(t.byteLength, 4) / 16) * 16);
}

/**
 * The one owner of GPU resources: device, buffer pool, pipeline cache, the uniform arena and
 * the command recorder. Ops record dispatches; nothing is submitted until a batch fills up or
 * a result is read back, so a whole forward pass costs a few submits and one await.
 */
export class Engine {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly hasF16: boolean;
  readonly hasSubgroups: boolean;
  /** The subgroup size when the adapter has subgroups of one fixed size (lavapipe: 8), else 0:
   *  kernels that treat a workgroup as one subgroup need it fixed. */
  readonly subgroupSize: number;
  readonly hasTimestamps: boolean;
  /** A software adapter (lavapipe/llvmpipe, SwiftShader, WARP): kernels pick CPU-friendly tiles. */
  readonly isSoftware: boolean;
  readonly dispatchesPerSubmit: number;
  readonly validateEachOp: boolean;

  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pendingDispatches = 0;
  private readonly arena: GPUBuffer;
  private readonly arenaBytes = new ArrayBuffer(PARAM_SLOT * ARENA_SLOTS);
  private readonly arenaView = new DataView(this.arenaBytes);
  private arenaUsed = 0;
  private readonly scopes: Set<Tensor>[] = [];
  private readonly stagingFree: GPUBuffer[] = [];
  private deviceError: string | null = null;
  private readonly spares: Tensor[] = [];
  /** Kernels met during `precompile`'s dry run (null outside it). */
  private dryRun: KernelRef[] | null = null;
  dispatchCount = 0;
  submitCount = 0;

  private constructor(
    readonly device: GPUDevice,
    readonly adapter: GPUAdapter,
    readonly info: AdapterSummary,
    options: EngineOptions,
  ) {
    this.pool = new BufferPool(device);
    this.pipelines = new PipelineCache(device);
    this.hasF16 = device.features.has('shader-f16');
    this.hasSubgroups = device.features.has('subgroups');
    const sizes = adapter.info as { subgroupMinSize?: number; subgroupMaxSize?: number };
    this.subgroupSize = this.hasSubgroups && sizes.subgroupMinSize && sizes.subgroupMinSize === sizes.subgroupMaxSize ? sizes.subgroupMinSize : 0;
    this.hasTimestamps = device.features.has('timestamp-query');
    this.isSoftware = info.isFallback || /llvmpipe|lavapipe|swiftshader|software|warp|cpu/i.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
    this.dispatchesPerSubmit = options.dispatchesPerSubmit ?? 64;
    this.validateEachOp = options.validateEachOp ?? false;
    this.arena = device.createBuffer({ size: this.arenaBytes.byteLength, usage: Usage.UNIFORM | Usage.COPY_DST, label: 'params-arena' });
    device.addEventListener('uncapturederror', (ev) => {
      this.deviceError ??= (ev as GPUUncapturedErrorEvent).error.message;
    });
    void device.lost.then((info) => {
      if (info.reason !== 'destroyed') this.deviceError ??= `GPU device lost: ${info.message}`;
    });
  }

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const gpu = options.gpu ?? (globalThis.navigator as Navigator | undefined)?.gpu;
    if (!gpu && !options.adapter) {
      throw new FlowgpuError(
        'WebGPU is not available here (no navigator.gpu). Use a browser with WebGPU enabled ' +
          '(Chrome/Edge ≥ 113, or --enable-unsafe-webgpu), Deno ≥ 1.39, or in Node import "flowgpu/node" ' +
          '(it loads the npm "webgpu" package); run `npx flowgpu doctor` for details.',
      );
    }
    const adapter = options.adapter ?? (await gpu!.requestAdapter({ powerPreference: 'high-performance' }));
    if (!adapter) {
      throw new FlowgpuError(
        'No WebGPU adapter was found. On a machine without a GPU install a software driver ' +
          '(Mesa ≥ 25 lavapipe: run tools/setup-lavapipe.sh, or Mesa\'s GL driver for the OpenGL ES backend) ' +
          'and run `npx flowgpu doctor` to see why each backend failed.',
      );
    }
    const wanted: GPUFeatureName[] = ['shader-f16', 'subgroups', 'timestamp-query'];
    const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
    const limitNames = [
      'maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage',
      'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX',
      'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ', 'maxComputeWorkgroupsPerDimension',
    ] as const;
    const requiredLimits: Record<string, number> = {};
    for (const n of limitNames) requiredLimits[n] = adapter.limits[n];
    const device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'flowgpu' });
    const i = adapter.info;
    const info: AdapterSummary = {
      vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description,
      backend: options.backend ?? 'webgpu',
      isFallback: Boolean((i as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    };
    return new Engine(device, adapter, info, options);
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  get adapterName(): string {
    const i = this.info;
    // Deno reports numeric vendor/device ids and puts the driver's name in the description.
    const parts = i.description ? [i.description] : [i.vendor, i.architecture, i.device];
    return parts.filter(Boolean).join(' / ') + ` (${i.backend})`;
  }

  // ---- tensors -------------------------------------------------------------------------

  /** An uninitialised tensor from the pool, tracked by the current `tidy` scope. */
  empty(shape: readonly number[], dtype: GpuDType = 'f32', label = 'tensor'): Tensor {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new FlowgpuError(`${label}: invalid shape ${describeShape(shape)}`);
    }
    const bytes = paddedBytes(shape.reduce((a, b) => a * b, 1), dtype);
    if (bytes > this.limits.maxBufferSize) {
      throw new FlowgpuError(
        `${label}: a tensor of shape ${describeShape(shape)} needs ${mib(bytes)} MiB, over this adapter's ` +
          `maxBufferSize of ${mib(this.limits.maxBufferSize)} MiB; process the input in shorter chunks`,
      );
    }
    const t = new Tensor(this, this.pool.acquire(Math.max(bytes, 4), label), shape, dtype);
    this.scopes.at(-1)?.add(t);
    return t;
  }

  /** Copies host data into a new tensor. Work recorded so far is submitted first, so the
   *  write cannot overtake earlier reads of a reused buffer. */
  upload(data: HostArray, shape: readonly number[], label = 'upload'): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) {
      throw new FlowgpuError(`${label}: ${data.length} values do not fill shape ${describeShape(shape)}`);
    }
    const t = this.empty(shape, dtypeOf(data), label);
    this.flush();
    // writeBuffer takes whole words: an odd count of f16 values gets a zero after it.
    const words = data.byteLength % 4 === 0 ? data : Uint16Array.from({ length: n + 1 }, (_, i) => data[i] ?? 0);
    if (n > 0) this.device.queue.writeBuffer(t.buffer, 0, words.buffer, words.byteOffset, words.byteLength);
    return t;
  }

  /** A tensor that belongs to no scope (model weights): freed only by `release()`. */
  persistent(data: HostArray, shape: readonly number[], label = 'weight'): Tensor {
    const t = this.upload(data, shape, label);
    this.keep(t);
    return t;
  }

  /** A tiny persistent buffer to bind where an entry point declares a binding the call does not
   *  use (layouts are `auto`). `slot` > 0 gives another one, for a second unused written binding. */
  placeholder(slot = 0): Tensor {
    let t = this.spares[slot];
    if (!t || t.isReleased) {
      t = this.persistent(new Float32Array(4), [4], 'unused');
      this.spares[slot] = t;
    }
    return t;
  }

  releaseBuffer(buffer: GPUBuffer): void {
    this.pool.release(buffer);
  }

  // ---- scopes --------------------------------------------------------------------------

  /** Runs `fn`, then releases every tensor created inside it except those it returns. */
  tidy<T extends Tracked>(fn: () => T): T {
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } finally {
      this.scopes.pop();
    }
    this.closeScope(scope, result);
    return result;
  }

  /** `tidy` for async bodies (a model step that awaits a readback inside). */
  async tidyAsync<T extends Tracked>(fn: () => Promise<T>): Promise<T> {
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let result: T;
    try {
      result = await fn();
    } finally {
      this.scopes.splice(this.scopes.lastIndexOf(scope), 1);
    }
    this.closeScope(scope, result);
    return result;
  }

  private closeScope(scope: Set<Tensor>, result: Tracked): void {
    const kept = new Set<GPUBuffer>();
    collectBuffers(result, kept);
    const parent = this.scopes.at(-1);
    for (const t of scope) {
      if (kept.has(t.buffer)) parent?.add(t);
      else t.release();
    }
  }

  /** Removes tensors from every scope so `tidy` will not release them. */
  keep<T extends Tensor>(t: T): T {
    for (const s of this.scopes) s.delete(t);
    return t;
  }

  // ---- recording -----------------------------------------------------------------------

  dispatch(d: Dispatch): void {
    if (this.dryRun) {
      this.dryRun.push(d.kernel);
      return;
    }
    const label = d.label ?? d.kernel.family + (d.kernel.entry === 'main' ? '' : `.${d.kernel.entry}`);
    const bindings = this.bindAll(label, d.kernel, d.bindings);
    const [x, y = 1, z = 1] = d.workgroups;
    const maxWg = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxWg || y > maxWg || z > maxWg) {
      throw new FlowgpuError(`${label}: ${x}×${y}×${z} workgroups exceed the adapter's ${maxWg} per dimension`);
    }
    if (x === 0 || y === 0 || z === 0) return;
    const pipeline = this.pipelines.get(d.kernel);
    const entries: GPUBindGroupEntry[] = [];
    if (d.params && d.params.length > 0) {
      if (d.params.length * 4 > PARAM_SLOT) throw new Error(`${label}: too many parameters`);
      if (this.arenaUsed === ARENA_SLOTS) this.flush();
      const at = this.arenaUsed * PARAM_SLOT;
      writeParams(this.arenaView, at, d.params, label);
      this.arenaUsed++;
      entries.push({ binding: 0, resource: { buffer: this.arena, offset: at, size: d.params.length * 4 } });
    }
    bindings.forEach((t, i) => {
      entries.push({ binding: i + 1, resource: { buffer: t.buffer, offset: t.byteOffset, size: bindingSize(t) } });
    });
    if (this.validateEachOp) this.device.pushErrorScope('validation');
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label });
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    this.dispatchCount++;
    if (this.validateEachOp) {
      void this.device.popErrorScope().then((e) => {
        if (e) this.deviceError ??= `${label}: ${e.message}`;
      });
    }
    if (++this.pendingDispatches >= this.dispatchesPerSubmit) this.flush();
  }

  /** The tensors to bind: absent inputs filled with spares, then checked against the adapter's
   *  limits and for a written binding that overlaps another (WebGPU forbids it). */
  private bindAll(label: string, kernel: KernelRef, given: readonly (Tensor | undefined)[]): Tensor[] {
    const access = bindingAccess(kernel);
    let spareWrites = 0;
    const bindings = given.map((t, i) => t ?? (access.get(i + 1)?.write ? this.placeholder(1 + spareWrites++) : this.placeholder()));
    this.checkBindings(label, bindings);
    bindings.forEach((t, i) => {
      const declared = access.get(i + 1);
      if (declared && declared.half !== (t.dtype === 'f16')) {
        throw new FlowgpuError(`${label}: binding ${i + 1} (${declared.name}) holds ${declared.half ? 'f16' : '32-bit'} values, but was given ${t}`);
      }
    });
    bindings.forEach((w, i) => {
      const wa = access.get(i + 1);
      if (!wa?.write || !given[i]) return;
      bindings.forEach((r, j) => {
        if (j === i || !given[j] || r.buffer !== w.buffer) return;
        if (r.byteOffset < w.byteOffset + w.byteLength && w.byteOffset < r.byteOffset + r.byteLength) {
          const ra = access.get(j + 1);
          throw new FlowgpuError(
            `${label}: its output ${wa.name} (binding ${i + 1}) shares a buffer with its ${ra?.write ? 'output' : 'input'} ` +
              `${ra?.name ?? ''} (binding ${j + 1}); write to a separate tensor`,
          );
        }
      });
    });
    return bindings;
  }

  private checkBindings(label: string, bindings: readonly Tensor[]): void {
    const lim = this.limits;
    if (bindings.length > lim.maxStorageBuffersPerShaderStage) {
      throw new FlowgpuError(
        `${label}: needs ${bindings.length} storage buffers, this adapter allows ${lim.maxStorageBuffersPerShaderStage} per stage`,
      );
    }
    bindings.forEach((t, i) => {
      if (t.isReleased) throw new Error(`${label}: binding ${i + 1} ${t} was already released`);
      if (t.byteLength > lim.maxStorageBufferBindingSize) {
        throw new FlowgpuError(
          `${label}: binding ${i + 1} of shape ${describeShape(t.shape)} is ${t.byteLength} bytes (${mib(t.byteLength)} MiB), over this ` +
            `adapter's maxStorageBufferBindingSize of ${lim.maxStorageBufferBindingSize} bytes; process in chunks`,
        );
      }
      if (t.byteOffset % lim.minStorageBufferOffsetAlignment !== 0) {
        throw new Error(`${label}: binding ${i + 1} is a view at byte ${t.byteOffset}, not ${lim.minStorageBufferOffsetAlignment}-aligned`);
      }
    });
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.pass) {
      this.encoder ??= this.device.createCommandEncoder({ label: 'flowgpu' });
      this.pass = this.encoder.beginComputePass();
    }
    return this.pass;
  }

  private commandEncoder(): GPUCommandEncoder {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    this.encoder ??= this.device.createCommandEncoder({ label: 'flowgpu' });
    return this.encoder;
  }

  /** Copies `count` elements between tensors of one element size (recorded, like a dispatch). */
  copy(src: Tensor, dst: Tensor, count = src.size, srcStart = 0, dstStart = 0): void {
    if (srcStart + count > src.size || dstStart + count > dst.size) {
      throw new FlowgpuError(`copy: ${count} elements from ${src} at ${srcStart} into ${dst} at ${dstStart} is out of bounds`);
    }
    const size = bytesPerElement(src.dtype);
    const [from, to, bytes] = [src.byteOffset + srcStart * size, dst.byteOffset + dstStart * size, count * size];
    // copyBufferToBuffer moves whole words: f16 ranges must start and end on one.
    if (bytesPerElement(dst.dtype) !== size || [from, to, bytes].some((b) => b % 4 !== 0)) {
      throw new FlowgpuError(`copy: ${count} elements from ${src} at ${srcStart} into ${dst} at ${dstStart} are not whole 4-byte words of one element size`);
    }
    if (count === 0 || this.dryRun) return;
    this.commandEncoder().copyBufferToBuffer(src.buffer, from, dst.buffer, to, bytes);
  }

  /** Submits everything recorded so far (no wait). */
  flush(): void {
    if (!this.encoder) return;
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    if (this.arenaUsed > 0) {
      this.device.queue.writeBuffer(this.arena, 0, this.arenaBytes, 0, this.arenaUsed * PARAM_SLOT);
      this.arenaUsed = 0;
    }
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.pendingDispatches = 0;
    this.submitCount++;
  }

  // ---- readback ------------------------------------------------------------------------

  async read(t: Tensor): Promise<HostArray> {
    const [out] = await this.readMany([t]);
    return out!;
  }

  async readF32(t: Tensor): Promise<Float32Array> {
    if (t.dtype !== 'f32') throw new Error(`readF32: ${t} is ${t.dtype}`);
    return (await this.read(t)) as Float32Array;
  }

  /** Reads several tensors with one submit and one wait. */
  async readMany(tensors: readonly Tensor[]): Promise<HostArray[]> {
    if (this.dryRun) return tensors.map((t) => hostArray(t.dtype, new ArrayBuffer(t.size * bytesPerElement(t.dtype))));
    const enc = this.commandEncoder();
    const staging = tensors.map((t) => {
      const s = this.staging(Math.max(t.byteLength, 4));
      if (t.byteLength > 0) enc.copyBufferToBuffer(t.buffer, t.byteOffset, s, 0, t.byteLength);
      return s;
    });
    this.flush();
    await Promise.all(staging.map((s) => s.mapAsync(1 /* GPUMapMode.READ */)));
    this.throwDeviceError();
    return tensors.map((t, i) => {
      const s = staging[i]!;
      const bytes = s.getMappedRange(0, Math.max(t.byteLength, 4)).slice(0, t.size * bytesPerElement(t.dtype));
      s.unmap();
      this.stagingFree.push(s);
      return hostArray(t.dtype, bytes);
    });
  }

  /**
   * Compiles, at model load, every pipeline that `warmUp` (a small inference) uses, so the first
   * real call compiles nothing. First a dry run: dispatches are only collected and reads return
   * zeros (an error from zero data ends it early), then the collected pipelines compile in
   * parallel with `createComputePipelineAsync`. Only when the dry run ended early does `warmUp`
   * then run for real, compiling (synchronously) what only real data reaches: a real run of a
   * published-size model costs minutes on a CPU adapter, the dry run next to nothing.
   */
  async precompile(warmUp: () => Promise<unknown>): Promise<void> {
    const seen: KernelRef[] = [];
    this.dryRun = seen;
    let complete = true;
    try {
      await this.tidyAsync(async () => {
        await warmUp();
        return null;
      });
    } catch {
      complete = false; // zeros are not real data; the real run below reports real errors
    } finally {
      this.dryRun = null;
    }
    await this.pipelines.prepare(seen);
    if (complete) return;
    await this.tidyAsync(async () => {
      await warmUp();
      return null;
    });
    await this.sync();
  }

  /** Waits until the GPU has finished everything submitted (for timing). */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.throwDeviceError();
  }

  private staging(bytes: number): GPUBuffer {
    const i = this.stagingFree.findIndex((b) => b.size >= bytes && b.size <= 2 * bytes + 4096);
    if (i >= 0) return this.stagingFree.splice(i, 1)[0]!;
    return this.device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: Usage.MAP_READ | Usage.COPY_DST, label: 'staging' });
  }

  private throwDeviceError(): void {
    if (this.deviceError) {
      const msg = this.deviceError;
      this.deviceError = null;
      throw new FlowgpuError(`GPU error: ${msg}`);
    }
  }

  destroy(): void {
    this.flush();
    this.pool.trim();
    for (const s of this.stagingFree) s.destroy();
    this.arena.destroy();
    this.device.destroy();
  }
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

function collectBuffers(x: Tracked, out: Set<GPUBuffer>): void {
  if (x instanceof Tensor) out.add(x.buffer);
  else if (Array.isArray(x)) for (const v of x) collectBuffers(v as Tracked, out);
  else if (x && typeof x === 'object') for (const v of Object.values(x)) collectBuffers(v as Tracked, out);
}

/** Splits `count` workgroups over x and y when x alone would exceed the per-dimension limit.
 *  Kernels recover the flat index as `wg.x + wg.y * num_workgroups.x`. */
export function grid(e: Engine, count: number): [number, number] {
  const max = e.limits.maxComputeWorkgroupsPerDimension;
  if (count <= max) return [count, 1];
  const y = Math.ceil(count / max);
  return [Math.ceil(count / y), y];
}
