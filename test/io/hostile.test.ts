// Issue 13's classes of hostile input against the readers, each generated here: every one must end
// in a FlowgpuError that names the problem (or a clean result), quickly and without allocating
// what the file does not hold.

import { FlowgpuError } from '../../src/gpu/errors.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { convertCheckpoint } from '../../src/io/convert.js';
import { readNpy } from '../../src/io/npy.js';
import { PyDict, unpickle } from '../../src/io/pickle.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { readTorch } from '../../src/io/torch.js';
import { decodeWav } from '../../src/io/wav.js';
import { assert, assertEqual } from '../helpers/check.js';
import { bytes, legacyFile, pstr, ptensor, u32le } from './fixtures.js';
import {
  moduleChainPickle, safetensorsFile, sharedModulePickle, stateDictPickle, torchZip, wavFile, zipArchive,
} from './hostile-inputs.js';

/** Fails unless `fn` throws a FlowgpuError whose message matches. */
function refuses(fn: () => unknown, pattern: RegExp, what = 'input'): FlowgpuError {
  try {
    fn();
  } catch (e) {
    assert(e instanceof FlowgpuError, `${what}: expected a FlowgpuError, got ${String((e as Error)?.stack ?? e)}`);
    assert(pattern.test(e.message), `${what}: "${e.message}" does not match ${pattern}`);
    return e;
  }
  throw new Error(`${what}: expected a FlowgpuError matching ${pattern}, but it succeeded`);
}

/** Runs `fn`, failing when it takes longer than `ms`. */
function within<T>(ms: number, what: string, fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  const took = performance.now() - t0;
  assert(took < ms, `${what} took ${took.toFixed(0)} ms (budget ${ms} ms)`);
  return out;
}

const ONE_FLOAT = new Uint8Array(Float32Array.of(1.5).buffer);
const u16 = (n: number) => [n & 255, n >>> 8];

describe('hostile input: 1. memory amplification', () => {
  for (const side of [1 << 14, 1 << 15, 1 << 20]) {
    it(`a tiny zip with shape [${side}, ${side}] and strides [0, 0] is listed without allocating, and refused when read`, () => {
      const file = torchZip(stateDictPickle('w', { numel: 1, size: [side, side], stride: [0, 0] }), { 0: ONE_FLOAT });
      assert(file.length < 1024, `the archive is ${file.length} bytes`);
      const ckpt = within(1000, 'listing', () => loadCheckpoint(file));
      const w = ckpt.tensors.get('w')!;
      assertEqual(w.shape.join(), `${side},${side}`, 'shape');
      refuses(() => w.data, /gathering tensor "w" \[\d+, \d+\].* would need \d+ bytes of memory, more than this file may make flowgpu allocate/);
    });
  }

  it('a strided tensor within the budget is gathered; the caller can raise the budget', () => {
    const file = torchZip(stateDictPickle('w', { numel: 1, size: [64, 64], stride: [0, 0] }), { 0: ONE_FLOAT });
    refuses(() => loadCheckpoint(file).tensors.get('w')!.data, /would need 16384 bytes/);
    const data = loadCheckpoint(file, { expansion: 64 }).tensors.get('w')!.data as Float32Array;
    assertEqual(data.length, 4096, 'elements');
    assert(data.every((x) => x === 1.5), 'every element is the one stored value');
  });

  it('old-layout WaveGlow layers that all view one storage are not fused beyond the budget', () => {
    const n = 16 * 1024; // one 64 KiB storage, viewed as 200 per-layer conv weights
    const layers = Array.from({ length: 200 }, (_, i) =>
      bytes(pstr(`WN.0.cond_layers.${i}.weight`), ptensor({ type: 'FloatStorage', key: '0', numel: n, offset: 0, size: [n, 1, 1], stride: [1, 1, 1], legacy: false })));
    const file = torchZip(bytes(0x80, 2, '}', '(', ...layers, 'u.'), { 0: new Uint8Array(4 * n) });
    refuses(() => loadCheckpoint(file), /fusing the old WaveGlow layout's per-layer tensors \(13107200 bytes\) would need/);
  });

  it('a module tree of 64 levels sharing each subtree (2^64 paths) is walked once per module', () => {
    const file = torchZip(sharedModulePickle(64), { 0: ONE_FLOAT });
    assert(file.length < 20_000, `the archive is ${file.length} bytes`);
    const ckpt = within(10_000, 'reading', () => loadCheckpoint(file));
    assertEqual([...ckpt.tensors.keys()].join(), `${'a.'.repeat(64)}weight`, 'one weight, under the path first reached');
  });

  it('a module chain 100 000 deep is read without recursion', () => {
    // Before: a stack overflow. The budget is loose (slow runtimes, loaded machines): depth is the point.
    const ckpt = within(60_000, 'reading', () => loadCheckpoint(torchZip(moduleChainPickle(100_000), { 0: ONE_FLOAT })));
    assertEqual(ckpt.tensors.size, 1, 'tensors');
    assertEqual([...ckpt.tensors.keys()][0]!.length, 2 * 100_000 + 'weight'.length, 'key length');
  });

  it('one large dict copied by BUILD again and again through memo references is refused quickly', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => bytes(pstr(`k${i}`), 'N'));
    const rebuild = new Uint8Array(100_000 * 6);
    for (let i = 0; i < 100_000; i++) rebuild.set([0x6a, 2, 0, 0, 0, 0x62], i * 6); // LONG_BINGET 2, BUILD
    const pkl = bytes(0x80, 2, 'ctorch.nn.modules.module\nModule\n)', 0x81, '}(', ...keys, 'u', 'r', u32le(2), 'b', rebuild, '.');
    within(5000, 'refusing', () => refuses(() => unpickle(pkl), /builds or copies more than 524288/));
  });

  it('a tensor record with more dimensions than torch allows is refused before its lists are scanned', () => {
    const file = torchZip(stateDictPickle('w', { numel: 1, size: new Array(65).fill(1), stride: new Array(65).fill(1) }), { 0: ONE_FLOAT });
    refuses(() => loadCheckpoint(file), /65 dimensions \(torch tensors have at most 64\)/);
  });

  it('a pickle that builds more containers than the cap is refused', () => {
    const lists = bytes(0x80, 2, ']', '(', ...Array.from({ length: 100 }, () => ']'), 'e.');
    assertEqual((unpickle(lists).value as unknown[]).length, 100, 'under the default cap');
    refuses(() => unpickle(lists, { limits: { maxPickleObjects: 50 } }), /builds or copies more than 50 lists, dicts, objects and entries/);
  });
});

