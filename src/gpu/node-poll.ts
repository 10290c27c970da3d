// Node only. Dawn's Node binding waits for the GPU (mapAsync, onSubmittedWorkDone, async
// pipelines) by re-scheduling `wgpuInstanceProcessEvents` with the global `setImmediate` for as
// long as any promise is pending: a busy loop that kept one core (the main thread) at 100 % for
// the whole of every GPU pass, taking it from a software driver's threads. The binding looks
// `setImmediate` up on the global object each time, so wrapping it lets us space those polls out:
// the first polls of a wait stay immediate (short waits keep their latency), later ones back off
// to a delay of about a tenth of the time waited so far, at most MAX_DELAY_MS.

const MAX_DELAY_MS = 4;
const IMMEDIATE_FOR_MS = 0.5;

let installed = false;

/** Dawn's poll callback: a nameless native function (user code passes JS functions). */
function isNativePoll(fn: unknown): boolean {
  return typeof fn === 'function' && fn.name === '' && Function.prototype.toString.call(fn).includes('[native code]');
}

export function installPollBackoff(): void {
  if (installed) return;
  installed = true;
  const g = globalThis as unknown as { setImmediate: (fn: (...a: unknown[]) => void, ...args: unknown[]) => unknown };
  const immediate = g.setImmediate;
  let polling = false; // inside one of Dawn's polls: a schedule now continues the same wait
  let waitStart = 0;
  const run = (...call: unknown[]): void => {
    const [fn, args] = call as [(...a: unknown[]) => void, unknown[]];
    polling = true;
    try {
      fn(...args);
    } finally {
      polling = false;
    }
  };
  g.setImmediate = function setImmediate(fn: (...a: unknown[]) => void, ...args: unknown[]): unknown {
    if (!isNativePoll(fn)) return immediate(fn, ...args);
    const now = performance.now();
    if (!polling) waitStart = now;
    const waited = now - waitStart;
    if (waited < IMMEDIATE_FOR_MS) return immediate(run, fn, args);
    return setTimeout(run, Math.min(MAX_DELAY_MS, Math.max(1, Math.round(waited / 10))), fn, args);
  };
}
