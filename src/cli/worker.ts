// `flowgpu worker --redis URL --queue NAME -o <dir> [voice options] [--lock-ms 30000]`
// Works a queue filled by `flowgpu queue add` until SIGTERM/SIGINT: then the job in flight
// finishes, the worker closes and exits 0.

import { startWorker } from '../batch/queue.js';
import { FlowgpuError } from '../gpu/errors.js';
import { defineCommand } from './args.js';
import { commandSpeakOptions, loadCommandVoice, VOICE_OPTIONS } from './batch.js';
import { QUEUE_OPTIONS } from './queue.js';

const command = defineCommand({
  name: 'worker',
  usage:
    'usage: flowgpu worker --redis redis://host:6379 --queue NAME -o <dir> [voice options] [--lock-ms 30000]\n' +
    '  Writes <dir>/<list>/<id>.wav per line and <dir>/<list>/manifest.jsonl when a list is finished.\n' +
    '  One engine per worker process, the models loaded once; run one per machine (or more).\n' +
    '  SIGTERM or Ctrl-C: the job in flight finishes, then it exits.',
  args: { min: 0, max: 0, what: 'only options' },
  options: {
    ...QUEUE_OPTIONS,
    output: { kind: 'string', arg: 'DIR', help: 'the output folder, made if missing (also -o)' },
    'lock-ms': { kind: 'number', min: 1000, max: 3_600_000, integer: true, help: 'how long the job of a dead worker stays locked before another takes it over (default 30000)' },
    ...VOICE_OPTIONS,
  },
  loadsModels: true,
  async run(ctx) {
    const { redis, queue, output: out } = ctx.opts;
    if (redis === undefined || queue === undefined || out === undefined) throw new FlowgpuError('worker: give --redis <url>, --queue <name> and -o <dir> (see flowgpu worker --help)');
    const speak = commandSpeakOptions(ctx.opts);
    const voice = await loadCommandVoice(ctx, ctx.opts);
    const worker = await startWorker({
      redis, queue, out, voice, speak, lockMs: ctx.opts['lock-ms'],
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
  },
});

export const run = command.run;
