// DEPLOYER_POLL_INTERVAL_MS: how the CLI's polling interval is overridden (tests, benchmarks, slow APIs).
import { describe, expect, it } from "vitest";
import { DEFAULT_POLL_INTERVAL, parsePollInterval } from "../../../src/apply/service-poller.js";
import { pollIntervalFromEnv } from "../../../src/cli/apply-run.js";
import { DeployerError } from "../../../src/errors.js";

describe("parsePollInterval", () => {
  it("one value: a fixed interval", () => {
    expect(parsePollInterval("250")).toEqual({ initialMs: 250, maxMs: 250, factor: 1 });
  });

  it("two values: grows from INITIAL to MAX by the default factor", () => {
    expect(parsePollInterval("2000, 15000")).toEqual({ initialMs: 2000, maxMs: 15000, factor: DEFAULT_POLL_INTERVAL.factor });
  });

  it.each(["", "0", "-5", "1.5", "fast", "100,50", "1,2,3", "100,"])("refuses %j with a message", (text) => {
    expect(typeof parsePollInterval(text)).toBe("string");
  });
});

describe("pollIntervalFromEnv", () => {
  it("unset or blank: the default (undefined)", () => {
    expect(pollIntervalFromEnv({})).toBeUndefined();
    expect(pollIntervalFromEnv({ DEPLOYER_POLL_INTERVAL_MS: " " })).toBeUndefined();
  });

  it("set: the parsed interval", () => {
    expect(pollIntervalFromEnv({ DEPLOYER_POLL_INTERVAL_MS: "100" })).toEqual({ initialMs: 100, maxMs: 100, factor: 1 });
  });

  it("invalid: INVALID_ARGUMENT naming the variable, with a hint", () => {
    let err: unknown;
    try {
      pollIntervalFromEnv({ DEPLOYER_POLL_INTERVAL_MS: "soon" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeployerError);
    expect((err as DeployerError).code).toBe("INVALID_ARGUMENT");
    expect((err as DeployerError).message).toContain("DEPLOYER_POLL_INTERVAL_MS must be INITIAL or INITIAL,MAX in milliseconds");
    expect((err as DeployerError).hint).toContain("DEPLOYER_POLL_INTERVAL_MS=2000,15000");
  });
});
