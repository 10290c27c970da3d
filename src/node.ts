// flowgpu for Node: everything in the universal entry, plus an engine on Dawn (npm `webgpu`).
export * from './index.js';
export { createNodeEngine, createNodeEngineWithReport, findLavapipe, type BackendAttempt, type NodeBackend } from './gpu/node-gpu.js';
