// Time, injectable: the rollout engine reads the time and sleeps only through a Clock, so tests drive
// deployments over a fake clock and production uses the system one.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolve after `ms` milliseconds, or as soon as `signal` aborts (never rejects: callers check
   * `signal.aborted` afterwards).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
    });
  },
};

/** ISO-8601 form of the clock's time now, or of a reading taken earlier (milliseconds since the epoch). */
export function isoAt(reading: Clock | number): string {
  return new Date(typeof reading === "number" ? reading : reading.now()).toISOString();
}
