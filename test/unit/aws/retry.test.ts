// The retry strategy every client uses: the SDK's attempts and backoff, but an endpoint that cannot
// be reached is retried for a bounded time, not ten times (issue: 13-17 s of silence before the error).
import { describe, expect, it } from "vitest";
import { createRetryStrategy, failureKind, type RetryErrorInfo } from "../../../src/aws/retry.js";

const refused: RetryErrorInfo = {
  errorType: "TRANSIENT",
  error: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
};
const dropped: RetryErrorInfo = { errorType: "TRANSIENT", error: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) };
const timedOut: RetryErrorInfo = { errorType: "TRANSIENT", error: Object.assign(new Error("request timeout"), { name: "TimeoutError" }) };
const throttled: RetryErrorInfo = { errorType: "THROTTLING", error: Object.assign(new Error("Rate exceeded"), { name: "Throttling" }) };
const denied: RetryErrorInfo = { errorType: "CLIENT_ERROR", error: Object.assign(new Error("no"), { name: "AccessDenied" }) };

/** Retries until the strategy refuses, advancing a fake clock by each delay plus `attemptMs`; returns the attempts made. */
async function attempts(
  info: RetryErrorInfo,
  o: { maxAttempts: number; attemptMs?: number; budget?: number; random?: number },
): Promise<{ attempts: number; elapsed: number }> {
  let now = 0;
  const s = createRetryStrategy({ maxAttempts: o.maxAttempts, unreachableBudgetMs: o.budget, now: () => now, random: () => o.random ?? 1 });
  let token = await s.acquireInitialRetryToken("");
  let n = 1;
  now += o.attemptMs ?? 0;
  for (;;) {
    try {
      token = await s.refreshRetryTokenForRetry(token, info);
    } catch {
      return { attempts: n, elapsed: now };
    }
    now += token.getRetryDelay() + (o.attemptMs ?? 0);
    n++;
  }
}

describe("createRetryStrategy", () => {
  it("classifies failures: unreachable (refused, DNS, TLS, dropped), timeout, throttling, transient, final", () => {
    expect(failureKind(refused)).toBe("unreachable");
    expect(failureKind(dropped)).toBe("unreachable");
    expect(failureKind({ errorType: "TRANSIENT", error: Object.assign(new Error("x"), { code: "ENOTFOUND" }) })).toBe("unreachable");
    expect(failureKind({ errorType: "CLIENT_ERROR", error: Object.assign(new Error("x"), { code: "CERT_HAS_EXPIRED" }) })).toBe(
      "unreachable",
    );
    expect(failureKind(timedOut)).toBe("timeout");
    expect(failureKind(throttled)).toBe("throttling");
    expect(failureKind({ errorType: "TRANSIENT", error: Object.assign(new Error("x"), { $metadata: { httpStatusCode: 503 } }) })).toBe(
      "transient",
    );
    expect(failureKind(denied)).toBe("final");
  });

  it("a refused connection is retried within the time budget only, however many attempts are allowed", async () => {
    const r = await attempts(refused, { maxAttempts: 10, budget: 2_000, attemptMs: 1 });
    expect(r.elapsed).toBeLessThan(2_000);
    expect(r.attempts).toBeGreaterThan(1);
    expect(r.attempts).toBeLessThan(10);
    // Without the budget (the SDK's behaviour) the same failures ran to all ten attempts.
    expect((await attempts(refused, { maxAttempts: 10, budget: Infinity, attemptMs: 1 })).attempts).toBe(10);
  });

  it("slow failures to connect are not retried past the budget either (a connect timeout of 10 s: one attempt)", async () => {
    expect((await attempts(dropped, { maxAttempts: 10, budget: 2_000, attemptMs: 10_000 })).attempts).toBe(1);
  });

  it("throttling keeps every attempt with the SDK's backoff (1 s base, doubling, capped at 20 s)", async () => {
    const s = createRetryStrategy({ maxAttempts: 10, now: () => 0, random: () => 1 });
    let token = await s.acquireInitialRetryToken("");
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      token = await s.refreshRetryTokenForRetry(token, throttled);
      delays.push(token.getRetryDelay());
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000, 20_000, 20_000]);
    await expect(s.refreshRetryTokenForRetry(token, throttled)).rejects.toThrow();
  });

  it("a request that timed out is tried three times at most; a client error never again", async () => {
    expect((await attempts(timedOut, { maxAttempts: 10, attemptMs: 60_000 })).attempts).toBe(3);
    expect((await attempts(denied, { maxAttempts: 10 })).attempts).toBe(1);
  });
});
