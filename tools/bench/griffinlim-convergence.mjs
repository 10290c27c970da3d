// Spectral convergence of Griffin-Lim against iterations, plain (momentum 0) and fast (momentum
// 0.99), on the demo voice's mels: ‖|STFT(y)| − S‖_F / ‖S‖_F, S the magnitude Griffin-Lim is
// asked for (pinv(mel basis)·exp(mel)). How the default iteration count was picked (README).
// Run after `node tools/build.mjs`: node tools/bench/griffinlim-convergence.mjs [iterations …]
import { createNodeEngine, loadDemoVoiceModels, ops } from '../../dist/node.js';

const TEXTS = {
  '9 words': 'The quick brown fox jumps over the lazy dog.',
  '60 words': 'Once upon a time, in a small village by the sea, there lived an old fisherman who rose before dawn every day. ' +
    'He mended his nets, watched the sky, and listened to the gulls. The villagers said he could smell a storm coming ' +
    'three days away. One morning he found a bottle on the beach with a letter inside it.',
};
const counts = process.argv.slice(2).map(Number);
const ITERATIONS = counts.length > 0 ? counts : [0, 4, 8, 12, 16, 24, 32, 48, 64];

const e = await createNodeEngine();
const { tts } = await loadDemoVoiceModels(e);
const basis = ops.melFilterbank({ sampleRate: 22050, nFft: 1024, nMels: 80, fmin: 0, fmax: 8000 });
const pinv = e.persistent(ops.pseudoInverse(basis, 80, 513), [513, 80], 'pinv');

for (const [name, text] of Object.entries(TEXTS)) {
  const { mel, frames } = await tts.model.synthesize(text);
  const m = e.upload(mel, [80, frames]);
  const target = await e.readF32(ops.melToMagnitude(e, pinv, m));
  const mag = e.upload(target, [513, frames]);
  let norm = 0;
  for (const v of target) norm += v * v;
  console.log(`${name}: ${frames} frames, ${((frames - 1) * 256 / 22050).toFixed(2)} s of audio`);
  console.log('iterations  plain SC   fast SC   fast s');
  for (const it of ITERATIONS) {
    const row = [String(it).padStart(10)];
    let seconds = 0;
    for (const momentum of [0, 0.99]) {
      const t0 = performance.now();
      const audio = ops.griffinLim(e, mag, { iterations: it, momentum });
      await e.readF32(audio);
      seconds = (performance.now() - t0) / 1000;
      const got = await e.readF32(ops.stftMagnitude(e, audio));
      let err = 0;
      for (let i = 0; i < target.length; i++) err += (got[i] - target[i]) ** 2;
      row.push((Math.sqrt(err / norm)).toFixed(4).padStart(9));
      audio.release();
    }
    row.push(seconds.toFixed(2).padStart(8));
    console.log(row.join(' '));
  }
}
e.destroy?.();
