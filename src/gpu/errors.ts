// One error type for everything a user can get wrong: the message says what and what to do.

export class FlowgpuError extends Error {
  override name = 'FlowgpuError';
}

export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
