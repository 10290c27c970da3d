// WGSL has no #include: this esbuild plugin gives it one, so helpers shared by several kernel
// families (activations, index arithmetic) live once in shaders/lib/. A line
//   #include "lib/activations.wgsl"
// is replaced by that file (path relative to shaders/), each file at most once per shader.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const INCLUDE = /^\s*#include\s+"([^"]+)"\s*$/;

export function expandIncludes(file, shadersDir, seen = new Set()) {
  const out = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = INCLUDE.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    const target = join(shadersDir, m[1]);
    if (seen.has(target)) continue;
    seen.add(target);
    out.push(`// ---- ${relative(shadersDir, target)} ----`, expandIncludes(target, shadersDir, seen), `// ---- end ${m[1]} ----`);
  }
  return out.join('\n');
}

export function wgslIncludePlugin(shadersDir) {
  return {
    name: 'wgsl-include',
    setup(b) {
      b.onLoad({ filter: /\.wgsl$/ }, (args) => {
        const seen = new Set();
        const contents = expandIncludes(args.path, shadersDir, seen);
        return { contents, loader: 'text', watchFiles: [...seen] };
      });
    },
  };
}

// `node tools/wgsl-include.mjs shaders/x.wgsl` prints the expanded source (for debugging).
if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  process.stdout.write(expandIncludes(file, join(dirname(new URL(import.meta.url).pathname), '../shaders')));
}
