// flowgpu for Node: everything in the universal entry, plus an engine on Dawn (npm `webgpu`).
export * from './index.js';
export { createNodeEngine, createNodeEngineWithReport, findLavapipe, type BackendAttempt, type NodeBackend } from './gpu/node-gpu.js';
export { batch, readList, type BatchOptions, type BatchResult, type BatchProgress } from './batch/run.js';
export { parseList, type ListItem, type LineOptions, type Malformed } from './batch/list.js';
export type { ManifestRecord } from './batch/output.js';
export type { Voice } from './batch/voice.js';
export { addList, startWorker, queueStatus, redisConnection, type AddOptions, type WorkerOptions, type RunningWorker, type QueueStatus, type ListStatus } from './batch/queue.js';
