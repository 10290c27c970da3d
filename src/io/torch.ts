// PyTorch `torch.save` files (zip and legacy layouts) → the pickled object → a flat state dict.
// Layouts are described byte by byte in shared/reference/pt-format.md.

import { FlowgpuError, describeShape } from '../gpu/errors.js';
import { brief } from './describe.js';
import { DTYPE_SIZE, allocate, concatBytes, tensorBytes, viewAs } from './dtype.js';
import { numel, type Checkpoint, type DType, type HostData, type HostTensor } from './host-tensor.js';
import { ByteBudget, resolveLimits, type ReadLimits } from './limits.js';
import {
  PyDict, PyGlobal, PyObject, PySet, STORAGE_DTYPES, isTuple, typeName, unpickle, type OpaqueValue, type PyValue,
  type UnpickleHooks,
} from './pickle.js';
import { foldPair } from './weightnorm.js';
import { readZip } from './zip.js';

/** A storage as the pickle references it; its bytes arrive later in the legacy layout. */
export class TorchStorage implements OpaqueValue {
  readonly opaque = 'storage';
  bytes: Uint8Array | undefined;
  constructor(readonly key: string, readonly dtype: DType, readonly numel: number) {}
}

/** A tensor as pickled: a strided view of a storage. */
export class TorchTensor implements OpaqueValue {
  readonly opaque = 'tensor';
  constructor(
    readonly storage: TorchStorage,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

export interface TorchFile {
  layout: 'zip' | 'legacy';
  object: PyValue;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const MAX_RANK = 64;
const LEGACY_PROTOCOL = 1001;

function isIndexList(v: PyValue): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && (x as number) >= 0);
}

function storageRef(pid: PyValue, expected: number): { key: string; dtype: DType; numel: number } {
  // ('storage', torch.<X>Storage, key, location, numel[, view_metadata])
  if (!isTuple(pid) || pid[0] !== 'storage' || pid.length !== expected) {
    const kind = isTuple(pid) ? `a ${pid.length}-tuple starting with ${brief(pid[0])}` : 'not a tuple';
    throw new FlowgpuError(`unsupported persistent id in checkpoint (${kind}); expected a ${expected}-tuple ('storage', ...)`);
  }
  const [, type, key, , n] = pid;
  if (!(type instanceof PyGlobal) || type.kind !== 'storage') throw new FlowgpuError('storage record without a storage type');
  if (typeof key !== 'string' || !Number.isSafeInteger(n) || (n as number) < 0) {
    throw new FlowgpuError(`malformed storage record for key ${brief(key)}`);
  }
  return { key, dtype: STORAGE_DTYPES.get(type.name)!, numel: n as number };
}

function tensorHooks(persistentLoad: (pid: PyValue) => PyValue, limits: ReadLimits): UnpickleHooks {
  return {
    persistentLoad,
    limits,
    rebuildTensor(args) {
      const [storage, offset, size, stride] = args;
      // Before scanning the lists: a memo reference to one huge list in every tensor record must not cost its length each time.
      const rank = Array.isArray(size) ? size.length : 0;
      if (rank > MAX_RANK) {
        throw new FlowgpuError(`malformed tensor record in checkpoint: ${rank} dimensions (torch tensors have at most ${MAX_RANK})`);
      }
      if (!(storage instanceof TorchStorage) || !Number.isSafeInteger(offset) || !isIndexList(size ?? null) ||
        !isIndexList(stride ?? null) || (size as number[]).length !== (stride as number[]).length) {
        throw new FlowgpuError('malformed tensor record in checkpoint (expected storage, offset, size, stride)');
      }
      if ((offset as number) < 0) {
        throw new FlowgpuError(
          `malformed tensor record in checkpoint: storage offset ${offset as number} into storage "${storage.key}" is negative`,
        );
      }
      return new TorchTensor(storage, offset as number, size as number[], stride as number[]);
    },
  };
}

function readZipLayout(bytes: Uint8Array, limits: ReadLimits): PyValue {
  const entries = readZip(bytes);
  const pkls = [...entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pkls.length !== 1) {
    throw new FlowgpuError(`not a torch.save archive: expected one "<name>/data.pkl" entry, found ${pkls.length}`);
  }
  const prefix = pkls[0]!.slice(0, -'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  if (order && new TextDecoder().decode(order).trim() !== 'little') {
    throw new FlowgpuError('checkpoint was saved on a big-endian machine; re-save it on a little-endian one');
  }
  const storages = new Map<string, TorchStorage>();
  const hooks = tensorHooks((pid) => {
    const ref = storageRef(pid, 5);
    let s = storages.get(ref.key);
    if (!s) {
      const data = entries.get(`${prefix}data/${ref.key}`);
      if (!data) throw new FlowgpuError(`checkpoint archive lacks storage entry "${prefix}data/${ref.key}"`);
      const want = ref.numel * DTYPE_SIZE[ref.dtype];
      if (data.length < want) {
        throw new FlowgpuError(`storage "${ref.key}" holds ${data.length} bytes but the checkpoint says ${want}: file damaged`);
      }
      s = new TorchStorage(ref.key, ref.dtype, ref.numel);
      s.bytes = data.subarray(0, want);
      storages.set(ref.key, s);
    }
    return s;
  }, limits);
  return unpickle(entries.get(pkls[0]!)!, hooks).value;
}

interface LegacyPickles {
  object: PyValue;
  keys: string[];
  roots: Map<string, TorchStorage>;
  views: { view: TorchStorage; root: TorchStorage; offset: number }[];
  /** Offset of the first storage record (its int64 element count). */
  storagesAt: number;
}

/** The legacy layout's five pickles; the raw storages follow them. */
function readLegacyPickles(bytes: Uint8Array, limits: ReadLimits = {}): LegacyPickles {
  const magic = unpickle(bytes, { limits }, 0);
  if (magic.value !== LEGACY_MAGIC) throw new FlowgpuError('not a PyTorch checkpoint: legacy magic number missing');
  const proto = unpickle(bytes, { limits }, magic.end);
  if (proto.value !== LEGACY_PROTOCOL) throw new FlowgpuError(`unsupported legacy torch.save protocol ${brief(proto.value)}`);
  const sys = unpickle(bytes, { limits }, proto.end);
  checkSysInfo(sys.value);

  // Storages referenced as views (view_metadata = (view key, offset, size)) resolve against their root.
  const roots = new Map<string, TorchStorage>();
  const views: { view: TorchStorage; root: TorchStorage; offset: number }[] = [];
  const hooks = tensorHooks((pid) => {
    if (isTuple(pid) && pid[0] === 'module') {
      // ('module', class, source file, source text): the class, as data; the source is never used
      const cls = pid[1];
      if (!(cls instanceof PyGlobal) || cls.kind !== 'class') throw new FlowgpuError('malformed module record in checkpoint');
      return cls;
    }
    const ref = storageRef(pid, 6);
    let root = roots.get(ref.key);
    if (!root) roots.set(ref.key, (root = new TorchStorage(ref.key, ref.dtype, ref.numel)));
    const viewMeta = (pid as readonly PyValue[])[5];
    if (viewMeta === null || viewMeta === undefined) return root;
    if (!isTuple(viewMeta) || !isIndexList(viewMeta.slice(1)) || typeof viewMeta[0] !== 'string') {
      throw new FlowgpuError('malformed storage view record in checkpoint');
    }
    const [, offset, size] = viewMeta as [string, number, number];
    const name = `${ref.key}[${offset}:${offset + size}]`;
    if (offset + size > root.numel) {
      throw new FlowgpuError(
        `corrupt legacy checkpoint: storage view "${name}" reaches past the end of its root storage "${ref.key}", ` +
          `which has ${root.numel} elements`,
      );
    }
    const view = new TorchStorage(name, ref.dtype, size);
    views.push({ view, root, offset });
    return view;
  }, limits);
  const main = unpickle(bytes, hooks, sys.end);
  const keys = unpickle(bytes, { limits }, main.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) {
    throw new FlowgpuError('corrupt legacy checkpoint: the storage key list is not a list of strings');
  }
  return { object: main.value, keys: keys.value as string[], roots, views, storagesAt: keys.end };
}

/** The legacy layout's third pickle, `sys_info`: a dict saying the saving machine was little-endian. */
function checkSysInfo(sys: PyValue): void {
  if (!(sys instanceof PyDict)) {
    throw new FlowgpuError(`corrupt legacy checkpoint: its system-info record is a ${typeName(sys)}, not a dict`);
  }
  const little = sys.get('little_endian');
  if (little === false) throw new FlowgpuError('checkpoint was saved on a big-endian machine; re-save it on a little-endian one');
  if (little !== true) {
    throw new FlowgpuError(
      `corrupt legacy checkpoint: its system-info record has little_endian = ${little === undefined ? 'nothing' : typeName(little)}, ` +
        'not True or False',
    );
  }
}

/** Where a legacy file's first storage bytes begin (undefined for other files). A reader that
 *  places the file so this offset is 8-byte aligned gets views of the file instead of copies. */
export function legacyStorageOffset(bytes: Uint8Array): number | undefined {
  return torchLayout(bytes) === 'legacy' ? readLegacyPickles(bytes).storagesAt + 8 : undefined;
}

function readLegacyLayout(bytes: Uint8Array, limits: ReadLimits): PyValue {
  const { object, keys, roots, views, storagesAt } = readLegacyPickles(bytes, limits);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = storagesAt;
  for (const key of keys) {
    const s = roots.get(key);
    if (!s) throw new FlowgpuError(`corrupt legacy checkpoint: storage "${key}" is listed but never referenced`);
    if (pos + 8 > bytes.length) throw truncatedLegacy(key, pos + 8, bytes.length);
    const count = dv.getBigInt64(pos, true);
    if (count !== BigInt(s.numel)) {
      throw new FlowgpuError(`corrupt legacy checkpoint: storage "${key}" has ${count} elements, the pickle says ${s.numel}`);
    }
    const len = s.numel * DTYPE_SIZE[s.dtype];
    if (pos + 8 + len > bytes.length) throw truncatedLegacy(key, pos + 8 + len, bytes.length);
    s.bytes = bytes.subarray(pos + 8, pos + 8 + len);
    pos += 8 + len;
  }
  for (const { view, root, offset } of views) {
    // bounds were checked against the root's element count when the view was read
    const size = DTYPE_SIZE[view.dtype];
    if (root.bytes) view.bytes = root.bytes.subarray(offset * size, (offset + view.numel) * size);
  }
  return object;
}

function truncatedLegacy(key: string, needed: number, have: number): FlowgpuError {
  return new FlowgpuError(
    `truncated checkpoint: storage "${key}" needs the file to be at least ${needed} bytes, it has ${have} ` +
      '(incomplete download?)',
  );
}

/** The torch.save layout, by magic bytes: a zip archive ("PK\x03\x04") or a protocol-2 pickle. */
export function torchLayout(bytes: Uint8Array): TorchFile['layout'] | undefined {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  if (bytes[0] === 0x80 && bytes[1] === 0x02) return 'legacy';
  return undefined;
}

/** Parses a torch.save file into its pickled object; tensors stay lazy `TorchTensor` views. */
export function readTorch(bytes: Uint8Array, limits: ReadLimits = {}): TorchFile {
  const layout = torchLayout(bytes);
  if (!layout) throw new FlowgpuError('not a PyTorch checkpoint: expected a zip archive ("PK") or a legacy pickle (0x80 0x02)');
  return { layout, object: layout === 'zip' ? readZipLayout(bytes, limits) : readLegacyLayout(bytes, limits) };
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = s;
    s *= shape[d]!;
  }
  return out;
}

