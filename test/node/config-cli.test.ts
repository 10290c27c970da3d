// Issue 12 through the command line: the checkpoints whose configuration the weights cannot show
// (../shared/golden/glowtts-dilated.*: decoder dilation_rate 3; hifigan-v3like.*: ResBlock2 with
// the published V3 dilations) reproduce their goldens from the .pt / .pth.tar plus the original's
// config file, given with --config or found as config.json beside the checkpoint; with neither,
// the load says which values it assumed.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as tts } from '../../src/cli/tts.js';
import { run as vocode } from '../../src/cli/vocode.js';
import { loadCheckpoint, toFloat32 } from '../../src/io/checkpoint.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { assert, assertClose } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { goldenTensor as tensor } from '../helpers/files.js';
import { captureStderr } from './cli-helpers.js';

const GOLDEN = '../shared/golden';
/** The golden tolerance of Glow-TTS and the vocoders (../shared/golden/README.md). */
const TOL = 1e-3;

describe('--config and config.json beside the checkpoint (glowtts-dilated, hifigan-v3like)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgpu-config-'));
  const glowDir = mkdtempSync(join(tmpdir(), 'flowgpu-config-glowtts-'));
  const hifiDir = mkdtempSync(join(tmpdir(), 'flowgpu-config-hifigan-'));
  const glow = loadCheckpoint(readFileSync(`${GOLDEN}/glowtts-dilated.safetensors`));
  const hifi = loadCheckpoint(readFileSync(`${GOLDEN}/hifigan-v3like.safetensors`));
  const ids = JSON.stringify(Array.from(tensor(glow, 'input.text').data as BigInt64Array, Number));
  const glowArgs = ['--ids', ids, '--noise-scale', String(Number(glow.metadata['noise_scale'])), '--length-scale', String(Number(glow.metadata['length_scale']))];
  const mel = tensor(hifi, 'input.mel'); // [1, 80, frames]
  const melPath = join(dir, 'mel.npy');
  writeFileSync(melPath, writeNpy(toFloat32(mel), mel.shape));
  // The checkpoints alone in one folder each, then with the original's config.json beside them.
  const glowPt = join(glowDir, 'g.pt');
  copyFileSync(`${GOLDEN}/glowtts-dilated.zip.pt`, glowPt);
  const hifiPt = join(hifiDir, 'generator.pth.tar');
  copyFileSync(`${GOLDEN}/hifigan-v3like.pth.tar`, hifiPt);

  const expectGlowMel = (file: string, what: string): void => assertClose(readNpy(readFileSync(file)).data, toFloat32(tensor(glow, 'output.mel')), TOL, what);
  const expectAudio = (file: string, what: string): void => assertClose(readNpy(readFileSync(file)).data, toFloat32(tensor(hifi, 'output.audio')), TOL, what);

  it('with neither, warns which values it assumed (and that no config.json is beside the checkpoint)', async () => {
    const e = await getEngine();
    const err = await captureStderr(() => tts([glowPt, ...glowArgs, '-o', join(dir, 'none.npy')], e));
    assert(/flowgpu: warning: Glow-TTS: no config given and no config\.json beside g\.pt; assumed .*dilation_rate 1.*--config/.test(err), `stderr:\n${err}`);
    const errV = await captureStderr(() => vocode([hifiPt, melPath, '-o', join(dir, 'none-audio.npy')], e));
    assert(/flowgpu: warning: HiFi-GAN: no config given and no config\.json beside generator\.pth\.tar; assumed .*resblock_dilation_sizes/.test(errV), `stderr:\n${errV}`);
  });

  it('Glow-TTS: --config FILE reproduces output.mel from the .pt', async () => {
    const e = await getEngine();
    const out = join(dir, 'flag.npy');
    const err = await captureStderr(() => tts([glowPt, ...glowArgs, '--config', `${GOLDEN}/glowtts-dilated.config.json`, '-o', out], e));
    assert(!/warning/.test(err), `no warning with the config given:\n${err}`);
    expectGlowMel(out, 'mel with --config');
  });

  it('HiFi-GAN: --config FILE reproduces output.audio from the .pth.tar', async () => {
    const e = await getEngine();
    const out = join(dir, 'flag-audio.npy');
    await captureStderr(() => vocode([hifiPt, melPath, '--config', `${GOLDEN}/hifigan-v3like.config.json`, '-o', out], e));
    expectAudio(out, 'audio with --config');
  });

  it('config.json beside the checkpoint is used, and said so on stderr', async () => {
    const e = await getEngine();
    copyFileSync(`${GOLDEN}/glowtts-dilated.config.json`, join(glowDir, 'config.json'));
    copyFileSync(`${GOLDEN}/hifigan-v3like.config.json`, join(hifiDir, 'config.json'));
    const out = join(dir, 'beside.npy');
    const err = await captureStderr(() => tts([glowPt, ...glowArgs, '-o', out], e));
    assert(err.includes(`flowgpu: using config.json beside ${glowPt}`), `stderr:\n${err}`);
    assert(!/warning/.test(err), `no warning with the config beside:\n${err}`);
    expectGlowMel(out, 'mel with config.json beside');
    const audio = join(dir, 'beside-audio.npy');
    const errV = await captureStderr(() => vocode([hifiPt, melPath, '-o', audio], e));
    assert(errV.includes(`flowgpu: using config.json beside ${hifiPt}`), `stderr:\n${errV}`);
    expectAudio(audio, 'audio with config.json beside');
  });
});
