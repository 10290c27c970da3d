// Streaming: vocoder windows joined equal one pass (WaveGlow, HiFi-GAN goldens, same noise);
// Griffin-Lim windows stay within the stated bound of one pass; word timings equal the golden
// Glow-TTS durations; sentences split where the front end would stop.
import { griffinLimVocoder, loadModel, type LoadedHiFiGAN, speak, synthesize } from '../../src/api.js';
import type { Engine } from '../../src/gpu/engine.js';
import { loadCheckpoint, toFloat32, withPrefix } from '../../src/io/checkpoint.js';
import { GlowTTS } from '../../src/models/glowtts.js';
import { WaveGlow } from '../../src/models/waveglow.js';
import { type AudioChunk, GL_CONTEXT, MelWindows, speakStream, splitSentences, vocodeStream, windowPlan } from '../../src/stream.js';
import { textToIds } from '../../src/text/index.js';
import { timingsFromAttention, timingsFromDurations } from '../../src/timings.js';
import { assert, assertArrayEqual, assertClose, assertEqual, relMaxError } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { goldenTensor as get, ints, readGolden } from '../helpers/files.js';
import { stftRef } from '../reference/stft.js';

/** The bound for the exact vocoders: max |stream − one pass| / max |one pass|. */
const EXACT = 1e-5;

async function collect(chunks: AsyncIterable<Float32Array>): Promise<{ audio: Float32Array; count: number }> {
  const parts: Float32Array[] = [];
  for await (const c of chunks) parts.push(c);
  const audio = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    audio.set(p, o);
    o += p.length;
  }
  return { audio, count: parts.length };
}

