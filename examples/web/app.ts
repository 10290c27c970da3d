// The flowgpu demo page: load a TTS model and a vocoder (files from disk, or the golden
// fixtures served at /shared/golden/), speak text, see the mel and the attention, play and
// download the audio; Flowtron styles from reference clips with an A↔B slider; a WebGPU view of
// the references' latents. Everything runs in this page on WebGPU.
//
// Tests drive it through `window.flowgpuDemo` (see `Demo` below).
import {
  aggregateStyle, checkPair, decodeWav, demoVoiceUrl, encodeWav, Engine, FlowgpuError, griffinLimVocoder, interpolateStyle,
  loadCheckpoint, loadDemoVoiceModels, loadModel, modelName, pca, readNpy, readSource, referenceFromAudio, synthesize, textToIds, toFloat32, toMono, TTS_KINDS,
  VOCODER_KINDS, vocode, speakStream,
  type Checkpoint, type LoadedModel, type SynthesisOutput, type SynthesizeOptions, type WordTiming,
} from '../../src/index.js';
import type { ReferenceMel } from '../../src/models/cset.js';
import { drawHeatmap, drawPlaceholder, drawWaveform } from './draw.js';
import { type Scheduled, StreamPlayer } from './player.js';
import { LatentView } from './latent.js';

// ---------------------------------------------------------------------------------------------
// Page state and the test hook

interface Reference {
  name: string;
  label: string;
  /** Log mel `[nMel, frames]`. */
  mel: Float32Array;
  frames: number;
  text?: string;
  ids?: number[];
  speaker: number;
  /** Flowtron posterior z `[nMel, frames]`, cached per loaded model. */
  z?: { data: Float32Array; frames: number; model: unknown };
}

interface Demo {
  /** Resolves once WebGPU is up (rejects when the page has no WebGPU). */
  ready: Promise<void>;
  adapter: string;
  busy: boolean;
  /** Increments after every action, finished or failed. */
  completed: number;
  lastAction: string;
  lastError: string | null;
  status: string;
  lastAudio: Float32Array | null;
  lastSampleRate: number;
  lastMel: { data: Float32Array; nMel: number; frames: number } | null;
  lastAttention: { tokens: number; frames: number } | null;
  lastLatents: { label: string; x: number; y: number; z: number }[] | null;
  /** The last streamed run: when playback started and synthesis ended (performance.now()), each chunk's schedule. */
  lastStream: {
    firstAudioMs: number; synthesisEndedAt: number; playbackStartedAt: number | null; sampleRate: number;
    chunks: Scheduled[]; words: WordTiming[]; stalls: number;
  } | null;
  tts: string | null;
  vocoder: string | null;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo page: no #${id}`);
  return el as T;
};

let engine: Engine | null = null;
let latentView: LatentView | null = null;
let tts: LoadedModel | null = null;
let vocoder: LoadedModel | null = null;
/** Token ids of a golden fixture, spoken instead of the text until the text is edited. */
let goldenIds: number[] | null = null;
let speakerEmbedding: { data: Float32Array; name: string } | null = null;
let emotionRef: { ref: ReferenceMel; name: string } | null = null;
let refs: Reference[] = [];
let styles: { a: { mu: Float32Array; frames: number }; b: { mu: Float32Array; frames: number }; names: [string, string] } | null = null;
let useStyle = false;
let audioUrl: string | null = null;
let audioCtx: AudioContext | null = null;
/** Whether weights/demo-voice.safetensors is served (the voice of issue 9). */
let demoVoiceAvailable = false;

let resolveReady!: () => void;
let rejectReady!: (e: unknown) => void;
const demo: Demo = {
  ready: new Promise<void>((ok, fail) => {
    resolveReady = ok;
    rejectReady = fail;
  }),
  adapter: '', busy: false, completed: 0, lastAction: '', lastError: null, status: '',
  lastAudio: null, lastSampleRate: 0, lastMel: null, lastAttention: null, lastLatents: null, lastStream: null, tts: null, vocoder: null,
};
demo.ready.catch(() => {}); // reported on the page; tests await it themselves
(window as unknown as { flowgpuDemo: Demo }).flowgpuDemo = demo;

// ---------------------------------------------------------------------------------------------
// Small helpers

function fmtBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.max(1, Math.round(n / 1024))} KiB`;
}

function setStatus(el: HTMLElement, text: string, kind: 'muted' | 'ok' | 'error' | 'busy' = 'muted'): void {
  el.textContent = text;
  el.className = `status ${kind}`;
  if (el.id === 'synth-status' || kind === 'error') demo.status = text;
}

function num(id: string, fallback: number): number {
  const v = Number(($(id) as HTMLInputElement).value);
  return Number.isFinite(v) ? v : fallback;
}

function setNum(id: string, v: number): void {
  ($(id) as HTMLInputElement).value = String(v);
}

function message(err: unknown): string {
  if (err instanceof FlowgpuError) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

const ACTION_BUTTONS = ['demo-voice', 'griffinlim', 'golden-glowtts', 'golden-flowtron', 'golden-cset', 'golden-waveglow', 'golden-refs', 'speak', 'stream', 'build-styles', 'latent-map'];

function refreshControls(): void {
  const kind = tts?.kind ?? null;
  const vkind = vocoder?.kind ?? null;
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-for]'))) {
    const kinds = el.dataset.for!.split(' ');
    const on = kind === null || kinds.includes(kind);
    if (el.tagName === 'SECTION') el.classList.toggle('inactive', !(kind !== null && kinds.includes(kind)));
    else el.hidden = !on;
  }
  if (tts?.kind === 'glowtts' && tts.model.config.nSpeakers <= 1) $('speaker').parentElement!.hidden = true;
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-vocoder]'))) el.hidden = vkind !== null && vkind !== el.dataset.vocoder;
  const ready = engine !== null && !demo.busy;
  for (const id of ACTION_BUTTONS) ($(id) as HTMLButtonElement).disabled = !ready;
  ($('demo-voice') as HTMLButtonElement).disabled = !ready || !demoVoiceAvailable;
  ($('speak') as HTMLButtonElement).disabled = !ready || !tts;
  ($('stream') as HTMLButtonElement).disabled = !ready || !tts || !vocoder;
  ($('build-styles') as HTMLButtonElement).disabled = !ready || tts?.kind !== 'flowtron' || refs.length === 0;
  ($('latent-map') as HTMLButtonElement).disabled = !ready || tts?.kind !== 'flowtron' || refs.length === 0;
  ($('interp') as HTMLInputElement).disabled = !ready || !styles || tts?.kind !== 'flowtron';
  ($('play') as HTMLButtonElement).disabled = !demo.lastAudio;
  $('download').classList.toggle('disabled', !demo.lastAudio);
  for (const id of ['tts-file', 'vocoder-file']) ($(id) as HTMLInputElement).disabled = !ready;
  demo.tts = kind;
  demo.vocoder = vkind;
  const note = $('cset-inputs');
  if (kind === 'cset') {
    const c = (tts as Extract<LoadedModel, { kind: 'cset' }>).model.config;
    note.hidden = false;
    note.textContent =
      `XSpkEmoTrans: ${c.nEmotions} emotion tokens (ids 0–${c.nEmotions - 1}), speaker embedding of ${c.speakerDim} values — ` +
      `${speakerEmbedding ? `using ${speakerEmbedding.name}` : 'none loaded yet'}; emotion clip: ${emotionRef ? emotionRef.name : 'none'}.`;
  } else note.hidden = true;
  const idsNote = $('ids-note');
  idsNote.hidden = !goldenIds;
  if (goldenIds) idsNote.textContent = `Speaking the fixture's ${goldenIds.length} token ids [${goldenIds.slice(0, 8).join(', ')}${goldenIds.length > 8 ? ', …' : ''}]; edit the text to use the ${tts ? modelName(tts.kind) : ''} front end instead.`;
}

/** Runs one page action at a time; errors land in `statusEl` and in `flowgpuDemo.lastError`. */
async function act(name: string, statusEl: HTMLElement, fn: () => Promise<void>): Promise<void> {
  if (demo.busy) return;
  demo.busy = true;
  demo.lastError = null;
  refreshControls();
  try {
    await fn();
  } catch (err) {
    const msg = message(err);
    demo.lastError = msg;
    setStatus(statusEl, msg, 'error');
    console.error(err);
  } finally {
    demo.lastAction = name;
    demo.busy = false;
    demo.completed++;
    refreshControls();
  }
}

function gpu(): Engine {
  if (!engine) throw new FlowgpuError('WebGPU is not available in this browser');
  return engine;
}

// ---------------------------------------------------------------------------------------------
// Models

const goldenCache = new Map<string, Promise<Checkpoint>>();

/** A golden fixture from /shared/golden/, parsed once, with download progress. */
function golden(name: string, progress?: HTMLProgressElement): Promise<Checkpoint> {
  let p = goldenCache.get(name);
  if (!p) {
    p = readSource(new URL(`/shared/golden/${name}`, location.href), (loaded, total) => {
      if (progress) progress.value = total > 0 ? loaded / total : 0.5;
    }).then((bytes) => loadCheckpoint(bytes));
    goldenCache.set(name, p);
    p.catch(() => goldenCache.delete(name));
  }
  return p;
}

function tensor(ck: Checkpoint, name: string): { data: Float32Array; shape: number[] } {
  const t = ck.tensors.get(name);
  if (!t) throw new FlowgpuError(`the fixture has no tensor ${name}`);
  return { data: toFloat32(t), shape: t.shape };
}

function describeModel(m: LoadedModel): string {
  const parts = [`${modelName(m.kind)}`, `${m.nMel} mel channels`, `${m.sampleRate} Hz`];
  if (m.kind === 'flowtron') parts.push(`${m.model.config.nSpeakers} speaker${m.model.config.nSpeakers === 1 ? '' : 's'}`, `${m.model.config.nFlows} flows`);
  if (m.kind === 'glowtts') parts.push(`${m.model.config.nBlocksDec} decoder blocks`);
  if (m.kind === 'cset') parts.push(`${m.model.config.nEmotions} emotions`);
  if (m.kind === 'waveglow') parts.push(`${m.model.config.nFlows} flows`);
  if (m.kind === 'hifigan') parts.push(`hop ${m.model.hopLength}`);
  if (m.kind === 'griffinlim') parts.push('no weights');
  const assumed = m.detection?.assumed.length ?? 0;
  return parts.join(' · ') + (assumed ? ` · ${assumed} config field${assumed === 1 ? '' : 's'} at defaults` : '');
}