describe('hostile input: 2. parser recursion and argument spreading', () => {
  it('APPENDS with a million items', () => {
    const items = new Uint8Array(2_000_000);
    for (let i = 0; i < items.length; i += 2) items.set([0x4b, 1], i); // BININT1 1
    const value = within(5000, 'APPENDS', () => unpickle(bytes(0x80, 2, ']', '(', items, 'e.')).value) as number[];
    assertEqual(value.length, 1_000_000, 'items');
  });

  it('values nested 100 000 deep, in a safetensors header and in a pickle, are refused without overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const field of ['dtype', 'shape', 'data_offsets']) {
      const entry = { dtype: '"F32"', shape: '[1]', data_offsets: '[0,4]', [field]: deep };
      const header = `{"w":{${Object.entries(entry).map(([k, v]) => `"${k}":${v}`).join(',')}}}`;
      refuses(() => readSafetensors(safetensorsFile(header, ONE_FLOAT)), new RegExp(`tensor "w" has .*an array of 1`), field);
    }
    // 100 000 lists, each appended to the one below: the legacy "protocol version" is a deep list.
    const nested = bytes(0x80, 2, new Uint8Array(100_000).fill(0x5d), new Uint8Array(99_999).fill(0x61), '.');
    const magic = legacyFile(bytes(0x80, 2, '}.'), []).subarray(0, 15);
    refuses(() => loadCheckpoint(bytes(magic, nested)), /unsupported legacy torch\.save protocol an array of 1/);
  });
});

