// The one bounded worker pool: run an async function over many items with at most `concurrency` in
// flight, results in input order. Observing, reading the fleet and rolling out a stage all go through
// it, so 200 targets never mean 200 sessions (or deployments) at once.

/** Targets worked on at once when the caller sets no bound (observe, fleet reads, `--concurrency`). */
export const DEFAULT_CONCURRENCY = 64;

export interface BoundedOptions {
  /** At most this many in flight (default DEFAULT_CONCURRENCY; Infinity: all at once). */
  concurrency?: number;
  /** Checked before each item is started: once true, no further item starts (those in flight finish). */
  stopWhen?: () => boolean;
}

export function mapBounded<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  options?: { concurrency?: number },
): Promise<R[]>;
/** With `stopWhen`: items never started are `undefined` in the result. */
export function mapBounded<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  options: BoundedOptions & { stopWhen: () => boolean },
): Promise<Array<R | undefined>>;
export async function mapBounded<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  options: BoundedOptions = {},
): Promise<Array<R | undefined>> {
  const limit = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const results = new Array<R | undefined>(items.length).fill(undefined);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !options.stopWhen?.()) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
