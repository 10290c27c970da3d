// Runs every benchmark on an engine and formats the table: shared by `flowgpu bench` (Node) and
// the browser bench page (examples/web/bench.ts), so both write the same bench.json.
import type { Engine } from '../gpu/engine.js';
import { benchmarks } from './index.js';
import { type BenchOptions, type Row, SKIPPED } from './harness.js';

export interface RunOptions {
  /** The published sizes (default: small shapes that finish in minutes on a software adapter). */
  full?: boolean;
  /** Only rows whose "group kernel shape" contains this. */
  only?: string;
  /** Called once per row as it finishes (a progress line). */
  onRow?: (r: Row, seconds: number) => void;
}

export interface BenchReport {
  adapter: string;
  info: Engine['info'];
  date: string;
  full: boolean;
  only: string | null;
  seconds: number;
  peak: { gflops: number | null; gbps: number | null };
  rows: Row[];
}

export async function runBench(e: Engine, o: RunOptions = {}): Promise<BenchReport> {
  const rows: Row[] = [];
  const started = Date.now();
  const printed = new Set<Row>();
  const progress = (r: Row): void => {
    if (printed.has(r) || r.note === SKIPPED) return;
    printed.add(r);
    o.onRow?.(r, (Date.now() - started) / 1000);
  };
  for (const b of benchmarks) {
    const bo: BenchOptions = { quick: !o.full, only: o.only, group: b.name, onRow: progress };
    try {
      for (const r of (await b.run(e, bo)).filter((x) => x.note !== SKIPPED)) {
        r.group ??= b.name;
        rows.push(r);
        progress(r);
      }
    } catch (err) {
      const r: Row = { group: b.name, kernel: '(benchmark)', shape: '', ms: NaN, note: `failed: ${(err as Error)?.message ?? err}`.slice(0, 200) };
      rows.push(r);
      progress(r);
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
  return {
    adapter: e.adapterName, info: e.info, date: new Date().toISOString(), full: Boolean(o.full), only: o.only ?? null,
    seconds: (Date.now() - started) / 1000, peak: { gflops: peakGflops || null, gbps: peakGbps || null }, rows,
  };
}

/** The progress line of a row. */
export function progressLine(r: Row, seconds: number): string {
  return `${seconds.toFixed(0).padStart(4)} s  ${r.group}: ${r.kernel} ${r.shape}: ${Number.isNaN(r.ms) ? r.note : `${r.ms.toFixed(3)} ms`}`;
}

/** The report as a plain-text table plus the peak-probe line. */
export function benchTable(report: BenchReport): string {
  const head = ['group', 'kernel', 'shape', 'ms (median)', 'GFLOP/s', 'GB/s', '% peak', 'cpu ms', 'GFLOP/cpu-s', 'flowgpu/PyTorch', 'note'];
  const fmt = (v: number | undefined, d: number): string => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(d));
  const body = report.rows.map((r) => [
    r.group ?? '', r.kernel, r.shape, fmt(r.ms, 3), fmt(r.gflops, 2), fmt(r.gbps, 2), fmt(r.pctPeak, 0),
    fmt(r.cpuMs, 3), fmt(r.flops && r.cpuMs ? r.flops / r.cpuMs / 1e6 : undefined, 2), fmt(r.ratio, 3), r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 3 && i <= 9 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const { gflops, gbps } = report.peak;
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + '\n' +
    `peak probe: matmul ${gflops ? gflops.toFixed(2) + ' GFLOP/s' : 'n/a'}, copy ${gbps ? gbps.toFixed(2) + ' GB/s' : 'n/a'}` +
    ' (% of peak: the better of GFLOP/s ÷ matmul peak and GB/s ÷ copy peak;' +
    ' cpu ms: CPU time per call of the threads other than the main JS thread, i.e. a software adapter\'s work, steadier than wall time on a busy machine)';
}
