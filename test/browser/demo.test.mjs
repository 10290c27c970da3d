// The demo page end to end in headless Chromium (SwiftShader): the "WaveGlow golden" action
// vocodes the golden mel with the golden noise and the samples are checked against PyTorch's;
// the XSpkEmoTrans + HiFi-GAN golden speaks its token ids (mel checked against the fixture's
// hard-path mel, audio finite and non-empty, the mel canvas drawn). A screenshot of the page is
// saved to out/test-artifacts/demo.png. Needs dist/demo/app.js (node examples/web/build.mjs).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** The tensors of a safetensors file as Float32Arrays (F32 and I64 only: what the fixtures hold). */
function readSafetensors(path) {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  const base = 8 + n;
  const get = (name) => {
    const h = header[name];
    if (!h) throw new Error(`${path}: no tensor ${name}`);
    const [s, e] = h.data_offsets;
    const bytes = buf.subarray(base + s, base + e);
    const copy = new Uint8Array(bytes).buffer; // aligned
    if (h.dtype === 'F32') return { data: new Float32Array(copy), shape: h.shape };
    if (h.dtype === 'I64') return { data: Float32Array.from(new BigInt64Array(copy), Number), shape: h.shape };
    throw new Error(`${name}: dtype ${h.dtype}`);
  };
  return { get, names: Object.keys(header).filter((k) => k !== '__metadata__'), metadata: header.__metadata__ ?? {} };
}

function relErr(got, ref, what) {
  if (got.length !== ref.length) throw new Error(`${what}: ${got.length} values, the reference has ${ref.length}`);
  let maxErr = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    maxErr = Math.max(maxErr, Number.isNaN(d) ? Infinity : d);
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  return maxErr / maxRef;
}

/** Clicks a button and waits until the page's action counter moves; throws the page's error. */
async function runAction(page, id, timeout) {
  await page.waitForFunction((sel) => !document.querySelector(sel).disabled && !window.flowgpuDemo.busy, { timeout: 5 * 60_000 }, `#${id}`);
  const before = await page.evaluate(() => window.flowgpuDemo.completed);
  await page.click(`#${id}`);
  await page.waitForFunction((n) => window.flowgpuDemo.completed > n && !window.flowgpuDemo.busy, { timeout, polling: 250 }, before);
  const r = await page.evaluate(() => ({ action: window.flowgpuDemo.lastAction, error: window.flowgpuDemo.lastError, status: window.flowgpuDemo.status }));
  if (r.error) throw new Error(`${id}: the page reports: ${r.error}`);
  if (r.action !== id) throw new Error(`${id}: the last action was ${r.action}`);
  return r;
}

/**
 * The Glow-TTS + HiFi-GAN goldens speak two sentences as a stream: playback must start before
 * synthesis ends, every chunk must be scheduled (on the AudioContext clock, before its time) to
 * start exactly where the previous one ends, and the spoken word must be highlighted.
 */
export async function checkStreaming(page) {
  await runAction(page, 'golden-glowtts', 10 * 60_000);
  await page.evaluate(() => {
    const t = document.getElementById('text');
    t.value = 'One two three four five six seven eight nine ten. Eleven twelve thirteen.'; // 54 + 36 frames: ≥ 3 chunks
    t.dispatchEvent(new Event('input'));
  });
  await runAction(page, 'stream', 10 * 60_000);
  const st = await page.evaluate(() => window.flowgpuDemo.lastStream);
  if (!st) throw new Error('the stream action recorded nothing');
  const { chunks, sampleRate } = st;
  console.log(`      demo page: stream of ${chunks.length} chunks, first audio after ${(st.firstAudioMs / 1000).toFixed(2)} s, playback started ${((st.synthesisEndedAt - st.playbackStartedAt) / 1000).toFixed(2)} s before synthesis ended, ${st.stalls} stall(s)`);
  if (chunks.length < 3) throw new Error(`only ${chunks.length} chunks were streamed`);
  if (!(st.playbackStartedAt !== null && st.playbackStartedAt < st.synthesisEndedAt)) {
    throw new Error(`playback started at ${st.playbackStartedAt} ms, synthesis ended at ${st.synthesisEndedAt} ms: not streamed`);
  }
  for (let k = 1; k < chunks.length; k++) {
    const [a, b] = [chunks[k - 1], chunks[k]];
    if (b.start !== a.start + a.length) throw new Error(`chunk ${k} starts at sample ${b.start}, the previous one ends at ${a.start + a.length}`);
    const gap = (b.when - a.when) * sampleRate - a.length;
    if (!(Math.abs(gap) < 1e-3)) throw new Error(`chunk ${k} is scheduled ${gap} samples off the end of chunk ${k - 1}`);
  }
  const late = chunks.filter((c) => c.late).length;
  if (late) throw new Error(`${late} chunk(s) were scheduled after their start time had passed (a gap)`);
  if (!/first audio after/.test(await page.$eval('#ttfa', (el) => el.textContent))) throw new Error('the time to first audio is not shown');
  const words = st.words.map((w) => w.word).join(' ');
  if (words !== 'one two three four five six seven eight nine ten eleven twelve thirteen') throw new Error(`words: ${words}`);
  await page.waitForSelector('#words span.spoken', { timeout: 30_000 });
}

