/** A search stopped because the user (or a newer request) asked it to. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * Lets the event loop run (so a cancel message can arrive), then checks the signal.
 * onnxruntime-node may finish a run without leaving the microtask queue, which would
 * otherwise starve the worker's message port for a whole search.
 */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  throwIfCancelled(signal);
}
