// Peak memory of reading (and optionally converting) a checkpoint with flowgpu's loader.
//   node --import tsx tools/measure-load-memory.mjs <checkpoint> [--convert]
// Reads the file the way `flowgpu convert` does. Prints the file size, RSS after each step and the process's peak RSS, and how many tensors are
// zero-copy views of the file versus copies. Make a large test file with tools/gen-large-checkpoint.py.

const [file, ...flags] = process.argv.slice(2);
if (!file) {
  console.error('usage: node --import tsx tools/measure-load-memory.mjs <checkpoint> [--convert]');
  process.exit(2);
}
const { loadCheckpoint } = await import('../src/io/checkpoint.ts');
const { convertCheckpoint } = await import('../src/io/convert.ts');
const { safetensorsParts } = await import('../src/io/safetensors.ts');
const { readCheckpointFile } = await import('../src/cli/convert.ts');

const MB = (n) => `${(n / 1e6).toFixed(0)} MB`;
const rss = () => process.memoryUsage().rss;
const peak = () => process.resourceUsage().maxRSS * 1024; // kilobytes on Linux and macOS

const base = rss();
const bytes = readCheckpointFile(file); // as `flowgpu convert` reads it
const afterRead = rss();
let t0 = performance.now();
const ckpt = loadCheckpoint(bytes);
const loadMs = performance.now() - t0;
const afterLoad = rss();

let views = 0;
let copies = 0;
let copied = 0;
let total = 0;
for (const t of ckpt.tensors.values()) {
  total += t.data.byteLength;
  if (t.data.buffer === bytes.buffer) views++;
  else { copies++; copied += t.data.byteLength; }
}
console.log(`file ${file}: ${MB(bytes.length)}, ${ckpt.tensors.size} tensors, ${MB(total)} of tensor data`);
console.log(`tensors: ${views} zero-copy views of the file, ${copies} copies (${MB(copied)})`);
console.log(`rss: start ${MB(base)}, file read ${MB(afterRead)}, loaded ${MB(afterLoad)} (load ${loadMs.toFixed(0)} ms)`);
console.log(`peak rss after loading: ${MB(peak())} = file size + ${MB(peak() - bytes.length)}`);

if (flags.includes('--convert')) {
  t0 = performance.now();
  const result = convertCheckpoint(bytes);
  const parts = safetensorsParts(result.checkpoint);
  const out = parts.reduce((a, p) => a + p.length, 0);
  console.log(`convert (fold ${result.folded.length} layers): ${(performance.now() - t0).toFixed(0)} ms, output ${MB(out)}, rss ${MB(rss())}, peak ${MB(peak())}`);
}
