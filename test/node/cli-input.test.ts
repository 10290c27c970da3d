// Issue 13, classes 4 and 5, through the real command line (bin/flowgpu.js) and the commands'
// run(): an ordinary mistake is one line naming the file and the problem, never a JS stack
// (unless FLOWGPU_DEBUG=1); every numeric option's range is checked before any work, and the
// message states the range. Pipes are read to their end.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as speak } from '../../src/cli/speak.js';
import { run as style } from '../../src/cli/style.js';
import { run as tts } from '../../src/cli/tts.js';
import { run as vocode } from '../../src/cli/vocode.js';
import { readNpy } from '../../src/io/npy.js';
import { assert, assertClose, assertEqual, assertRejects } from '../helpers/check.js';

const GLOWTTS = '../shared/golden/glowtts-small.safetensors';
const FLOWTRON = '../shared/golden/flowtron-small.safetensors';

/** Runs `flowgpu ...args` in a child process. */
function cli(args: string[], o: { env?: Record<string, string> } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/flowgpu.js', ...args], {
    env: { ...process.env, FLOWGPU_DEBUG: '', ...o.env }, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 26,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A failure a person can read: exit 1, one line on stderr matching `want`, no stack. */
function expectOneLine(args: string[], want: RegExp): void {
  const r = cli(args);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/^Warning: /.test(l));
  assertEqual(r.status, 1, `exit status of flowgpu ${args.join(' ')} (stderr: ${r.stderr})`);
  assert(!/\n\s+at /.test(r.stderr), `a JS stack for flowgpu ${args.join(' ')}:\n${r.stderr}`);
  assertEqual(lines.length, 1, `one line for flowgpu ${args.join(' ')}, got:\n${r.stderr}`);
  assert(want.test(lines[0]!), `flowgpu ${args.join(' ')}: ${lines[0]} does not match ${want}`);
}

