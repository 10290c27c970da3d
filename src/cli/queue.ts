// `flowgpu queue add <list> --redis URL --queue NAME [--name LIST] [--retries 2] [line defaults]`
// `flowgpu queue status --redis URL --queue NAME`

import { basename, dirname, extname, resolve } from 'node:path';
import { addList, queueStatus } from '../batch/queue.js';
import { readList } from '../batch/run.js';
import { FlowgpuError } from '../gpu/errors.js';
import { checkFlags, lineDefaultsFromArgs, optRetries, LINE_DEFAULT_FLAGS } from './batch.js';
import { optNumber, optString, parseArgs, type ParsedArgs } from './tts-adapter.js';

const USAGE =
  'usage: flowgpu queue add <list.txt|.jsonl|.csv> --redis redis://host:6379 --queue NAME [--name LIST] [--retries 2] [--backoff-ms 1000]\n' +
  '                         [--speaker N --emotion N --style <.npy> --sigma S --seed N --noise-scale S --length-scale L --temperature T]\n' +
  '       flowgpu queue status --redis redis://host:6379 --queue NAME\n' +
  '  add: one job per line (id <list>/<line id>) under a parent job per list (id <list>, default: the file name),\n' +
  '  retried with exponential backoff. Run `flowgpu worker` on each machine to work the queue.\n';

function target(p: ParsedArgs): { redis: string; queue: string } {
  const redis = optString(p, 'redis');
  const queue = optString(p, 'queue');
  if (!redis || !queue) throw new FlowgpuError(`queue: give --redis <url> and --queue <name>\n${USAGE}`);
  return { redis, queue };
}

export async function run(args: string[]): Promise<void> {
  const p = parseArgs(args);
  if (p.options.has('help') || p.options.has('h') || p.positional.length === 0) {
    process.stdout.write(USAGE);
    return;
  }
  const [sub, ...rest] = p.positional;
  if (sub === 'add') {
    checkFlags(p, ['redis', 'queue', 'name', 'retries', 'backoff-ms', ...LINE_DEFAULT_FLAGS], USAGE);
    const [listPath, ...extra] = rest;
    if (!listPath || extra.length > 0) throw new FlowgpuError(`queue add: give one list file\n${USAGE}`);
    const list = await readList(listPath);
    for (const m of list.malformed) process.stderr.write(`queue: line ${m.line} of ${listPath} skipped: ${m.message}\n`);
    const name = optString(p, 'name') ?? basename(listPath, extname(listPath));
    const retries = optRetries(p);
    const backoffMs = optNumber(p, 'backoff-ms', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
    const { jobs } = await addList(list, {
      ...target(p), name, baseDir: dirname(resolve(listPath)), defaults: lineDefaultsFromArgs(p), ...(retries !== undefined ? { retries } : {}), ...(backoffMs !== undefined ? { backoffMs } : {}),
    });
    process.stdout.write(`queue: added list ${name}: ${jobs} jobs (${list.malformed.length} malformed lines skipped)\n`);
    if (list.malformed.length > 0) process.exitCode = 1;
  } else if (sub === 'status') {
    checkFlags(p, ['redis', 'queue'], USAGE);
    if (rest.length > 0) throw new FlowgpuError(`queue status: unexpected arguments ${rest.join(' ')}\n${USAGE}`);
    const t = target(p);
    const s = await queueStatus(t);
    process.stdout.write(`queue ${t.queue}: ${Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    for (const l of s.lists) {
      process.stdout.write(`  list ${l.list}: ${l.done}/${l.lines} done, ${l.failed} failed, ${l.pending} pending, ${l.malformed} malformed (${l.state})\n`);
    }
  } else throw new FlowgpuError(`queue: unknown subcommand ${JSON.stringify(sub)} (add, status)\n${USAGE}`);
}