describe('streaming vocoders', () => {
  let e: Engine;
  before(async () => {
    e = await getEngine();
  });

  it('WaveGlow (golden waveglow-small): windows joined equal one pass and the golden audio', async () => {
    const g = loadCheckpoint(await readGolden('waveglow-small.safetensors'));
    const m = await WaveGlow.load(e, withPrefix(g, 'weights.'));
    try {
      const melT = get(g, 'input.mel');
      const mel = toFloat32(melT);
      const frames = melT.shape[2]!;
      const noise = [0, 1, 2].map((i) => toFloat32(get(g, `input.noise.${i}`)));
      const whole = await m.infer(mel, frames, { sigma: 0.6, noise });
      // 64 group steps first (the receptive field is 180): windows of 64, 128, 256, 320.
      const s = await collect(m.stream(mel, frames, { sigma: 0.6, noise, firstWindow: 64 }));
      assertEqual(s.count, 4, 'windows');
      assertClose(s.audio, whole, EXACT, 'stream vs one pass');
      assertClose(s.audio, toFloat32(get(g, 'output.audio')), 1e-3, 'stream vs golden');
    } finally {
      m.release();
    }
  });

  for (const name of ['hifigan-small', 'hifigan-v3like']) {
    it(`HiFi-GAN (golden ${name}): windows with its receptive field joined equal one pass`, async () => {
      const g = loadCheckpoint(await readGolden(`${name}.safetensors`));
      const v = (await loadModel(e, withPrefix(g, 'weights.'))) as LoadedHiFiGAN;
      try {
        const melT = get(g, 'input.mel');
        const mel = toFloat32(melT);
        const frames = melT.shape[2]!;
        const ctx = v.model.receptiveField();
        assert(ctx > 4 && ctx < frames * 4, `receptive field ${ctx} frames`);
        const whole = await v.model.infer(mel, frames);
        const s = await collect(vocodeStream(v, mel, frames, {}, 4));
        assert(s.count >= 3, `${s.count} windows`);
        assertClose(s.audio, whole, EXACT, 'stream vs one pass');
        assertClose(s.audio, toFloat32(get(g, 'output.audio')), 1e-3, 'stream vs golden');
        // Half the context is not enough: the seams then differ (the field is not overstated by much).
        const short = new MelWindows({ ...windowPlan(v, {}, 4), context: ctx >> 1 });
        short.pushChannels(mel, frames);
        const cut = await collect(short.drain(true));
        assert(relMaxError(cut.audio, whole) > EXACT, 'windows with half the context should differ from one pass');
      } finally {
        v.release();
      }
    });
  }

  it(`Griffin-Lim: windows (${GL_CONTEXT} frames of context, cross-faded) keep the spectrogram of one pass within 0.25`, async () => {
    // Small geometry for speed; a smooth mel with moving formants, 160 frames.
    const cfg = { sampleRate: 8000, nFft: 64, hop: 16, nMel: 20, fmin: 0, fmax: 4000, iterations: 32 };
    const v = await griffinLimVocoder(e, cfg);
    try {
      const frames = 160;
      const mel = new Float32Array(cfg.nMel * frames);
      for (let m = 0; m < cfg.nMel; m++) {
        for (let t = 0; t < frames; t++) {
          const f1 = 4 + 3 * Math.sin(t / 17);
          const f2 = 12 + 4 * Math.cos(t / 23);
          mel[m * frames + t] = -6 + 5 * Math.exp(-((m - f1) ** 2) / 4) + 4 * Math.exp(-((m - f2) ** 2) / 6);
        }
      }
      const whole = await v.model.infer(mel, frames);
      const s = await collect(vocodeStream(v, mel, frames, {}, 16));
      assertEqual(s.audio.length, whole.length, 'samples');
      assert(s.count >= 3, `${s.count} windows`);
      // The bound: ‖|STFT(stream)| − |STFT(one pass)|‖ / ‖|STFT(one pass)|‖ ≤ 0.25 (Frobenius).
      const a = stftRef(s.audio, cfg.nFft, cfg.hop);
      const b = stftRef(whole, cfg.nFft, cfg.hop);
      let diff = 0;
      let ref = 0;
      for (let i = 0; i < a.re.length; i++) {
        const ma = Math.hypot(a.re[i]!, a.im[i]!);
        const mb = Math.hypot(b.re[i]!, b.im[i]!);
        diff += (ma - mb) ** 2;
        ref += mb ** 2;
      }
      const rel = Math.sqrt(diff / ref);
      console.log(`      Griffin-Lim stream vs one pass: spectral difference ${rel.toFixed(3)} over ${s.count} windows`);
      assert(rel <= 0.25, `spectral difference ${rel} > 0.25`);
      assert(s.audio.every(Number.isFinite), 'finite');
      // The vocoder options reach every window: the config's 32 iterations given explicitly are the default, 1 is not.
      assertClose((await collect(vocodeStream(v, mel, frames, { iterations: cfg.iterations }, 16))).audio, s.audio, 0, 'iterations 32');
      const one = (await collect(vocodeStream(v, mel, frames, { iterations: 1 }, 16))).audio;
      assert(one.some((x, i) => x !== s.audio[i]), 'iterations 1 renders other audio than 32');
    } finally {
      v.release();
    }
  });
});

