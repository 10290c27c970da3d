// A pickle reader (protocols 2-5) for the subset that torch.save writes. It never runs anything
// from the file: every GLOBAL is checked against a fixed allow-list, module classes become plain
// data records, and the only "calls" are the few constructors below, implemented here.

import { FlowgpuError } from '../gpu/errors.js';
import type { DType } from './host-tensor.js';
import { resolveLimits, type ReadLimits } from './limits.js';

export type PyKey = string | number | bigint | boolean | null;
export type PyValue =
  | null | boolean | number | bigint | string | Uint8Array
  | PyValue[] /* list; tuples are frozen arrays */
  | PyDict | PySet | PyObject | PyGlobal | OpaqueValue;

/** Values that hooks create (storages, tensors); the VM only moves them around. */
export interface OpaqueValue { readonly opaque: string }

/** A dict or OrderedDict. BUILD on an OrderedDict (torch's `_metadata`) lands in `attrs`. */
export class PyDict extends Map<PyKey, PyValue> {
  private built?: Map<string, PyValue>;
  /** Made on first use: a pickle of a million empty dicts should not also cost a million of these. */
  get attrs(): Map<string, PyValue> {
    return (this.built ??= new Map());
  }
}

export class PySet extends Set<PyValue> {}

/** What a global is allowed to be used for. */
export type GlobalKind = 'dict' | 'set' | 'tensor' | 'parameter' | 'storage' | 'dtype' | 'class';

