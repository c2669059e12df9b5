import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/plan/build.js";
import { planToJson, planToJsonText } from "../../../src/report/plan-json.js";
import {
  DIGEST_B,
  PASSING_CHECKS,
  ROOT,
  check,
  modelledDescription,
  desired,
  image,
  observed,
  planInput,
  makeTarget,
} from "../../helpers/factories.js";

const schema = JSON.parse(readFileSync(path.join(ROOT, "schemas/plan.schema.json"), "utf8"));

function plans() {
  const live = modelledDescription("task-definition.shop-api-dev.json").taskDefinition;
  const t = makeTarget();
  const blocked = makeTarget({ name: "broken", account: "666666666666" });
  const nested = [
    check("iam", "fail", {
      children: [check("trust:taskRole", "fail", { error: { code: "ROLE_NOT_TRUSTED", message: "no", awsCode: "x" } })],
    }),
  ];
  return buildPlan(
    planInput(
      [
        { desired: desired(t, image(DIGEST_B)), observed: observed(t, live) },
        { desired: desired(t), observed: observed(t, live) },
        { desired: desired(blocked), observed: observed(blocked, undefined, { checks: [...PASSING_CHECKS("broken"), ...nested] }) },
      ],
      { waitForInProgress: true },
    ),
  );
}

describe("planToJson", () => {
  it("validates against schemas/plan.schema.json (update, noop, blocked, nested checks)", () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    const json = JSON.parse(planToJsonText(plans()));
    const ok = validate(json);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(json.targets.map((t: { action: string }) => t.action)).toEqual(["update", "noop", "blocked"]);
  });

  it("includes checks with verdicts and the desired definition, keys in a stable order", () => {
    const json = planToJson(plans());
    expect(Object.keys(json)).toEqual([
      "formatVersion",
      "deployerVersion",
      "createdAt",
      "runId",
      "service",
      "image",
      "stages",
      "summary",
      // the fixtures' targets were read as their deploy roles (no viewRole)
      "writeCapableReads",
      "targets",
    ]);
    const t = json.targets[0]!;
    expect(Object.keys(t)).toEqual([
      "target",
      "action",
      "imageRef",
      "fingerprint",
      "live",
      "diff",
      "steps",
      "checks",
      "sensitivePaths",
      "desired",
      "rollbackTo",
    ]);
    expect(t.checks[0]).toMatchObject({ id: "assume-role", verdict: "pass" });
    expect(t.desired.family).toBe("shop-api-dev");
    expect(planToJsonText(plans())).toBe(planToJsonText(plans()));
  });

  it("is rejected by the schema when a field is wrong (the schema is not vacuous)", () => {
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const json = JSON.parse(planToJsonText(plans()));
    json.targets[0].steps.push({ kind: "explode" });
    json.summary.toChange = -1;
    expect(validate(json)).toBe(false);
    expect((validate.errors ?? []).map((e) => e.instancePath)).toEqual(expect.arrayContaining(["/summary/toChange", "/targets/0/steps/3"]));
  });
});
