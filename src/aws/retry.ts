// How every SDK client of deployer retries: the SDK's standard strategy (exponential backoff with
// full jitter, throttling backing off harder, `maxAttempts` in all), with one change: a call that
// cannot reach its endpoint at all (connection refused, DNS, TLS, connection dropped) is retried for
// a bounded TIME, not only a bounded count. Ten attempts of a refused connection used to take 13-17 s
// of silence before the error; now it is reported within `unreachableBudgetMs`, and a test that
// drops every connection to an account knows how long that takes.
//
// The delays follow the SDK's StandardRetryStrategy (@smithy/core util-retry, "retries-2026"
// constants: base 50 ms, 1 s for throttling, capped at 20 s). The SDK's retry quota (a token bucket
// per client) is left out: deployer's clients each serve one target and one stage, and a run gives
// up on a target long before a bucket would matter.
import { unreachableCause } from "./aws-error.js";

/** The SDK's RetryStrategyV2 shape (@smithy/types), without importing it. */
export interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}
export interface RetryErrorInfo {
  error?: unknown;
  errorType: "TRANSIENT" | "THROTTLING" | "SERVER_ERROR" | "CLIENT_ERROR";
  retryAfterHint?: Date;
}
export interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

export interface RetryPolicy {
  /** Attempts per call, including the first. */
  maxAttempts: number;
  /** An unreachable endpoint is retried only while the call has run for less than this (default 2 s). */
  unreachableBudgetMs?: number;
  /** Attempts for a request that timed out after connecting (default 3; each waited the request timeout). */
  maxTimeoutAttempts?: number;
  now?: () => number;
  random?: () => number;
}

export const DEFAULT_UNREACHABLE_BUDGET_MS = 2_000;
export const DEFAULT_MAX_TIMEOUT_ATTEMPTS = 3;
const BASE_DELAY_MS = 50;
const THROTTLING_BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 20_000;

class Token implements RetryToken {
  constructor(
    readonly startedAt: number,
    readonly count: number,
    readonly delay: number,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return this.delay;
  }
}

/** What a failed attempt is, for the retry decision. */
export type FailureKind = "unreachable" | "timeout" | "throttling" | "transient" | "final";

export function failureKind(info: RetryErrorInfo): FailureKind {
  const cause = unreachableCause(info.error);
  if (cause) return cause.what === "timed out" ? "timeout" : "unreachable";
  if (info.errorType === "THROTTLING") return "throttling";
  if (info.errorType === "TRANSIENT") return "transient";
  return "final";
}

/** A fresh strategy (give each client its own, as the SDK does). */
export function createRetryStrategy(policy: RetryPolicy): RetryStrategy {
  const now = policy.now ?? Date.now;
  const random = policy.random ?? Math.random;
  const budget = policy.unreachableBudgetMs ?? DEFAULT_UNREACHABLE_BUDGET_MS;
  const maxTimeoutAttempts = Math.min(policy.maxAttempts, policy.maxTimeoutAttempts ?? DEFAULT_MAX_TIMEOUT_ATTEMPTS);
  return {
    async acquireInitialRetryToken() {
      return new Token(now(), 0, 0);
    },
    async refreshRetryTokenForRetry(token, info) {
      const t = token as Token;
      const attempts = t.count + 1; // attempts made so far
      const kind = failureKind(info);
      const refuse = (): never => {
        throw new Error(`no retry (${kind}, ${attempts} attempt${attempts === 1 ? "" : "s"})`);
      };
      if (kind === "final" || attempts >= policy.maxAttempts) refuse();
      if (kind === "timeout" && attempts >= maxTimeoutAttempts) refuse();
      const base = kind === "throttling" ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS;
      let delay = Math.floor(random() * Math.min(base * 2 ** t.count, MAX_DELAY_MS));
      if (info.retryAfterHint instanceof Date) delay = Math.max(delay, Math.min(info.retryAfterHint.getTime() - now(), delay + 5_000));
      if (kind === "unreachable" && now() - t.startedAt + delay >= budget) refuse();
      return new Token(t.startedAt, t.count + 1, delay);
    },
    recordSuccess() {},
  };
}
