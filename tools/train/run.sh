#!/usr/bin/env bash
# The demo voice's whole recipe, one command (issue 9):
#   tools/train/run.sh [minutes of training, default 80]
# corpus (sentences + flowgpu's own Glow-TTS front end) -> espeak-ng audio -> Tacotron 2 mels ->
# Glow-TTS training on CPU -> weights/demo-voice.safetensors -> listen-free check (pocketsphinx).
# Needs: Node >= 20 with `npm install` done; Debian packages python3-torch, python3-numpy,
# espeak-ng, sox, pocketsphinx, pocketsphinx-en-us, wamerican. Generated data goes to
# tools/train/work/ (git-ignored). Re-running resumes training from work/ckpt.pt if present.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES="${1:-80}"
PY="${PYTHON:-/usr/bin/python3}"
W=tools/train/work
mkdir -p "$W"
start=$(date +%s)
missing=()
for c in espeak-ng sox pocketsphinx_continuous node; do command -v "$c" >/dev/null || missing+=("$c"); done
[ -f /usr/share/dict/words ] || missing+=("/usr/share/dict/words (wamerican)")
"$PY" -c 'import torch, numpy' 2>/dev/null || missing+=("torch+numpy for $PY (python3-torch)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: missing: ${missing[*]}" >&2
  echo "  apt-get install espeak-ng sox pocketsphinx pocketsphinx-en-us wamerican python3-torch python3-numpy" >&2
  exit 2
fi
echo "== 1. mel check against the golden (Tacotron 2 mel)"
if [ -f ../shared/golden/mel-stft.safetensors ]; then (cd tools/train && "$PY" audio.py ../../../shared/golden/mel-stft.safetensors); fi
echo "== 2. corpus: sentences and token ids (flowgpu's Glow-TTS front end)"
node tools/train/ids.mjs words
"$PY" tools/train/sentences.py 4500
node tools/train/ids.mjs tools/train/work/sentences.txt "$W/corpus.json"
node tools/train/ids.mjs tools/train/eval-sentences.txt "$W/eval.json"
echo "== 3. espeak-ng audio and mels"
nice -n 5 "$PY" tools/train/prepare.py
echo "== 4. training ($MINUTES min)"
(cd tools/train && OMP_WAIT_POLICY=PASSIVE nice -n 5 "$PY" train.py --minutes "$MINUTES" | tee -a work/train.log)
echo "== 5. export"
"$PY" tools/train/export.py
echo "== 6. check (PyTorch model + Griffin-Lim, pocketsphinx)"
(cd tools/train && "$PY" check.py | tail -1)
echo "run.sh: done in $(( ($(date +%s) - start) / 60 )) min; now: npm run build && npm run eval:voice"
