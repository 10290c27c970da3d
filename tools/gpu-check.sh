#!/usr/bin/env bash
# The GPU check (issue 15): on a Linux machine with a GPU, one command runs `flowgpu doctor`,
# every golden model test and `flowgpu bench --json` on that adapter and writes the results to
# a folder ($OUT when set, else out/gpu-check; or the first argument).
#
#   bash tools/gpu-check.sh [outdir] [-- bench options, e.g. --quick]
#
# Works offline from a work tree that already has node_modules (webgpu, mocha; esbuild only when
# dist/ or dist-test/ must be built) and ../shared/golden. Vulkan: when no libvulkan.so.1 is
# installed, Debian's libvulkan1 is unpacked into .cache/vulkan-loader (apt-get download +
# dpkg -x; needs the network once, or a .cache/vulkan-loader carried along). The ICD: NVIDIA's
# (/usr/local/nvidia/share/vulkan/icd.d, where containers mount it, or the usual icd.d folders)
# when present, else whatever VK_ICD_FILENAMES says, else flowgpu's own choice (lavapipe).
# Each step has a time limit so the whole check stays under 8 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

out="${OUT:-$root/out/gpu-check}"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then out=$1; shift; fi
[ "${1:-}" = "--" ] && shift
bench_args=("$@")
mkdir -p "$out"
out=$(cd "$out" && pwd)
summary="$out/summary.txt"
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }
started=$(date +%s)
status=0

# --- Vulkan loader ---------------------------------------------------------------------------
have_loader() { ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || [ -e /usr/lib/x86_64-linux-gnu/libvulkan.so.1 ]; }
loader_dir="$root/.cache/vulkan-loader"
if have_loader; then
  say "vulkan loader: system"
else
  lib=$(find "$loader_dir" -name 'libvulkan.so.1' 2>/dev/null | head -1)
  if [ -z "$lib" ] && command -v apt-get >/dev/null && command -v dpkg >/dev/null; then
    tmp=$(mktemp -d)
    if (cd "$tmp" && timeout 60 apt-get download libvulkan1 >/dev/null 2>&1); then
      mkdir -p "$loader_dir" && dpkg -x "$tmp"/libvulkan1_*.deb "$loader_dir"
      lib=$(find "$loader_dir" -name 'libvulkan.so.1' | head -1)
    fi
    rm -rf "$tmp"
  fi
  if [ -n "$lib" ]; then
    export LD_LIBRARY_PATH="$(dirname "$lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    say "vulkan loader: $lib"
  else
    say "vulkan loader: none (no libvulkan.so.1, and apt-get download libvulkan1 failed: offline?); Dawn falls back to OpenGL ES"
  fi
fi

# --- ICD: the GPU's driver -------------------------------------------------------------------
nvidia=""
for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
  /etc/vulkan/icd.d/nvidia_icd.json /usr/local/share/vulkan/icd.d/nvidia_icd.json; do
  [ -e "$f" ] && { nvidia=$f; break; }
done
if [ -n "$nvidia" ]; then
  export VK_ICD_FILENAMES=$nvidia
  # The NVIDIA ICD names libGLX_nvidia.so.0; containers mount the driver's libraries here.
  [ -d /usr/local/nvidia/lib64 ] && export LD_LIBRARY_PATH="/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
say "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-(unset: flowgpu picks .cache/lavapipe if set up)}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$out/nvidia-smi.txt" 2>&1 \
  && say "nvidia-smi: $(cat "$out/nvidia-smi.txt")"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"

# --- build (offline: esbuild from node_modules) ------------------------------------------------
if [ ! -d node_modules/webgpu ] || [ ! -d node_modules/mocha ]; then
  say "node_modules lacks webgpu or mocha: trying npm install (needs the network)"
  timeout 180 npm install --no-audit --no-fund >"$out/npm-install.log" 2>&1 || { say "npm install failed (see npm-install.log)"; exit 1; }
fi
if [ ! -e dist/cli.js ] || ! ls dist-test/node/models/*.test.js >/dev/null 2>&1; then
  say "building dist/ and the test bundles"
  timeout 180 node tools/build.mjs --tests >"$out/build.log" 2>&1 || { say "build failed (see build.log)"; exit 1; }
fi

# --- doctor, golden model tests, bench ---------------------------------------------------------
step() { # step NAME LIMIT_S COMMAND...: runs with a time limit, output to NAME.txt
  local name=$1 limit=$2 t0 rc
  shift 2
  t0=$(date +%s)
  timeout "$limit" "$@" >"$out/$name.txt" 2>&1
  rc=$?
  say "$name: exit $rc in $(($(date +%s) - t0)) s$([ $rc = 124 ] && echo " (stopped at the ${limit} s limit)")"
  [ $rc = 0 ] || status=1
}
step doctor 60 node bin/flowgpu.js doctor
sed 's/^/  /' "$out/doctor.txt" | head -3 | tee -a "$summary"
step models 240 npx mocha --timeout 200000 --reporter spec 'dist-test/node/models/*.test.js'
grep -E '^ +[0-9]+ (passing|failing|pending)' "$out/models.txt" | sed 's/^ */  models: /' | tee -a "$summary"
left=$((460 - ($(date +%s) - started)))
[ $left -lt 30 ] && left=30
step bench "$left" node bin/flowgpu.js bench --json "$out/bench.json" "${bench_args[@]}"
grep -E 'waveglow infer|matmul 512|flowtron|glowtts|hifigan' "$out/bench.txt" | grep -v '^  ' | cut -c1-160 | sed 's/^/  /' | tee -a "$summary"

say "total: $(($(date +%s) - started)) s; results in $out"
exit $status
