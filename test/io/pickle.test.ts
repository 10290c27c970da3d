import { PyDict, PyObject, PySet, isTuple, unpickle } from '../../src/io/pickle.js';
import { assert, assertEqual, assertRejects } from '../helpers/check.js';
import { bytes, fromHex, pstr } from './fixtures.js';

const PROTO2 = bytes(0x80, 2);

describe('pickle reader', () => {
  it('reads the plain values torch.save writes', () => {
    // {'a': [1, -2, 300, 2**40, 1.5], 'b': (True, False, None), 'c': b'xy', 'd': {1, 2}, 'e': memo of a}
    const data = bytes(
      PROTO2, '}q\x00(', pstr('a'), ']q\x01(K\x01J', [0xfe, 0xff, 0xff, 0xff], 'M', [0x2c, 0x01],
      0x8a, 6, [0, 0, 0, 0, 0, 1], 'G', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], 'e',
      pstr('b'), 0x88, 0x89, 'N', 0x87,
      pstr('c'), 'C', 2, 'xy',
      pstr('d'), 'c__builtin__\nset\n]', '(K\x01K\x02e', 0x85, 'R',
      pstr('e'), 'h\x01', 'u.',
    );
    const { value, end } = unpickle(data);
    assertEqual(end, data.length, 'end offset');
    assert(value instanceof PyDict, 'top-level dict');
    const a = value.get('a') as unknown[];
    assertEqual(JSON.stringify(a), JSON.stringify([1, -2, 300, 2 ** 40, 1.5]), 'list');
    assert(value.get('e') === a, 'memo returns the same object');
    const b = value.get('b');
    assert(isTuple(b!) && b.length === 3 && b[0] === true && b[1] === false && b[2] === null, 'tuple');
    assertEqual(String(value.get('c')), '120,121', 'bytes');
    const d = value.get('d');
    assert(d instanceof PySet && d.has(1) && d.has(2), 'set');
  });

  it('reads numbers larger than 2^53 as bigint (the legacy magic number)', () => {
    const data = bytes(PROTO2, 0x8a, 10, [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19], '.');
    assertEqual(unpickle(data).value, 0x1950a86a20f9469cfc6cn, 'magic');
    assertEqual(unpickle(bytes(PROTO2, 0x8a, 1, 0xff, '.')).value, -1, 'negative LONG1');
  });

  it('turns module classes into data records (NEWOBJ + BUILD), never calling them', () => {
    const data = bytes(PROTO2, 'cglow\nWN\n)', 0x81, '}', pstr('n_layers'), 'K\x04s', 'b.');
    const { value } = unpickle(data);
    assert(value instanceof PyObject, 'object');
    assertEqual(value.cls.qualname, 'glow.WN', 'class');
    assertEqual(value.dict.get('n_layers'), 4, 'state');
  });

  it('reads protocol 4 framing, SHORT_BINUNICODE, STACK_GLOBAL and MEMOIZE', () => {
    // pickle.dumps(collections.OrderedDict(), protocol=4)-style: FRAME, STACK_GLOBAL, MEMOIZE
    const data = bytes(0x80, 4, 0x95, [20, 0, 0, 0, 0, 0, 0, 0], 0x8c, 11, 'collections', 0x94, 0x8c, 11, 'OrderedDict', 0x94, 0x93, 0x94, ')R', 0x94, '.');
    assert(unpickle(data).value instanceof PyDict, 'OrderedDict');
  });

  const hostile: [string, Uint8Array, RegExp][] = [
    ['os.system (hand-assembled GLOBAL)', bytes(PROTO2, 'cos\nsystem\n', pstr('echo pwned'), 0x85, 'R.'), /refused pickle global "os\.system"/],
    // pickle.dumps of a class whose __reduce__ returns (os.system, ('echo pwned',)), protocol 2 (Linux names it posix)
    ['posix.system (python protocol 2)', fromHex('800263706f7369780a73797374656d0a7100580a0000006563686f2070776e656471018571025271032e'), /refused pickle global "posix\.system"/],
    // the same with (eval, ("__import__('os').system('echo pwned')",)), protocol 4: STACK_GLOBAL path
    ['builtins.eval (python protocol 4)', fromHex('80049541000000000000008c086275696c74696e73948c046576616c9493948c255f5f696d706f72745f5f28276f7327292e73797374656d28276563686f2070776e6564272994859452942e'), /refused pickle global "builtins\.eval"/],
    ['subprocess.Popen', bytes(PROTO2, 'csubprocess\nPopen\n]', pstr('echo'), 'a', 0x85, 'R.'), /refused pickle global "subprocess\.Popen"/],
    // python protocol 2 writes subprocess.Popen under its Python 2 name
    ['commands.Popen (python protocol 2)', fromHex('800263636f6d6d616e64730a506f70656e0a71005d71012858040000006563686f7102580500000070776e65647103658571045271052e'), /refused pickle global "commands\.Popen"/],
    ['builtins.getattr', bytes(PROTO2, 'c__builtin__\ngetattr\n.'), /refused pickle global "__builtin__\.getattr"/],
    ['a model class called instead of built', bytes(PROTO2, 'cglow\nWaveGlow\n)R.'), /"glow\.WaveGlow" may only be read as data/],
  ];
  for (const [what, data, pattern] of hostile) {
    it(`refuses ${what}`, () => assertRejects(() => unpickle(data), pattern));
  }

  it('refuses opcodes torch.save never writes, and unknown bytes, by name', async () => {
    await assertRejects(() => unpickle(bytes(PROTO2, '(cos\nsystem\nS\'ls\'\no.')), /refused pickle global "os\.system"/);
    await assertRejects(() => unpickle(bytes(PROTO2, '(i__main__\nX\n.')), /refused pickle opcode INST \(0x69\)/);
    await assertRejects(() => unpickle(bytes(PROTO2, 0x82, 1, '.')), /refused pickle opcode EXT1/);
    await assertRejects(() => unpickle(bytes(PROTO2, 0xff, '.')), /refused pickle opcode unknown \(0xff\).*not a valid pickle/);
  });

  it('fails cleanly on truncated and inconsistent data', async () => {
    await assertRejects(() => unpickle(bytes(PROTO2, 'X', [200, 0, 0, 0], 'abc')), /truncated pickle: 200 bytes needed/);
    await assertRejects(() => unpickle(bytes(PROTO2, '}')), /truncated pickle/);
    await assertRejects(() => unpickle(bytes(PROTO2, 'ccollections')), /unterminated GLOBAL/);
    await assertRejects(() => unpickle(bytes(PROTO2, 'h\x07.')), /memo entry 7 was never stored/);
    await assertRejects(() => unpickle(bytes(PROTO2, 's.')), /stack underflow/);
    await assertRejects(() => unpickle(bytes(PROTO2, ')K\x01a.')), /APPEND\(S\) on a tuple/);
    await assertRejects(() => unpickle(bytes(0x80, 9, '.')), /pickle protocol 9/);
  });
});
