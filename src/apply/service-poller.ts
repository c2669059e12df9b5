// Polls DescribeServices for every waiter of a run without hammering the API: each watched service
// is polled on a bounded, growing interval (2 s, 3 s, 4.5 s, then every 6 s by default); the waiters of the
// services of one session (account/region) and cluster share their calls, batched up to 10 services
// per DescribeServices as the API allows, and a service is described at most once per poll.
import type { EcsPort, LiveService } from "../aws/ports.js";
import type { Clock } from "./clock.js";

export interface PollInterval {
  /** First interval after a watch starts (or restarts). */
  initialMs: number;
  /** Upper bound of the interval. */
  maxMs: number;
  /** Growth factor applied after every poll. */
  factor: number;
}

export const DEFAULT_POLL_INTERVAL: PollInterval = { initialMs: 2_000, maxMs: 6_000, factor: 1.5 };

/** Environment variable that overrides the polling interval of the CLI (see parsePollInterval). */
export const POLL_INTERVAL_ENV = "DEPLOYER_POLL_INTERVAL_MS";

/**
 * Reads a polling interval written as `INITIAL` or `INITIAL,MAX` milliseconds (e.g. `500` or
 * `2000,15000`): with one value the interval stays fixed; with two it grows x1.5 from INITIAL to MAX.
 * Returns an error message instead when the text is not that.
 */
export function parsePollInterval(text: string): PollInterval | string {
  const parts = text.split(",").map((p) => p.trim());
  const nums = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (parts.length > 2 || nums.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    return `must be INITIAL or INITIAL,MAX in milliseconds (whole numbers >= 1), got ${JSON.stringify(text)}`;
  }
  const [initialMs, maxMs = initialMs] = nums as [number, number?];
  if (maxMs < initialMs) return `MAX (${maxMs}) must not be below INITIAL (${initialMs})`;
  return { initialMs, maxMs, factor: maxMs > initialMs ? DEFAULT_POLL_INTERVAL.factor : 1 };
}

/** DescribeServices accepts at most this many services per call. */
export const DESCRIBE_SERVICES_BATCH = 10;

export type PollOutcome =
  /** A fresh snapshot; `service` is undefined when ECS no longer knows the service. */
  | { type: "snapshot"; service: LiveService | undefined }
  /** The DescribeServices call failed (the SDK already retried what it retries). */
  | { type: "error"; error: unknown }
  | { type: "aborted" };

/** One waiter's view of one service. */
export interface ServiceWatch {
  /**
   * The next snapshot, taken no earlier than this watch's next due time (its last poll plus its
   * current interval). Resolves `aborted` as soon as `signal` aborts.
   */
  next(signal?: AbortSignal): Promise<PollOutcome>;
  /** Start the interval again from `initialMs`, with the next poll due after it (e.g. for a rollback). */
  restart(): void;
  /**
   * A snapshot now (e.g. right before UpdateService), batched with the other reads due now; does
   * not move this watch's schedule.
   */
  now(signal?: AbortSignal): Promise<PollOutcome>;
}

interface Waiter {
  service: string;
  dueAt: number;
  settle: (o: PollOutcome) => void;
}

export class ServicePoller {
  private readonly groups = new WeakMap<EcsPort, Map<string, PollGroup>>();
  private readonly coalesceMs: number;
  /** The polling interval (one-off tasks are polled on it too). */
  readonly pollInterval: PollInterval;

  constructor(
    private readonly clock: Clock,
    private readonly interval: PollInterval = DEFAULT_POLL_INTERVAL,
  ) {
    this.pollInterval = interval;
    if (!(interval.initialMs > 0) || !(interval.maxMs >= interval.initialMs) || !(interval.factor >= 1)) {
      throw new RangeError(`invalid poll interval ${JSON.stringify(interval)}: need 0 < initialMs <= maxMs and factor >= 1`);
    }
    // A waiter due within this window of an ongoing poll rides along with it instead of causing
    // its own call moments later.
    this.coalesceMs = interval.initialMs / 2;
  }

