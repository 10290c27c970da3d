#!/usr/bin/env bash
# Runs examples/deno/speak.ts (Deno's built-in WebGPU + dist/flowgpu.js) on the golden weights
# and checks that each WAV exists and that `sox --i` reads it: Glow-TTS + HiFi-GAN from text,
# XSpkEmoTrans + HiFi-GAN from the fixture's token ids, speaker embedding and emotion id, Glow-TTS +
# Griffin-Lim, the demo voice (weights/) with no model arguments, and --stream.
# Needs dist/ built (node tools/build.mjs). Exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export VK_ICD_FILENAMES="${VK_ICD_FILENAMES:-$PWD/.cache/lavapipe/lvp_icd.json}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
golden=../shared/golden
out=out/test-artifacts/deno
mkdir -p "$out"
rm -f "$out"/*.wav "$out"/*.npy
[ -f dist/flowgpu.js ] || node tools/build.mjs || exit 1

# The XSpkEmoTrans fixture's inputs: speaker embedding as .npy, token ids and emotion id as text.
node --input-type=module - "$golden/cset-small.safetensors" "$out" <<'JS' || exit 1
import { readFileSync, writeFileSync } from 'node:fs';
import { loadCheckpoint, writeNpy } from './dist/node.js';
const [file, dir] = process.argv.slice(2);
const t = loadCheckpoint(readFileSync(file)).tensors;
const spk = t.get('input.speaker_embedding').data;
writeFileSync(`${dir}/cset-speaker.npy`, writeNpy(new Float32Array(spk), [spk.length]));
writeFileSync(`${dir}/cset-ids.json`, JSON.stringify(Array.from(t.get('input.text').data, Number)));
writeFileSync(`${dir}/cset-emotion.txt`, String(Number(t.get('input.emotion').data[0])));
JS

status=0
run() {
  local name=$1; shift
  echo "-- deno example: $name"
  if ! npx --no-install deno run --allow-read --allow-write examples/deno/speak.ts "$@" 2>&1 | grep -v 'XDG_RUNTIME_DIR'; then
    echo "  ✖ $name: speak.ts failed"; status=1; return
  fi
  local wav
  wav=$(printf '%s\n' "$@" | grep -m1 '\.wav$')
  if [ ! -s "$wav" ]; then echo "  ✖ $name: no WAV written"; status=1; return; fi
  if ! info=$(sox --i "$wav" 2>&1); then echo "  ✖ $name: sox cannot read $wav: $info"; status=1; return; fi
  echo "$info" | grep -E 'Sample Rate|Duration' | sed 's/^/    /'
  echo "  ✔ $name"
}

run "Glow-TTS + HiFi-GAN (text)" "$golden/glowtts-small.safetensors" "$golden/hifigan-small.safetensors" \
  "Hello from Deno, on the golden weights." "$out/glowtts-hifigan.wav"
run "Glow-TTS + HiFi-GAN (--stream: chunks written as they come)" "$golden/glowtts-small.safetensors" "$golden/hifigan-small.safetensors" \
  "Hello from Deno. Streamed sentence by sentence." "$out/glowtts-hifigan-stream.wav" --stream
run "XSpkEmoTrans + HiFi-GAN (ids, hard emotion)" "$golden/cset-small.pth.tar" "$golden/hifigan-small.pth.tar" \
  "unused: the ids are given" "$out/cset-hifigan.wav" --ids "$(cat "$out/cset-ids.json")" \
  --speaker-embedding "$out/cset-speaker.npy" --emotion "$(cat "$out/cset-emotion.txt")"
run "Glow-TTS + Griffin-Lim (--voice)" --voice "$golden/glowtts-small.safetensors" "Griffin-Lim needs no weights." \
  "$out/glowtts-griffinlim.wav" --iterations 8
run "demo voice + Griffin-Lim (no model arguments)" "Hello there." "$out/demo-voice.wav"
[ $status -eq 0 ] && echo "deno example: passed" || echo "deno example: FAILED"
exit $status