export class PyGlobal {
  constructor(readonly module: string, readonly name: string, readonly kind: GlobalKind) {}
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of an allowed module class: its pickled `__dict__` as data, nothing more. */
export class PyObject {
  readonly dict = new Map<string, PyValue>();
  constructor(readonly cls: PyGlobal) {}
}

export interface UnpickleHooks {
  /** BINPERSID: torch's storage references (and legacy module-class records). */
  persistentLoad?(pid: PyValue): PyValue;
  /** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`. */
  rebuildTensor?(args: readonly PyValue[]): PyValue;
  /** Caps on what the pickle may build (`maxPickleObjects`). */
  limits?: ReadLimits;
}

// Maps, not object literals: names come from the file, and "toString" must not find Object.prototype's.
export const STORAGE_DTYPES = new Map<string, DType>([
  ['FloatStorage', 'f32'], ['HalfStorage', 'f16'], ['BFloat16Storage', 'bf16'], ['DoubleStorage', 'f64'],
  ['LongStorage', 'i64'], ['IntStorage', 'i32'], ['ShortStorage', 'i16'], ['CharStorage', 'i8'], ['ByteStorage', 'u8'],
  ['BoolStorage', 'bool'],
]);

const TORCH_DTYPES = new Set([
  'float32', 'float', 'float16', 'half', 'bfloat16', 'float64', 'double', 'int64', 'long', 'int32', 'int',
  'int16', 'short', 'int8', 'uint8', 'bool',
]);

const CALLABLES = new Map<string, GlobalKind>([
  ['collections.OrderedDict', 'dict'],
  ['builtins.set', 'set'],
  ['__builtin__.set', 'set'],
  ['torch._utils._rebuild_tensor_v2', 'tensor'],
  ['torch._utils._rebuild_parameter', 'parameter'],
  ['torch._utils._rebuild_parameter_with_state', 'parameter'],
]);

/** Top-level Python packages of the model repos whose module classes appear in whole-module pickles. */
const MODEL_PACKAGES = new Set([
  'glow', 'glow_old', 'flowtron', 'models', 'model', 'modules', 'attentions', 'commons', 'hifigan', 'text',
  'denoiser', 'waveglow', 'transformer',
]);

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function classifyGlobal(module: string, name: string): GlobalKind | undefined {
  const qual = `${module}.${name}`;
  const callable = CALLABLES.get(qual);
  if (callable) return callable;
  if (module === 'torch' && STORAGE_DTYPES.has(name)) return 'storage';
  if (module === 'torch' && TORCH_DTYPES.has(name)) return 'dtype';
  if (!IDENT.test(name) || !module.split('.').every((p) => IDENT.test(p))) return undefined;
  if (module.startsWith('torch.nn.modules.')) return 'class';
  if (qual === 'torch.nn.utils.weight_norm.WeightNorm') return 'class';
  if (module === 'torch.nn.utils.parametrize' || module === 'torch.nn.utils.parametrizations') return 'class';
  if (MODEL_PACKAGES.has(module.split('.')[0]!)) return 'class';
  return undefined;
}

function refusedGlobal(qual: string): FlowgpuError {
  return new FlowgpuError(
    `refused pickle global "${qual}": flowgpu only reads tensors, plain data and model-module records from ` +
      'checkpoints and never runs code from them. This file asks for something else: it is not a plain ' +
      'PyTorch checkpoint of a supported model (or it is malicious); re-save its state_dict with torch.save.',
  );
}

const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT',
  0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND',
  0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET',
  0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT',
  0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

const MARK_SENTINEL = Symbol('mark');
const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

export function isTuple(v: PyValue): v is PyValue[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

export function typeName(v: PyValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return isTuple(v) ? 'tuple' : 'list';
  if (v instanceof PyDict) return 'dict';
  if (v instanceof PySet) return 'set';
  if (v instanceof PyObject) return v.cls.qualname;
  if (v instanceof PyGlobal) return v.qualname;
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object') return v.opaque;
  return typeof v;
}

/** Reads one pickle starting at `start`; returns its value and the offset just past its STOP. */
export function unpickle(data: Uint8Array, hooks: UnpickleHooks = {}, start = 0): { value: PyValue; end: number } {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = start;
  let opPos = start;
  const stack: (PyValue | typeof MARK_SENTINEL)[] = [];
  const memo = new Map<number, PyValue>();
  const { maxPickleObjects } = resolveLimits(hooks.limits);
  let objects = 0;

  const fail = (what: string): FlowgpuError => new FlowgpuError(`corrupt pickle at byte ${opPos}: ${what}`);
  const need = (n: number): number => {
    if (n > data.length - pos) {
      throw new FlowgpuError(
        `truncated pickle: ${n} bytes needed at byte ${pos} but the data ends at ${data.length} ` +
          '(incomplete download or cut file?)',
      );
    }
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => data[need(1)]!;
  const u16 = () => dv.getUint16(need(2), true);
  const u32 = () => dv.getUint32(need(4), true);
  const u64 = () => {
    const v = dv.getBigUint64(need(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`length ${v} is impossible`);
    return Number(v);
  };
  const bytes = (n: number) => data.subarray(need(n), pos);
  const text = (n: number) => {
    const raw = bytes(n);
    try {
      return utf8.decode(raw);
    } catch {
      throw fail('string is not valid UTF-8');
    }
  };
  const line = () => {
    const nl = data.indexOf(0x0a, pos);
    if (nl < 0) throw new FlowgpuError(`truncated pickle: unterminated GLOBAL name at byte ${pos}`);
    const s = latin1.decode(data.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined) throw fail('stack underflow');
    if (v === MARK_SENTINEL) throw fail('unexpected MARK');
    return v;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK_SENTINEL) throw fail('stack underflow');
    return v;
  };
  const popMark = (): PyValue[] => {
    const at = stack.lastIndexOf(MARK_SENTINEL);
    if (at < 0) throw fail('no MARK on the stack');
    const items = stack.splice(at) as PyValue[];
    items.shift();
    return items;
  };
  const push = (v: PyValue) => stack.push(v);
  /** Counts the containers built (1 each) and the entries copied into them (1/16 each: cheap, but
   *  a memo reference to one large dict copied again and again must not take hours): a few bytes
   *  per opcode must not add up to gigabytes or hours. */
  const spend = (n: number) => {
    objects += n;
    if (objects > maxPickleObjects) {
      throw new FlowgpuError(
        `pickle builds or copies more than ${maxPickleObjects} lists, dicts, objects and entries; no checkpoint of a ` +
          'supported model needs that many (damaged or hostile file; a trusted one can raise the read limit maxPickleObjects)',
      );
    }
  };
  const made = <T extends PyValue>(v: T): T => {
    spend(1);
    return v;
  };
  const tuple = (items: PyValue[]) => made(Object.freeze(items) as PyValue[]);
  const key = (k: PyValue): PyKey => {
    if (k === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof k)) return k as PyKey;
    throw fail(`unsupported dict key of type ${typeName(k)}`);
  };
  const setItems = (target: PyValue, items: PyValue[]) => {
    if (!(target instanceof PyDict)) throw fail(`SETITEM(S) on a ${typeName(target)}`);
    if (items.length % 2) throw fail('odd number of items for SETITEMS');
    for (let i = 0; i < items.length; i += 2) target.set(key(items[i]!), items[i + 1]!);
  };
  const appendItems = (target: PyValue, items: PyValue[]) => {
    if (!Array.isArray(target) || Object.isFrozen(target)) throw fail(`APPEND(S) on a ${typeName(target)}`);
    for (const v of items) target.push(v); // not push(...items): a million items would overflow the stack
  };
  const global = (module: string, name: string): PyGlobal => {
    const kind = classifyGlobal(module, name);
    if (!kind) throw refusedGlobal(`${module}.${name}`);
    return new PyGlobal(module, name, kind);
  };
  const call = (fn: PyValue, args: PyValue): PyValue => {
    if (!(fn instanceof PyGlobal)) throw fail(`REDUCE on a ${typeName(fn)}`);
    if (!isTuple(args)) throw fail(`REDUCE arguments are a ${typeName(args)}, not a tuple`);
    switch (fn.kind) {
      case 'dict': {
        const d = made(new PyDict());
        const pairs = args[0];
        if (Array.isArray(pairs)) spend(pairs.length / 16);
        if (Array.isArray(pairs)) for (const p of pairs) if (Array.isArray(p) && p.length === 2) d.set(key(p[0]!), p[1]!);
        return d;
      }
      case 'set': {
        const items = Array.isArray(args[0]) ? args[0] : [];
        spend(items.length / 16);
        return made(new PySet(items));
      }
      case 'tensor':
        if (!hooks.rebuildTensor) throw fail(`${fn.qualname} in a pickle that holds no tensors`);
        return hooks.rebuildTensor(args);
      case 'parameter':
        return args[0] ?? null;
      default:
        throw fail(`"${fn.qualname}" may only be read as data, not called`);
    }
  };
  const build = (obj: PyValue, state: PyValue) => {
    const target = obj instanceof PyObject ? obj.dict : obj instanceof PyDict ? obj.attrs : undefined;
    if (!target) throw fail(`BUILD on a ${typeName(obj)}`);
    // state is a dict, or (dict, slots) for classes with __slots__
    const parts = isTuple(state) ? state : [state];
    spend(parts.length / 16);
    for (const part of parts) {
      if (part === null) continue;
      if (!(part instanceof PyDict)) throw fail(`BUILD state of type ${typeName(part)}`);
      spend(part.size / 16);
      for (const [k, v] of part) if (typeof k === 'string') target.set(k, v);
    }
  };

  for (;;) {
    opPos = pos;
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const proto = u8();
        if (proto < 2 || proto > 5) throw fail(`pickle protocol ${proto} (flowgpu reads protocols 2 to 5)`);
        break;
      }
      case 0x95: u64(); break; // FRAME: framing is only a hint for buffered readers
      case 0x2e: return { value: pop(), end: pos }; // STOP
      case 0x28: stack.push(MARK_SENTINEL); break; // MARK
      case 0x7d: push(made(new PyDict())); break; // EMPTY_DICT
      case 0x5d: push(made([])); break; // EMPTY_LIST
      case 0x29: push(tuple([])); break; // EMPTY_TUPLE
      case 0x8f: push(made(new PySet())); break; // EMPTY_SET
      case 0x74: push(tuple(popMark())); break; // TUPLE
      case 0x85: push(tuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); push(tuple([pop(), b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); push(tuple([pop(), b, c])); break; } // TUPLE3
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof PySet)) throw fail(`ADDITEMS on a ${typeName(s)}`);
        for (const v of items) s.add(v);
        break;
      }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const idx = op === 0x68 ? u8() : u32();
        if (!memo.has(idx)) throw fail(`memo entry ${idx} was never stored`);
        push(memo.get(idx)!);
        break;
      }
      case 0x4a: push(dv.getInt32(need(4), true)); break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x8a: { // LONG1: little-endian two's complement
        const raw = bytes(u8());
        let v = 0n;
        for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
        if (raw.length && raw[raw.length - 1]! & 0x80) v -= 1n << BigInt(8 * raw.length);
        push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: push(dv.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x4e: push(null); break; // NONE
      case 0x58: push(text(u32())); break; // BINUNICODE
      case 0x8c: push(text(u8())); break; // SHORT_BINUNICODE
      case 0x8d: push(text(u64())); break; // BINUNICODE8
      case 0x42: push(bytes(u32())); break; // BINBYTES
      case 0x43: push(bytes(u8())); break; // SHORT_BINBYTES
      case 0x63: { const module = line(); push(global(module, line())); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL needs two strings');
        push(global(module, name));
        break;
      }
      case 0x52: { const args = pop(); push(call(pop(), args)); break; } // REDUCE
      case 0x81: { // NEWOBJ
        const args = pop();
        const cls = pop();
        if (!(cls instanceof PyGlobal) || cls.kind !== 'class') throw fail(`NEWOBJ of ${typeName(cls)}`);
        if (!isTuple(args)) throw fail('NEWOBJ arguments are not a tuple');
        push(made(new PyObject(cls)));
        break;
      }
      case 0x62: { const state = pop(); build(top(), state); break; } // BUILD
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!hooks.persistentLoad) throw fail('persistent id in a pickle that should have none');
        push(hooks.persistentLoad(pid));
        break;
      }
      default: {
        const name = OPCODE_NAMES[op];
        throw new FlowgpuError(
          `refused pickle opcode ${name ?? 'unknown'} (0x${op.toString(16).padStart(2, '0')}) at byte ${opPos}: ` +
            (name
              ? 'torch.save never writes it, and flowgpu reads only what torch.save writes'
              : 'this is not a valid pickle (corrupt or not a PyTorch checkpoint)'),
        );
      }
    }
  }
}
