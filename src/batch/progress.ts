// Progress of a long run on the command line: a bar with rate and ETA (cli-progress) when stderr
// is a terminal, one plain line per finished item otherwise (logs, CI, pipes).

import { Presets, SingleBar } from 'cli-progress';

export interface ProgressReporter {
  start(total: number): void;
  /** One item finished; `note` (an id and its status) is printed on the plain line. */
  tick(finished: number, failed: number, note: string): void;
  /** A message that must not be drawn over by the bar. */
  log(message: string): void;
  stop(): void;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** Lines per minute since `started` (ms), and the seconds left for `left` more at that rate. */
function rateAndEta(started: number, finished: number, left: number): { perMin: number; eta: number } {
  const minutes = (Date.now() - started) / 60000;
  const perMin = minutes > 0 ? finished / minutes : 0;
  return { perMin, eta: perMin > 0 ? (left / perMin) * 60 : Infinity };
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  let total = 0;
  let started = Date.now();
  if (stream.isTTY) {
    const bar = new SingleBar(
      { stream, format: ' {bar} {value}/{total} lines | {rate}/min | ETA {eta_formatted} | failed {failed}', hideCursor: true, etaBuffer: 20 },
      Presets.shades_classic,
    );
    return {
      start(n) {
        total = n;
        started = Date.now();
        bar.start(n, 0, { rate: '0', failed: 0 });
      },
      tick(finished, failed) {
        bar.update(finished, { rate: rateAndEta(started, finished, total - finished).perMin.toFixed(1), failed });
      },
      log(message) {
        stream.write(`\r\x1b[K${message}\n`);
        bar.render();
      },
      stop: () => bar.stop(),
    };
  }
  return {
    start(n) {
      total = n;
      started = Date.now();
    },
    tick(finished, failed, note) {
      const { perMin, eta } = rateAndEta(started, finished, total - finished);
      stream.write(`[${finished}/${total}] ${note} (${perMin.toFixed(1)} lines/min, ETA ${formatSeconds(eta)}${failed ? `, ${failed} failed` : ''})\n`);
    },
    log: (message) => void stream.write(`${message}\n`),
    stop: () => undefined,
  };
}
