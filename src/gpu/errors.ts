// One error type for everything a user can get wrong: the message says what and what to do.

export class FlowgpuError extends Error {
  override name = 'FlowgpuError';
}

export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Refuses non-finite values where data enters or leaves a model (a NaN mel, a silent WAV from
 *  NaN weights): says what holds them, where the first one is and how many there are. */
export function assertFinite(values: ArrayLike<number>, what: string, hint = ''): void {
  let first = -1;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count > 0) {
    throw new FlowgpuError(`${what} holds ${count} non-finite value${count === 1 ? '' : 's'} (NaN or ±Infinity; the first at index ${first})${hint ? `: ${hint}` : ''}`);
  }
}
