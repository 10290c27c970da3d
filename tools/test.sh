#!/usr/bin/env bash
# The test command: sets up a fresh machine, builds, then runs the one test corpus in Node
# (mocha, Dawn on lavapipe), Deno (deno test, its built-in WebGPU) and headless Chromium
# (SwiftShader). Prints one total line at the end; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || exit 1
node tools/build.mjs --tests || exit 1

export VK_ICD_FILENAMES="$PWD/.cache/lavapipe/lvp_icd.json"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
mkdir -p out/test-artifacts
logs=$(mktemp -d)
status=0

echo "== node (mocha, Dawn) =="
npx mocha --timeout 600000 --reporter spec 'dist-test/node/**/*.test.js' 2>&1 | grep -v '^Warning: maxDynamic' | tee "$logs/node" || status=1
echo "== deno (deno test) =="
npx deno test --allow-read --allow-env --allow-write --no-check dist-test/deno/ 2>&1 | tee "$logs/deno" || status=1
echo "== deno example (examples/deno/speak.ts) =="
bash tools/test-deno-example.sh 2>&1 | tee "$logs/deno-example" || status=1
echo "== types (deno check of every Deno example, tsc of a consumer project importing flowgpu and flowgpu/node) =="
{ npx deno check examples/deno/*.ts && npx tsc -p test/consumer && echo "types: passed"; } 2>&1 | tee "$logs/types" || status=1
echo "== chromium (puppeteer-core) =="
node tools/test-browser.mjs 2>&1 | tee "$logs/chromium" || status=1

# Totals over the three runtimes.
np=$(grep -Eo '^ +[0-9]+ passing' "$logs/node" | grep -Eo '[0-9]+' || echo 0)
nf=$(grep -Eo '^ +[0-9]+ failing' "$logs/node" | grep -Eo '[0-9]+' || echo 0)
dp=$(grep -Eo '[0-9]+ passed' "$logs/deno" | tail -1 | grep -Eo '[0-9]+' || echo 0)
df=$(grep -Eo '[0-9]+ failed' "$logs/deno" | tail -1 | grep -Eo '[0-9]+' || echo 0)
cp=$(grep -Eo '^chromium: [0-9]+ passed' "$logs/chromium" | grep -Eo '[0-9]+' || echo 0)
cf=$(grep -Eo '^chromium: [0-9]+ passed, [0-9]+ failed' "$logs/chromium" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+' || echo 0)
echo "node ${np} passed, ${nf} failed; deno ${dp} passed, ${df} failed; chromium ${cp} passed, ${cf} failed"
[ "$np" -gt 0 ] && [ "$dp" -gt 0 ] && [ "$cp" -gt 0 ] || status=1
echo "total: $((np + dp + cp)) passed, $((nf + df + cf + (status != 0 && nf + df + cf == 0 ? 1 : 0))) failed"
exit $status
