// Inputs for the checkpoint tests: tiny torch.save files (made once with torch 1.13, embedded as
// base64 so the tests run unchanged in Node, Deno and the browser) and pickle-assembly helpers.

import { concatBytes } from '../../src/io/dtype.js';
import { readGolden } from '../helpers/files.js';

export function fromBase64(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
}

/** Concatenates byte pieces; strings are taken byte for byte (latin1), numbers are single bytes. */
export function bytes(...parts: (string | number | number[] | Uint8Array)[]): Uint8Array {
  const chunks = parts.map((p) =>
    typeof p === 'string' ? Uint8Array.from(p, (c) => c.charCodeAt(0))
      : typeof p === 'number' ? Uint8Array.of(p)
        : Uint8Array.from(p),
  );
  return concatBytes(chunks);
}

export function u32le(n: number): number[] {
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
}

/** Pickle opcodes for a BINUNICODE string. */
export function pstr(s: string): Uint8Array {
  return bytes('X', u32le(s.length), s);
}

/** A pickled `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`, where the
 *  storage's persistent id is `('storage', torch.<type>, key, 'cpu', numel[, None])`. */
export function ptensor(o: { type: string; key: string; numel: number; offset: number; size: number[]; stride: number[]; legacy: boolean }): Uint8Array {
  const ints = (xs: number[]) => bytes('(', ...xs.map((x) => bytes('J', u32le(x))), 't');
  return bytes(
    'ctorch._utils\n_rebuild_tensor_v2\n(',
    '(', pstr('storage'), `ctorch\n${o.type}\n`, pstr(o.key), pstr('cpu'), 'J', u32le(o.numel), o.legacy ? 'N' : '', 't', 'Q',
    'J', u32le(o.offset), ints(o.size), ints(o.stride), 0x89, 'ccollections\nOrderedDict\n)R', 't', 'R',
  );
}

/** A legacy-layout torch.save file: magic, protocol, sys info, `main`, storage keys, storages. */
export function legacyFile(main: Uint8Array, storages: { key: string; count: number; data: Uint8Array }[]): Uint8Array {
  const magic = bytes(0x80, 2, 0x8a, 10, [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19], '.');
  const proto = bytes(0x80, 2, 'M', [0xe9, 0x03], '.');
  const sys = bytes(0x80, 2, '}', pstr('little_endian'), 0x88, 's.');
  const keys = bytes(0x80, 2, ']', '(', ...storages.map((s) => pstr(s.key)), 'e.');
  const count = (n: number) => [...u32le(n), 0, 0, 0, 0];
  return bytes(magic, proto, sys, main, keys, ...storages.flatMap((s) => [bytes(count(s.count)), s.data]));
}

const golden = new Map<string, Promise<Uint8Array>>();

/** Golden files, read once per run. */
export function goldenBytes(name: string): Promise<Uint8Array> {
  if (!golden.has(name)) golden.set(name, readGolden(name));
  return golden.get(name)!;
}

/* views.{zip,legacy}.pt, from:
 * base = torch.arange(10, dtype=torch.float32); m = torch.arange(12, dtype=torch.int32).reshape(3, 4)
 * torch.save({'strided': base[2:8:2], 'shared_all': base, 'shared_tail': base[5:],
 *   'transposed': torch.arange(6, dtype=torch.float64).reshape(2, 3).t(), 'columns': m[:, 1:3],
 *   'scalar': torch.tensor(7), 'half': torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16),
 *   'bf16': torch.tensor([1.0, -3.5, 0.15625], dtype=torch.bfloat16), 'mask': torch.tensor([True, False, True]),
 *   'i8': torch.tensor([-128, 5, 127], dtype=torch.int8), 'u8': torch.tensor([0, 200, 255], dtype=torch.uint8),
 *   'i16': torch.tensor([-30000, 7], dtype=torch.int16), 'empty': torch.zeros(0, 3)}, f,
 *   _use_new_zipfile_serialization=<True for zip, False for legacy>)
 */