describe('hostile input: 3. reads past the end', () => {
  it('a zip64 extra field at the very end of the file', () => {
    // The central directory sits in the end record's comment, its zip64 field (0 bytes long) last.
    const data = bytes('x');
    const local = bytes(u32le(0x04034b50), u16(20), u16(0), u16(0), u32le(0), u32le(0), u32le(1), u32le(1), u16(1), u16(0), 'a', data);
    const central = bytes(
      u32le(0x02014b50), u16(20), u16(20), u16(0), u16(0), u32le(0), u32le(0), u32le(1), u32le(0xffffffff),
      u16(1), u16(4), u16(0), u16(0), u16(0), u32le(0), u32le(0), 'a', u16(1), u16(0),
    );
    const eocd = bytes(u32le(0x06054b50), u16(0), u16(0), u16(1), u16(1), u32le(central.length), u32le(local.length + 22), u16(central.length));
    refuses(() => loadCheckpoint(bytes(local, eocd, central)), /entry "a" has a zip64 extra field of 0 bytes, too short to hold its 64-bit size/);
  });

  it('a WAV whose fmt chunk is cut short, or whose block align is smaller than a frame', () => {
    for (const cut of [0, 2, 8, 15]) {
      refuses(() => decodeWav(wavFile({ channels: 1, bits: 16, data: new Uint8Array(0), cutFmtAt: cut })), /file ends inside the fmt chunk/, `cut at ${cut}`);
    }
    refuses(() => decodeWav(wavFile({ channels: 2, bits: 16, align: 1, data: new Uint8Array(64) })), /block align \(1 bytes\) is smaller than one frame of 2 channel\(s\) × 16 bits \(4 bytes\)/);
    refuses(() => decodeWav(wavFile({ channels: 1, bits: 16, code: 0xfffe, fmtSize: 16, data: new Uint8Array(4) })), /extensible fmt chunk is cut short/);
    const ok = decodeWav(wavFile({ channels: 2, bits: 16, data: new Uint8Array(8) }));
    assertEqual(ok.channels[1]!.length, 2, 'a well-formed stereo file still reads');
  });

  it('a version 2 .npy cut inside its header length', () => {
    const head = bytes(0x93, 'NUMPY', 2, 0, 0x10, 0);
    refuses(() => readNpy(head), /truncated \(10 bytes, the header length needs 12\)/);
    refuses(() => readNpy(bytes(0x93, 'NUMPY', 1, 0, 200, 0, "{'descr'")), /its header says 200 bytes, 8 follow/);
  });
});

describe('hostile input: 8. messages in the input\'s own terms', () => {
  it('a negative storage offset', () => {
    const file = torchZip(stateDictPickle('w', { numel: 4, offset: -3, size: [2], stride: [1] }), { 0: new Uint8Array(16) });
    refuses(() => loadCheckpoint(file), /storage offset -3 into storage "0" is negative/);
  });

  it('a storage view past the end of its root', () => {
    const view = bytes(
      0x80, 2, '}', pstr('w'), 'ctorch._utils\n_rebuild_tensor_v2\n(',
      '(', pstr('storage'), 'ctorch\nFloatStorage\n', pstr('0'), pstr('cpu'), 'J', u32le(4), '(', pstr('0v'), 'J', u32le(2), 'J', u32le(5), 't', 't', 'Q',
      'J', u32le(0), '(', 'J', u32le(5), 't', '(', 'J', u32le(1), 't', 0x89, 'ccollections\nOrderedDict\n)R', 't', 'R', 's.',
    );
    const file = legacyFile(view, [{ key: '0', count: 4, data: new Uint8Array(16) }]);
    refuses(() => loadCheckpoint(file), /storage view "0\[2:7\]" reaches past the end of its root storage "0", which has 4 elements/);
  });

  it('a legacy file whose sys_info is not what torch.save writes', () => {
    const good = legacyFile(bytes(0x80, 2, '}.'), []);
    const sysAt = 15 + 6; // after the magic and protocol pickles
    const sysLen = 24; // PROTO 2, {'little_endian': True}, STOP
    const withSys = (sys: Uint8Array) => bytes(good.subarray(0, sysAt), sys, good.subarray(sysAt + sysLen));
    assertEqual(good[sysAt + sysLen - 1], 0x2e, 'the sys_info pickle ends where expected');
    assert(readTorch(withSys(good.subarray(sysAt, sysAt + sysLen))).object instanceof PyDict, 'the unchanged file reads');
    refuses(() => loadCheckpoint(withSys(bytes(0x80, 2, ']', '.'))), /system-info record is a list, not a dict/);
    refuses(() => loadCheckpoint(withSys(bytes(0x80, 2, '}', pstr('other_key'), 0x88, 's.'))), /little_endian = nothing, not True or False/);
    refuses(() => loadCheckpoint(withSys(bytes(0x80, 2, '}', pstr('little_endian'), 0x89, 's.'))), /saved on a big-endian machine/);
  });

  it('file-chosen names never reach Object.prototype', () => {
    for (const dtype of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
      const st = safetensorsFile(JSON.stringify({ w: { dtype, shape: [1], data_offsets: [0, 4] } }), new Uint8Array(4));
      refuses(() => readSafetensors(st), new RegExp(`tensor "w" has dtype "${dtype}"; flowgpu reads F32`), dtype);
      const storage = bytes(0x80, 2, '}', pstr('w'), ptensor({ type: dtype, key: '0', numel: 1, offset: 0, size: [1], stride: [1], legacy: false }), 's.');
      refuses(() => loadCheckpoint(torchZip(storage, { 0: ONE_FLOAT })), new RegExp(`refused pickle global "torch\\.${dtype}"`), dtype);
      const head = `{'descr': '<${dtype}', 'fortran_order': False, 'shape': (1,), }`.padEnd(80) + '\n';
      const npy = bytes(0x93, 'NUMPY', 1, 0, u16(head.length), head, new Uint8Array(8));
      refuses(() => readNpy(npy), /dtype <.* is not supported/, dtype);
    }
    const meta = readSafetensors(safetensorsFile('{"__metadata__": {"__proto__": "x", "toString": "y"}}')).metadata;
    assertEqual(Object.getPrototypeOf(meta), Object.prototype, 'metadata keeps its prototype');
    assertEqual(Object.keys(meta).join(), '__proto__,toString', 'both keys kept as data');
  });
});

