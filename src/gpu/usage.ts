// WebGPU's usage flags by their spec values: the GPUBufferUsage global does not exist in Node
// until the Dawn bindings are installed, and modules must be importable before that.
export const Usage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  QUERY_RESOLVE: 0x0200,
} as const;