export const VIEWS_ZIP_PT =
  'UEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAQABIAYXJjaGl2ZS9kYXRhLnBrbEZCDgBaWlpaWlpaWlpaWlpaWoACfXEAKFgHAAAAc3RyaWRlZHEBY3Rv' +
  'cmNoLl91dGlscwpfcmVidWlsZF90ZW5zb3JfdjIKcQIoKFgHAAAAc3RvcmFnZXEDY3RvcmNoCkZsb2F0U3RvcmFnZQpxBFgBAAAAMHEFWAMAAABjcHVx' +
  'BksKdHEHUUsCSwOFcQhLAoVxCYljY29sbGVjdGlvbnMKT3JkZXJlZERpY3QKcQopUnELdHEMUnENWAoAAABzaGFyZWRfYWxscQ5oAigoaANoBGgFaAZL' +
  'CnRxD1FLAEsKhXEQSwGFcRGJaAopUnESdHETUnEUWAsAAABzaGFyZWRfdGFpbHEVaAIoKGgDaARoBWgGSwp0cRZRSwVLBYVxF0sBhXEYiWgKKVJxGXRx' +
  'GlJxG1gKAAAAdHJhbnNwb3NlZHEcaAIoKGgDY3RvcmNoCkRvdWJsZVN0b3JhZ2UKcR1YAQAAADFxHmgGSwZ0cR9RSwBLA0sChnEgSwFLA4ZxIYloCilS' +
  'cSJ0cSNScSRYBwAAAGNvbHVtbnNxJWgCKChoA2N0b3JjaApJbnRTdG9yYWdlCnEmWAEAAAAycSdoBksMdHEoUUsBSwNLAoZxKUsESwGGcSqJaAopUnEr' +
  'dHEsUnEtWAYAAABzY2FsYXJxLmgCKChoA2N0b3JjaApMb25nU3RvcmFnZQpxL1gBAAAAM3EwaAZLAXRxMVFLACkpiWgKKVJxMnRxM1JxNFgEAAAAaGFs' +
  'ZnE1aAIoKGgDY3RvcmNoCkhhbGZTdG9yYWdlCnE2WAEAAAA0cTdoBksDdHE4UUsASwOFcTlLAYVxOoloCilScTt0cTxScT1YBAAAAGJmMTZxPmgCKCho' +
  'A2N0b3JjaApCRmxvYXQxNlN0b3JhZ2UKcT9YAQAAADVxQGgGSwN0cUFRSwBLA4VxQksBhXFDiWgKKVJxRHRxRVJxRlgEAAAAbWFza3FHaAIoKGgDY3Rv' +
  'cmNoCkJvb2xTdG9yYWdlCnFIWAEAAAA2cUloBksDdHFKUUsASwOFcUtLAYVxTIloCilScU10cU5ScU9YAgAAAGk4cVBoAigoaANjdG9yY2gKQ2hhclN0' +
  'b3JhZ2UKcVFYAQAAADdxUmgGSwN0cVNRSwBLA4VxVEsBhXFViWgKKVJxVnRxV1JxWFgCAAAAdThxWWgCKChoA2N0b3JjaApCeXRlU3RvcmFnZQpxWlgB' +
  'AAAAOHFbaAZLA3RxXFFLAEsDhXFdSwGFcV6JaAopUnFfdHFgUnFhWAMAAABpMTZxYmgCKChoA2N0b3JjaApTaG9ydFN0b3JhZ2UKcWNYAQAAADlxZGgG' +
  'SwJ0cWVRSwBLAoVxZksBhXFniWgKKVJxaHRxaVJxalgFAAAAZW1wdHlxa2gCKChoA2gEWAIAAAAxMHFsaAZLAHRxbVFLAEsASwOGcW5LA0sBhnFviWgK' +
  'KVJxcHRxcVJxcnUuUEsHCIit2Uw3BAAANwQAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADgANAGFyY2hpdmUvZGF0YS8wRkIJAFpaWlpaWlpaWgAA' +
  'AAAAAIA/AAAAQAAAQEAAAIBAAACgQAAAwEAAAOBAAAAAQQAAEEFQSwcIaeel5igAAAAoAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAOABwAYXJj' +
  'aGl2ZS9kYXRhLzFGQhgAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaAAAAAAAAAAAAAAAAAADwPwAAAAAAAABAAAAAAAAACEAAAAAAAAAQQAAAAAAAABRA' +
  'UEsHCBkBK/EwAAAAMAAAAFBLAwQAAAAIAAAAAAAAAAAAAAAAAAAAAAAADwATAGFyY2hpdmUvZGF0YS8xMEZCDwBaWlpaWlpaWlpaWlpaWlpQSwMEAAAI' +
  'CAAAAAAAAAAAAAAAAAAAAAAAAA4AFABhcmNoaXZlL2RhdGEvMkZCEABaWlpaWlpaWlpaWlpaWlpaAAAAAAEAAAACAAAAAwAAAAQAAAAFAAAABgAAAAcA' +
  'AAAIAAAACQAAAAoAAAALAAAAUEsHCFELUrYwAAAAMAAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADgAUAGFyY2hpdmUvZGF0YS8zRkIQAFpaWlpa' +
  'WlpaWlpaWlpaWloHAAAAAAAAAFBLBwhw1udvCAAAAAgAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA4APABhcmNoaXZlL2RhdGEvNEZCOABaWlpa' +
  'WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWgA+gMD/e1BLBwj50taHBgAAAAYAAABQSwMEAAAICAAAAAAA' +
  'AAAAAAAAAAAAAAAAAA4APgBhcmNoaXZlL2RhdGEvNUZCOgBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa' +
  'WlpaWlpagD9gwCA+UEsHCGbCb3IGAAAABgAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADgA+AGFyY2hpdmUvZGF0YS82RkI6AFpaWlpaWlpaWlpa' +
  'WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWloBAAFQSwcIs4OEiQMAAAADAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAA' +
  'AAAAAAAOAEEAYXJjaGl2ZS9kYXRhLzdGQj0AWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa' +
  'WoAFf1BLBwh6WrmjAwAAAAMAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA4AQQBhcmNoaXZlL2RhdGEvOEZCPQBaWlpaWlpaWlpaWlpaWlpaWlpa' +
  'WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaAMj/UEsHCNlrYNEDAAAAAwAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAA' +
  'DgBBAGFyY2hpdmUvZGF0YS85RkI9AFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlrQigcA' +
  'UEsHCBRu86QEAAAABAAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADwA/AGFyY2hpdmUvdmVyc2lvbkZCOwBaWlpaWlpaWlpaWlpaWlpaWlpaWlpa' +
  'WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWjMKUEsHCNGeZ1UCAAAAAgAAAFBLAQIAAAAACAgAAAAAAACIrdlMNwQAADcEAAAQAAAA' +
  'AAAAAAAAAAAAAAAAAABhcmNoaXZlL2RhdGEucGtsUEsBAgAAAAAICAAAAAAAAGnnpeYoAAAAKAAAAA4AAAAAAAAAAAAAAAAAhwQAAGFyY2hpdmUvZGF0' +
  'YS8wUEsBAgAAAAAICAAAAAAAABkBK/EwAAAAMAAAAA4AAAAAAAAAAAAAAAAA+AQAAGFyY2hpdmUvZGF0YS8xUEsBAgAAAAAACAAAAAAAAAAAAAAAAAAA' +
  'AAAAAA8AAAAAAAAAAAAAAAAAgAUAAGFyY2hpdmUvZGF0YS8xMFBLAQIAAAAACAgAAAAAAABRC1K2MAAAADAAAAAOAAAAAAAAAAAAAAAAAMAFAABhcmNo' +
  'aXZlL2RhdGEvMlBLAQIAAAAACAgAAAAAAABw1udvCAAAAAgAAAAOAAAAAAAAAAAAAAAAAEAGAABhcmNoaXZlL2RhdGEvM1BLAQIAAAAACAgAAAAAAAD5' +
  '0taHBgAAAAYAAAAOAAAAAAAAAAAAAAAAAJgGAABhcmNoaXZlL2RhdGEvNFBLAQIAAAAACAgAAAAAAABmwm9yBgAAAAYAAAAOAAAAAAAAAAAAAAAAABYH' +
  'AABhcmNoaXZlL2RhdGEvNVBLAQIAAAAACAgAAAAAAACzg4SJAwAAAAMAAAAOAAAAAAAAAAAAAAAAAJYHAABhcmNoaXZlL2RhdGEvNlBLAQIAAAAACAgA' +
  'AAAAAAB6WrmjAwAAAAMAAAAOAAAAAAAAAAAAAAAAABMIAABhcmNoaXZlL2RhdGEvN1BLAQIAAAAACAgAAAAAAADZa2DRAwAAAAMAAAAOAAAAAAAAAAAA' +
  'AAAAAJMIAABhcmNoaXZlL2RhdGEvOFBLAQIAAAAACAgAAAAAAAAUbvOkBAAAAAQAAAAOAAAAAAAAAAAAAAAAABMJAABhcmNoaXZlL2RhdGEvOVBLAQIA' +
  'AAAACAgAAAAAAADRnmdVAgAAAAIAAAAPAAAAAAAAAAAAAAAAAJQJAABhcmNoaXZlL3ZlcnNpb25QSwYGLAAAAAAAAAAeAy0AAAAAAAAAAAANAAAAAAAA' +
  'AA0AAAAAAAAAEAMAAAAAAAASCgAAAAAAAFBLBgcAAAAAIg0AAAAAAAABAAAAUEsFBgAAAAANAA0AEAMAABIKAAAAAA==';