async function setModel(slot: 'tts' | 'vocoder', source: Blob | Checkpoint | LoadedModel, label: string): Promise<LoadedModel> {
  const e = gpu();
  const progress = $(`${slot}-progress`) as HTMLProgressElement;
  const status = $(`${slot}-status`);
  const t0 = performance.now();
  progress.value = 0;
  setStatus(status, `loading ${label}…`, 'busy');
  const m = 'kind' in source ? source : await loadModel(e, source, {
    expect: slot === 'tts' ? TTS_KINDS : VOCODER_KINDS,
    onProgress: (loaded, total) => {
      progress.value = total > 0 ? loaded / total : 0.5;
      setStatus(status, `reading ${label}: ${fmtBytes(loaded)}${total ? ` of ${fmtBytes(total)}` : ''}`, 'busy');
    },
    onStage: (stage) => setStatus(status, `${stage} ${label}…`, 'busy'),
  });
  progress.value = 1;
  if (slot === 'tts') {
    tts?.release();
    tts = m;
    goldenIds = null;
    styles = null;
    useStyle = false;
    for (const r of refs) delete r.z;
    if (m.kind === 'flowtron') {
      ($('speaker') as HTMLInputElement).max = String(m.model.config.nSpeakers - 1);
    }
    if (m.kind === 'cset') ($('emotion') as HTMLInputElement).max = String(m.model.config.nEmotions - 1);
  } else {
    vocoder?.release();
    vocoder = m;
  }
  setStatus(status, `${label}: ${describeModel(m)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`, 'ok');
  if (!(source instanceof Blob)) ($(`${slot}-file`) as HTMLInputElement).value = '';
  const synthStatus = $('synth-status');
  if (tts && vocoder && tts.nMel !== vocoder.nMel) {
    setStatus(synthStatus, `note: the ${modelName(tts.kind)} model makes ${tts.nMel}-channel mels but the ${modelName(vocoder.kind)} vocoder takes ${vocoder.nMel}: load a matching vocoder to hear it`, 'error');
  } else if (synthStatus.classList.contains('error')) setStatus(synthStatus, '');
  return m;
}

function onModelFile(slot: 'tts' | 'vocoder'): void {
  const input = $(`${slot}-file`) as HTMLInputElement;
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (!f) return;
    void act(`load-${slot}`, $(`${slot}-status`), async () => {
      await setModel(slot, f, f.name);
    });
  });
}

/** The demo voice (weights/demo-voice.safetensors: a small Glow-TTS) with Griffin-Lim. */
async function demoVoice(): Promise<void> {
  const progress = $('tts-progress') as HTMLProgressElement;
  setStatus($('tts-status'), 'fetching the demo voice…', 'busy');
  const { tts: voice, vocoder: gl } = await loadDemoVoiceModels(gpu(), {
    onProgress: (loaded, total) => {
      progress.value = total > 0 ? loaded / total : 0.5;
    },
  });
  await setModel('tts', voice, 'demo voice');
  await setModel('vocoder', gl, 'Griffin-Lim');
  setNum('noise-scale', 0.667);
  setNum('length-scale', 1);
  setStatus($('synth-status'), 'demo voice ready: type a sentence and press Synthesize', 'ok');
}

// ---------------------------------------------------------------------------------------------
// Synthesis

function synthOptions(): SynthesizeOptions {
  const o: SynthesizeOptions = {};
  if (!tts) return o;
  switch (tts.kind) {
    case 'glowtts':
      o.noiseScale = num('noise-scale', 0.667);
      o.lengthScale = num('length-scale', 1);
      o.seed = Math.trunc(num('seed', 0));
      if (tts.model.config.nSpeakers > 1) o.speaker = Math.trunc(num('speaker', 0));
      break;
    case 'flowtron': {
      o.speaker = Math.trunc(num('speaker', 0));
      o.sigma = num('sigma', 0.5);
      const gate = num('gate', 0.5);
      o.gateThreshold = gate >= 1 ? null : gate;
      o.maxFrames = Math.max(1, Math.trunc(num('max-frames', 400)));
      o.seed = Math.trunc(num('seed', 1234));
      if (useStyle && styles) {
        const t = num('interp', 0);
        o.style = interpolateStyle(styles.a.mu, styles.b.mu, t);
        if (styles.a.frames > 1) o.maxFrames = styles.a.frames;
      }
      break;
    }
    case 'cset': {
      if (!speakerEmbedding) throw new FlowgpuError(`XSpkEmoTrans needs a speaker embedding: choose a .npy of ${tts.model.config.speakerDim} values`);
      o.speakerEmbedding = speakerEmbedding.data;
      if (($('emotion-mode') as HTMLSelectElement).value === 'clip') {
        if (!emotionRef) throw new FlowgpuError('choose an emotion clip (.wav or mel .npy), or pick the emotion by id');
        o.referenceMel = emotionRef.ref;
      } else o.emotion = Math.trunc(num('emotion', 0));
      break;
    }
  }
  return o;
}

function showMel(mel: Float32Array, nMel: number, frames: number, sampleRate: number, hop = 256): void {
  drawHeatmap($('mel') as HTMLCanvasElement, mel, nMel, frames);
  $('mel-info').textContent = `[${nMel} × ${frames}] · ${((frames * hop) / sampleRate).toFixed(2)} s`;
  demo.lastMel = { data: mel, nMel, frames };
}

function showAttention(r: SynthesisOutput | null): void {
  const canvas = $('attention') as HTMLCanvasElement;
  const cap = $('attention-caption');
  if (!r?.attention) {
    drawPlaceholder(canvas, r ? 'this model gives no attention map' : 'no attention for a vocoder-only run');
    cap.innerHTML = 'attention';
    demo.lastAttention = null;
    return;
  }
  const a = r.attention;
  drawHeatmap(canvas, a.data, a.tokens, a.frames, a.kind === 'alignment' ? [0, 1] : undefined);
  const what = a.kind === 'alignment' ? (tts?.kind === 'cset' ? 'alignment from durations' : 'alignment (monotonic path)') : 'attention (last flow)';
  cap.innerHTML = `${what} <span class="muted">${a.tokens} tokens ↑ × ${a.frames} frames →</span>`;
  demo.lastAttention = { tokens: a.tokens, frames: a.frames };
}

