// Batch synthesis on many machines with BullMQ on Redis. `addList` puts a list in a queue as a
// flow: a parent job per list (id: the list's name) whose children are its lines (id
// `<list>/<line id>`). Workers run the lines, one engine each, writing `<out>/<list>/<id>.wav`
// (the job id is the path, so a retried job overwrites its file); once every line has finished
// (done, or failed after its retries), a worker runs the parent, which writes the list's
// `manifest.jsonl` from the children's results: one record per line, never two.

import { FlowProducer, Job, Queue, Worker, type ConnectionOptions } from 'bullmq';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SpeakOptions } from '../api.js';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import type { LineOptions, ListItem, Malformed, ParsedList } from './list.js';
import { failedRecord, writeManifest, writeResult, type ManifestRecord } from './output.js';
import { LineSpeaker, openVoice, voiceName, type Voice } from './voice.js';

export interface QueueTarget {
  /** redis://[user:password@]host[:port][/db] (rediss:// for TLS). */
  redis: string;
  /** The queue's name. */
  queue: string;
}

interface LineJob {
  list: string;
  item: ListItem;
}

interface ListJob {
  list: string;
  lines: number;
  malformed: Malformed[];
}

export interface ListSummary {
  list: string;
  done: number;
  failed: number;
  malformed: number;
}

/** A Redis URL → BullMQ connection options. A worker's commands wait (not fail) while Redis is
 *  away, so it rides out a Redis restart; a one-shot command (`queue add`, `status`) gives up
 *  after a few tries instead of hanging on a wrong URL. */
export function redisConnection(url: string, o: { wait?: boolean } = {}): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FlowgpuError(`--redis ${JSON.stringify(url)} is not a URL: write redis://host:6379`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new FlowgpuError(`--redis ${url}: expected a redis:// or rediss:// URL`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new FlowgpuError(`--redis ${url}: the database (after the /) must be a number`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    ...(o.wait
      ? { maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(200 * times, 2000) }
      : { maxRetriesPerRequest: 1, connectTimeout: 5000, retryStrategy: (times: number) => (times > 4 ? null : 250 * times) }),
  };
}

/** Runs a one-shot command; a Redis that cannot be reached is a clear error. */
async function reaching<T>(url: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof FlowgpuError) throw err;
    const msg = (err as Error).message;
    if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|Connection is closed|max retries|NOAUTH|WRONGPASS/i.test(msg)) {
      throw new FlowgpuError(`cannot use Redis at ${url.replace(/\/\/[^@/]*@/, '//***@')}: ${msg} (is redis-server running there? start one with: redis-server --port 6379)`);
    }
    throw err;
  }
}

