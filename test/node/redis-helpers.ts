// A private redis-server per test (loopback, a free port, a temporary folder, append-only file so
// a restart keeps the queue), and `flowgpu worker` processes to run against it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((res) => p.once('exit', () => res()));
}

export class RedisServer {
  private proc: ChildProcess | null = null;
  private constructor(readonly port: number, readonly dir: string) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const r = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'flowgpu-redis-')));
    await r.launch();
    return r;
  }

  private launch(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
    const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    return new Promise((res, rej) => {
      let log = '';
      const onData = (d: Buffer): void => {
        log += d.toString();
        if (log.includes('Ready to accept connections')) {
          p.stdout!.off('data', onData);
          p.stdout!.resume();
          res();
        }
      };
      p.stdout!.on('data', onData);
      p.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      p.once('error', (e) => rej(new Error(`redis-server did not start (tools/setup.sh installs it): ${e.message}`)));
      p.once('exit', (code) => rej(new Error(`redis-server exited (${code}) before it was ready:\n${log}`)));
    });
  }

  /** Stops the server (SIGTERM: it flushes the append-only file and exits). */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p) return;
    p.kill('SIGTERM');
    await exited(p);
  }

  async restart(downMs: number): Promise<void> {
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.launch();
  }
}

/** A `flowgpu worker` process and what it printed. */
export class WorkerProcess {
  readonly lines: string[] = [];
  readonly proc: ChildProcess;
  private listeners: (() => void)[] = [];

  constructor(args: string[]) {
    const cli = resolve('bin/flowgpu.js');
    this.proc = spawn(process.execPath, [cli, 'worker', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      this.lines.push(...parts);
      for (const l of this.listeners) l();
    });
    this.proc.stderr!.on('data', (d: Buffer) => {
      const s = d.toString();
      if (!/maxDynamic/.test(s)) this.lines.push(`stderr: ${s.trim()}`);
    });
  }

  /** Jobs this worker finished (`done <job id>` lines). */
  done(): string[] {
    return this.lines.filter((l) => l.startsWith('done ')).map((l) => l.split(' ')[1]!);
  }

  /** Waits for the first printed line that matches. */
  waitFor(pattern: RegExp, timeoutMs = 300000): Promise<string> {
    return new Promise((res, rej) => {
      const check = (): boolean => {
        const hit = this.lines.find((l) => pattern.test(l));
        if (hit) {
          this.listeners = this.listeners.filter((l) => l !== listener);
          clearTimeout(timer);
          res(hit);
        }
        return !!hit;
      };
      const listener = (): void => void check();
      const timer = setTimeout(() => rej(new Error(`worker never printed ${pattern}:\n${this.lines.join('\n')}`)), timeoutMs);
      if (!check()) this.listeners.push(listener);
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    await exited(this.proc);
    return this.proc.exitCode;
  }
}
