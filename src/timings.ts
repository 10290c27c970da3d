// When each word is spoken, in seconds from the start of its mel: from the frames per token
// (Glow-TTS, XSpkEmoTrans: exact, the alignment fixes them) or from the attention (Flowtron: the
// token each frame attends to most). The front end says which tokens belong to which word.

import type { WordTokens } from './text/index.js';

export interface WordTiming {
  word: string;
  /** Seconds. */
  start: number;
  end: number;
}

/** Word timings from frames per token (cut at `frames`); `secondsPerFrame` = hop / sample rate. */
export function timingsFromDurations(words: readonly WordTokens[], durations: ArrayLike<number>, frames: number, secondsPerFrame: number): WordTiming[] {
  const startFrame = new Float64Array(durations.length + 1);
  for (let i = 0; i < durations.length; i++) startFrame[i + 1] = startFrame[i]! + durations[i]!;
  const at = (token: number): number => Math.min(startFrame[Math.min(token, durations.length)]!, frames) * secondsPerFrame;
  return words.map((w) => ({ word: w.word, start: at(w.from), end: at(w.to) }));
}

/**
 * Word timings from a soft attention map `[tokens, frames]` (row-major), read monotonically: the
 * frame's word is the furthest word attended most by any frame so far. A word starts at the first
 * frame that reaches it and ends where the next one starts or after its own last most-attended
 * frame, whichever is first (a word never attended most gets no time).
 */
export function timingsFromAttention(words: readonly WordTokens[], attention: { data: Float32Array; tokens: number; frames: number }, secondsPerFrame: number): WordTiming[] {
  const { data, tokens, frames } = attention;
  const wordOf = new Int32Array(tokens).fill(-1);
  words.forEach((w, i) => wordOf.fill(i, w.from, Math.min(w.to, tokens)));
  const reached = new Int32Array(words.length + 1).fill(frames);
  const lastOwn = new Int32Array(words.length).fill(-1);
  let p = 0;
  reached[0] = 0;
  for (let f = 0; f < frames; f++) {
    let best = 0;
    for (let j = 1; j < tokens; j++) if (data[j * frames + f]! > data[best * frames + f]!) best = j;
    const w = wordOf[best]!;
    if (w < 0) continue;
    lastOwn[w] = f + 1;
    for (; p < w; p++) reached[p + 1] = f;
  }
  return words.map((w, i) => {
    const start = reached[i]!;
    const end = lastOwn[i]! < 0 ? start : Math.max(start, Math.min(reached[i + 1]!, lastOwn[i]!));
    return { word: w.word, start: start * secondsPerFrame, end: end * secondsPerFrame };
  });
}

/** The same timings `offset` seconds later. */
export function shiftTimings(words: readonly WordTiming[], offset: number): WordTiming[] {
  return words.map((w) => ({ word: w.word, start: w.start + offset, end: w.end + offset }));
}