describe('word timings', () => {
  it('of the golden Glow-TTS utterance equal the sums of its golden durations', async () => {
    const g = loadCheckpoint(await readGolden('glowtts-small.safetensors'));
    const tts = await GlowTTS.load(await getEngine(), withPrefix(g, 'weights.'));
    try {
      const ids = ints(get(g, 'input.text'));
      const attn = toFloat32(get(g, 'output.attn'));
      const frames = get(g, 'output.mel').shape[2]!;
      const golden = Array.from({ length: ids.length }, (_, i) => attn.subarray(i * frames, (i + 1) * frames).reduce((s, x) => s + x, 0));
      const r = await tts.synthesize(ids, { noise: toFloat32(get(g, 'input.noise')) });
      // Four "words" over the 21 tokens.
      const words = [[0, 3], [3, 8], [8, 15], [15, 21]].map(([from, to], i) => ({ word: `w${i}`, from: from!, to: to! }));
      const t = timingsFromDurations(words, r.durations, r.frames, 256 / 22050);
      words.forEach((w, i) => {
        const start = golden.slice(0, w.from).reduce((s, x) => s + x, 0);
        const len = golden.slice(w.from, w.to).reduce((s, x) => s + x, 0);
        assertEqual(Math.round((t[i]!.start * 22050) / 256), start, `${w.word} start frame`);
        assertEqual(Math.round(((t[i]!.end - t[i]!.start) * 22050) / 256), len, `${w.word} frames`);
      });
      assertEqual(t.at(-1)!.end, (frames * 256) / 22050, 'the last word ends with the mel');
    } finally {
      tts.release();
    }
  });

  it('from text: every word of the front end, in order, covering its tokens (Glow-TTS through synthesize)', async () => {
    const g = loadCheckpoint(await readGolden('glowtts-small.safetensors'));
    const tts = await loadModel(await getEngine(), withPrefix(g, 'weights.'));
    try {
      const r = await synthesize(tts, 'Hello there, Dr. Smith: 21 cats.');
      assertEqual(r.words!.map((w) => w.word).join(' '), 'hello there doctor smith twenty-one cats', 'words');
      const words = (await textToIds('glowtts', 'Hello there, Dr. Smith: 21 cats.')).words!;
      const d = r.durations!;
      words.forEach((w, i) => {
        let start = 0;
        for (let k = 0; k < w.from; k++) start += d[k]!;
        assertEqual(Math.round((r.words![i]!.start * r.sampleRate) / 256), start, `${w.word} start`);
      });
    } finally {
      tts.release();
    }
  });

  it('word spans keep the ids and map through add_blank', async () => {
    const plain = await textToIds('glowtts', 'A quick test.');
    const blank = await textToIds('glowtts', 'A quick test.', { addBlank: true });
    // "test." is not in the dictionary with its full stop, so it is spelled out (as the original does).
    assertArrayEqual(plain.words!.map((w) => w.to - w.from), [1, 4, 5], 'tokens per word');
    for (const [i, w] of blank.words!.entries()) {
      const p = plain.words![i]!;
      assertArrayEqual(blank.ids.slice(w.from, w.to).filter((_, k) => k % 2 === 0), plain.ids.slice(p.from, p.to), `${w.word} tokens`);
    }
    const f = await textToIds('flowtron', 'Flowtron speaks, quickly.');
    assertEqual(f.words!.map((w) => w.word).join('|'), 'Flowtron|speaks|quickly', 'flowtron words');
    const c = await textToIds('cset', 'Hello, world.');
    assertEqual(c.words!.length, 2, 'cset words');
  });

  it('from attention: the most attended token decides the word, in order', () => {
    // 3 tokens × 6 frames: token 0 for frames 0–1, token 2 for 2–4, token 1 for 5 (out of order: b is skipped).
    const tokens = 3;
    const frames = 6;
    const data = new Float32Array(tokens * frames);
    [0, 0, 2, 2, 2, 1].forEach((tok, f) => (data[tok * frames + f] = 1));
    const t = timingsFromAttention([{ word: 'a', from: 0, to: 1 }, { word: 'b', from: 1, to: 2 }, { word: 'c', from: 2, to: 3 }], { data, tokens, frames }, 1);
    assertArrayEqual(t.flatMap((w) => [w.start, w.end]), [0, 2, 2, 2, 2, 5], 'timings');
  });
});

describe('splitSentences', () => {
  it('splits at . ! ? and blank lines, not after the abbreviations the cleaners read out', () => {
    const s = splitSentences('Dr. Smith arrived. Was it late? "Yes!" he said...\n\nNo. 5 is next. 3.5 percent');
    assertEqual(s.join(' | '), 'Dr. Smith arrived. | Was it late? | "Yes!" | he said... | No. 5 is next. | 3.5 percent', 'sentences');
    assertEqual(splitSentences('  ').length, 0, 'blank');
    assertEqual(splitSentences('Hi. ... Bye.').join('|'), 'Hi. ...|Bye.', 'punctuation joins the sentence before');
  });
});