/**
 * The dense tensor. Bounds are checked now; a contiguous tensor is a view of the storage bytes, a
 * strided one is gathered into a copy when its `data` is first read (so listing a file's tensors
 * never allocates), paid from `budget`: a few hostile bytes cannot make gigabytes.
 */
export function materialize(t: TorchTensor, name: string, budget: ByteBudget): HostTensor {
  const { storage, offset, shape, stride } = t;
  const n = numel(shape);
  const shapeText = describeShape(shape);
  const where = `tensor "${name}" ${shapeText} (offset ${offset}, strides ${describeShape(stride)})`;
  if (!storage.bytes) throw new FlowgpuError(`tensor "${name}": its storage "${storage.key}" is missing from the file`);
  if (!Number.isSafeInteger(n)) throw new FlowgpuError(`${where} has more elements than any file can hold: the checkpoint is damaged`);
  const last = n === 0 ? offset : offset + shape.reduce((acc, s, d) => acc + (s - 1) * stride[d]!, 0);
  if (n > 0 && last >= storage.numel) {
    throw new FlowgpuError(
      `${where} reaches element ${last} of storage "${storage.key}", which has only ${storage.numel}: the checkpoint is damaged`,
    );
  }
  const size = DTYPE_SIZE[storage.dtype];
  const dense = rowMajorStrides(shape);
  const contiguous = n === 0 || shape.every((s, d) => s === 1 || stride[d] === dense[d]);
  if (contiguous) {
    return { dtype: storage.dtype, shape: [...shape], data: viewAs(storage.dtype, storage.bytes.subarray(offset * size), n) };
  }
  let data: HostData | undefined;
  return {
    dtype: storage.dtype,
    shape: [...shape],
    get data() {
      if (!data) {
        budget.take(n * size, `gathering ${where}`);
        data = gather(t, n);
      }
      return data;
    },
  };
}