export const VIEWS_LEGACY_PT =
  'gAKKCmz8nEb5IGqoUBkugAJN6QMugAJ9cQAoWBAAAABwcm90b2NvbF92ZXJzaW9ucQFN6QNYDQAAAGxpdHRsZV9lbmRpYW5xAohYCgAAAHR5cGVfc2l6' +
  'ZXNxA31xBChYBQAAAHNob3J0cQVLAlgDAAAAaW50cQZLBFgEAAAAbG9uZ3EHSwR1dS6AAn1xAChYBwAAAHN0cmlkZWRxAWN0b3JjaC5fdXRpbHMKX3Jl' +
  'YnVpbGRfdGVuc29yX3YyCnECKChYBwAAAHN0b3JhZ2VxA2N0b3JjaApGbG9hdFN0b3JhZ2UKcQRYCQAAADY5MjQ3MTIwMHEFWAMAAABjcHVxBksKTnRx' +
  'B1FLAksDhXEISwKFcQmJY2NvbGxlY3Rpb25zCk9yZGVyZWREaWN0CnEKKVJxC3RxDFJxDVgKAAAAc2hhcmVkX2FsbHEOaAIoKGgDaARYCQAAADY5MjQ3' +
  'MTIwMHEPaAZLCk50cRBRSwBLCoVxEUsBhXESiWgKKVJxE3RxFFJxFVgLAAAAc2hhcmVkX3RhaWxxFmgCKChoA2gEWAkAAAA2OTI0NzEyMDBxF2gGSwpO' +
  'dHEYUUsFSwWFcRlLAYVxGoloCilScRt0cRxScR1YCgAAAHRyYW5zcG9zZWRxHmgCKChoA2N0b3JjaApEb3VibGVTdG9yYWdlCnEfWAkAAAA3MzAzMTY0' +
  'ODBxIGgGSwZOdHEhUUsASwNLAoZxIksBSwOGcSOJaAopUnEkdHElUnEmWAcAAABjb2x1bW5zcSdoAigoaANjdG9yY2gKSW50U3RvcmFnZQpxKFgJAAAA' +
  'NjY4MjYyNzg0cSloBksMTnRxKlFLAUsDSwKGcStLBEsBhnEsiWgKKVJxLXRxLlJxL1gGAAAAc2NhbGFycTBoAigoaANjdG9yY2gKTG9uZ1N0b3JhZ2UK' +
  'cTFYCQAAADczMDMxOTEzNnEyaAZLAU50cTNRSwApKYloCilScTR0cTVScTZYBAAAAGhhbGZxN2gCKChoA2N0b3JjaApIYWxmU3RvcmFnZQpxOFgJAAAA' +
  'NzMwMzE5NTg0cTloBksDTnRxOlFLAEsDhXE7SwGFcTyJaAopUnE9dHE+UnE/WAQAAABiZjE2cUBoAigoaANjdG9yY2gKQkZsb2F0MTZTdG9yYWdlCnFB' +
  'WAkAAAA2Njg1NDc0ODhxQmgGSwNOdHFDUUsASwOFcURLAYVxRYloCilScUZ0cUdScUhYBAAAAG1hc2txSWgCKChoA2N0b3JjaApCb29sU3RvcmFnZQpx' +
  'SlgJAAAANjY4NTQ4MTQ0cUtoBksDTnRxTFFLAEsDhXFNSwGFcU6JaAopUnFPdHFQUnFRWAIAAABpOHFSaAIoKGgDY3RvcmNoCkNoYXJTdG9yYWdlCnFT' +
  'WAkAAAA2Njg1NDg4MDBxVGgGSwNOdHFVUUsASwOFcVZLAYVxV4loCilScVh0cVlScVpYAgAAAHU4cVtoAigoaANjdG9yY2gKQnl0ZVN0b3JhZ2UKcVxY' +
  'CQAAADY2ODU0OTQ1NnFdaAZLA050cV5RSwBLA4VxX0sBhXFgiWgKKVJxYXRxYlJxY1gDAAAAaTE2cWRoAigoaANjdG9yY2gKU2hvcnRTdG9yYWdlCnFl' +
  'WAkAAAA2Njg1NTAxNjBxZmgGSwJOdHFnUUsASwKFcWhLAYVxaYloCilScWp0cWtScWxYBQAAAGVtcHR5cW1oAigoaANoBFgJAAAANzMwMzE5ODg4cW5o' +
  'BksATnRxb1FLAEsASwOGcXBLA0sBhnFxiWgKKVJxcnRxc1JxdHUugAJdcQAoWAkAAAA2NjgyNjI3ODRxAVgJAAAANjY4NTQ3NDg4cQJYCQAAADY2ODU0' +
  'ODE0NHEDWAkAAAA2Njg1NDg4MDBxBFgJAAAANjY4NTQ5NDU2cQVYCQAAADY2ODU1MDE2MHEGWAkAAAA2OTI0NzEyMDBxB1gJAAAANzMwMzE2NDgwcQhY' +
  'CQAAADczMDMxOTEzNnEJWAkAAAA3MzAzMTk1ODRxClgJAAAANzMwMzE5ODg4cQtlLgwAAAAAAAAAAAAAAAEAAAACAAAAAwAAAAQAAAAFAAAABgAAAAcA' +
  'AAAIAAAACQAAAAoAAAALAAAAAwAAAAAAAACAP2DAID4DAAAAAAAAAAEAAQMAAAAAAAAAgAV/AwAAAAAAAAAAyP8CAAAAAAAAANCKBwAKAAAAAAAAAAAA' +
  'AAAAAIA/AAAAQAAAQEAAAIBAAACgQAAAwEAAAOBAAAAAQQAAEEEGAAAAAAAAAAAAAAAAAAAAAAAAAAAA8D8AAAAAAAAAQAAAAAAAAAhAAAAAAAAAEEAA' +
  'AAAAAAAUQAEAAAAAAAAABwAAAAAAAAADAAAAAAAAAAA+gMD/ewAAAAAAAAAA';
