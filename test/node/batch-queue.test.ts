// `flowgpu queue` + `flowgpu worker` (BullMQ) against a private redis-server per test, with the
// demo voice (Glow-TTS + Griffin-Lim with 1 iteration, the fewest the CLI takes, to keep 200 lines quick).
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestRecord } from '../../src/batch/output.js';
import { queueStatus, type ListStatus } from '../../src/batch/queue.js';
import { run as queueCli } from '../../src/cli/queue.js';
import { assert, assertEqual } from '../helpers/check.js';
import { RedisServer, WorkerProcess } from './redis-helpers.js';

const WORDS = ['Yes.', 'No.', 'Hi.', 'Go on.', 'Stop.', 'Okay.', 'Thanks.', 'Maybe.'];

/** Runs `flowgpu queue ...` in this process; returns what it printed on stdout and stderr. */
async function queue(args: string[]): Promise<{ out: string; err: string }> {
  const [ow, ew] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  let out = '';
  let err = '';
  const text = (c: string | Uint8Array): string => (typeof c === 'string' ? c : new TextDecoder().decode(c));
  process.stdout.write = ((c: string | Uint8Array) => ((out += text(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((err += text(c)), true)) as typeof process.stderr.write;
  try {
    await queueCli(args);
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
  return { out, err };
}

function manifest(dir: string): ManifestRecord[] {
  return readFileSync(join(dir, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ManifestRecord);
}

function assertOnce(ids: string[], expected: number, what: string): void {
  const seen = new Set(ids);
  assertEqual(seen.size, ids.length, `${what}: a job ran twice (${ids.filter((x, i) => ids.indexOf(x) !== i).join(', ')})`);
  assertEqual(ids.length, expected, what);
}

describe('flowgpu queue + worker (BullMQ, a private redis-server per test)', () => {
  let redis: RedisServer | null = null;
  let workers: WorkerProcess[] = [];
  let dir = '';

  beforeEach(async () => {
    redis = await RedisServer.start();
    dir = mkdtempSync(join(tmpdir(), 'flowgpu-queue-'));
  });

  afterEach(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    workers = [];
    await redis?.stop();
  });

  function writeList(name: string, lines: string[]): string {
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  }

  function startWorkers(n: number, extra: string[] = []): WorkerProcess[] {
    for (let i = 0; i < n; i++) workers.push(new WorkerProcess(['--redis', redis!.url, '--queue', 'tts', '-o', join(dir, 'out'), '--iterations', '1', ...extra]));
    return workers;
  }

  async function finished(list: string, timeoutMs = 600000): Promise<ListStatus> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = (await queueStatus({ redis: redis!.url, queue: 'tts' })).lists.find((l) => l.list === list);
      if (s?.state === 'completed') return s;
      if (Date.now() > until) throw new Error(`list ${list} not finished: ${JSON.stringify(s)}\n${workers.map((w) => w.lines.slice(-5).join('\n')).join('\n--\n')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('200 lines through 2 workers: every line done, none twice; SIGTERM stops both cleanly', async () => {
    const list = writeList('two-hundred.txt', Array.from({ length: 200 }, (_, i) => WORDS[i % WORDS.length]!));
    const added = await queue(['add', list, '--redis', redis!.url, '--queue', 'tts']);
    assert(/added list two-hundred: 200 jobs/.test(added.out), added.out);
    const [a, b] = startWorkers(2);
    const s = await finished('two-hundred');
    assertEqual(`${s.done} ${s.failed} ${s.pending}`, '200 0 0', 'done failed pending');
    const m = manifest(join(dir, 'out', 'two-hundred'));
    assertOnce(m.map((r) => r.id), 200, 'manifest records');
    assert(m.every((r) => r.status === 'done' && r.seconds > 0.1), 'every record done');
    assertEqual(readdirSync(join(dir, 'out', 'two-hundred')).filter((f) => f.endsWith('.wav')).length, 200, 'WAV files');
    assertOnce([...a!.done(), ...b!.done()], 200, 'jobs finished by the workers');
    assert(a!.done().length > 0 && b!.done().length > 0, `both workers worked: ${a!.done().length} + ${b!.done().length}`);
    const status = await queue(['status', '--redis', redis!.url, '--queue', 'tts']);
    assert(/list two-hundred: 200\/200 done, 0 failed, 0 pending/.test(status.out), status.out);
    assertEqual(await a!.stop('SIGTERM'), 0, 'exit status after SIGTERM');
    assertEqual(await b!.stop('SIGTERM'), 0, 'exit status after SIGTERM');
  });

  it('a worker killed with SIGKILL mid-job: the other worker retries the job and the manifest ends complete', async () => {
    const list = writeList('killed.txt', Array.from({ length: 12 }, (_, i) => WORDS[i % WORDS.length]!));
    await queue(['add', list, '--redis', redis!.url, '--queue', 'tts']);
    const [a, b] = startWorkers(2, ['--lock-ms', '4000']);
    // Whichever starts a job first is killed while that job runs.
    const first = await Promise.race([a!, b!].map((w) => w.waitFor(/^start /).then((line) => ({ w, job: line.split(' ')[1]! }))));
    first.w.proc.kill('SIGKILL');
    const other = first.w === a ? b! : a!;
    const s = await finished('killed');
    assertEqual(`${s.done} ${s.failed}`, '12 0', 'done failed');
    assert(other.done().includes(first.job), `the survivor ran ${first.job}: ${other.done().join(' ')}`);
    const m = manifest(join(dir, 'out', 'killed'));
    assertOnce(m.map((r) => r.id), 12, 'manifest records');
    assert(m.every((r) => r.status === 'done'), 'every record done');
  });

  it('Redis restarted mid-run: the workers reconnect and nothing is lost', async () => {
    const list = writeList('restart.txt', Array.from({ length: 30 }, (_, i) => WORDS[i % WORDS.length]!));
    await queue(['add', list, '--redis', redis!.url, '--queue', 'tts']);
    const [a, b] = startWorkers(2);
    await Promise.race([a!, b!].map((w) => w.waitFor(/^done /)));
    const before = (await queueStatus({ redis: redis!.url, queue: 'tts' })).lists[0]!;
    assert(before.pending > 2, `lines left to run across the restart: ${before.pending}`);
    await redis!.restart(1500);
    const s = await finished('restart');
    assertEqual(`${s.done} ${s.failed}`, '30 0', 'done failed');
    const m = manifest(join(dir, 'out', 'restart'));
    assertOnce(m.map((r) => r.id), 30, 'manifest records');
    assert(m.every((r) => r.status === 'done'), 'every record done');
  });

  it('a line that always fails is marked failed with its error after the retries; a malformed line is reported; the rest completes', async () => {
    const list = writeList('mixed.jsonl', [
      '"Yes."', '{"text":"No."}', '{"id":"bad","text":"Speaker three.","speaker":3}', '{"text": "no closing quote}', '"Hi."', '"Go on."',
    ]);
    const added = await queue(['add', list, '--redis', redis!.url, '--queue', 'tts', '--retries', '2', '--backoff-ms', '100']);
    assert(/line 4 of .*mixed\.jsonl skipped: not JSON/.test(added.err), added.err);
    assert(/added list mixed: 5 jobs \(1 malformed/.test(added.out), added.out);
    const [w] = startWorkers(1);
    const s = await finished('mixed');
    assertEqual(`${s.done} ${s.failed} ${s.malformed}`, '4 1 1', 'done failed malformed');
    const m = manifest(join(dir, 'out', 'mixed'));
    assertEqual(m.map((r) => `${r.id}:${r.status}`).join(','), '000001:done,000002:done,bad:failed,000005:done,000006:done', 'manifest');
    const bad = m[2]!;
    assert(/single speaker/.test(bad.error ?? ''), `error: ${bad.error}`);
    assertEqual(bad.attempts, 3, 'tries of the failing line');
    assertEqual(w!.lines.filter((l) => l.startsWith('failed mixed/bad ')).length, 3, 'failed tries printed');
  });
});