/** Copies a strided tensor into row-major order. */
function gather(t: TorchTensor, n: number): HostData {
  const { storage, offset, shape, stride } = t;
  const size = DTYPE_SIZE[storage.dtype];
  const data = allocate(storage.dtype, n);
  const out = new Uint8Array(data.buffer);
  const src = storage.bytes!;
  // Walk the outer indices; copy the innermost dimension as one run when it is unit-stride.
  const rank = shape.length;
  const inner = shape[rank - 1]!;
  const runs = n / inner;
  const idx = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < runs; r++) {
    let base = offset;
    for (let d = 0; d < rank - 1; d++) base += idx[d]! * stride[d]!;
    if (stride[rank - 1] === 1) {
      out.set(src.subarray(base * size, (base + inner) * size), r * inner * size);
    } else {
      for (let i = 0; i < inner; i++) {
        const from = (base + i * stride[rank - 1]!) * size;
        out.set(src.subarray(from, from + size), (r * inner + i) * size);
      }
    }
    for (let d = rank - 2; d >= 0 && ++idx[d]! === shape[d]; d--) idx[d] = 0;
  }
  return data;
}

function isModule(v: PyValue): v is PyObject {
  return v instanceof PyObject && v.dict.get('_parameters') instanceof PyDict;
}

/**
 * `module.state_dict()`, from the pickled `_parameters`, `_buffers` and `_modules`. Iterative (a
 * module chain as deep as the file allows cannot overflow the stack), and each module object is
 * walked once: a submodule shared by several parents (memo references) keeps the path it was first
 * reached by, as `named_parameters()` lists it, so shared subtrees cannot multiply the work.
 */