const LIST_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** The set of list names in a queue, for `queue status` (BullMQ's client type leaves out set commands). */
const listsKey = (queue: string): string => `bull:${queue}:flowgpu-lists`;
type SetClient = { sadd(key: string, member: string): Promise<number>; smembers(key: string): Promise<string[]> };
const setClient = async (q: Queue): Promise<SetClient> => (await q.client) as unknown as SetClient;

export interface AddOptions extends QueueTarget {
  /** The list's name: its parent job's id and output subfolder. */
  name: string;
  /** Options for every line; a line's own fields win. */
  defaults?: LineOptions;
  /** Extra tries for a failing line (default 2), with exponential backoff from `backoffMs` (default 1000). */
  retries?: number;
  backoffMs?: number;
  /** Folder that relative style paths are resolved from (the list's); workers get absolute paths. */
  baseDir?: string;
}

/** Puts a parsed list in the queue: a parent job `name`, a child `name/id` per line. */
export async function addList(list: ParsedList, o: AddOptions): Promise<{ jobs: number }> {
  if (!LIST_NAME.test(o.name)) throw new FlowgpuError(`the list name ${JSON.stringify(o.name)} must be letters, digits, _ . - (at most 64): pass --name`);
  if (list.items.length === 0) throw new FlowgpuError('the list has no line to speak');
  const connection = redisConnection(o.redis);
  const queue = new Queue(o.queue, { connection });
  const flow = new FlowProducer({ connection });
  try {
    return await reaching(o.redis, () => addFlow(queue, flow, list, o));
  } finally {
    await flow.close();
    await queue.close();
  }
}

async function addFlow(queue: Queue, flow: FlowProducer, list: ParsedList, o: AddOptions): Promise<{ jobs: number }> {
  const existing = await Job.fromId(queue, o.name);
  if (existing) throw new FlowgpuError(`queue ${o.queue} already holds a list named ${o.name} (${await existing.getState()}): pass another --name`);
  const retries = o.retries ?? 2;
  const data: ListJob = { list: o.name, lines: list.items.length, malformed: list.malformed };
  await flow.add({
    name: 'list', queueName: o.queue, data, opts: { jobId: o.name },
    children: list.items.map((it) => {
      const options = { ...o.defaults, ...it.options };
      if (options.style !== undefined) options.style = resolve(o.baseDir ?? process.cwd(), options.style);
      const item: ListItem = { ...it, options };
      return {
        name: 'line', queueName: o.queue, data: { list: o.name, item } satisfies LineJob,
        opts: { jobId: `${o.name}/${it.id}`, attempts: retries + 1, backoff: { type: 'exponential', delay: o.backoffMs ?? 1000 }, ignoreDependencyOnFailure: true },
      };
    }),
  });
  await (await setClient(queue)).sadd(listsKey(o.queue), o.name);
  return { jobs: list.items.length };
}

export interface WorkerOptions extends QueueTarget {
  /** Output folder: `<out>/<list>/<id>.wav` and `<out>/<list>/manifest.jsonl`. */
  out: string;
  /** The models (loaded once by the caller, not released here); default: the demo voice and Griffin-Lim. */
  voice?: Voice;
  /** Engine for the demo voice when no `voice` is given (default: a Node engine made here, destroyed on close). */
  engine?: Engine;
  /** `speak`'s options for every line (the vocoder's, normalize, a speaker embedding, ...); a job's line options win. */
  speak?: SpeakOptions;
  /** How long a job stays locked without a heartbeat before another worker takes it over (default 30 s). */
  lockMs?: number;
  /** A line started ('start') or finished ('done' / 'failed', with the error), and a list's manifest written ('list'). */
  onEvent?: (event: 'start' | 'done' | 'failed' | 'list', jobId: string, detail: string) => void;
  /** Redis went away or refused a command (the worker keeps retrying; told at most every 10 s). */
  onError?: (message: string) => void;
}

export interface RunningWorker {
  /** Stops taking jobs, lets the one in flight finish, frees the engine. */
  close(): Promise<void>;
}

/** Starts a worker: one engine, the models loaded once, one job at a time. */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const connection = redisConnection(o.redis, { wait: true });
  await mkdir(o.out, { recursive: true });
  const { voice, close: closeVoice } = await openVoice(o);
  // Style paths in jobs are absolute (`addList` resolves them).
  const speaker = new LineSpeaker(voice, o.speak);
  const model = voiceName(voice);
  const queue = new Queue(o.queue, { connection });

  async function runLine(job: Job<LineJob>): Promise<ManifestRecord> {
    const { list, item } = job.data;
    o.onEvent?.('start', job.id!, item.text);
    const dir = join(o.out, list);
    await mkdir(dir, { recursive: true });
    const prepared = await speaker.prepare(item);
    await job.updateProgress(10);
    const spoken = await speaker.say(item, prepared);
    await job.updateProgress(90);
    const record = await writeResult(dir, item, spoken, voice.vocoder.sampleRate, model, job.attemptsMade + 1);
    await job.updateProgress(100);
    return record;
  }

  async function runList(job: Job<ListJob>): Promise<ListSummary> {
    const records: ManifestRecord[] = Object.values(await job.getChildrenValues<ManifestRecord>());
    for (const [key, reason] of Object.entries(await job.getIgnoredChildrenFailures())) {
      const child = (await Job.fromId<LineJob>(queue, key.slice(key.lastIndexOf(':') + 1)))!;
      records.push(failedRecord(child.data.item, model, voice.vocoder.sampleRate, reason, child.attemptsMade));
    }
    const dir = join(o.out, job.data.list);
    await mkdir(dir, { recursive: true });
    await writeManifest(dir, records);
    const failed = records.filter((r) => r.status === 'failed').length;
    return { list: job.data.list, done: records.length - failed, failed, malformed: job.data.malformed.length };
  }

  const lock = o.lockMs ?? 30000;
  const worker = new Worker(
    o.queue,
    async (job: Job) => {
      if (job.name === 'list') {
        const s = await runList(job as Job<ListJob>);
        o.onEvent?.('list', job.id!, `${s.done} done, ${s.failed} failed`);
        return s;
      }
      return runLine(job as Job<LineJob>);
    },
    { connection, concurrency: 1, lockDuration: lock, stalledInterval: Math.max(1000, lock / 2), maxStalledCount: 2 },
  );
  worker.on('completed', (job: Job) => {
    if (job.name === 'line') o.onEvent?.('done', job.id!, `${(job.returnvalue as ManifestRecord).seconds.toFixed(2)} s`);
  });
  worker.on('failed', (job: Job | undefined, err: Error) => {
    if (job?.name === 'line') o.onEvent?.('failed', job.id!, `try ${job.attemptsMade} of ${job.opts.attempts ?? 1}: ${err.message}`);
  });
  // Connection errors while Redis is away: the client reconnects on its own.
  let lastError = 0;
  worker.on('error', (err: Error) => {
    if (Date.now() - lastError < 10000) return;
    lastError = Date.now();
    o.onError?.(err.message);
  });
  return {
    async close() {
      await worker.close();
      await queue.close();
      closeVoice();
    },
  };
}

export interface ListStatus {
  list: string;
  /** The parent job's state: 'waiting-children' while lines run, then 'waiting'/'active', 'completed'. */
  state: string;
  lines: number;
  done: number;
  failed: number;
  /** Lines not finished yet. */
  pending: number;
  malformed: number;
}

export interface QueueStatus {
  counts: Record<string, number>;
  lists: ListStatus[];
}

/** Job counts of the queue, and per list how many lines are done, failed and pending. */
export async function queueStatus(o: QueueTarget): Promise<QueueStatus> {
  const queue = new Queue(o.queue, { connection: redisConnection(o.redis) });
  try {
    return await reaching(o.redis, () => statusOf(queue, o.queue));
  } finally {
    await queue.close();
  }
}

async function statusOf(queue: Queue, name: string): Promise<QueueStatus> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed', 'paused');
  const lists: ListStatus[] = [];
  for (const list of (await (await setClient(queue)).smembers(listsKey(name))).sort()) {
    const job = await Job.fromId<ListJob>(queue, list);
    if (!job) continue;
    const state = await job.getState();
    const d = await job.getDependenciesCount({ processed: true, unprocessed: true, ignored: true, failed: true });
    const failed = (d.ignored ?? 0) + (d.failed ?? 0);
    const done = d.processed ?? 0;
    lists.push({ list, state, lines: job.data.lines, done, failed, pending: job.data.lines - done - failed, malformed: job.data.malformed.length });
  }
  return { counts, lists };
}
