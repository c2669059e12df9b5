// Run an async function over many items with at most `concurrency` in flight; results in input order.
// The fleet views read every account of the fleet: 200 targets must not mean 200 sessions at once.

export const DEFAULT_FLEET_CONCURRENCY = 16;

export async function mapBounded<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const limit = Math.max(1, Math.floor(concurrency));
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
