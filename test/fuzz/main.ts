// `npm run fuzz`: the fuzz driver (issue 13). Forks workers that run seeded cases (test/fuzz/cases.ts)
// under a per-case time and memory budget, watches them for hangs and for resident memory over a
// hard cap, and spawns the CLI (`inspect`, `ids`) on a sample of the same inputs, where a failure
// is an exit status other than 0/1, a JavaScript stack on stderr, or a hang.
//   node dist-fuzz/fuzz.js [--cases 10000] [--seed 1] [--from 0] [--workers 2] [--cli-every 100]
//                          [--case I (run one case, print it)] [--report out/fuzz/report.json]

import { spawn, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadCmuDict } from '../../src/text/index.js';
import { DEFAULT_BUDGET, loadSeeds, makeCase, runCase, type Case, type Measured } from './cases.js';

const HANG_MS = 60_000; // a case still running after this is a hang: the worker is killed
const RSS_CAP = 3 * 1024 ** 3; // resident memory of a worker that no case may push it past
const CLI_TIMEOUT_MS = 60_000;

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const readRepo = async (path: string) => new Uint8Array(readFileSync(join(process.cwd(), path)));
const memory = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };

interface Failure { index: number; seed: string; how: string[]; where: 'reader' | 'cli'; message: string }

async function worker(): Promise<void> {
  const seeds = await loadSeeds(readRepo);
  const dict = await loadCmuDict();
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (m: { seed: number; from: number; to: number }) => {
    for (let i = m.from; i < m.to; i++) {
      process.send!({ type: 'start', index: i });
      const c = makeCase(seeds, m.seed, i);
      const r = await runCase(c, dict, memory);
      process.send!({ type: 'done', index: i, seed: c.seed, how: c.how, size: c.bytes.length, ...r });
    }
    process.send!({ type: 'idle' });
  });
  process.send!({ type: 'ready' });
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs the CLI on a case's input: the exit status must be 0 or 1, stderr free of stack frames. */
function runCli(c: Case, dir: string): Promise<string | undefined> {
  const file = join(dir, `case-${c.index}${c.kind === 'checkpoint' ? '.pt' : '.txt'}`);
  writeFileSync(file, c.bytes);
  const text = new TextDecoder().decode(c.bytes).replace(/\0/g, ' '); // an argument cannot hold NUL
  const fe = ['glowtts', 'flowtron', 'cset'][c.index % 3]!;
  const args = c.kind === 'checkpoint' ? ['inspect', file] : ['ids', '--front-end', fe, text];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/flowgpu.js', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { if (stderr.length < 20_000) stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(file, { force: true });
      const cmd = `flowgpu ${args[0]}`;
      if (signal) resolve(`${cmd}: killed by ${signal} (hang over ${CLI_TIMEOUT_MS} ms?)`);
      else if (code !== 0 && code !== 1) resolve(`${cmd}: exit status ${code}: ${stderr.slice(0, 500)}`);
      else if (/^\s+at .+:\d+:\d+\)?$/m.test(stderr)) resolve(`${cmd}: printed a stack trace: ${stderr.slice(0, 800)}`);
      else resolve(undefined);
    });
  });
}