function showAudio(audio: Float32Array, sampleRate: number): void {
  demo.lastAudio = audio;
  demo.lastSampleRate = sampleRate;
  drawWaveform($('wave') as HTMLCanvasElement, audio);
  let peak = 0;
  let finite = true;
  for (const v of audio) {
    if (!Number.isFinite(v)) finite = false;
    else peak = Math.max(peak, Math.abs(v));
  }
  $('audio-info').textContent = `${audio.length} samples · ${(audio.length / sampleRate).toFixed(2)} s at ${sampleRate} Hz · peak ${peak.toFixed(3)}${finite ? '' : ' · NON-FINITE SAMPLES'}`;
  if (audioUrl) URL.revokeObjectURL(audioUrl);
  audioUrl = URL.createObjectURL(new Blob([encodeWav(audio, sampleRate) as BlobPart], { type: 'audio/wav' }));
  const a = $('download') as HTMLAnchorElement;
  a.href = audioUrl;
  a.download = `flowgpu-${tts && demo.lastAction !== 'golden-waveglow' ? tts.kind : vocoder?.kind ?? 'audio'}.wav`;
}

async function runSynthesis(): Promise<void> {
  if (!tts) throw new FlowgpuError('load a text-to-speech model first (or press a golden button)');
  const status = $('synth-status');
  const text = ($('text') as HTMLTextAreaElement).value;
  const input = goldenIds ?? text;
  if (vocoder) checkPair(tts, vocoder);
  const opts = synthOptions();
  setStatus(status, `${modelName(tts.kind)}: text → mel…`, 'busy');
  const t0 = performance.now();
  const r = await synthesize(tts, input, opts);
  const t1 = performance.now();
  showMel(r.mel, r.nMel, r.frames, r.sampleRate);
  showAttention(r);
  const notes: string[] = [];
  if (r.unknown.length) notes.push(`dropped ${r.unknown.join(' ')}`);
  if (r.gateFrame !== undefined) notes.push(r.gateFrame >= 0 ? `gate stopped at frame ${r.gateFrame}` : 'gate did not fire');
  if (r.tokenScores) notes.push(`emotion tokens [${Array.from(r.tokenScores, (v) => v.toFixed(2)).join(' ')}]`);
  if (opts.style) notes.push(`style ${styles!.names[0]} → ${styles!.names[1]} at t = ${num('interp', 0).toFixed(2)}`);
  if (!vocoder) {
    setStatus(status, `mel ready in ${((t1 - t0) / 1000).toFixed(1)} s; load a vocoder to hear it${notes.length ? ` · ${notes.join(' · ')}` : ''}`, 'ok');
    return;
  }
  setStatus(status, `${modelName(vocoder.kind)}: mel → audio…`, 'busy');
  const audio = await vocode(vocoder, r.mel, r.frames, {
    sigma: num('vocoder-sigma', 0.666), denoise: num('denoise', 0),
    onProgress: (done, total) => {
      if (total > 1) setStatus(status, `${modelName(vocoder!.kind)}: mel → audio, window ${done} of ${total}…`, 'busy');
    },
  });
  const t2 = performance.now();
  showAudio(audio, vocoder.sampleRate);
  setStatus(status, `done: ${modelName(tts.kind)} ${((t1 - t0) / 1000).toFixed(1)} s + ${modelName(vocoder.kind)} ${((t2 - t1) / 1000).toFixed(1)} s${notes.length ? ` · ${notes.join(' · ')}` : ''}`, 'ok');
}

/**
 * Speaks the text as a stream: each chunk is scheduled on the AudioContext clock as it arrives
 * (StreamPlayer), the words are highlighted as they are spoken, and the time to first audio is shown.
 */
async function runStream(): Promise<void> {
  if (!tts || !vocoder) throw new FlowgpuError('load a text-to-speech model and a vocoder first');
  const status = $('synth-status');
  const text = ($('text') as HTMLTextAreaElement).value;
  audioCtx ??= new AudioContext();
  void audioCtx.resume();
  const player = new StreamPlayer(audioCtx);
  const words = new WordHighlighter($('words'));
  const parts: Float32Array[] = [];
  let sampleRate = vocoder.sampleRate;
  let firstAudioMs = NaN;
  setStatus(status, `${modelName(tts.kind)} + ${modelName(vocoder.kind)}: streaming…`, 'busy');
  const t0 = performance.now();
  const follow = (): void => {
    const t = player.position();
    if (t !== null) words.at(t);
    if (!words.finished(t)) requestAnimationFrame(follow);
  };
  requestAnimationFrame(follow);
  try {
    for await (const c of speakStream(tts, vocoder, text, { ...synthOptions(), vocoder: { sigma: num('vocoder-sigma', 0.666), denoise: num('denoise', 0) } })) {
      if (Number.isNaN(firstAudioMs)) {
        firstAudioMs = performance.now() - t0;
        $('ttfa').textContent = `first audio after ${(firstAudioMs / 1000).toFixed(2)} s`;
      }
      sampleRate = c.sampleRate;
      player.push(c.audio, c.sampleRate, c.start);
      if (c.words) words.add(c.words);
      parts.push(c.audio);
      setStatus(status, `streaming: ${((c.start + c.audio.length) / c.sampleRate).toFixed(2)} s of audio ready…`, 'busy');
    }
  } finally {
    player.finish();
    player.stop();
  }
  const synthesisEndedAt = performance.now();
  const audio = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (audio.set(p, o), o + p.length), 0);
  showAudio(audio, sampleRate);
  demo.lastStream = {
    firstAudioMs, synthesisEndedAt, playbackStartedAt: player.startedAt, sampleRate, chunks: player.scheduled, words: words.all, stalls: player.stalls,
  };
  setStatus(status, `streamed ${(audio.length / sampleRate).toFixed(2)} s in ${player.scheduled.length} chunks: first audio after ${(firstAudioMs / 1000).toFixed(2)} s, all after ${((synthesisEndedAt - t0) / 1000).toFixed(2)} s`, 'ok');
}