function walkModule(root: PyObject, out: Map<string, TorchTensor>): void {
  const seen = new Set<PyObject>();
  // Depth-first in pickle order: children are pushed in reverse so the first is walked first.
  const todo: { m: PyObject; prefix: string }[] = [{ m: root, prefix: '' }];
  while (todo.length) {
    const { m, prefix } = todo.pop()!;
    if (seen.has(m)) continue;
    seen.add(m);
    const skip = m.dict.get('_non_persistent_buffers_set');
    for (const group of ['_parameters', '_buffers']) {
      const entries = m.dict.get(group);
      if (!(entries instanceof PyDict)) continue;
      for (const [k, v] of entries) {
        if (v === null || (group === '_buffers' && skip instanceof PySet && skip.has(k))) continue;
        if (!(v instanceof TorchTensor)) throw new FlowgpuError(`"${prefix}${String(k)}" in ${m.cls.qualname} is not a tensor`);
        out.set(`${prefix}${String(k)}`, v);
      }
    }
    const children = m.dict.get('_modules');
    if (!(children instanceof PyDict)) continue;
    const next: { m: PyObject; prefix: string }[] = [];
    for (const [k, child] of children) {
      if (child === null) continue;
      if (!isModule(child)) throw new FlowgpuError(`submodule "${prefix}${String(k)}" is not a torch.nn.Module`);
      next.push({ m: child, prefix: `${prefix}${String(k)}.` });
    }
    for (let i = next.length - 1; i >= 0; i--) todo.push(next[i]!);
  }
}

