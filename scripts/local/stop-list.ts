/**
 * What a stack started, in starting order, stopped in the reverse order: the API before the broker and the
 * database it uses. One component that fails or hangs while stopping does not hold up the rest (each gets a
 * bounded time); stopping twice (Ctrl-C during the stop) stops once.
 */
export interface StopList {
  add(name: string, stop: () => Promise<void>): void;
  /** Stops everything added so far, last added first; the same promise on every call. */
  stopAll(): Promise<void>;
  /** Whether stopAll() has begun. */
  readonly stopping: boolean;
}

export function createStopList(options: { log: (line: string) => void; timeoutMs: number }): StopList {
  const components: { name: string; stop: () => Promise<void> }[] = [];
  let stopped: Promise<void> | undefined;
  const stopAll = async () => {
    for (const { name, stop } of [...components].reverse()) {
      await withTimeout(stop(), options.timeoutMs, name).catch((error: unknown) => options.log(`stopping ${name} failed: ${String(error)}`));
    }
  };
  return {
    add: (name, stop) => void components.push({ name, stop }),
    stopAll: () => (stopped ??= stopAll()),
    get stopping() {
      return stopped !== undefined;
    },
  };
}

async function withTimeout(work: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not stop within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
