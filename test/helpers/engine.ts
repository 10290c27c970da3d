// One engine per test process, in whichever runtime runs the tests.
import { Engine } from '../../src/gpu/engine.js';

let engine: Promise<Engine> | null = null;

export function getEngine(): Promise<Engine> {
  engine ??= (async () => {
    const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
    if (nav?.gpu) return Engine.create({ gpu: nav.gpu, backend: 'navigator.gpu' });
    const { createNodeEngine } = await import('../../src/gpu/node-gpu.js');
    return createNodeEngine();
  })();
  return engine;
}

/** A new engine with an empty pipeline cache (for tests that count compiles); destroy it after. */
export async function newEngine(): Promise<Engine> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return Engine.create({ gpu: nav.gpu, backend: 'navigator.gpu' });
  const { createNodeEngine } = await import('../../src/gpu/node-gpu.js');
  return createNodeEngine();
}