function tensorsOf(d: PyDict): Map<string, TorchTensor> {
  const out = new Map<string, TorchTensor>();
  for (const [k, v] of d) if (typeof k === 'string' && v instanceof TorchTensor) out.set(k, v);
  return out;
}

/** Where the weights live in a checkpoint object, per the published layouts (models.md §7). */
export function findStateDict(root: PyValue): { tensors: Map<string, TorchTensor>; source: string; moduleClass?: string } {
  if (isModule(root)) {
    const tensors = new Map<string, TorchTensor>();
    walkModule(root, tensors);
    return { tensors, source: `whole ${root.cls.qualname} module`, moduleClass: root.cls.qualname };
  }
  if (root instanceof PyDict) {
    for (const k of ['state_dict', 'model', 'generator']) {
      const v = root.get(k) ?? null;
      if (isModule(v)) {
        const inner = findStateDict(v);
        return { ...inner, source: `['${k}']: ${inner.source}` };
      }
      if (v instanceof PyDict && tensorsOf(v).size > 0) return { tensors: tensorsOf(v), source: `['${k}'] state_dict` };
    }
    const direct = tensorsOf(root);
    if (direct.size > 0) return { tensors: direct, source: 'state_dict' };
    const keys = [...root.keys()].map(String).join(', ');
    throw new FlowgpuError(
      `no weights found in checkpoint: top-level keys are [${keys}]; expected a state_dict, or one under ` +
        "'state_dict', 'model' or 'generator'",
    );
  }
  throw new FlowgpuError('no weights found in checkpoint: it holds neither a state_dict nor a torch.nn.Module');
}

/** Loads a torch.save file as a flat, upgraded state dict. */
export function readTorchCheckpoint(bytes: Uint8Array, limits: ReadLimits = {}): Checkpoint {
  const resolved = resolveLimits(limits);
  const file = readTorch(bytes, resolved);
  const found = findStateDict(file.object);
  // DataParallel checkpoints prefix every key with "module."
  const strip = [...found.tensors.keys()].every((k) => k.startsWith('module.'));
  const tensors = new Map<string, HostTensor>();
  const budget = new ByteBudget(bytes.length, resolved);
  for (const [k, t] of found.tensors) tensors.set(strip ? k.slice('module.'.length) : k, materialize(t, k, budget));
  const metadata: Record<string, string> = { 'torch.layout': file.layout, 'torch.source': found.source };
  if (found.moduleClass) metadata['torch.class'] = found.moduleClass;
  if (file.object instanceof PyDict) {
    for (const [k, v] of file.object) {
      if (typeof k === 'string' && ['number', 'string', 'boolean'].includes(typeof v)) metadata[`torch.${k}`] = String(v);
    }
  }
  return { tensors: upgradeWaveGlowLayout(tensors, budget), metadata };
}

function concat0(parts: HostTensor[], what: string): HostTensor {
  const first = parts[0]!;
  const tail = first.shape.slice(1).join(',');
  for (const p of parts) {
    if (p.dtype !== first.dtype || p.shape.slice(1).join(',') !== tail) {
      throw new FlowgpuError(`cannot fuse ${what}: its parts differ in dtype or shape`);
    }
  }
  const rows = parts.reduce((a, p) => a + p.shape[0]!, 0);
  const shape = [rows, ...first.shape.slice(1)];
  return { dtype: first.dtype, shape, data: viewAs(first.dtype, concatBytes(parts.map(tensorBytes)), numel(shape)) };
}

/** Concatenates conv layers along output channels. Weight-normed parts keep g and v (each row's
 *  norm is unchanged by concatenation, so the folded result is exactly the per-layer one). */
