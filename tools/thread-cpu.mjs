#!/usr/bin/env node
// Runs a command and reports the CPU time of each of its threads (Linux /proc), sampled every
// 50 ms: how much the main JS thread spends while the driver's threads work (issue 17).
// Usage: node tools/thread-cpu.mjs <command> [args...]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: node tools/thread-cpu.mjs <command> [args...]');
  process.exit(2);
}
const tick = 100; // clock ticks per second on Linux
const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const threads = new Map(); // tid -> { comm, cpu, first, last }
const t0 = Date.now();

function sample() {
  let tids;
  try {
    tids = readdirSync(`/proc/${child.pid}/task`);
  } catch {
    return;
  }
  const at = (Date.now() - t0) / 1000;
  for (const tid of tids) {
    let stat;
    try {
      stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) / tick; // utime + stime
    const t = threads.get(tid) ?? { comm, cpu: 0, samples: [] };
    t.comm = comm;
    t.cpu = cpu;
    t.samples.push([at, cpu]);
    threads.set(tid, t);
  }
}
const timer = setInterval(sample, 50);
child.on('exit', (code) => {
  clearInterval(timer);
  const wall = (Date.now() - t0) / 1000;
  const main = threads.get(String(child.pid));
  // The driver's threads (lavapipe's are all named "node" too): the other threads that did real
  // work, at least a tenth of the busiest one's; the window is when any of them gained CPU.
  const others = [...threads].filter(([tid]) => tid !== String(child.pid)).map(([, t]) => t);
  const busiest = Math.max(0, ...others.map((t) => t.cpu));
  const driver = others.filter((t) => t.cpu >= busiest / 10 && t.cpu > 0);
  let from = Infinity;
  let to = -Infinity;
  for (const t of driver) {
    for (let i = 1; i < t.samples.length; i++) {
      if (t.samples[i][1] > t.samples[i - 1][1]) {
        from = Math.min(from, t.samples[i - 1][0]);
        to = Math.max(to, t.samples[i][0]);
      }
    }
  }
  const at = (t, s) => {
    let v = 0;
    for (const [x, c] of t.samples) if (x <= s) v = c;
    return v;
  };
  console.error(`\nthread-cpu: wall ${wall.toFixed(2)} s, exit ${code}`);
  for (const [tid, t] of [...threads].sort((a, b) => b[1].cpu - a[1].cpu)) {
    if (t.cpu > 0) console.error(`  ${tid === String(child.pid) ? 'main' : tid} ${t.comm.padEnd(18)} ${t.cpu.toFixed(2)} CPU-s`);
  }
  if (main && Number.isFinite(from)) {
    const span = to - from;
    const mainCpu = at(main, to) - at(main, from);
    const drvCpu = driver.reduce((s, t) => s + at(t, to) - at(t, from), 0);
    console.error(
      `  while the driver ran (${from.toFixed(2)}–${to.toFixed(2)} s, ${span.toFixed(2)} s): main thread ` +
        `${mainCpu.toFixed(2)} CPU-s = ${(mainCpu / span).toFixed(3)} CPU-s per wall s; driver threads ${drvCpu.toFixed(2)} CPU-s`,
    );
  }
  process.exitCode = code ?? 1;
});
