// flowgpu: the universal entry (browsers, Deno, and Node through ./node.ts).
export * from './gpu/index.js';
export * as ops from './ops/index.js';
export * from './api.js';
export { speakStream, vocodeStream, splitSentences, type AudioChunk, type StreamOptions } from './stream.js';
export { WaveGlow } from './models/waveglow.js';
export { HiFiGAN } from './models/hifigan.js';
export { GlowTTS } from './models/glowtts.js';
export { Flowtron } from './models/flowtron.js';
export { CSET } from './models/cset.js';