describe('speakStream', () => {
  it('Flowtron + HiFi-GAN: frames stream out of the last flow in blocks; the chunks equal one pass; words from the attention', async () => {
    const e = await getEngine();
    const tts = await loadModel(e, withPrefix(loadCheckpoint(await readGolden('flowtron-small.safetensors')), 'weights.'));
    const voc = await loadModel(e, withPrefix(loadCheckpoint(await readGolden('hifigan-small.safetensors')), 'weights.'));
    try {
      const o = { gateThreshold: null, maxFrames: 96, seed: 7 };
      const whole = await speak(tts, voc, 'Hello there, world.', o);
      // The blocks: 96 frames in blocks of 32 (the fused step finishes a block's last frame with the next block).
      const blocks: { from: number; rows: Float32Array }[] = [];
      const s = await synthesize(tts, 'Hello there, world.', { ...o, onFrames: (rows, from) => void blocks.push({ from, rows }) });
      assert(blocks.length >= 3, `${blocks.length} blocks`);
      let next = 0;
      for (const b of blocks) {
        assertEqual(b.from, next, 'blocks in order');
        for (let t = 0; t < b.rows.length / 80; t++) for (let m = 0; m < 80; m++) assertEqual(b.rows[t * 80 + m], s.mel[m * s.frames + b.from + t], `frame ${b.from + t}`);
        next += b.rows.length / 80;
      }
      assertEqual(next, s.frames, 'every frame');
      const chunks: AudioChunk[] = [];
      for await (const c of speakStream(tts, voc, 'Hello there, world.', { ...o, firstWindow: 8 })) chunks.push(c);
      assert(chunks.length >= 4, `${chunks.length} chunks`);
      chunks.forEach((c, i) => assertEqual(c.start, i === 0 ? 0 : chunks[i - 1]!.start + chunks[i - 1]!.audio.length, `chunk ${i} start`));
      const joined = await collect((async function* () {
        for (const c of chunks) yield c.audio;
      })());
      assertClose(joined.audio, whole.audio, EXACT, 'stream vs one pass');
      const words = chunks.flatMap((c) => c.words ?? []);
      assertEqual(words.map((w) => w.word).join(' '), 'Hello there world', 'words');
      assert(words.every((w, i) => w.end >= w.start && (i === 0 || w.start >= words[i - 1]!.end)), 'timings in order');
    } finally {
      tts.release();
      voc.release();
    }
  });

  it('splits sentences, keeps chunks contiguous, and stops on abort', async () => {
    const e = await getEngine();
    const tts = await loadModel(e, withPrefix(loadCheckpoint(await readGolden('glowtts-small.safetensors')), 'weights.'));
    const voc = await loadModel(e, withPrefix(loadCheckpoint(await readGolden('hifigan-small.safetensors')), 'weights.'));
    try {
      const text = 'One two three. Four five six!';
      const chunks: AudioChunk[] = [];
      for await (const c of speakStream(tts, voc, text, { firstWindow: 8 })) chunks.push(c);
      assertEqual(new Set(chunks.map((c) => c.sentence)).size, 2, 'sentences');
      const first = await speak(tts, voc, 'One two three.');
      const s0 = chunks.filter((c) => c.sentence === 0);
      const joined = await collect((async function* () {
        for (const c of s0) yield c.audio;
      })());
      assertClose(joined.audio, first.audio, EXACT, 'first sentence vs one pass');
      const words = chunks.flatMap((c) => c.words ?? []);
      assertEqual(words.map((w) => w.word).join(' '), 'one two three four five six', 'words');
      assert(Math.abs(words[3]!.start - first.audio.length / 22050) < 1e-9, 'the second sentence starts where the first audio ends');
      const ac = new AbortController();
      let got = 0;
      let err: unknown = null;
      try {
        for await (const _ of speakStream(tts, voc, text, { firstWindow: 8, signal: ac.signal })) {
          got++;
          ac.abort();
        }
      } catch (x) {
        err = x;
      }
      assertEqual(got, 1, 'chunks after abort');
      assert(err !== null && (err as Error).name === 'AbortError', `rejects with the abort reason, got ${String(err)}`);
    } finally {
      tts.release();
      voc.release();
    }
  });
});
