// Parallel targets' progress, buffered: each target's lines come out together in its own group,
// when that target is done; stage lines stay outside the groups; nothing is lost on a crash.
import { describe, expect, it } from "vitest";
import { createGroupedRunLog } from "../../src/action/run-log-groups.js";
import { createActionLog } from "../../src/action/action-log.js";
import { SecretMask } from "../../src/action/secret-mask.js";

function capture() {
  let out = "";
  const masked: string[] = [];
  const mask = new SecretMask((v) => masked.push(v));
  return { log: createActionLog(mask, (t) => (out += t)), mask, masked, out: () => out };
}

const at = "2026-01-01T00:00:00.000Z";

describe("grouped run log", () => {
  it("interleaved events of two targets come out as two whole groups, in completion order", () => {
    const c = capture();
    const g = createGroupedRunLog(c.log);
    g.sink({ type: "stage-start", at, stage: "prod", targets: ["eu", "us"] });
    g.sink({ type: "step", at, target: "eu", step: "register", message: "registered shop-api-eu:4" });
    g.sink({ type: "step", at, target: "us", step: "register", message: "registered shop-api-us:9" });
    g.sink({ type: "progress", at, target: "eu", message: "1/3 running", running: 1, pending: 0, desired: 3 });
    g.sink({ type: "target-done", at, target: "us", outcome: "deployed", message: "deployed shop-api-us:9" });
    g.sink({ type: "target-done", at, target: "eu", outcome: "failed", message: "tasks failed to start" });
    g.sink({ type: "stage-done", at, stage: "prod", ok: false });
    expect(c.out()).toBe(
      [
        `${at} stage prod: starting 2 targets (eu, us)`,
        "::group::us · ✅ deployed",
        `${at} [us] registered shop-api-us:9`,
        `${at} [us] ✔ deployed shop-api-us:9`,
        "::endgroup::",
        "::group::eu · ❌ failed",
        `${at} [eu] registered shop-api-eu:4`,
        `${at} [eu] 1/3 running`,
        `${at} [eu] ✖ failed: tasks failed to start`,
        "::endgroup::",
        `${at} stage prod: FAILED`,
        "",
      ].join("\n"),
    );
  });

  it("flush writes the lines of targets that never finished", () => {
    const c = capture();
    const g = createGroupedRunLog(c.log);
    g.sink({ type: "step", at, target: "eu", step: "register", message: "registered shop-api-eu:4" });
    g.flush();
    expect(c.out()).toBe(`::group::eu · (no result)\n${at} [eu] registered shop-api-eu:4\n::endgroup::\n`);
  });

  it("scrubs known secrets and defuses workflow commands in logged text", () => {
    const c = capture();
    c.mask.add(["s3cr3t-value", "42"]);
    // The value in every form deployer writes it (upper/lower case), never a 2-character one.
    expect(c.masked).toEqual(["s3cr3t-value", "S3CR3T-VALUE"]);
    // The runner trims leading whitespace before it looks for `::`, and reads `##[` anywhere:
    // an indent does not defuse a command, a visible break does.
    c.log.info("token=s3cr3t-value S3CR3T-VALUE\n::set-output name=x::y\n   ::add-mask::z\nsee ##[error]x \u001b[2J");
    expect(c.out()).toBe("token=(sensitive) (sensitive)\n:\\:set-output name=x::y\n   :\\:add-mask::z\nsee ##\\[error]x \\u001b[2J\n");
  });
});
