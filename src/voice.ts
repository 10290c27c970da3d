// The demo voice that ships with flowgpu: a small Glow-TTS trained on espeak-ng's en-us voice
// (tools/train/, weights/README.md), spoken through Griffin-Lim, so `flowgpu speak "text"` works
// with nothing but the package. Node and Deno read it from the package's weights/ folder; browsers
// fetch it from the same place relative to the bundle's URL (or from a URL you give).

import type { Engine } from './gpu/engine.js';
import { FlowgpuError } from './gpu/errors.js';
import { loadCheckpoint } from './io/checkpoint.js';
import { GlowTTS } from './models/glowtts.js';

/** The demo voice's file, relative to the package root. */
export const DEMO_VOICE_FILE = 'weights/demo-voice.safetensors';

/** The vocoder the demo voice is meant for (Griffin-Lim needs no weights). */
export const DEMO_VOICE_VOCODER = 'griffinlim';

/** The package root's URL, from this module's URL (the bundles live in dist/ or dist/chunks/). */
function packageRootUrl(): URL {
  const here = import.meta.url;
  for (const marker of ['/dist/', '/dist-test/', '/src/']) {
    const i = here.lastIndexOf(marker);
    if (i >= 0) return new URL(here.slice(0, i + 1));
  }
  return new URL('../', here);
}

/** Where browsers fetch the demo voice from: `weights/demo-voice.safetensors` next to the package's dist/. */
export function demoVoiceUrl(): URL {
  return new URL(DEMO_VOICE_FILE, packageRootUrl());
}

interface DenoLike {
  readFile(path: string | URL): Promise<Uint8Array>;
  stat(path: string | URL): Promise<unknown>;
}

const deno = (): DenoLike | undefined => (globalThis as { Deno?: DenoLike }).Deno;
const isNode = (): boolean => typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string' && !deno();

/**
 * Node/Deno: the demo voice's path on disk. Looks in the package root found from this module's
 * URL, then in each parent folder of it (a bundle copied elsewhere still finds an installed package).
 */
export async function demoVoicePath(): Promise<string> {
  const d = deno();
  if (!isNode() && !d) throw new FlowgpuError('demoVoicePath: only in Node or Deno; in a browser use demoVoiceUrl()');
  const { fileURLToPath } = await import('node:url');
  const root = packageRootUrl();
  if (root.protocol !== 'file:') throw new FlowgpuError(`the demo voice is not on disk here (package at ${root.href}); fetch demoVoiceUrl() instead`);
  const exists = async (u: URL): Promise<boolean> => {
    try {
      if (d) await d.stat(u);
      else await (await import('node:fs/promises')).access(u);
      return true;
    } catch {
      return false;
    }
  };
  const tried: string[] = [];
  for (let u = root; ; u = new URL('../', u)) {
    const f = new URL(DEMO_VOICE_FILE, u);
    if (await exists(f)) return fileURLToPath(f);
    tried.push(fileURLToPath(f));
    if (u.pathname === '/' || new URL('../', u).href === u.href) break;
  }
  throw new FlowgpuError(
    `the demo voice ${DEMO_VOICE_FILE} is missing (looked in ${tried.slice(0, 3).join(', ')}${tried.length > 3 ? ', ...' : ''}); ` +
      'reinstall flowgpu, or pass a TTS model explicitly',
  );
}

/** The demo voice's bytes: read from disk in Node/Deno, fetched in browsers (from `url` if given). */
export async function demoVoiceBytes(url?: string | URL): Promise<Uint8Array> {
  if (url === undefined && (isNode() || deno())) {
    const path = await demoVoicePath();
    const d = deno();
    if (d) return d.readFile(path);
    return new Uint8Array(await (await import('node:fs/promises')).readFile(path));
  }
  const u = url ?? demoVoiceUrl();
  const res = await fetch(u);
  if (!res.ok) throw new FlowgpuError(`cannot fetch the demo voice from ${String(u)}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The demo voice as a loaded Glow-TTS model. */
export async function loadDemoVoice(engine: Engine, url?: string | URL): Promise<GlowTTS> {
  return GlowTTS.load(engine, loadCheckpoint(await demoVoiceBytes(url)));
}
