export { Engine, grid, type EngineOptions, type Dispatch, type HostArray, type AdapterSummary } from './engine.js';
export { FlowgpuError, describeShape } from './errors.js';
export { f32, i32, type Param } from './params.js';
export { PipelineCache, pipelineKey, type KernelRef, type Constants } from './pipelines.js';
export { BufferPool, bucketSize } from './pool.js';
export { Tensor, type GpuDType } from './tensor.js';
