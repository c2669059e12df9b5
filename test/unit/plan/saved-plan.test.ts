import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isDeployerError } from "../../../src/errors.js";
import { buildPlan } from "../../../src/plan/build.js";
import { checkPlanStillValid, parsePlan, planStaleError, readPlanFile } from "../../../src/plan/saved-plan.js";
import { DIGEST_B, describeFixture, desired, image, observed, planInput, makeTarget } from "../../helpers/factories.js";
import { writePlanFile } from "../../../src/report/plan-file.js";

const live = () => describeFixture("describe-task-definition.shop-api-dev.json").taskDefinition;
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
});
