// flowgpu: the universal entry (browsers, Deno, and Node through ./node.ts).
export * from './gpu/index.js';
export * as ops from './ops/index.js';
