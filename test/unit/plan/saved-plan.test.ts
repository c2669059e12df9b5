import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isDeployerError } from "../../../src/errors.js";
import { buildPlan } from "../../../src/plan/build.js";
import { checkPlanStillValid, parsePlan, planStaleError, readPlanFile } from "../../../src/plan/saved-plan.js";
import { DIGEST_B, modelledDescription, desired, image, observed, planInput, makeTarget } from "../../helpers/factories.js";
import { writePlanFile } from "../../../src/report/plan-file.js";

const live = () => modelledDescription("task-definition.shop-api-dev.json").taskDefinition;
const dev = () => makeTarget();
const staging = () => makeTarget({ name: "staging", stage: "staging", account: "333333333333", cluster: "shop-staging" });

function makePlan(opts: { cpu?: number; digest?: string; liveCpu?: string; targets?: ReturnType<typeof makeTarget>[] } = {}) {
  const targets = opts.targets ?? [dev(), staging()];
  return buildPlan(
    planInput(
      targets.map((t) => {
        const tt = opts.cpu ? { ...t, vars: { ...t.vars, cpu: opts.cpu } } : t;
        const l = opts.liveCpu ? { ...live(), cpu: opts.liveCpu } : live();
        return { desired: desired(tt, image(opts.digest ?? DIGEST_B)), observed: observed(tt, l) };
      }),
      {},
      image(opts.digest ?? DIGEST_B),
    ),
  );
}

function tmpFile(name = "plan.json") {
  return path.join(mkdtempSync(path.join(tmpdir(), "deployer-saved-")), name);
}

function expectPlanInvalid(fn: () => unknown, pattern: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(isDeployerError(e)).toBe(true);
    if (!isDeployerError(e)) return;
    expect(e.code).toBe("PLAN_INVALID");
    expect(e.message).toMatch(pattern);
    return e;
  }
  throw new Error("expected PLAN_INVALID");
}

