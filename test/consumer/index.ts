// A tiny consumer of the published types (`tsc -p test/consumer`, in npm test): imports `flowgpu`
// and `flowgpu/node` as the README shows and uses every result without a cast.
import { encodeWav, type LoadedModel, loadModel, speak, synthesize, TTS_KINDS, VOCODER_KINDS, vocode, type Vocoder } from 'flowgpu';
import { createNodeEngine } from 'flowgpu/node';

const engine = await createNodeEngine();
const tts = await loadModel(engine, 'glowtts.safetensors', { onProgress: (_got: number, _total: number) => {}, expect: TTS_KINDS });
const vocoder = await loadModel(engine, 'waveglow_256channels_universal_v5.pt', { expect: VOCODER_KINDS });
const { audio, sampleRate, frames, nMel, unknown, attention } = await speak(tts, vocoder, 'Hello world.', { vocoder: { sigma: 0.666, denoise: 0.1 } });
const wav: Uint8Array = encodeWav(audio, sampleRate);
console.log(wav.length, frames * nMel, unknown.join(' '), attention.tokens);

// Results are tagged by kind: each model's own API is there without a cast.
const s = await synthesize(tts, [1, 2, 3], { speaker: 0 });
const durations: Int32Array | undefined = s.durations;
if (s.gateFrame !== undefined) console.log(s.gateFrame);
if (tts.kind === 'flowtron') console.log(tts.model.config.nSpeakers, tts.detection.model);
if (tts.kind === 'glowtts') console.log((await tts.model.synthesize('Hi.', { lengthScale: 1.2 })).logw.length);
const glowtts = await loadModel(engine, 'glowtts.safetensors', { expect: ['glowtts'] });
console.log(glowtts.model.config.nBlocksDec, glowtts.warnings.length, durations?.length);

// Every vocoder is a Vocoder.
const v: Vocoder = vocoder.model;
const pcm: Float32Array = await vocode(vocoder, s.mel, s.frames, { seed: 1 });
const any: LoadedModel = vocoder;
console.log(v.hopLength, pcm.length, any.kind);
engine.destroy();
