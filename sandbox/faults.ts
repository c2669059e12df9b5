// Fault injection: latency, throttling, 5xx errors and dropped connections at configurable rates,
// optionally restricted to some actions/accounts; deterministic when seeded.
export interface Faults {
  latencyMs?: number;
  perActionLatencyMs?: Record<string, number>;
  throttleRate?: number;
  errorRate?: number;
  dropRate?: number;
  actions?: string[];
  accounts?: string[];
  unreachableAccounts?: string[];
  /**
   * Actions this endpoint does not have (answered UnknownOperationException, as for any action the
   * sandbox does not implement): e.g. an AWS stand-in without the 2024 service-deployment API.
   */
  withoutActions?: string[];
  seed?: number;
}

export type FaultKind = "throttle" | "error" | "drop";

/** mulberry32: small, fast, good enough for fault dice. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rate(v: number | undefined, name: string): number {
  if (v === undefined) return 0;
  if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw new Error(`faults.${name} must be a number between 0 and 1 (got ${String(v)})`);
  return v;
}

export function validateFaults(f: Faults): Faults {
  if (!f || typeof f !== "object") throw new Error("faults must be an object");
  rate(f.throttleRate, "throttleRate");
  rate(f.errorRate, "errorRate");
  rate(f.dropRate, "dropRate");
  if ((f.throttleRate ?? 0) + (f.errorRate ?? 0) + (f.dropRate ?? 0) > 1)
    throw new Error("faults: throttleRate + errorRate + dropRate must not exceed 1");
  if (f.latencyMs !== undefined && !(typeof f.latencyMs === "number" && f.latencyMs >= 0))
    throw new Error("faults.latencyMs must be a number >= 0");
  for (const [k, v] of Object.entries(f.perActionLatencyMs ?? {})) {
    if (!(typeof v === "number" && v >= 0)) throw new Error(`faults.perActionLatencyMs.${k} must be a number >= 0`);
  }
  return f;
}

export class FaultInjector {
  private faults: Faults = {};
  private random: () => number = Math.random;

  constructor(initial?: Faults) {
    this.set(initial ?? {});
  }

  set(f: Faults): void {
    this.faults = validateFaults({ ...f });
    this.random = f.seed !== undefined ? mulberry32(f.seed) : Math.random;
  }

  get(): Faults {
    return { ...this.faults };
  }

  /** Accounts a call concerns: the caller's, plus e.g. the role's account for AssumeRole. */
  private applies(action: string, accounts: string[]): boolean {
    const f = this.faults;
    if (f.actions && f.actions.length > 0 && !f.actions.includes(action)) return false;
    if (f.accounts && f.accounts.length > 0 && !accounts.some((a) => f.accounts!.includes(a))) return false;
    return true;
  }

  lacks(action: string): boolean {
    return this.faults.withoutActions?.includes(action) ?? false;
  }

  isUnreachable(accounts: string[]): boolean {
    return accounts.some((a) => this.faults.unreachableAccounts?.includes(a));
  }

  latencyFor(action: string, accounts: string[]): number {
    if (!this.applies(action, accounts)) return 0;
    return (this.faults.latencyMs ?? 0) + (this.faults.perActionLatencyMs?.[action] ?? 0);
  }

  /** Rolls the dice for one call. */
  pick(action: string, accounts: string[]): FaultKind | undefined {
    const f = this.faults;
    const drop = f.dropRate ?? 0;
    const throttle = f.throttleRate ?? 0;
    const error = f.errorRate ?? 0;
    if (drop + throttle + error === 0 || !this.applies(action, accounts)) return undefined;
    const r = this.random();
    if (r < drop) return "drop";
    if (r < drop + throttle) return "throttle";
    if (r < drop + throttle + error) return "error";
    return undefined;
  }
}
