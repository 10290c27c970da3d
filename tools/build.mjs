// Builds dist/ (the universal ESM bundle, the Node entry, the CLI) and, with --tests, the test
// bundles for Node (mocha), Deno (deno test) and the browser (mocha in a page).
import { build } from 'esbuild';
import { readdirSync, statSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { wgslIncludePlugin } from './wgsl-include.mjs';

const root = new URL('..', import.meta.url).pathname;
const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  plugins: [wgslIncludePlugin(new URL('../shaders', import.meta.url).pathname)],
  // the shipped dictionaries (src/text/lexicons): gzip inlined as bytes, the diff as text
  loader: { '.gz': 'binary', '.diff': 'text' },
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};
// The Dawn bindings and Node built-ins are only ever imported dynamically, in Node.
const nodeOnly = ['webgpu', 'node:*', '*/node-gpu.js'];

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(join(root, dir))) {
    const p = join(dir, name);
    if (statSync(join(root, p)).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const nodeBanner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };

async function buildLibrary() {
  await build({ ...common, entryPoints: { flowgpu: 'src/index.ts' }, outdir: 'dist', platform: 'neutral', external: nodeOnly, splitting: true, chunkNames: 'chunks/[name]-[hash]', mainFields: ['module', 'main'] });
  await build({ ...common, entryPoints: { app: 'examples/web/app.ts', bench: 'examples/web/bench.ts' }, outdir: 'dist/demo', platform: 'browser', external: nodeOnly });
  await build({ ...common, entryPoints: { node: 'src/node.ts', cli: 'src/cli.ts' }, outdir: 'dist', platform: 'node', external: ['webgpu', 'bullmq', 'cli-progress'], splitting: true, chunkNames: 'chunks/node-[name]-[hash]', banner: nodeBanner });
}

// Node: each test file its own bundle so mocha reports per file.
function buildNodeTests(files) {
  return build({ ...common, entryPoints: files, outdir: 'dist-test/node', outbase: 'test', platform: 'node', external: ['webgpu', 'puppeteer-core', 'mocha', 'bullmq', 'cli-progress'], banner: nodeBanner });
}

async function buildTests() {
  const all = testFiles('test');
  rmSync(join(root, 'dist-test'), { recursive: true, force: true });
  await buildNodeTests(all);
  // Deno: everything but Node-only tests, behind a describe/it shim over Deno.test.
  const deno = all.filter((f) => !f.startsWith('test/node/'));
  await build({ ...common, entryPoints: deno, outdir: 'dist-test/deno', outbase: 'test', platform: 'neutral', external: nodeOnly, mainFields: ['module', 'main'], inject: ['test/helpers/deno-bdd.ts'] });
  // Browser: the kernel suite (and what the page tests import) in one bundle run by mocha.
  const browser = all.filter((f) => f.startsWith('test/ops/') || f.startsWith('test/gpu/'));
  const entry = join(root, 'dist-test/browser-entry.ts');
  mkdirSync(join(root, 'dist-test'), { recursive: true });
  writeFileSync(entry, browser.map((f) => `import '${relative(join(root, 'dist-test'), join(root, f))}';`).join('\n') + '\n');
  await build({ ...common, entryPoints: { tests: entry }, outdir: 'dist-test/browser', platform: 'browser', external: nodeOnly });
}

// The fuzz driver and its workers (`npm run fuzz`, issue 13): one Node bundle.
function buildFuzz() {
  return build({ ...common, entryPoints: { fuzz: 'test/fuzz/main.ts' }, outdir: 'dist-fuzz', platform: 'node', external: ['webgpu'], banner: nodeBanner });
}

// The package's type declarations (package.json "types": dist/types), from tsconfig.build.json.
function buildTypes() {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('tsc -p tsconfig.build.json failed');
}

// `--test FILE...`: only those Node test bundles (fast, and safe while others build theirs).
// `--types` (and `--tests`, whose type checks read them): also dist/types (tsc, slower).
const only = process.argv.indexOf('--test');
if (only >= 0) await buildNodeTests(process.argv.slice(only + 1));
else if (process.argv.includes('--fuzz')) await buildFuzz();
else {
  await buildLibrary();
  if (process.argv.includes('--types') || process.argv.includes('--tests')) buildTypes();
  if (process.argv.includes('--tests')) await buildTests();
}
