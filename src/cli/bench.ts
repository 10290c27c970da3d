// `flowgpu bench [--full] [--only <substring>] [--json out.json]`: times every kernel (and the
// models' benchmarks) on this machine's adapter, prints a table and writes JSON. Without --full
// the shapes are small enough to finish in minutes on a software adapter; --full runs the
// published sizes.
import { writeFileSync } from 'node:fs';
import { benchTable, progressLine, runBench } from '../bench/run.js';
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
  const report = await runBench(e, { full: args.full, only: args.only, onRow: (r, s) => process.stderr.write(progressLine(r, s) + '\n') });
  process.stdout.write(benchTable(report) + '\n');
  writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`wrote ${args.json} (${report.seconds.toFixed(0)} s)\n`);
  e.destroy();
}