describe('command line: input mistakes are one line, never a stack (issue 13, class 4)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgpu-input-'));
  const file = join(dir, 'a-file.txt');
  writeFileSync(file, 'not a folder');
  mkdirSync(join(dir, 'folder.npy'));

  it('a missing file, a folder given as a file, in every reading command', () => {
    expectOneLine(['tts', join(dir, 'missing.pt'), 'Hello.', '-o', join(dir, 'x.npy')], /^flowgpu: cannot read the model .*missing\.pt: no such file$/);
    expectOneLine(['tts', dir, 'Hello.', '-o', join(dir, 'x.npy')], /^flowgpu: cannot read the model .*: it is a folder, not a file$/);
    expectOneLine(['vocode', GLOWTTS, join(dir, 'missing.npy'), '-o', join(dir, 'x.wav')], /^flowgpu: cannot read the mel .*missing\.npy: no such file$/);
    expectOneLine(['align', GLOWTTS, dir, 'Hello.'], /^flowgpu: cannot read the recording .*: it is a folder, not a file$/);
    expectOneLine(['inspect', join(dir, 'missing.pt')], /^flowgpu: cannot read the checkpoint .*missing\.pt: no such file$/);
    expectOneLine(['ids', '--front-end', 'glowtts', '--cmudict', '/nope', 'Hello.'], /^flowgpu: cannot read the CMUdict file \/nope: no such file$/);
    expectOneLine(['style', FLOWTRON, join(dir, 'missing.csv'), '-o', join(dir, 's.npy')], /^flowgpu: cannot read the list .*missing\.csv: no such file$/);
  });

  it('an output whose folder does not exist, is a file, or is itself a folder: refused before any work', () => {
    expectOneLine(['tts', GLOWTTS, 'Hello.', '-o', join(dir, 'no', 'such', 'x.npy')], /^flowgpu: cannot write .*x\.npy: the folder .*such does not exist \(create it first\)$/);
    expectOneLine(['speak', 'Hello.', '-o', join(file, 'x.wav')], /^flowgpu: cannot write .*x\.wav: .*a-file\.txt is not a folder$/);
    expectOneLine(['tts', GLOWTTS, 'Hello.', '-o', join(dir, 'folder.npy')], /^flowgpu: cannot write .*folder\.npy: it is a folder; give a file name$/);
  });

  it('unknown options, bad values and unexpected arguments', () => {
    expectOneLine(['tts', GLOWTTS, 'Hello.', '--bogus', '-o', join(dir, 'x.npy')], /^flowgpu: tts: unknown option --bogus/);
    expectOneLine(['vocode', GLOWTTS, 'a.npy', 'b.npy', '-o', join(dir, 'x.wav')], /^flowgpu: vocode: unexpected arguments "b\.npy"/);
    expectOneLine(['tts', GLOWTTS, 'Hello.', '--seed', '-o', join(dir, 'x.npy')], /^flowgpu: tts: --seed needs a value$/);
  });

  it('FLOWGPU_DEBUG=1 shows where an error came from', () => {
    const r = cli(['tts', join(dir, 'missing.pt'), 'Hello.', '-o', join(dir, 'x.npy')], { env: { FLOWGPU_DEBUG: '1' } });
    assertEqual(r.status, 1, 'exit status');
    assert(/cannot read the model/.test(r.stderr) && /\n\s+at /.test(r.stderr), `a stack with FLOWGPU_DEBUG=1:\n${r.stderr}`);
  });

  it('reads a checkpoint piped to /dev/stdin (fstat says size 0) like the file itself', () => {
    const a = join(dir, 'piped.npy');
    const b = join(dir, 'file.npy');
    const args = ['--ids', '[20, 11, 40, 41, 57, 60]', '--seed', '2'];
    // A shell pipe, as `cat model | flowgpu tts /dev/stdin …` makes it.
    const sh = (cmd: string): { status: number | null; stdout: string; stderr: string } => {
      const r = spawnSync('bash', ['-c', cmd], { env: { ...process.env, FLOWGPU_DEBUG: '' }, encoding: 'utf8', timeout: 300_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const piped = sh(`cat ${GLOWTTS} | node bin/flowgpu.js tts /dev/stdin ${args.map((x) => `'${x}'`).join(' ')} -o ${a}`);
    assertEqual(piped.status, 0, `piped tts: ${piped.stderr}`);
    const direct = cli(['tts', GLOWTTS, ...args, '-o', b]);
    assertEqual(direct.status, 0, `tts: ${direct.stderr}`);
    assertClose(readNpy(readFileSync(a)).data, readNpy(readFileSync(b)).data, 0, 'the same mel from a pipe');
    const inspect = sh(`cat ${GLOWTTS} | node bin/flowgpu.js inspect /dev/stdin`);
    assertEqual(inspect.status, 0, `piped inspect: ${inspect.stderr}`);
    const inspectFile = cli(['inspect', GLOWTTS]);
    assert(/^file: +\/dev\/stdin \(safetensors, /.test(inspect.stdout), `inspect of a pipe reads safetensors:\n${inspect.stdout.slice(0, 400)}`);
    assertEqual(inspect.stdout.split('\n').slice(1).join('\n'), inspectFile.stdout.split('\n').slice(1).join('\n'), 'inspect of a pipe = inspect of the file');
  });
});

describe('command line: numeric options have ranges, checked before any work (issue 13, class 5)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgpu-ranges-'));
  // A model path that does not exist: the range error must come first, before anything is read or allocated.
  const none = join(dir, 'never-read.pt');
  const out = (name: string): string => join(dir, name);

  it('tts --max-frames, --length-scale, --seed, --speaker', async () => {
    await assertRejects(() => tts([none, 'Hi.', '--max-frames', '1e9', '-o', out('x.npy')]), /^--max-frames must be an integer from 1 to 10000, got "1e9"$/);
    await assertRejects(() => tts([none, 'Hi.', '--max-frames', '50000000', '-o', out('x.npy')]), /--max-frames must be an integer from 1 to 10000/);
    await assertRejects(() => tts([none, 'Hi.', '--length-scale', '1e6', '-o', out('x.npy')]), /^--length-scale must be a number above 0 and at most 10, got "1e6"$/);
    await assertRejects(() => tts([none, 'Hi.', '--length-scale', '1e300', '-o', out('x.npy')]), /--length-scale must be a number above 0 and at most 10, got "1e300"/);
    await assertRejects(() => tts([none, 'Hi.', '--length-scale', 'Infinity', '-o', out('x.npy')]), /--length-scale must be a number above 0 and at most 10/);
    await assertRejects(() => tts([none, 'Hi.', '--seed', '-1', '-o', out('x.npy')]), /--seed must be an integer from 0 to 4294967295, got "-1"/);
    await assertRejects(() => tts([none, 'Hi.', '--speaker', '1.5', '-o', out('x.npy')]), /--speaker must be an integer from 0 to 65535, got "1\.5"/);
  });

  it('style --n-frames, speak --iterations, vocode --chunk', async () => {
    await assertRejects(() => style([none, out('refs.csv'), '--n-frames', '1e9', '-o', out('s.npy')]), /^--n-frames must be an integer from 1 to 10000, got "1e9"$/);
    await assertRejects(() => speak(['Hi.', '--iterations', '1000000000', '-o', out('x.wav')]), /^--iterations must be an integer from 1 to 1000, got "1000000000"$/);
    await assertRejects(() => vocode([none, out('m.npy'), '--chunk', '0', '-o', out('x.wav')]), /--chunk must be an integer from 1 to 10000000, got "0"/);
    await assertRejects(() => speak(['Hi.', '--vocoder-sigma', 'nan', '-o', out('x.wav')]), /--vocoder-sigma must be a number from 0 to 10, got "nan"/);
  });

  it('the command line prints the range in one line too', () => {
    expectOneLine(['tts', none, 'Hi.', '--max-frames', '1e9', '-o', out('x.npy')], /^flowgpu: --max-frames must be an integer from 1 to 10000, got "1e9"$/);
  });
});
