// Node only: WebGPU through the npm `webgpu` package (Dawn). Tries Vulkan first (a private
// Mesa ≥ 25 lavapipe if one was set up), then Dawn's OpenGL ES backend in compatibility mode,
// which works on stock Mesa with nothing installed.

import { existsSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, type EngineOptions } from './engine.js';
import { FlowgpuError } from './errors.js';
import { installPollBackoff } from './node-poll.js';
import { captureStderr, settle } from './node-stderr.js';

export type NodeBackend = 'vulkan' | 'opengles' | 'opengl' | 'swiftshader';

export interface BackendAttempt {
  backend: NodeBackend;
  ok: boolean;
  detail: string;
  /** What the driver and Dawn printed while this backend was tried (shown by `doctor`). */
  log: string;
}

export interface NodeEngineOptions extends Omit<EngineOptions, 'gpu' | 'adapter'> {
  /** Let Dawn's and the driver's messages through to stderr (default: FLOWGPU_VERBOSE set);
   *  otherwise they are kept in `attempts[].log` and printed only when no adapter is found. */
  verbose?: boolean;
}

// Dawn segfaults when the object from create() is collected: keep every one for the process.
const keepAlive: unknown[] = [];

function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'shaders'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** The private lavapipe ICD written by tools/setup-lavapipe.sh, if any. */
export function findLavapipe(): string | null {
  const candidates = [
    process.env.FLOWGPU_LAVAPIPE && join(process.env.FLOWGPU_LAVAPIPE, 'lvp_icd.json'),
    packageRoot() && join(packageRoot()!, '.cache/lavapipe/lvp_icd.json'),
    join(homedir(), '.cache/flowgpu/lavapipe/lvp_icd.json'),
  ];
  return candidates.find((c): c is string => Boolean(c) && existsSync(c as string)) ?? null;
}

function prepareEnvironment(backend: NodeBackend): void {
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `flowgpu-xdg-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  if (backend === 'vulkan' && !process.env.VK_ICD_FILENAMES) {
    const icd = findLavapipe();
    if (icd) process.env.VK_ICD_FILENAMES = icd;
  }
  if (backend === 'swiftshader') process.env.VK_ICD_FILENAMES = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (backend === 'opengles' || backend === 'opengl') process.env.EGL_PLATFORM ??= 'surfaceless';
}

async function tryBackend(backend: NodeBackend): Promise<GPUAdapter> {
  prepareEnvironment(backend);
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch (e) {
    throw new FlowgpuError(`the npm package "webgpu" could not be loaded (${(e as Error).message}); run npm install`);
  }
  Object.assign(globalThis, mod.globals);
  installPollBackoff();
  const dawnBackend = backend === 'swiftshader' ? 'vulkan' : backend;
  const gpu = mod.create([`backend=${dawnBackend}`]);
  keepAlive.push(gpu);
  const compat = backend === 'opengles' || backend === 'opengl';
  const adapter = await gpu.requestAdapter(compat ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions) : {});
  if (!adapter) {
    const hint = backend === 'vulkan' && !process.env.VK_ICD_FILENAMES
      ? ' (no Vulkan driver Dawn accepts: Mesa < 25 lavapipe is rejected; `bash tools/setup-lavapipe.sh` fetches Mesa 25 into .cache/)'
      : '';
    throw new Error(`no adapter${hint}`);
  }
  return adapter;
}

export interface NodeEngineResult {
  engine: Engine;
  attempts: BackendAttempt[];
}

/** Creates an engine on the first backend that works (or the one FLOWGPU_BACKEND names). */
export async function createNodeEngineWithReport(options: NodeEngineOptions = {}): Promise<NodeEngineResult> {
  const forced = process.env.FLOWGPU_BACKEND as NodeBackend | undefined;
  const order: NodeBackend[] = forced ? [forced] : ['vulkan', 'opengles'];
  const verbose = options.verbose ?? Boolean(process.env.FLOWGPU_VERBOSE);
  const attempts: BackendAttempt[] = [];
  for (const backend of order) {
    const open = async (): Promise<Engine> => Engine.create({ ...options, adapter: await tryBackend(backend), backend });
    const { result, text: log } = verbose ? { result: await settle(open), text: '' } : await captureStderr(open);
    if (result.ok) {
      attempts.push({ backend, ok: true, detail: result.value.adapterName, log });
      return { engine: result.value, attempts };
    }
    const e = result.error;
    if (e instanceof FlowgpuError && /npm package/.test(e.message)) throw e;
    attempts.push({ backend, ok: false, detail: (e as Error).message, log });
  }
  // No adapter: what the drivers said is now the useful part.
  for (const a of attempts) if (a.log) process.stderr.write(a.log.trimEnd().replace(/^/gm, `[${a.backend}] `) + '\n');
  const tried = attempts.map((a) => `${a.backend}: ${a.detail}`).join('; ');
  throw new FlowgpuError(
    `No WebGPU adapter in Node (${tried}). Install a driver: \`bash tools/setup-lavapipe.sh\` fetches Mesa 25 ` +
      `lavapipe (Vulkan) into .cache/, or install Mesa's EGL/GLES (apt-get install libegl1 libgles2 libegl-mesa0) ` +
      `for the OpenGL ES backend; FLOWGPU_BACKEND=vulkan|opengles|opengl|swiftshader forces one.`,
  );
}

export async function createNodeEngine(options: NodeEngineOptions = {}): Promise<Engine> {
  return (await createNodeEngineWithReport(options)).engine;
}
