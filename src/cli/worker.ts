// `flowgpu worker --redis URL --queue NAME -o <dir> [voice options] [--lock-ms 30000]`
// Works a queue filled by `flowgpu queue add` until SIGTERM/SIGINT: then the job in flight
// finishes, the worker closes and exits 0.

import { startWorker } from '../batch/queue.js';
import { FlowgpuError } from '../gpu/errors.js';
import { checkFlags, VOICE_FLAGS, VOICE_USAGE, voiceFromArgs } from './batch.js';
import { optNumber, optString, parseArgs } from './tts-adapter.js';

const USAGE =
  'usage: flowgpu worker --redis redis://host:6379 --queue NAME -o <dir> [voice options] [--lock-ms 30000]\n' +
  '  Writes <dir>/<list>/<id>.wav per line and <dir>/<list>/manifest.jsonl when a list is finished.\n' +
  '  One engine per worker process; run one per machine (or more). SIGTERM: the job in flight finishes, then it exits.\n' +
  '  --lock-ms: how long a job of a dead worker stays locked before another takes it over.\n' +
  VOICE_USAGE.split('\n').slice(0, 2).join('\n') + '\n';

export async function run(args: string[]): Promise<void> {
  const p = parseArgs(args);
  if (p.options.has('help') || p.options.has('h')) {
    process.stdout.write(USAGE);
    return;
  }
  checkFlags(p, ['redis', 'queue', 'output', 'lock-ms', ...VOICE_FLAGS], USAGE);
  if (p.positional.length > 0) throw new FlowgpuError(`worker: unexpected arguments ${p.positional.join(' ')}\n${USAGE}`);
  const redis = optString(p, 'redis');
  const queue = optString(p, 'queue');
  const out = optString(p, 'output');
  if (!redis || !queue || !out) throw new FlowgpuError(`worker: give --redis <url>, --queue <name> and -o <dir>\n${USAGE}`);
  const lockMs = optNumber(p, 'lock-ms', (v) => Number.isInteger(v) && v >= 1000, 'an integer ≥ 1000');
  const worker = await startWorker({
    redis, queue, out, voice: voiceFromArgs(p), ...(lockMs !== undefined ? { lockMs } : {}),
    onEvent: (event, jobId, detail) => process.stdout.write(`${event} ${jobId} ${detail}\n`),
    onError: (message) => process.stderr.write(`worker ${process.pid}: Redis: ${message} (retrying)\n`),
  });
  process.stdout.write(`worker ${process.pid}: ready on queue ${queue}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      process.stdout.write(`worker ${process.pid}: ${signal}, finishing the job in flight\n`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await worker.close();
  process.stdout.write(`worker ${process.pid}: stopped\n`);
}
