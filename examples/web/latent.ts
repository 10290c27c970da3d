// The latent-space view: points in 3-D (PCA of each reference's mean z) drawn with a small WebGPU
// render pipeline (instanced billboard discs with depth, plus axis lines), orbit camera from
// wgpu-matrix: drag to orbit, wheel to zoom.
import { mat4, vec3 } from 'wgpu-matrix';

const SHADER = /* wgsl */ `
struct Uniforms { vp: mat4x4f, pointSize: vec2f, pad: vec2f };
@group(0) @binding(0) var<uniform> u: Uniforms;

struct PointOut { @builtin(position) pos: vec4f, @location(0) color: vec3f, @location(1) uv: vec2f };

@vertex fn pointVs(@builtin(vertex_index) vi: u32, @location(0) p: vec3f, @location(1) c: vec3f) -> PointOut {
  var corners = array<vec2f, 6>(vec2f(-1, -1), vec2f(1, -1), vec2f(-1, 1), vec2f(-1, 1), vec2f(1, -1), vec2f(1, 1));
  let q = corners[vi];
  let clip = u.vp * vec4f(p, 1.0);
  var out: PointOut;
  out.pos = vec4f(clip.xy + q * u.pointSize * clip.w, clip.z, clip.w);
  out.color = c;
  out.uv = q;
  return out;
}

@fragment fn pointFs(in: PointOut) -> @location(0) vec4f {
  let r2 = dot(in.uv, in.uv);
  if (r2 > 1.0) { discard; }
  let rim = smoothstep(0.72, 0.9, r2);
  let lit = in.color * (1.05 - 0.35 * r2) + vec3f(0.25) * (1.0 - smoothstep(0.0, 0.25, dot(in.uv + vec2f(0.35, -0.35), in.uv + vec2f(0.35, -0.35))));
  return vec4f(mix(lit, vec3f(0.06, 0.08, 0.11), rim * 0.8), 1.0);
}

struct LineOut { @builtin(position) pos: vec4f, @location(0) color: vec3f };

@vertex fn lineVs(@location(0) p: vec3f, @location(1) c: vec3f) -> LineOut {
  var out: LineOut;
  out.pos = u.vp * vec4f(p, 1.0);
  out.color = c;
  return out;
}

@fragment fn lineFs(in: LineOut) -> @location(0) vec4f {
  return vec4f(in.color, 1.0);
}
`;

/** Distinct, readable colours on a dark background (Tableau 10). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

export interface LatentPoint {
  /** 3-D position (any scale: the view normalises). */
  x: number;
  y: number;
  z: number;
  label: string;
}

const VERTEX_LAYOUT: GPUVertexBufferLayout = {
  arrayStride: 24,
  attributes: [
    { shaderLocation: 0, offset: 0, format: 'float32x3' },
    { shaderLocation: 1, offset: 12, format: 'float32x3' },
  ],
};

export interface LatentViewOptions {
  /**
   * Render into a texture and copy the pixels to a 2-D canvas instead of presenting through a
   * WebGPU canvas context. Needed on SwiftShader in headless Chromium, where presenting to a
   * canvas breaks every later createComputePipelineAsync ("A valid external Instance reference
   * no longer exists").
   */
  readback?: boolean;
}

export class LatentView {
  private readonly ctx: GPUCanvasContext | null = null;
  private readonly ctx2d: CanvasRenderingContext2D | null = null;
  private target: GPUTexture | null = null;
  private staging: GPUBuffer | null = null;
  private drawing = false;
  private again = false;
  private readonly format: GPUTextureFormat;
  private readonly pointPipeline: GPURenderPipeline;
  private readonly linePipeline: GPURenderPipeline;
  private readonly uniform: GPUBuffer;
  private readonly bindPoint: GPUBindGroup;
  private readonly bindLine: GPUBindGroup;
  private depth: GPUTexture | null = null;
  private points: GPUBuffer | null = null;
  private nPoints = 0;
  private lines: GPUBuffer;
  private nLines = 0;
  private yaw = 0.7;
  private pitch = 0.45;
  private distance = 4.6;
  private pending = false;
  /** Label → colour of the last `setPoints`. */
  colors = new Map<string, string>();