describe("saved plans", () => {
  it("round-trips: written, read back, validated, and still valid against a fresh identical plan", async () => {
    const plan = makePlan();
    const file = tmpFile();
    await writePlanFile(file, plan);
    const saved = await readPlanFile(file);
    expect(saved.targets.map((t) => [t.target.name, t.action, t.fingerprint])).toEqual(
      plan.targets.map((t) => [t.target.name, t.action, t.fingerprint]),
    );
    expect(saved.targets[0]!.steps).toEqual(plan.targets[0]!.steps);
    expect(checkPlanStillValid(saved, makePlan())).toEqual({ ok: true });
  });

  it("stores the redacted desired definition, not the secret", async () => {
    const plan = makePlan();
    const file = tmpFile();
    await writePlanFile(file, plan);
    const text = readFileSync(file, "utf8");
    const saved = JSON.parse(text);
    expect(saved.targets[0].desired.containerDefinitions[0].environment.find((e: { name: string }) => e.name === "SENTRY_DSN").value).toBe(
      "(sensitive)",
    );
    expect(saved.targets[0].fingerprint).toBe(plan.targets[0]!.fingerprint);
  });

  it("is stale when the configuration changed (fingerprint)", async () => {
    const file = tmpFile();
    await writePlanFile(file, makePlan());
    const result = checkPlanStillValid(await readPlanFile(file), makePlan({ cpu: 512 }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toHaveLength(2);
    expect(result.reasons[0]).toMatch(/^plan is stale: dev: the rendered task definition changed since the plan/);
    const err = planStaleError(file, result);
    expect(err?.code).toBe("PLAN_STALE");
    expect(err?.message).toContain(file);
  });

  it("is stale when the service moved to another task definition", () => {
    const saved = makePlan();
    const fresh = makePlan();
    fresh.targets[1]!.live!.taskDefinitionArn = "arn:aws:ecs:eu-west-1:333333333333:task-definition/shop-api-staging:8";
    const result = checkPlanStillValid(saved, fresh);
    expect(result).toEqual({
      ok: false,
      reasons: [
        "plan is stale: staging: the service ran arn:aws:ecs:eu-west-1:333333333333:task-definition/shop-api-staging:7 when planned, it runs arn:aws:ecs:eu-west-1:333333333333:task-definition/shop-api-staging:8 now",
      ],
    });
  });

  it("is stale when the image digest or the target set differ", () => {
    const saved = makePlan();
    const other = makePlan({ digest: "sha256:" + "c".repeat(64), targets: [dev()] });
    const result = checkPlanStillValid(saved, other);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons.some((r) => /plan is stale: image sha256:9b2c.* was planned/.test(r))).toBe(true);
    expect(result.reasons).toContain("plan is stale: target staging planned but not selected now");
  });

  it("refuses a file that is not JSON, with the line and column", () => {
    const file = tmpFile();
    writeFileSync(file, '{\n  "formatVersion": 1,\n  oops\n}\n');
    const e = expectPlanInvalid(() => parsePlan(readFileSync(file, "utf8"), file), /is not valid JSON/);
    expect(e?.location).toMatchObject({ file, line: 3 });
  });

  it("refuses a plan that does not match the schema, saying where", () => {
    const plan = JSON.parse(JSON.stringify(makePlan()));
    plan.targets[0].action = "yolo";
    delete plan.targets[1].fingerprint;
    expectPlanInvalid(
      () => parsePlan(JSON.stringify(plan), "p.json"),
      /p\.json is not a valid deployer plan: .*\/targets\/0\/action: must be equal to one of the allowed values.*\/targets\/1: must have required property 'fingerprint'/,
    );
  });

  it("refuses another format version and a missing file", async () => {
    expectPlanInvalid(() => parsePlan(JSON.stringify({ formatVersion: 2 }), "p.json"), /format version 2; this deployer reads version 1/);
    await expect(readPlanFile(path.join(tmpdir(), "no-such-deployer-plan.json"))).rejects.toMatchObject({
      code: "PLAN_INVALID",
      message: expect.stringMatching(/does not exist/),
    });
  });

  // The tests below were written against the mutants StrykerJS left alive (test/MUTATION.md).

  it("says which property is not allowed, which values are, and where a root error is", () => {
    const plan = JSON.parse(JSON.stringify(makePlan()));
    plan.bogus = 1;
    plan.targets[0].action = "yolo";
    delete plan.targets[1].fingerprint;
    const e = expectPlanInvalid(() => parsePlan(JSON.stringify(plan), "p.json"), /./);
    expect(e?.message).toBe(
      "p.json is not a valid deployer plan: /: must NOT have additional properties (bogus); " +
        "/targets/0/action: must be equal to one of the allowed values (update, noop, blocked); " +
        "/targets/1: must have required property 'fingerprint'",
    );
    expect(e?.hint).toBe("pass a file written by `deployer plan --out-plan FILE`, unedited");
    expectPlanInvalid(() => parsePlan("[]", "p.json"), /^p\.json is not a valid deployer plan: \/: must be object$/);
  });

  it("shows the first five schema errors and counts the rest", () => {
    const plan = JSON.parse(JSON.stringify(makePlan()));
    for (const k of ["a", "b", "c", "d", "e", "f", "g"]) plan[k] = 1;
    const e = expectPlanInvalid(() => parsePlan(JSON.stringify(plan), "p.json"), /./);
    expect(e?.message).toBe(
      "p.json is not a valid deployer plan: " +
        ["a", "b", "c", "d", "e"].map((k) => `/: must NOT have additional properties (${k})`).join("; ") +
        " (and 2 more)",
    );
  });

  it("not JSON: the column too, and the hint", () => {
    const e = expectPlanInvalid(() => parsePlan('{\n  "formatVersion": 1,\n  oops\n}\n', "p.json"), /^p\.json is not valid JSON: /);
    expect(e?.location).toEqual({ file: "p.json", line: 3, column: 3 });
    expect(e?.hint).toBe("pass a file written by `deployer plan --out-plan FILE`");
  });

  it("another format version: the hint says to use one deployer version", () => {
    const e = expectPlanInvalid(() => parsePlan(JSON.stringify({ formatVersion: 2 }), "p.json"), /./);
    expect(e?.hint).toBe("make the plan and apply it with the same deployer version");
  });

  it("a plan file that cannot be read (not a missing file) says why, with the hint", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "deployer-saved-"));
    await expect(readPlanFile(dir)).rejects.toMatchObject({
      code: "PLAN_INVALID",
      message: expect.stringMatching(new RegExp(`^cannot read plan file ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*EISDIR`)),
      hint: "write one with `deployer plan --out-plan FILE`",
    });
    await expect(readPlanFile(path.join(dir, "none.json"))).rejects.toMatchObject({
      message: `plan file ${path.join(dir, "none.json")} does not exist`,
    });
  });

  it("is stale when the service differs, with both names", () => {
    const saved = makePlan();
    const fresh = makePlan();
    fresh.service = "shop-web";
    expect(checkPlanStillValid(saved, fresh)).toEqual({
      ok: false,
      reasons: [`plan is stale: it is for service ${saved.service}, the configuration is for shop-web`],
    });
  });

  it("is stale when targets are selected now that were not planned, and names every missing one", () => {
    const three = [dev(), staging(), makeTarget({ name: "prod", stage: "prod", account: "444444444444", cluster: "shop-prod" })];
    expect(checkPlanStillValid(makePlan({ targets: [dev()] }), makePlan({ targets: three }))).toEqual({
      ok: false,
      reasons: ["plan is stale: targets staging, prod selected now but not in the plan"],
    });
    expect(checkPlanStillValid(makePlan({ targets: three }), makePlan({ targets: [dev()] }))).toEqual({
      ok: false,
      reasons: ["plan is stale: targets staging, prod planned but not selected now"],
    });
    expect(checkPlanStillValid(makePlan({ targets: [dev()] }), makePlan({ targets: [dev(), staging()] }))).toEqual({
      ok: false,
      reasons: ["plan is stale: target staging selected now but not in the plan"],
    });
  });

  it("names a service that had no task definition when planned (or has none now) as unknown", () => {
    const saved = makePlan({ targets: [dev()] });
    const fresh = makePlan({ targets: [dev()] });
    const arn = fresh.targets[0]!.live!.taskDefinitionArn;
    delete saved.targets[0]!.live;
    expect(checkPlanStillValid(saved, fresh)).toEqual({
      ok: false,
      reasons: [`plan is stale: dev: the service ran (unknown) when planned, it runs ${arn} now`],
    });
    expect(checkPlanStillValid(fresh, saved)).toEqual({
      ok: false,
      reasons: [`plan is stale: dev: the service ran ${arn} when planned, it runs (unknown) now`],
    });
  });

  it("is stale when a target's image reference differs", () => {
    const saved = makePlan({ targets: [dev()] });
    const fresh = makePlan({ targets: [dev()] });
    const planned = saved.targets[0]!.imageRef;
    fresh.targets[0]!.imageRef = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/other@sha256:" + "d".repeat(64);
    expect(checkPlanStillValid(saved, fresh)).toEqual({
      ok: false,
      reasons: [`plan is stale: dev: image reference ${planned} planned, ${fresh.targets[0]!.imageRef} now`],
    });
  });

  it("a changed definition shows both fingerprints as their first 12 hex digits; the stale error joins every reason", () => {
    const saved = makePlan({ targets: [dev()] });
    const fresh = makePlan({ targets: [dev()], cpu: 512 });
    saved.targets[0]!.fingerprint = "sha256:" + "0123456789ab".repeat(5) + "cdef";
    fresh.targets[0]!.fingerprint = "sha256:" + "fedcba987654".repeat(5) + "3210";
    const result = checkPlanStillValid(saved, fresh);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons[0]).toBe(
      "plan is stale: dev: the rendered task definition changed since the plan (0123456789ab -> fedcba987654)",
    );
    const err = planStaleError("p.json", { ok: false, reasons: ["plan is stale: one", "plan is stale: two"] });
    expect(err?.code).toBe("PLAN_STALE");
    expect(err?.message).toBe("p.json: plan is stale: one; plan is stale: two");
    expect(err?.hint).toBe("run `deployer plan --out-plan FILE` again, review it, and apply the new plan");
    expect(planStaleError("p.json", { ok: true })).toBeUndefined();
  });
});

