// `flowgpu bench [--full] [--only <substring>] [--json out.json]`: times every kernel (and the
// models' benchmarks) on this machine's adapter, prints a table and writes JSON. Without --full
// the shapes are small enough to finish in minutes on a software adapter; --full runs the
// published sizes.
import { writeFileSync } from 'node:fs';
import { benchmarks, type BenchOptions, type Row, SKIPPED } from '../bench/index.js';
import { FlowgpuError } from '../gpu/errors.js';
import { createNodeEngine } from '../gpu/node-gpu.js';

interface Args {
  full: boolean;
  only?: string;
  json: string;
}

function parse(args: string[]): Args {
  const out: Args = { full: false, json: 'bench.json' };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new FlowgpuError(`bench: ${a} needs a value`);
      return v;
    };
    if (a === '--full') out.full = true;
    else if (a === '--quick') out.full = false; // the default; kept for older scripts
    else if (a === '--only') out.only = value();
    else if (a === '--json') out.json = value();
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: flowgpu bench [--full] [--only <substring>] [--json out.json (default bench.json)]\n' +
        '  --full: the published sizes (minutes to hours on a software adapter); default: small shapes, a few minutes\n');
      process.exit(0);
    } else throw new FlowgpuError(`bench: unknown option ${a} (options: --full, --only <substring>, --json <file>)`);
  }
  return out;
}

export async function run(argv: string[]): Promise<void> {
  const args = parse(argv);
  const e = await createNodeEngine();
  process.stdout.write(`adapter: ${e.adapterName}${e.info.isFallback ? ' (software fallback)' : ''}\n`);
  const rows: Row[] = [];
  const started = Date.now();
  const printed = new Set<Row>();
  const progress = (r: Row): void => {
    if (printed.has(r) || r.note === SKIPPED) return;
    printed.add(r);
    const s = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`${s} s  ${r.group}: ${r.kernel} ${r.shape}: ${Number.isNaN(r.ms) ? r.note : `${r.ms.toFixed(3)} ms`}\n`);
  };
  for (const b of benchmarks) {
    const o: BenchOptions = { quick: !args.full, only: args.only, group: b.name, onRow: progress };
    try {
      const got = (await b.run(e, o)).filter((r) => r.note !== SKIPPED);
      for (const r of got) {
        r.group ??= b.name;
        rows.push(r);
        progress(r);
      }
    } catch (err) {
      rows.push({ group: b.name, kernel: '(benchmark)', shape: '', ms: NaN, note: `failed: ${(err as Error)?.message ?? err}`.slice(0, 200) });
    }
  }
  // Peak probe: the best matmul GFLOP/s and the large copy's GB/s.
  const best = (pick: (r: Row) => number | undefined, filter: (r: Row) => boolean): number =>
    rows.filter(filter).reduce((m, r) => Math.max(m, pick(r) ?? 0), 0);
  const peakGflops = best((r) => r.gflops, (r) => r.kernel.startsWith('matmul'));
  const peakGbps = best((r) => r.gbps, (r) => r.kernel.startsWith('copy'));
  for (const r of rows) {
    const f = r.gflops && peakGflops ? r.gflops / peakGflops : 0;
    const m = r.gbps && peakGbps ? r.gbps / peakGbps : 0;
    if (f || m) r.pctPeak = 100 * Math.max(f, m);
  }
  process.stdout.write(table(rows) + '\n');
  process.stdout.write(
    `peak probe: matmul ${peakGflops ? peakGflops.toFixed(2) + ' GFLOP/s' : 'n/a'}, copy ${peakGbps ? peakGbps.toFixed(2) + ' GB/s' : 'n/a'}` +
      ` (% of peak: the better of GFLOP/s ÷ matmul peak and GB/s ÷ copy peak;` +
      ` cpu ms: CPU time of this process per call, i.e. a software adapter's work, steadier than wall time on a busy machine)\n`,
  );
  const report = {
    adapter: e.adapterName, info: e.info, date: new Date().toISOString(), full: args.full, only: args.only ?? null,
    seconds: (Date.now() - started) / 1000, peak: { gflops: peakGflops || null, gbps: peakGbps || null }, rows,
  };
  writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`wrote ${args.json}\n`);
  e.destroy();
}

function table(rows: Row[]): string {
  const head = ['group', 'kernel', 'shape', 'ms (median)', 'GFLOP/s', 'GB/s', '% peak', 'cpu ms', 'GFLOP/cpu-s', 'flowgpu/PyTorch', 'note'];
  const fmt = (v: number | undefined, d: number): string => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(d));
  const body = rows.map((r) => [
    r.group ?? '', r.kernel, r.shape, fmt(r.ms, 3), fmt(r.gflops, 2), fmt(r.gbps, 2), fmt(r.pctPeak, 0),
    fmt(r.cpuMs, 3), fmt(r.flops && r.cpuMs ? r.flops / r.cpuMs / 1e6 : undefined, 2), fmt(r.ratio, 3), r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 3 && i <= 9 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