  constructor(private readonly device: GPUDevice, private readonly canvas: HTMLCanvasElement, o: LatentViewOptions = {}) {
    if (o.readback) {
      this.ctx2d = canvas.getContext('2d');
      if (!this.ctx2d) throw new Error('this canvas cannot give a 2-D context');
      this.format = 'rgba8unorm';
    } else {
      const ctx = canvas.getContext('webgpu');
      if (!ctx) throw new Error('this canvas cannot give a WebGPU context');
      this.ctx = ctx;
      this.format = navigator.gpu.getPreferredCanvasFormat();
      ctx.configure({ device, format: this.format, alphaMode: 'opaque' });
    }
    const module = device.createShaderModule({ code: SHADER, label: 'latent-view' });
    const depthStencil: GPUDepthStencilState = { format: 'depth24plus', depthWriteEnabled: true, depthCompare: 'less' };
    const pointLayout = device.createBindGroupLayout({
      entries: [{ binding: 0, visibility: GPUShaderStage.VERTEX, buffer: { type: 'uniform' } }],
    });
    const layout = device.createPipelineLayout({ bindGroupLayouts: [pointLayout] });
    this.pointPipeline = device.createRenderPipeline({
      label: 'latent-points',
      layout,
      vertex: { module, entryPoint: 'pointVs', buffers: [{ ...VERTEX_LAYOUT, stepMode: 'instance' }] },
      fragment: { module, entryPoint: 'pointFs', targets: [{ format: this.format }] },
      primitive: { topology: 'triangle-list' },
      depthStencil,
    });
    this.linePipeline = device.createRenderPipeline({
      label: 'latent-axes',
      layout,
      vertex: { module, entryPoint: 'lineVs', buffers: [VERTEX_LAYOUT] },
      fragment: { module, entryPoint: 'lineFs', targets: [{ format: this.format }] },
      primitive: { topology: 'line-list' },
      depthStencil,
    });
    this.uniform = device.createBuffer({ size: 80, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'latent-uniforms' });
    this.bindPoint = device.createBindGroup({ layout: pointLayout, entries: [{ binding: 0, resource: { buffer: this.uniform } }] });
    this.bindLine = this.bindPoint;
    this.lines = this.axes();
    this.attachControls();
    this.requestDraw();
  }