function fuseLayers(parts: Map<string, HostTensor>[], what: string): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  const all = (k: string) => parts.every((p) => p.has(k));
  if (all('weight_g') && all('weight_v')) {
    out.set('weight_g', concat0(parts.map((p) => p.get('weight_g')!), what));
    out.set('weight_v', concat0(parts.map((p) => p.get('weight_v')!), what));
  } else {
    const weights = parts.map((p) => {
      const g = p.get('weight_g');
      const v = p.get('weight_v');
      const w = p.get('weight') ?? (g && v ? foldPair(g, v, what) : undefined);
      if (!w) throw new FlowgpuError(`cannot fuse ${what}: a part has no weight`);
      return w;
    });
    out.set('weight', concat0(weights, what));
  }
  if (all('bias')) out.set('bias', concat0(parts.map((p) => p.get('bias')!), what));
  else if (parts.some((p) => p.has('bias'))) throw new FlowgpuError(`cannot fuse ${what}: only some parts have a bias`);
  return out;
}

const OLD_WN = /^(.*WN\.\d+\.)(cond_layers|res_layers|skip_layers)\.(\d+)\.(\w+)$/;

/** Pre-August-2019 WaveGlow checkpoints (per-layer `cond_layers`, and before Nov 2018 separate
 *  `res_layers`/`skip_layers`) become the current fused `cond_layer` and `res_skip_layers`, as
 *  NVIDIA/waveglow's convert_model.py does. Other checkpoints pass through unchanged. Fusing copies
 *  the layers: a file's `budget` pays for it (many layers viewing one storage would multiply it). */
export function upgradeWaveGlowLayout(tensors: Map<string, HostTensor>, budget?: ByteBudget): Map<string, HostTensor> {
  // wn prefix → kind → layer index → suffix → tensor
  const groups = new Map<string, Map<string, Map<number, Map<string, HostTensor>>>>();
  let bytes = 0;
  for (const [k, t] of tensors) {
    const m = OLD_WN.exec(k);
    if (!m) continue;
    bytes += numel(t.shape) * DTYPE_SIZE[t.dtype];
    const [, wn, kind, idx, suffix] = m as unknown as [string, string, string, string, string];
    const byKind = groups.get(wn) ?? groups.set(wn, new Map()).get(wn)!;
    const byIdx = byKind.get(kind) ?? byKind.set(kind, new Map()).get(kind)!;
    const layer = byIdx.get(Number(idx)) ?? byIdx.set(Number(idx), new Map()).get(Number(idx))!;
    layer.set(suffix, t);
  }
  if (groups.size === 0) return tensors;
  budget?.take(bytes, `fusing the old WaveGlow layout's per-layer tensors (${bytes} bytes)`);

  const fused = new Map<string, Map<string, HostTensor>>();
  for (const [wn, byKind] of groups) {
    const ordered = (kind: string) => {
      const byIdx = byKind.get(kind) ?? new Map<number, Map<string, HostTensor>>();
      const list = [...byIdx.keys()].sort((a, b) => a - b).map((i) => byIdx.get(i)!);
      if (list.length !== byIdx.size || [...byIdx.keys()].some((i) => i >= list.length)) {
        throw new FlowgpuError(`${wn}${kind} has gaps in its layer numbers`);
      }
      return list;
    };
    const entries = new Map<string, HostTensor>();
    const cond = ordered('cond_layers');
    if (cond.length) {
      for (const [s, t] of fuseLayers(cond, `${wn}cond_layers`)) entries.set(`${wn}cond_layer.${s}`, t);
    }
    const res = ordered('res_layers');
    const skip = ordered('skip_layers');
    if (res.length || skip.length) {
      if (res.length !== skip.length - 1) {
        throw new FlowgpuError(`${wn}: expected one fewer res_layers (${res.length}) than skip_layers (${skip.length})`);
      }
      skip.forEach((sk, i) => {
        const parts = i < res.length ? [res[i]!, sk] : [sk];
        for (const [s, t] of fuseLayers(parts, `${wn}res/skip layer ${i}`)) entries.set(`${wn}res_skip_layers.${i}.${s}`, t);
      });
    }
    fused.set(wn, entries);
  }

  // Same order as before: each WN's fused tensors take the place of its first old-layout tensor.
  const out = new Map<string, HostTensor>();
  for (const [k, t] of tensors) {
    const m = OLD_WN.exec(k);
    if (!m) { out.set(k, t); continue; }
    const entries = fused.get(m[1]!);
    if (!entries) continue;
    for (const [fk, ft] of entries) out.set(fk, ft);
    fused.delete(m[1]!);
  }
  return out;
}
