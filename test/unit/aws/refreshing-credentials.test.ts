import { describe, expect, it } from "vitest";
import { refreshingCredentials, type AwsCredentialIdentity } from "../../../src/aws/refreshing-credentials.js";

/** A provider issuing sessions of `lifetimeMs` on a fake clock, counting calls. */
function issuer(clock: { now: number }, lifetimeMs: number | undefined) {
  let calls = 0;
  const provider = async (): Promise<AwsCredentialIdentity> => {
    calls += 1;
    return {
      accessKeyId: `ASIA${calls}`,
      secretAccessKey: "s",
      sessionToken: "t",
      ...(lifetimeMs === undefined ? {} : { expiration: new Date(clock.now + lifetimeMs) }),
    };
  };
  return { provider, calls: () => calls };
}

describe("refreshingCredentials", () => {
  it("reuses one-hour credentials until 5 minutes before expiry", async () => {
    const clock = { now: 1_000_000 };
    const iss = issuer(clock, 3_600_000);
    const creds = refreshingCredentials(iss.provider, { now: () => clock.now });
    expect((await creds()).accessKeyId).toBe("ASIA1");
    clock.now += 3_600_000 - 300_001;
    expect((await creds()).accessKeyId).toBe("ASIA1");
    clock.now += 2;
    expect((await creds()).accessKeyId).toBe("ASIA2");
    expect(iss.calls()).toBe(2);
  });

  it("keeps short (5 s) sessions for most of their life instead of refreshing on every call", async () => {
    const clock = { now: 0 };
    const iss = issuer(clock, 5_000);
    const creds = refreshingCredentials(iss.provider, { now: () => clock.now });
    await creds();
    clock.now += 3_000;
    await creds();
    expect(iss.calls()).toBe(1);
    clock.now += 1_000; // 1 s left: within a quarter of the lifetime
    expect((await creds()).accessKeyId).toBe("ASIA2");
    // a long wait: far past expiry, still fresh credentials
    clock.now += 60 * 60 * 1000;
    expect((await creds()).accessKeyId).toBe("ASIA3");
  });

  it("shares one refresh between concurrent callers", async () => {
    const clock = { now: 0 };
    const iss = issuer(clock, 5_000);
    const creds = refreshingCredentials(iss.provider, { now: () => clock.now });
    const all = await Promise.all([creds(), creds(), creds()]);
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    expect(iss.calls()).toBe(1);
  });

  it("never refreshes credentials without expiration, unless forced", async () => {
    const clock = { now: 0 };
    const iss = issuer(clock, undefined);
    const creds = refreshingCredentials(iss.provider, { now: () => clock.now });
    await creds();
    clock.now += 10 * 24 * 3600 * 1000;
    await creds();
    expect(iss.calls()).toBe(1);
    await creds({ forceRefresh: true });
    expect(iss.calls()).toBe(2);
    expect(creds.memoized).toBe(true);
  });

  it("propagates a failed refresh and retries on the next call", async () => {
    let fail = true;
    const creds = refreshingCredentials(async () => {
      if (fail) throw new Error("denied");
      return { accessKeyId: "A", secretAccessKey: "s" };
    });
    await expect(creds()).rejects.toThrow("denied");
    fail = false;
    expect((await creds()).accessKeyId).toBe("A");
  });
});

describe("refreshingCredentials when a refresh fails", () => {
  it("keeps using credentials that are still valid until they expire, trying the refresh again a little later", async () => {
    const clock = { now: 0 };
    let fail = false;
    let calls = 0;
    const creds = refreshingCredentials(
      async () => {
        calls += 1;
        if (fail) throw new Error("base credentials expired");
        return { accessKeyId: `ASIA${calls}`, secretAccessKey: "s", expiration: new Date(clock.now + 3_600_000) };
      },
      { now: () => clock.now },
    );
    expect((await creds()).accessKeyId).toBe("ASIA1");
    fail = true;
    clock.now += 3_600_000 - 200_000; // inside the refresh window, 200 s left
    expect((await creds()).accessKeyId).toBe("ASIA1");
    expect(calls).toBe(2);
    expect((await creds()).accessKeyId).toBe("ASIA1"); // no new attempt right away
    expect(calls).toBe(2);
    clock.now += 60_000;
    expect((await creds()).accessKeyId).toBe("ASIA1"); // tried again, still failing, still usable
    expect(calls).toBe(3);
    clock.now += 137_000; // 3 s left: too close to expiry to sign with
    await expect(creds()).rejects.toThrow("base credentials expired");
    fail = false;
    expect((await creds()).accessKeyId).toMatch(/^ASIA\d+$/);
  });
});