describe("plans saved before one deployer.yaml could hold several services", () => {
  it("a target without env and service key gets its own name as env and the plan's service as service key", async () => {
    const plan = makePlan();
    const file = tmpFile();
    await writePlanFile(file, plan);
    const old = JSON.parse(readFileSync(file, "utf8")) as { service: string; targets: Array<{ target: Record<string, unknown> }> };
    for (const t of old.targets) {
      delete t.target.env;
      delete t.target.serviceKey;
    }
    const read = parsePlan(JSON.stringify(old), file);
    expect(read.targets.map((t) => [t.target.name, t.target.env, t.target.serviceKey])).toEqual([
      ["dev", "dev", old.service],
      ["staging", "staging", old.service],
    ]);
  });

  it("a target that has them keeps them", async () => {
    const plan = makePlan();
    const file = tmpFile();
    await writePlanFile(file, plan);
    const saved = JSON.parse(readFileSync(file, "utf8")) as { targets: Array<{ target: Record<string, unknown> }> };
    saved.targets[0]!.target.env = "dev-env";
    saved.targets[0]!.target.serviceKey = "worker";
    const read = parsePlan(JSON.stringify(saved), file);
    expect([read.targets[0]!.target.env, read.targets[0]!.target.serviceKey]).toEqual(["dev-env", "worker"]);
  });
});