describe('hostile input: 9. integrity: CRC, encryption, duplicates, overlaps, shared storages', () => {
  const pkl = stateDictPickle('w', { numel: 1, size: [1], stride: [1] });

  it('a zip entry whose data does not match its CRC-32', () => {
    const file = zipArchive([{ name: 'archive/data.pkl', data: pkl }, { name: 'archive/data/0', data: ONE_FLOAT, crc: 1234 }]);
    refuses(() => loadCheckpoint(file), /the data of "archive\/data\/0" does not match its CRC-32/);
  });

  it('an encrypted zip entry', () => {
    const file = zipArchive([{ name: 'archive/data.pkl', data: pkl }, { name: 'archive/data/0', data: ONE_FLOAT, flags: 1 }]);
    refuses(() => loadCheckpoint(file), /zip entry "archive\/data\/0" is encrypted/);
  });

  it('two zip entries of one name', () => {
    const file = torchZip(pkl, { 0: ONE_FLOAT }, [{ name: 'archive/data/0', data: new Uint8Array(4) }]);
    refuses(() => loadCheckpoint(file), /two entries named "archive\/data\/0"/);
  });

  it('duplicate keys in a safetensors header, at any depth', () => {
    const t = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    refuses(() => readSafetensors(safetensorsFile(`{"w":${t},"w":${t}}`, ONE_FLOAT)), /the header names "w" twice/);
    refuses(() => readSafetensors(safetensorsFile(`{"w":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, ONE_FLOAT)), /names "dtype" twice/);
    refuses(() => readSafetensors(safetensorsFile(`{"w":${t},"\\u0077":${t}}`, ONE_FLOAT)), /names "w" twice/);
    assertEqual(readSafetensors(safetensorsFile(`{"w":${t},"__metadata__":{"w":"x"}}`, ONE_FLOAT)).tensors.size, 1, 'same key in another object');
  });

  it('overlapping safetensors tensors with an empty tensor sorting between them', () => {
    const header = JSON.stringify({
      a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] },
      e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] },
      b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
    });
    refuses(() => readSafetensors(safetensorsFile(header, new Uint8Array(16))), /"a" and "b" overlap/);
  });

  it('convert refuses to write every view of one shared storage in full', () => {
    const n = 64 * 1024; // a 256 KiB storage viewed by 32 tensors
    const views = Array.from({ length: 32 }, (_, i) =>
      bytes(pstr(`w${i}`), ptensor({ type: 'FloatStorage', key: '0', numel: n, offset: 0, size: [n], stride: [1], legacy: false })));
    const file = torchZip(bytes(0x80, 2, '}', '(', ...views, 'u.'), { 0: new Uint8Array(4 * n) });
    refuses(() => convertCheckpoint(file), /converting would write more than \d+ bytes of tensors from a \d+-byte file: its tensors are views sharing one storage/);
  });
});
