// At most `parallel` of the calls at once, results in the order of the items. The tenants
// command's only scheduler: which customer runs is the operator's choice, locking is the backend's.

export async function mapBounded<T, R>(
  items: readonly T[],
  parallel: number,
  call: (item: T, index: number) => Promise<R>,
  /** Checked before each start: once it says stop, the remaining items are not started. */
  stop: () => boolean = () => false,
): Promise<Array<R | undefined>> {
  const results: Array<R | undefined> = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const index = next;
      next += 1;
      results[index] = await call(items[index], index);
    }
  };
  const workers = Math.max(1, Math.min(parallel, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