async function driver(): Promise<void> {
  const total = arg('cases', 10_000);
  const seed = arg('seed', 1);
  const from = arg('from', 0);
  const nWorkers = arg('workers', 2);
  const cliEvery = arg('cli-every', 100);
  const reportAt = process.argv.includes('--report') ? process.argv[process.argv.indexOf('--report') + 1]! : `out/fuzz/report-seed${seed}.json`;
  const seeds = await loadSeeds(readRepo);
  const started = Date.now();
  const failures: Failure[] = [];
  const counts = { ok: 0, refused: 0, failure: 0, cli: 0, cliFailure: 0 };
  let maxMs = 0;
  let maxRatio = 0;
  const tmp = mkdtempSync(join(tmpdir(), 'flowgpu-fuzz-'));

  // CLI sample, one process at a time beside the workers.
  const cliCases = Array.from({ length: Math.floor(total / cliEvery) }, (_, k) => from + k * cliEvery)
    .map((i) => makeCase(seeds, seed, i)).filter((c) => c.kind === 'checkpoint' || c.kind === 'text');
  const cliDone = (async () => {
    for (const c of cliCases) {
      const problem = await runCli(c, tmp);
      counts.cli++;
      if (problem) {
        counts.cliFailure++;
        failures.push({ index: c.index, seed: c.seed, how: c.how, where: 'cli', message: problem });
      }
    }
  })();

  // Readers, in chunks handed to whichever worker is free.
  const CHUNK = 25;
  let next = from;
  const end = from + total;
  const runWorker = () => new Promise<void>((resolve) => {
    let child: ChildProcess;
    let current = -1;
    let since = 0;
    let chunkEnd = 0;
    let resume: { from: number; to: number } | undefined;
    const start = () => {
      child = fork(process.argv[1]!, ['--worker'], { execArgv: ['--max-old-space-size=2048'] });
      child.on('message', (m: { type: string; index: number } & Partial<Measured> & { seed?: string; how?: string[]; size?: number }) => {
        if (m.type === 'ready' && resume) {
          child.send({ seed, ...resume });
          resume = undefined;
        } else if (m.type === 'ready' || m.type === 'idle') {
          if (next >= end) { child.kill(); return; }
          chunkEnd = Math.min(end, next + CHUNK);
          child.send({ seed, from: next, to: chunkEnd });
          next = chunkEnd;
        } else if (m.type === 'start') {
          current = m.index;
          since = Date.now();
        } else if (m.type === 'done') {
          current = -1;
          const o = m.outcome!;
          counts[o.result]++;
          maxMs = Math.max(maxMs, m.ms!);
          if (m.size! >= 100_000) maxRatio = Math.max(maxRatio, m.memory! / m.size!); // small inputs: the constant dominates
          if (o.result === 'failure') failures.push({ index: m.index, seed: m.seed!, how: m.how!, where: 'reader', message: o.message });
          const done = counts.ok + counts.refused + counts.failure;
          if (done % 500 === 0) process.stdout.write(`  ${done}/${total} cases, ${counts.failure} failing, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
        }
      });
      child.on('exit', (code, signal) => {
        clearInterval(watch);
        if (current >= 0) {
          // The worker died inside a case: record it, then carry on after it with a new worker.
          const c = makeCase(seeds, seed, current);
          counts.failure++;
          failures.push({ index: current, seed: c.seed, how: c.how, where: 'reader', message: killedFor ?? `worker exited (${signal ?? code}) inside the case` });
          if (current + 1 < chunkEnd) resume = { from: current + 1, to: chunkEnd };
          current = -1;
          killedFor = undefined;
          start();
          return;
        }
        resolve();
      });
      const watch = setInterval(() => {
        if (current < 0) return;
        if (Date.now() - since > HANG_MS) { killedFor = `hang: still running after ${HANG_MS} ms`; child.kill('SIGKILL'); }
        const rss = rssOf(child.pid!);
        if (rss > RSS_CAP) { killedFor = `memory: resident ${rss} bytes, over the ${RSS_CAP}-byte cap`; child.kill('SIGKILL'); }
      }, 200);
    };
    let killedFor: string | undefined;
    start();
  });
  await Promise.all(Array.from({ length: nWorkers }, runWorker));
  await cliDone;
  rmSync(tmp, { recursive: true, force: true });

  const seconds = (Date.now() - started) / 1000;
  const report = {
    seed, from, cases: counts.ok + counts.refused + counts.failure, ok: counts.ok, refused: counts.refused,
    failures: counts.failure, cliRuns: counts.cli, cliFailures: counts.cliFailure, seconds, maxCaseMs: Math.round(maxMs),
    maxMemoryPerInputByte: Number(maxRatio.toFixed(2)), budget: DEFAULT_BUDGET, hangMs: HANG_MS, rssCap: RSS_CAP,
    failing: failures,
  };
  mkdirSync(dirname(reportAt), { recursive: true });
  writeFileSync(reportAt, JSON.stringify(report, null, 1));
  process.stdout.write(
    `fuzz: ${report.cases} cases (seed ${seed}), ${report.ok} read, ${report.refused} refused cleanly, ${report.failures} failures; ` +
      `CLI ${report.cliRuns} runs, ${report.cliFailures} failures; slowest case ${report.maxCaseMs} ms; ` +
      `most memory ${report.maxMemoryPerInputByte}× the input (inputs ≥ 100 kB); ${seconds.toFixed(0)} s. Report: ${reportAt}\n`,
  );
  for (const f of failures.slice(0, 20)) {
    process.stdout.write(`  FAIL case ${f.index} (${f.seed}; ${f.how.join(', ')}) [${f.where}]: ${f.message.split('\n').slice(0, 3).join(' | ')}\n`);
  }
  process.exitCode = failures.length ? 1 : 0;
}

async function one(index: number): Promise<void> {
  const seeds = await loadSeeds(readRepo);
  const c = makeCase(seeds, arg('seed', 1), index);
  const r = await runCase(c, await loadCmuDict(), memory);
  process.stdout.write(`case ${index}: ${c.seed}; ${c.how.join(', ')}; ${c.bytes.length} bytes\n${JSON.stringify(r, null, 1)}\n`);
  const out = process.argv.includes('--write') ? process.argv[process.argv.indexOf('--write') + 1] : undefined;
  if (out) writeFileSync(out, c.bytes);
}

if (process.argv.includes('--worker')) await worker();
else if (process.argv.includes('--case')) await one(arg('case', 0));
else await driver();
