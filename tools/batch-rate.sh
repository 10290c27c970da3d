#!/usr/bin/env bash
# Lines per minute of the batch queue on this machine: the same 200 demo-voice lines through 1,
# then 2 `flowgpu worker` processes, each run against a fresh private redis-server. The clock
# starts when the workers are ready (models loaded) and the list is added, and stops when the
# list's parent job has completed (every line done, the manifest written).
#   bash tools/batch-rate.sh [worker counts...]      (default: 1 2)
#   ITERATIONS=16 (Griffin-Lim iterations, the speak default), LINES=200
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli.js ] || node tools/build.mjs
export VK_ICD_FILENAMES="${VK_ICD_FILENAMES:-$PWD/.cache/lavapipe/lvp_icd.json}"
ITERATIONS="${ITERATIONS:-16}"
LINES="${LINES:-200}"
counts=("${@:-1}")
[ $# -gt 0 ] || counts=(1 2)
work=$(mktemp -d)
sentences=("The quick brown fox jumps over the lazy dog." "Please call Stella." "She sells sea shells by the sea shore."
  "It is a bright cold day in April." "We will meet at noon tomorrow." "The rain stopped an hour ago."
  "Turn left at the second light." "This is a short test sentence." "Bring your own cup, please." "Good night, and thank you.")
for ((i = 0; i < LINES; i++)); do echo "${sentences[i % ${#sentences[@]}]}"; done >"$work/lines.txt"

for n in "${counts[@]}"; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/redis-$n"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$work/redis-$n" --save '' --daemonize yes --logfile "$work/redis-$n/log" >/dev/null
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.2; done
  url="redis://127.0.0.1:$port"
  pids=()
  for ((w = 0; w < n; w++)); do
    node bin/flowgpu.js worker --redis "$url" --queue rate -o "$work/out-$n" --iterations "$ITERATIONS" >"$work/worker-$n-$w.log" 2>&1 &
    pids+=($!)
  done
  for ((w = 0; w < n; w++)); do until grep -qs ready "$work/worker-$n-$w.log"; do sleep 0.5; done; done
  start=$(date +%s.%N)
  node bin/flowgpu.js queue add "$work/lines.txt" --redis "$url" --queue rate --name lines >/dev/null
  until node bin/flowgpu.js queue status --redis "$url" --queue rate | grep -q '(completed)'; do sleep 1; done
  end=$(date +%s.%N)
  kill -TERM "${pids[@]}"
  wait "${pids[@]}" || true
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'$n worker(s), $LINES lines, Griffin-Lim $ITERATIONS iterations: {s:.1f} s, {$LINES*60/s:.1f} lines/min (load average {open(\"/proc/loadavg\").read().split()[0]})')" "$start" "$end"
done
rm -rf "$work"