  /** A box and three coloured axes through the origin, spanning [-1, 1]. */
  private axes(): GPUBuffer {
    const v: number[] = [];
    const seg = (a: number[], b: number[], c: number[]) => v.push(...a, ...c, ...b, ...c);
    const grey = [0.22, 0.25, 0.31];
    for (const y of [-1, 1]) for (const z of [-1, 1]) seg([-1, y, z], [1, y, z], grey);
    for (const x of [-1, 1]) for (const z of [-1, 1]) seg([x, -1, z], [x, 1, z], grey);
    for (const x of [-1, 1]) for (const y of [-1, 1]) seg([x, y, -1], [x, y, 1], grey);
    seg([-1, 0, 0], [1.15, 0, 0], [0.88, 0.34, 0.35]);
    seg([0, -1, 0], [0, 1.15, 0], [0.35, 0.63, 0.31]);
    seg([0, 0, -1], [0, 0, 1.15], [0.31, 0.47, 0.65]);
    const data = new Float32Array(v);
    const buf = this.device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.VERTEX | GPUBufferUsage.COPY_DST, label: 'latent-axes' });
    this.device.queue.writeBuffer(buf, 0, data);
    this.nLines = data.length / 6;
    return buf;
  }

  /** Replaces the points: centred and scaled into [-1, 1]³, coloured by label. */
  setPoints(points: LatentPoint[]): void {
    this.colors = new Map();
    for (const p of points) if (!this.colors.has(p.label)) this.colors.set(p.label, PALETTE[this.colors.size % PALETTE.length]!);
    let scale = 0;
    for (const p of points) scale = Math.max(scale, Math.abs(p.x), Math.abs(p.y), Math.abs(p.z));
    const s = scale > 0 ? 0.9 / scale : 1;
    const data = new Float32Array(Math.max(1, points.length) * 6);
    points.forEach((p, i) => {
      data.set([p.x * s, p.y * s, p.z * s, ...hexToRgb(this.colors.get(p.label)!)], i * 6);
    });
    this.points?.destroy();
    this.points = this.device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.VERTEX | GPUBufferUsage.COPY_DST, label: 'latent-points' });
    this.device.queue.writeBuffer(this.points, 0, data);
    this.nPoints = points.length;
    this.requestDraw();
  }

  private attachControls(): void {
    const c = this.canvas;
    let last: { x: number; y: number } | null = null;
    c.addEventListener('pointerdown', (e) => {
      last = { x: e.clientX, y: e.clientY };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointermove', (e) => {
      if (!last) return;
      this.yaw -= (e.clientX - last.x) * 0.01;
      this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + (e.clientY - last.y) * 0.01));
      last = { x: e.clientX, y: e.clientY };
      this.requestDraw();
    });
    const end = () => (last = null);
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.distance = Math.max(1.2, Math.min(12, this.distance * Math.exp(e.deltaY * 0.001)));
      this.requestDraw();
    }, { passive: false });
    new ResizeObserver(() => this.requestDraw()).observe(c);
  }

  requestDraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      if (this.drawing) this.again = true;
      else void this.draw();
    });
  }

  /** Renders one frame now (resolves when it is on the canvas). */
  async draw(): Promise<void> {
    this.drawing = true;
    try {
      await this.render();
    } finally {
      this.drawing = false;
      if (this.again) {
        this.again = false;
        this.requestDraw();
      }
    }
  }

  private async render(): Promise<void> {
    const c = this.canvas;
    const dpr = Math.min(2, devicePixelRatio || 1);
    const w = Math.max(1, Math.round((c.clientWidth || 600) * dpr));
    const h = Math.max(1, Math.round((c.clientHeight || 400) * dpr));
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    if (!this.depth || this.depth.width !== w || this.depth.height !== h) {
      this.depth?.destroy();
      this.depth = this.device.createTexture({ size: [w, h], format: 'depth24plus', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    }
    const eye = vec3.fromValues(
      this.distance * Math.cos(this.pitch) * Math.sin(this.yaw),
      this.distance * Math.sin(this.pitch),
      this.distance * Math.cos(this.pitch) * Math.cos(this.yaw),
    );
    const proj = mat4.perspective((45 * Math.PI) / 180, w / h, 0.05, 50);
    const view = mat4.lookAt(eye, [0, 0, 0], [0, 1, 0]);
    const vp = mat4.multiply(proj, view);
    const px = 7 * dpr;
    const u = new Float32Array(20);
    u.set(vp, 0);
    u.set([(2 * px) / w, (2 * px) / h], 16);
    this.device.queue.writeBuffer(this.uniform, 0, u);
    if (this.ctx2d && (!this.target || this.target.width !== w || this.target.height !== h)) {
      this.target?.destroy();
      this.staging?.destroy();
      this.target = this.device.createTexture({ size: [w, h], format: this.format, usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
      this.staging = this.device.createBuffer({ size: Math.ceil((w * 4) / 256) * 256 * h, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    }
    const colorView = this.ctx2d ? this.target!.createView() : this.ctx!.getCurrentTexture().createView();
    const enc = this.device.createCommandEncoder({ label: 'latent-view' });
    const pass = enc.beginRenderPass({
      colorAttachments: [{ view: colorView, clearValue: { r: 0.063, g: 0.078, b: 0.11, a: 1 }, loadOp: 'clear', storeOp: 'store' }],
      depthStencilAttachment: { view: this.depth.createView(), depthClearValue: 1, depthLoadOp: 'clear', depthStoreOp: 'store' },
    });
    pass.setPipeline(this.linePipeline);
    pass.setBindGroup(0, this.bindLine);
    pass.setVertexBuffer(0, this.lines);
    pass.draw(this.nLines);
    if (this.points && this.nPoints > 0) {
      pass.setPipeline(this.pointPipeline);
      pass.setBindGroup(0, this.bindPoint);
      pass.setVertexBuffer(0, this.points);
      pass.draw(6, this.nPoints);
    }
    pass.end();
    const rowBytes = Math.ceil((w * 4) / 256) * 256;
    if (this.ctx2d) enc.copyTextureToBuffer({ texture: this.target! }, { buffer: this.staging!, bytesPerRow: rowBytes }, [w, h]);
    this.device.queue.submit([enc.finish()]);
    if (!this.ctx2d) return;
    const staging = this.staging!;
    await staging.mapAsync(GPUMapMode.READ);
    const src = new Uint8Array(staging.getMappedRange());
    const img = this.ctx2d.createImageData(w, h);
    for (let y = 0; y < h; y++) img.data.set(src.subarray(y * rowBytes, y * rowBytes + w * 4), y * w * 4);
    staging.unmap();
    this.ctx2d.putImageData(img, 0, 0);
  }
}
