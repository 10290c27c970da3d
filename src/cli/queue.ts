// `flowgpu queue add <list> --redis URL --queue NAME [--name LIST] [--retries 2] [line defaults]`
// `flowgpu queue status --redis URL --queue NAME`

import { basename, dirname, extname, resolve } from 'node:path';
import { addList, queueStatus } from '../batch/queue.js';
import { FlowgpuError } from '../gpu/errors.js';
import { defineCommand, type OptionSpecs } from './args.js';
import { LINE_OPTIONS, lineDefaults, readListFile } from './batch.js';

/** Where the queue is: the options `queue` and `worker` share. */
export const QUEUE_OPTIONS = {
  redis: { kind: 'string', arg: 'URL', help: 'redis://[user:password@]host[:port][/db] (rediss:// for TLS)' },
  queue: { kind: 'string', arg: 'NAME', help: 'the queue\'s name' },
} as const satisfies OptionSpecs;

/** The options of `queue add` only. */
const ADD_OPTIONS = {
  name: { kind: 'string', arg: 'LIST', help: 'add: the list\'s name, its parent job id and output subfolder (default: the file name)' },
  retries: { kind: 'number', min: 0, max: 100, integer: true, help: 'add: extra tries for a failing line (default 2)' },
  'backoff-ms': { kind: 'number', min: 0, max: 3_600_000, integer: true, help: 'add: first retry delay, doubled each try (default 1000)' },
  ...LINE_OPTIONS,
} as const satisfies OptionSpecs;

const command = defineCommand({
  name: 'queue',
  usage:
    'usage: flowgpu queue add <list.txt|.jsonl|.csv> --redis redis://host:6379 --queue NAME [--name LIST] [--retries 2] [line defaults]\n' +
    '       flowgpu queue status --redis redis://host:6379 --queue NAME\n' +
    '  add: one job per line (id <list>/<line id>) under a parent job per list (id <list>), retried with exponential\n' +
    '  backoff; the line defaults (--speaker ... --temperature) apply where a line does not set its own.\n' +
    '  Run `flowgpu worker` on each machine to work the queue.',
  args: { min: 1, max: 2, what: '"add <list>" or "status"' },
  options: {
    ...QUEUE_OPTIONS,
    ...ADD_OPTIONS,
  },
  async run(ctx) {
    const { redis, queue } = ctx.opts;
    const [sub, listPath] = ctx.positional;
    if (sub !== 'add' && sub !== 'status') throw new FlowgpuError(`queue: unknown subcommand ${JSON.stringify(sub)} (add, status)`);
    if (sub === 'add' && listPath === undefined) throw new FlowgpuError('queue add: give the list file (see flowgpu queue --help)');
    if (sub === 'status') {
      if (listPath !== undefined) throw new FlowgpuError(`queue status: unexpected argument ${JSON.stringify(listPath)}`);
      const given = Object.keys(ADD_OPTIONS).find((k) => ctx.opts[k as keyof typeof ADD_OPTIONS] !== undefined);
      if (given) throw new FlowgpuError(`queue status: --${given} is an option of queue add`);
    }
    if (redis === undefined || queue === undefined) throw new FlowgpuError(`queue ${sub}: give --redis <url> and --queue <name>`);
    if (sub === 'status') {
      const s = await queueStatus({ redis, queue });
      process.stdout.write(`queue ${queue}: ${Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      for (const l of s.lists) {
        process.stdout.write(`  list ${l.list}: ${l.done}/${l.lines} done, ${l.failed} failed, ${l.pending} pending, ${l.malformed} malformed (${l.state})\n`);
      }
      return;
    }
    const list = readListFile('queue', listPath!);
    const name = ctx.opts.name ?? basename(listPath!, extname(listPath!));
    const { jobs } = await addList(list, {
      redis, queue, name, baseDir: dirname(resolve(listPath!)), defaults: lineDefaults(ctx.opts), retries: ctx.opts.retries, backoffMs: ctx.opts['backoff-ms'],
    });
    process.stdout.write(`queue: added list ${name}: ${jobs} jobs (${list.malformed.length} malformed lines skipped)\n`);
    if (list.malformed.length > 0) process.exitCode = 1;
  },
});

export const run = command.run;