export async function run(page, origin) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const bundle = await fetch(`${origin}/dist/demo/app.js`, { method: 'HEAD' });
  if (!bundle.ok) throw new Error('dist/demo/app.js is missing: build the page bundle first (node examples/web/build.mjs)');
  await page.setViewport({ width: 1100, height: 900, deviceScaleFactor: 1 });
  await page.goto(`${origin}/examples/web/`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.flowgpuDemo !== undefined, { timeout: 60_000 });
  await page.evaluate(() => window.flowgpuDemo.ready);

  // 1. WaveGlow golden: the page vocodes input.mel with input.noise.* at the fixture's sigma.
  const wg = readSafetensors(join(root, '../shared/golden/waveglow-small.safetensors'));
  await runAction(page, 'golden-waveglow', 10 * 60_000);
  const audio = new Float32Array(await page.evaluate(() => Array.from(window.flowgpuDemo.lastAudio)));
  const err = relErr(audio, wg.get('output.audio').data, 'WaveGlow audio');
  console.log(`      demo page: WaveGlow golden max |err| / max |ref| = ${err.toExponential(2)} over ${audio.length} samples`);
  if (!(err < 1e-3)) throw new Error(`WaveGlow golden through the demo page: max |err| / max |ref| = ${err} (tolerance 1e-3)`);

  // 2. XSpkEmoTrans + HiFi-GAN golden: token ids → mel (hard emotion token) → audio.
  const cs = readSafetensors(join(root, '../shared/golden/cset-small.safetensors'));
  await runAction(page, 'golden-cset', 10 * 60_000);
  const got = await page.evaluate(() => {
    const d = window.flowgpuDemo;
    const c = document.getElementById('mel');
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] > 60) lit++;
    return {
      audio: Array.from(d.lastAudio), sampleRate: d.lastSampleRate, mel: Array.from(d.lastMel.data), nMel: d.lastMel.nMel,
      frames: d.lastMel.frames, canvas: [c.width, c.height], lit, attention: d.lastAttention,
    };
  });
  // The last decoder iteration is the output: [1, frames, n_mel].
  const lastIter = Math.max(...cs.names.filter((k) => k.startsWith('output.hard.mel.')).map((k) => Number(k.split('.').pop())));
  const ref = cs.get(`output.hard.mel.${lastIter}`);
  const [, refFrames, refMels] = ref.shape;
  if (got.nMel !== refMels || got.frames !== refFrames) throw new Error(`XSpkEmoTrans mel is [${got.nMel}, ${got.frames}], the fixture's [${refMels}, ${refFrames}]`);
  const refT = new Float32Array(ref.data.length);
  for (let t = 0; t < refFrames; t++) for (let m = 0; m < refMels; m++) refT[m * refFrames + t] = ref.data[t * refMels + m];
  const melErr = relErr(got.mel, refT, 'XSpkEmoTrans mel');
  console.log(`      demo page: XSpkEmoTrans golden mel max |err| / max |ref| = ${melErr.toExponential(2)}; ${got.audio.length} samples at ${got.sampleRate} Hz`);
  if (!(melErr < 1e-3)) throw new Error(`XSpkEmoTrans mel through the demo page: max |err| / max |ref| = ${melErr}`);
  if (got.audio.length !== got.frames * 256) throw new Error(`HiFi-GAN gave ${got.audio.length} samples for ${got.frames} frames`);
  if (!got.audio.every(Number.isFinite)) throw new Error('HiFi-GAN audio has non-finite samples');
  if (!got.audio.some((v) => v !== 0)) throw new Error('HiFi-GAN audio is all zeros');
  if (got.canvas[0] !== got.frames || got.canvas[1] !== got.nMel || got.lit < got.frames) {
    throw new Error(`the mel canvas did not draw the mel (canvas ${got.canvas.join('×')}, ${got.lit} lit pixels)`);
  }
  if (!got.attention || got.attention.frames !== got.frames) throw new Error('the attention map was not drawn');

  // 3. Flowtron latent map: the fixture's posterior mels under each speaker → PCA → WebGPU points.
  await runAction(page, 'golden-refs', 5 * 60_000);
  await runAction(page, 'latent-map', 10 * 60_000);
  const pts = await page.evaluate(() => window.flowgpuDemo.lastLatents);
  if (!pts || pts.length !== 9 || !pts.every((p) => [p.x, p.y, p.z].every(Number.isFinite))) {
    throw new Error(`latent map: expected 9 finite points, got ${JSON.stringify(pts)}`);
  }
  if (new Set(pts.map((p) => p.label)).size !== 3) throw new Error('latent map: expected 3 labels (speakers)');

  // 4. Streaming: chunks scheduled back to back on the AudioContext clock while synthesis goes on.
  await checkStreaming(page);

  // The page as a user sees it, for the artefacts.
  const outDir = join(root, 'out/test-artifacts');
  mkdirSync(outDir, { recursive: true });
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  await page.screenshot({ path: join(outDir, 'demo.png'), fullPage: true });
  const real = errors.filter((e) => !/favicon|Failed to load resource/.test(e));
  if (real.length) throw new Error(`page errors: ${real.join(' | ')}`);
}
