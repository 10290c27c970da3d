// The bench page: `flowgpu bench` on the visitor's own GPU (src/bench/run.ts), the table on the
// page and bench.json downloaded. `?run=quick|full&only=…&download=0` starts it at once (tests).
import { benchTable, type BenchReport, progressLine, runBench } from '../../src/bench/run.js';
import { Engine } from '../../src/gpu/engine.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const status = $<HTMLParagraphElement>('status');
const log = $<HTMLPreElement>('log');
const table = $<HTMLPreElement>('table');
const download = $<HTMLAnchorElement>('download');
const buttons = [$<HTMLButtonElement>('quick'), $<HTMLButtonElement>('full')];

/** What the page test reads: the report once done, or the error. */
const state = window as unknown as { __bench: { done: boolean; report?: BenchReport; error?: string } };
state.__bench = { done: false };

async function start(full: boolean, only: string, save: boolean): Promise<void> {
  buttons.forEach((b) => (b.disabled = true));
  log.textContent = '';
  table.textContent = '';
  let engine: Engine | undefined;
  try {
    engine = await Engine.create();
    status.textContent = `adapter: ${engine.adapterName}${engine.info.isFallback ? ' (software fallback)' : ''}; running ${full ? 'full' : 'quick'}…`;
    const report = await runBench(engine, { full, only: only || undefined, onRow: (r, s) => { log.textContent += progressLine(r, s) + '\n'; } });
    table.textContent = benchTable(report);
    status.textContent = `adapter: ${report.adapter}; ${report.rows.length} rows in ${report.seconds.toFixed(0)} s`;
    download.href = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2) + '\n'], { type: 'application/json' }));
    download.hidden = false;
    if (save) download.click();
    state.__bench = { done: true, report };
  } catch (err) {
    status.textContent = `failed: ${(err as Error)?.message ?? err}`;
    state.__bench = { done: true, error: String((err as Error)?.message ?? err) };
  } finally {
    engine?.destroy();
    buttons.forEach((b) => (b.disabled = false));
  }
}

const only = $<HTMLInputElement>('only');
buttons[0]!.onclick = () => void start(false, only.value, true);
buttons[1]!.onclick = () => void start(true, only.value, true);
const q = new URLSearchParams(location.search);
if (q.has('run')) {
  only.value = q.get('only') ?? '';
  void start(q.get('run') === 'full', only.value, q.get('download') !== '0');
}