/** The spoken words, each highlighted while it is spoken. */
class WordHighlighter {
  readonly all: WordTiming[] = [];
  private readonly spans: HTMLSpanElement[] = [];
  private current = -1;

  constructor(private readonly el: HTMLElement) {
    el.textContent = '';
  }

  add(words: WordTiming[]): void {
    for (const w of words) {
      const span = document.createElement('span');
      span.textContent = w.word;
      span.title = `${w.start.toFixed(2)}–${w.end.toFixed(2)} s`;
      this.el.append(span, ' ');
      this.spans.push(span);
      this.all.push(w);
    }
  }

  /** Highlights the word spoken at stream time `t` (seconds). */
  at(t: number): void {
    const i = this.all.findIndex((w) => t >= w.start && t < w.end);
    if (i === this.current) return;
    this.spans[this.current]?.classList.remove('spoken');
    this.spans[i]?.classList.add('spoken');
    this.current = i;
  }

  finished(t: number | null): boolean {
    return demo.lastStream !== null && t !== null && t > (this.all.at(-1)?.end ?? 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Golden fixtures

async function goldenText(kind: 'glowtts' | 'flowtron'): Promise<string | null> {
  try {
    const r = await fetch('/shared/golden/text.json');
    const j = (await r.json()) as Record<string, { text: string }[]>;
    return j[kind]?.[0]?.text ?? null;
  } catch {
    return null;
  }
}

async function goldenTTS(kind: 'glowtts' | 'flowtron' | 'cset'): Promise<void> {
  const file = { glowtts: 'glowtts-small.safetensors', flowtron: 'flowtron-small.safetensors', cset: 'cset-small.safetensors' }[kind];
  const [ck, voc] = await Promise.all([golden(file, $('tts-progress') as HTMLProgressElement), golden('hifigan-small.safetensors', $('vocoder-progress') as HTMLProgressElement)]);
  await setModel('tts', ck, `golden ${file}`);
  if (vocoder?.kind !== 'hifigan' || !(vocoder as { golden?: boolean }).golden) {
    const v = await setModel('vocoder', voc, 'golden hifigan-small.safetensors');
    (v as { golden?: boolean }).golden = true;
  }
  const ids = tensor(ck, 'input.text').data;
  goldenIds = Array.from(ids);
  const text = kind === 'cset' ? null : await goldenText(kind);
  if (text) ($('text') as HTMLTextAreaElement).value = text;
  if (kind === 'glowtts') {
    setNum('noise-scale', Number(ck.metadata['noise_scale'] ?? 0.667));
    setNum('length-scale', Number(ck.metadata['length_scale'] ?? 1));
    setNum('seed', 0);
  } else if (kind === 'flowtron') {
    setNum('speaker', tensor(ck, 'input.speaker').data[0]!);
    setNum('sigma', Number(ck.metadata['sigma'] ?? 0.5));
    setNum('gate', Number(ck.metadata['gate_threshold_gated'] ?? 0.5));
    setNum('max-frames', tensor(ck, 'input.residual').shape.at(-1)!);
  } else {
    const spk = tensor(ck, 'input.speaker_embedding');
    speakerEmbedding = { data: spk.data, name: 'the fixture\'s input.speaker_embedding' };
    setNum('emotion', tensor(ck, 'input.emotion').data[0]!);
    const ref = tensor(ck, 'input.ref_mel'); // [1, frames, 80]
    emotionRef = { ref: { data: ref.data, frames: ref.shape[1]!, layout: 'frames' }, name: 'the fixture\'s input.ref_mel' };
    ($('emotion-mode') as HTMLSelectElement).value = 'id';
  }
  refreshControls();
  await runSynthesis();
}

async function goldenWaveGlow(): Promise<void> {
  const ck = await golden('waveglow-small.safetensors', $('vocoder-progress') as HTMLProgressElement);
  const v = await setModel('vocoder', ck, 'golden waveglow-small.safetensors');
  const mel = tensor(ck, 'input.mel'); // [1, n_mel, frames]
  const [nMel, frames] = mel.shape.slice(-2) as [number, number];
  const noise: Float32Array[] = [];
  for (let i = 0; ck.tensors.has(`input.noise.${i}`); i++) noise.push(tensor(ck, `input.noise.${i}`).data);
  const sigma = Number(ck.metadata['sigma'] ?? 0.6);
  const status = $('synth-status');
  setStatus(status, `WaveGlow: vocoding the fixture's mel [${nMel} × ${frames}] with its noise at sigma ${sigma}…`, 'busy');
  const t0 = performance.now();
  const audio = await vocode(v, mel.data, frames, { sigma, noise });
  showMel(mel.data, nMel, frames, v.sampleRate);
  showAttention(null);
  showAudio(audio, v.sampleRate);
  let err = '';
  const ref = ck.tensors.get('output.audio');
  if (ref) {
    const r = toFloat32(ref);
    let maxErr = 0;
    let maxRef = 0;
    for (let i = 0; i < r.length; i++) {
      const d = Math.abs((audio[i] ?? NaN) - r[i]!);
      maxErr = Math.max(maxErr, Number.isNaN(d) ? Infinity : d);
      maxRef = Math.max(maxRef, Math.abs(r[i]!));
    }
    err = ` · vs PyTorch: max |err| / max |ref| = ${(maxErr / maxRef).toExponential(2)}${audio.length === r.length ? '' : ` (length ${audio.length} vs ${r.length})`}`;
  }
  setStatus(status, `done: WaveGlow golden in ${((performance.now() - t0) / 1000).toFixed(1)} s${err}`, 'ok');
}

// ---------------------------------------------------------------------------------------------
// Inputs: XSpkEmoTrans speaker embedding and emotion clip

async function readMelFile(f: File, nMel: number): Promise<{ mel: Float32Array; frames: number; layout: 'channels' | 'frames' }> {
  const bytes = new Uint8Array(await f.arrayBuffer());
  const isWav = bytes.length >= 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF';
  if (isWav) {
    const wav = decodeWav(bytes);
    const r = await referenceFromAudio(gpu(), toMono(wav.channels), wav.sampleRate, nMel);
    return { mel: r.data, frames: r.frames, layout: 'channels' };
  }
  const a = readNpy(bytes);
  const shape = a.shape.length === 3 && a.shape[0] === 1 ? a.shape.slice(1) : a.shape;
  if (shape.length !== 2) throw new FlowgpuError(`${f.name}: a mel .npy must be [${nMel}, frames]; this one is [${a.shape.join(', ')}]`);
  const [c, t] = shape as [number, number];
  if (c === nMel) return { mel: a.data, frames: t, layout: 'channels' };
  if (t === nMel) return { mel: a.data, frames: c, layout: 'frames' };
  throw new FlowgpuError(`${f.name}: the mel has ${c} channels (shape [${a.shape.join(', ')}]); this model takes ${nMel}`);
}

function wireCsetInputs(): void {
  const spk = $('speaker-embedding') as HTMLInputElement;
  spk.addEventListener('change', () => {
    const f = spk.files?.[0];
    if (!f) return;
    void act('speaker-embedding', $('synth-status'), async () => {
      const a = readNpy(new Uint8Array(await f.arrayBuffer()));
      if (tts?.kind === 'cset' && a.data.length !== tts.model.config.speakerDim) {
        throw new FlowgpuError(`${f.name} has ${a.data.length} values (shape [${a.shape.join(', ')}]); this XSpkEmoTrans model takes a ${tts.model.config.speakerDim}-value speaker embedding`);
      }
      speakerEmbedding = { data: a.data, name: f.name };
      setStatus($('synth-status'), `speaker embedding: ${f.name} (${a.data.length} values)`, 'ok');
    });
  });
  const ref = $('emotion-ref') as HTMLInputElement;
  ref.addEventListener('change', () => {
    const f = ref.files?.[0];
    if (!f) return;
    void act('emotion-ref', $('synth-status'), async () => {
      const m = await readMelFile(f, tts?.nMel ?? 80);
      emotionRef = { ref: { data: m.mel, frames: m.frames, layout: m.layout }, name: f.name };
      ($('emotion-mode') as HTMLSelectElement).value = 'clip';
      setStatus($('synth-status'), `emotion clip: ${f.name} (${m.frames} mel frames); press Synthesize`, 'ok');
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Flowtron references, styles and the latent map

function flowtron(): Extract<LoadedModel, { kind: 'flowtron' }> {
  if (tts?.kind !== 'flowtron') throw new FlowgpuError('load a Flowtron model first (or press "golden references")');
  return tts;
}

function labelOf(name: string): string {
  const base = name.replace(/\.[^.]*$/, '');
  return base.split('_')[0] || base;
}

function listRefs(): void {
  const el = $('refs-list');
  if (refs.length === 0) {
    el.textContent = 'no references';
    return;
  }
  const labels = [...new Set(refs.map((r) => r.label))];
  el.textContent = `${refs.length} reference${refs.length === 1 ? '' : 's'} · labels: ${labels.join(', ')} · ` +
    refs.map((r) => `${r.name} (${r.frames} frames${r.text ? `, “${r.text.length > 28 ? r.text.slice(0, 28) + '…' : r.text}”` : r.ids ? `, ${r.ids.length} ids` : ', no transcript'})`).join('; ');
  for (const [i, id] of ['style-a-pick', 'style-b-pick'].entries()) {
    const sel = $(id) as HTMLSelectElement;
    const keep = sel.value;
    sel.innerHTML = '';
    for (const l of labels) sel.add(new Option(`label: ${l}`, `label:${l}`));
    refs.forEach((r, k) => sel.add(new Option(r.name, `ref:${k}`)));
    sel.value = keep && Array.from(sel.options).some((o) => o.value === keep) ? keep : sel.options[Math.min(i, labels.length - 1)]?.value ?? '';
  }
}

async function loadRefFiles(): Promise<void> {
  const files = Array.from(($('refs') as HTMLInputElement).files ?? []).sort((a, b) => a.name.localeCompare(b.name));
  const txt = ($('refs-text') as HTMLInputElement).files?.[0];
  if (files.length === 0) return;
  const lines = txt ? (await txt.text()).split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : [];
  const byName = new Map<string, string>();
  for (const l of lines) {
    const bar = l.indexOf('|');
    if (bar > 0) byName.set(l.slice(0, bar).replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, ''), l.slice(bar + 1).split('|')[0]!.trim());
  }
  const nMel = tts?.nMel ?? 80;
  const out: Reference[] = [];
  for (const [i, f] of files.entries()) {
    setStatus($('style-status'), `reading ${f.name}…`, 'busy');
    const m = await readMelFile(f, nMel);
    const mel = m.layout === 'channels' ? m.mel : transpose(m.mel, m.frames, nMel);
    const stem = f.name.replace(/\.[^.]*$/, '');
    const text = byName.size ? byName.get(stem) : lines[i];
    out.push({ name: f.name, label: labelOf(f.name), mel, frames: m.frames, text, speaker: Math.trunc(num('speaker', 0)) });
  }
  refs = out;
  styles = null;
  useStyle = false;
  listRefs();
  const missing = refs.filter((r) => !r.text).length;
  setStatus($('style-status'), missing ? `${missing} reference${missing === 1 ? '' : 's'} lack a transcript: choose the .txt` : `${refs.length} references ready`, missing ? 'error' : 'ok');
}

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c]!;
  return out;
}

async function goldenRefs(): Promise<void> {
  const ck = await golden('flowtron-small.safetensors', $('tts-progress') as HTMLProgressElement);
  if (tts?.kind !== 'flowtron') {
    const voc = await golden('hifigan-small.safetensors', $('vocoder-progress') as HTMLProgressElement);
    await setModel('tts', ck, 'golden flowtron-small.safetensors');
    if (!vocoder) await setModel('vocoder', voc, 'golden hifigan-small.safetensors');
    goldenIds = Array.from(tensor(ck, 'input.text').data);
    const text = await goldenText('flowtron');
    if (text) ($('text') as HTMLTextAreaElement).value = text;
    setNum('max-frames', 40);
  }
  const ids = Array.from(tensor(ck, 'input.text').data);
  const nSpeakers = flowtron().model.config.nSpeakers;
  const out: Reference[] = [];
  for (let k = 0; ck.tensors.has(`posterior.input.mel.${k}`); k++) {
    const m = tensor(ck, `posterior.input.mel.${k}`);
    const [, frames] = m.shape.slice(-2) as [number, number];
    // Each mel read as each speaker: the latent map then separates speakers.
    for (let s = 0; s < nSpeakers; s++) out.push({ name: `speaker${s}_clip${k}`, label: `speaker ${s}`, mel: m.data, frames, ids, speaker: s });
  }
  refs = out;
  styles = null;
  useStyle = false;
  listRefs();
  // Random weights rarely stop on their own: run the styles' full length.
  setNum('gate', 1.01);
  ($('style-a-pick') as HTMLSelectElement).value = 'label:speaker 0';
  ($('style-b-pick') as HTMLSelectElement).value = `label:speaker ${Math.min(1, nSpeakers - 1)}`;
  setStatus($('style-status'), `${out.length} golden references: the fixture's ${out.length / nSpeakers} posterior mels, each read as each of ${nSpeakers} speakers`, 'ok');
}

/** The posterior z of every reference under the loaded Flowtron (cached). */
async function latentsOf(list: Reference[], status: HTMLElement): Promise<{ data: Float32Array; frames: number }[]> {
  const m = flowtron();
  const out: { data: Float32Array; frames: number }[] = [];
  for (const [i, r] of list.entries()) {
    if (!r.z || r.z.model !== m.model) {
      setStatus(status, `posterior z of ${r.name} (${i + 1}/${list.length})…`, 'busy');
      const ids = r.ids ?? (r.text ? (await textToIds('flowtron', r.text)).ids : undefined);
      if (!ids) throw new FlowgpuError(`${r.name} has no transcript: choose the transcripts .txt`);
      const z = m.model.posterior(r.mel, ids, r.speaker, r.frames);
      const data = await m.model.engine.readF32(z);
      r.z = { data, frames: z.dim(1), model: m.model };
      z.release();
    }
    out.push({ data: r.z.data, frames: r.z.frames });
  }
  return out;
}

function pick(value: string): Reference[] {
  if (value.startsWith('label:')) return refs.filter((r) => r.label === value.slice(6));
  const r = refs[Number(value.slice(4))];
  return r ? [r] : [];
}

async function buildStyles(): Promise<void> {
  const m = flowtron();
  const status = $('style-status');
  const va = ($('style-a-pick') as HTMLSelectElement).value;
  const vb = ($('style-b-pick') as HTMLSelectElement).value;
  const [ra, rb] = [pick(va), pick(vb)];
  if (!ra.length || !rb.length) throw new FlowgpuError('choose the references of style A and style B');
  const nFrames = Math.max(1, Math.trunc(num('max-frames', 400)));
  const a = aggregateStyle(await latentsOf(ra, status), m.nMel, { nFrames });
  const b = aggregateStyle(await latentsOf(rb, status), m.nMel, { nFrames });
  const name = (v: string) => (v.startsWith('label:') ? v.slice(6) : refs[Number(v.slice(4))]!.name);
  styles = { a, b, names: [name(va), name(vb)] };
  useStyle = true;
  refreshControls();
  setStatus(status, `style A = ${styles.names[0]} (${ra.length} clip${ra.length === 1 ? '' : 's'}), B = ${styles.names[1]} (${rb.length}); ${nFrames} frames; synthesizing at t = ${num('interp', 0).toFixed(2)}…`, 'busy');
  await runSynthesis();
  setStatus(status, `styles ready: drag the slider and release to resynthesize between ${styles.names[0]} and ${styles.names[1]}`, 'ok');
}

async function mapLatents(): Promise<void> {
  const status = $('latent-status');
  const zs = await latentsOf(refs, status);
  const rows = zs.map((z) => {
    const mean = new Float32Array(z.data.length / z.frames);
    for (let c = 0; c < mean.length; c++) {
      let s = 0;
      for (let t = 0; t < z.frames; t++) s += z.data[c * z.frames + t]!;
      mean[c] = s / z.frames;
    }
    return mean;
  });
  const p = pca(rows, 3);
  const points = refs.map((r, i) => ({ label: r.label, x: p.points[i * 3]!, y: p.points[i * 3 + 1]!, z: p.points[i * 3 + 2]! }));
  latentView?.setPoints(points);
  demo.lastLatents = points;
  const legend = $('latent-legend');
  legend.innerHTML = '';
  for (const [label, color] of latentView?.colors ?? []) {
    const s = document.createElement('span');
    const dot = document.createElement('i');
    dot.style.background = color;
    s.append(dot, `${label} (${refs.filter((r) => r.label === label).length})`);
    legend.append(s);
  }
  const pct = p.variance.map((v) => (p.totalVariance > 0 ? (100 * v) / p.totalVariance : 0));
  const axes = document.createElement('small');
  axes.className = 'muted';
  axes.textContent = `PC1 ${pct[0]!.toFixed(0)}% · PC2 ${pct[1]!.toFixed(0)}% · PC3 ${pct[2]!.toFixed(0)}% of the variance`;
  legend.append(axes);
  setStatus(status, `${refs.length} references mapped`, 'ok');
}

// ---------------------------------------------------------------------------------------------
// Playback

function play(): void {
  const audio = demo.lastAudio;
  if (!audio) return;
  audioCtx ??= new AudioContext();
  void audioCtx.resume();
  const buf = audioCtx.createBuffer(1, audio.length, demo.lastSampleRate);
  const ch = buf.getChannelData(0);
  for (let i = 0; i < audio.length; i++) ch[i] = Number.isFinite(audio[i]!) ? Math.max(-1, Math.min(1, audio[i]!)) : 0;
  const src = audioCtx.createBufferSource();
  src.buffer = buf;
  src.connect(audioCtx.destination);
  src.start();
}

// ---------------------------------------------------------------------------------------------
// Start

function wire(): void {
  onModelFile('tts');
  onModelFile('vocoder');
  wireCsetInputs();
  $('demo-voice').addEventListener('click', () => void act('demo-voice', $('tts-status'), demoVoice));
  $('griffinlim').addEventListener('click', () => void act('griffinlim', $('vocoder-status'), async () => {
    await setModel('vocoder', await griffinLimVocoder(gpu()), 'Griffin-Lim');
  }));
  $('golden-glowtts').addEventListener('click', () => void act('golden-glowtts', $('synth-status'), () => goldenTTS('glowtts')));
  $('golden-flowtron').addEventListener('click', () => void act('golden-flowtron', $('synth-status'), () => goldenTTS('flowtron')));
  $('golden-cset').addEventListener('click', () => void act('golden-cset', $('synth-status'), () => goldenTTS('cset')));
  $('golden-waveglow').addEventListener('click', () => void act('golden-waveglow', $('synth-status'), goldenWaveGlow));
  $('speak').addEventListener('click', () => void act('speak', $('synth-status'), runSynthesis));
  $('stream').addEventListener('click', () => {
    demo.lastStream = null;
    void act('stream', $('synth-status'), runStream);
  });
  $('play').addEventListener('click', play);
  $('text').addEventListener('input', () => {
    goldenIds = null;
    refreshControls();
  });
  $('refs').addEventListener('change', () => void act('refs', $('style-status'), loadRefFiles));
  $('refs-text').addEventListener('change', () => {
    if ((($('refs') as HTMLInputElement).files?.length ?? 0) > 0) void act('refs', $('style-status'), loadRefFiles);
  });
  $('golden-refs').addEventListener('click', () => void act('golden-refs', $('style-status'), goldenRefs));
  $('build-styles').addEventListener('click', () => void act('build-styles', $('style-status'), buildStyles));
  $('latent-map').addEventListener('click', () => void act('latent-map', $('latent-status'), mapLatents));
  const interp = $('interp') as HTMLInputElement;
  interp.addEventListener('input', () => ($('interp-value').textContent = Number(interp.value).toFixed(2)));
  // Resynthesize on release only: a Flowtron pass is far too slow to follow the drag.
  interp.addEventListener('change', () => {
    useStyle = true;
    void act('interpolate', $('style-status'), async () => {
      await runSynthesis();
      setStatus($('style-status'), `t = ${Number(interp.value).toFixed(2)} between ${styles!.names[0]} and ${styles!.names[1]}`, 'ok');
    });
  });
}

async function start(): Promise<void> {
  wire();
  drawPlaceholder($('mel') as HTMLCanvasElement, 'mel spectrogram');
  drawPlaceholder($('attention') as HTMLCanvasElement, 'attention');
  drawWaveform($('wave') as HTMLCanvasElement, new Float32Array(0));
  $('latent-legend').innerHTML = '<small>no references mapped yet</small>';
  refreshControls();
  try {
    engine = await Engine.create();
    demo.adapter = engine.adapterName;
    $('adapter').textContent = `WebGPU: ${engine.adapterName}`;
    $('adapter').classList.add('ok');
    try {
      // SwiftShader (headless Chromium) cannot present to a WebGPU canvas without breaking later
      // compute pipelines: render to a texture and copy the pixels out there (see LatentView).
      const present = new URLSearchParams(location.search).get('present'); // 'canvas' | 'readback' overrides
      const readback = present === 'readback' || (present !== 'canvas' && engine.isSoftware);
      latentView = new LatentView(engine.device, $('latent-canvas') as HTMLCanvasElement, { readback });
    } catch (err) {
      setStatus($('latent-status'), `latent view unavailable: ${message(err)}`, 'error');
    }
    // The demo voice, when this checkout has one, is the page's default model.
    try {
      demoVoiceAvailable = (await fetch(demoVoiceUrl(), { method: 'HEAD' })).ok;
    } catch {
      demoVoiceAvailable = false;
    }
    ($('demo-voice') as HTMLButtonElement).title = demoVoiceAvailable ? 'weights/demo-voice.safetensors' : 'weights/demo-voice.safetensors is not in this checkout';
    refreshControls();
    if (demoVoiceAvailable && !new URLSearchParams(location.search).has('nodefault')) await act('demo-voice', $('tts-status'), demoVoice);
    resolveReady();
  } catch (err) {
    $('adapter').textContent = message(err);
    $('adapter').classList.add('error');
    demo.lastError = message(err);
    refreshControls();
    rejectReady(err);
  }
}

void start();