  /** Watch `service` of `cluster` through `ecs` (one EcsPort per target session). */
  watch(ecs: EcsPort, cluster: string, service: string): ServiceWatch {
    const group = this.group(ecs, cluster);
    const clock = this.clock;
    const { initialMs, maxMs, factor } = this.interval;
    let current = initialMs;
    let dueAt = clock.now() + initialMs;
    return {
      next: async (signal?: AbortSignal) => {
        const outcome = await group.request(service, dueAt, signal);
        if (outcome.type !== "aborted") {
          current = Math.min(maxMs, current * factor);
          dueAt = clock.now() + current;
        }
        return outcome;
      },
      restart: () => {
        current = initialMs;
        dueAt = clock.now() + initialMs;
      },
      now: (signal?: AbortSignal) => group.request(service, clock.now(), signal),
    };
  }

  private group(ecs: EcsPort, cluster: string): PollGroup {
    let byCluster = this.groups.get(ecs);
    if (!byCluster) this.groups.set(ecs, (byCluster = new Map<string, PollGroup>()));
    let group = byCluster.get(cluster);
    if (!group) byCluster.set(cluster, (group = new PollGroup(ecs, cluster, this.clock, this.coalesceMs)));
    return group;
  }
}

/** The waiters of one EcsPort + cluster: one polling loop, batched calls. */
class PollGroup {
  private readonly pending = new Set<Waiter>();
  private running = false;
  private sleepingUntil = Infinity;
  private wake?: AbortController;

  constructor(
    private readonly ecs: EcsPort,
    private readonly cluster: string,
    private readonly clock: Clock,
    private readonly coalesceMs: number,
  ) {}

  request(service: string, dueAt: number, signal?: AbortSignal): Promise<PollOutcome> {
    if (signal?.aborted) return Promise.resolve({ type: "aborted" });
    return new Promise<PollOutcome>((resolve) => {
      const onAbort = (): void => {
        if (this.pending.delete(waiter)) resolve({ type: "aborted" });
      };
      const waiter: Waiter = {
        service,
        dueAt,
        settle: (o) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(o);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.add(waiter);
      if (!this.running) void this.loop();
      else if (dueAt < this.sleepingUntil) this.wake?.abort();
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    let gathered = false;
    try {
      while (this.pending.size > 0) {
        const now = this.clock.now();
        const earliest = Math.min(...[...this.pending].map((w) => w.dueAt));
        if (earliest > now) {
          this.sleepingUntil = earliest;
          this.wake = new AbortController();
          await this.clock.sleep(earliest - now, this.wake.signal);
          this.sleepingUntil = Infinity;
          continue;
        }
        if (!gathered) {
          // Let the reads asked for in the same moment (targets starting together) join this call.
          gathered = true;
          await this.clock.sleep(0);
          continue;
        }
        gathered = false;
        await this.pollDue(this.clock.now());
      }
    } finally {
      this.running = false;
    }
  }

  private async pollDue(now: number): Promise<void> {
    const waiters = [...this.pending];
    const due = unique(waiters.filter((w) => w.dueAt <= now + this.coalesceMs).map((w) => w.service));
    // Fill the last batch with services not yet due: they cost nothing extra.
    const room = (DESCRIBE_SERVICES_BATCH - (due.length % DESCRIBE_SERVICES_BATCH)) % DESCRIBE_SERVICES_BATCH;
    const riders = unique(waiters.map((w) => w.service).filter((s) => !due.includes(s))).slice(0, room);
    const services = [...due, ...riders];
    const batch = waiters.filter((w) => services.includes(w.service));
    for (const w of batch) this.pending.delete(w);

    const chunks: string[][] = [];
    for (let i = 0; i < services.length; i += DESCRIBE_SERVICES_BATCH) chunks.push(services.slice(i, i + DESCRIBE_SERVICES_BATCH));
    const outcomes = new Map<string, PollOutcome>();
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          const found = await this.ecs.describeServices(this.cluster, chunk);
          for (const s of chunk) outcomes.set(s, { type: "snapshot", service: found.get(s) });
        } catch (error) {
          for (const s of chunk) outcomes.set(s, { type: "error", error });
        }
      }),
    );
    for (const w of batch) w.settle(outcomes.get(w.service) ?? { type: "error", error: new Error(`no result for ${w.service}`) });
  }
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
