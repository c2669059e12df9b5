import { describe, expect, it } from "vitest";
import { diffTaskDefinitions } from "../../../src/plan/diff.js";
import { DIGEST_A, DIGEST_B, REPO, modelledDescription, renderTemplate, makeTarget } from "../../helpers/factories.js";

const live = () => modelledDescription("task-definition.shop-api-dev.json").taskDefinition;
const rendered = (vars: Record<string, unknown> = {}, digest = DIGEST_A) => {
  const t = makeTarget();
  return renderTemplate({ ...t, vars: { ...t.vars, ...vars } }, `${REPO}@${digest}`) as unknown as Record<string, unknown>;
};

describe("diffTaskDefinitions", () => {
  it("reports a cpu change as a one-field diff", () => {
    expect(diffTaskDefinitions(live(), rendered({ cpu: 512 }))).toEqual([{ path: "cpu", kind: "changed", before: "256", after: "512" }]);
  });

  it("reports a new image per container", () => {
    expect(diffTaskDefinitions(live(), rendered({}, DIGEST_B))).toEqual([
      { path: "containers[app].image", kind: "changed", before: `${REPO}@${DIGEST_A}`, after: `${REPO}@${DIGEST_B}` },
    ]);
  });

  it("reports environment variables by name: changed, added, removed", () => {
    const desired = rendered({ logLevel: "info" });
    const c = (desired.containerDefinitions as Array<{ environment: Array<{ name: string; value: string }> }>)[0]!;
    c.environment = c.environment.filter((e) => e.name !== "STAGE");
    c.environment.push({ name: "FEATURE_FLAGS", value: "checkout-v2" });
    expect(diffTaskDefinitions(live(), desired)).toEqual([
      { path: "containers[app].environment.FEATURE_FLAGS", kind: "added", after: "checkout-v2" },
      { path: "containers[app].environment.LOG_LEVEL", kind: "changed", before: "debug", after: "info" },
      { path: "containers[app].environment.STAGE", kind: "removed", before: "dev" },
    ]);
  });

  it("shows secrets by valueFrom only", () => {
    const desired = rendered();
    const c = (desired.containerDefinitions as Array<{ secrets: Array<{ name: string; valueFrom: string }> }>)[0]!;
    c.secrets[0]!.valueFrom = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:shop-api/db-AbCdEf";
    expect(diffTaskDefinitions(live(), desired)).toEqual([
      {
        path: "containers[app].secrets.DATABASE_URL",
        kind: "changed",
        before: "arn:aws:ssm:eu-west-1:222222222222:parameter/shop-api/database-url",
        after: "arn:aws:secretsmanager:eu-west-1:222222222222:secret:shop-api/db-AbCdEf",
      },
    ]);
  });

  it("reports nested fields by dotted path and quotes keys with dots", () => {
    const desired = rendered();
    const c = (desired.containerDefinitions as Array<Record<string, unknown>>)[0]!;
    (c.logConfiguration as { options: Record<string, string> }).options["awslogs-stream-prefix"] = "api";
    c.dockerLabels = { "com.example.team": "checkout" };
    (desired.runtimePlatform as Record<string, string>).cpuArchitecture = "X86_64";
    expect(diffTaskDefinitions(live(), desired).map((d) => d.path)).toEqual([
      "runtimePlatform.cpuArchitecture",
      'containers[app].dockerLabels["com.example.team"]',
      "containers[app].logConfiguration.options.awslogs-stream-prefix",
    ]);
  });

  it("reports containers added and removed as one change each", () => {
    const desired = rendered();
    const containers = desired.containerDefinitions as Array<Record<string, unknown>>;
    containers.push({ name: "otel-collector", image: "public.ecr.aws/aws-observability/aws-otel-collector:v0.41.0", essential: false });
    const added = diffTaskDefinitions(live(), desired);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ path: "containers[otel-collector]", kind: "added" });
    expect((added[0]!.after as Record<string, unknown>).image).toBe("public.ecr.aws/aws-observability/aws-otel-collector:v0.41.0");

    const removed = diffTaskDefinitions(desired, live());
    expect(removed).toEqual([expect.objectContaining({ path: "containers[otel-collector]", kind: "removed" })]);
  });

  it("lists every field as added when there is no live definition", () => {
    const d = diffTaskDefinitions(undefined, rendered());
    expect(d.every((c) => c.kind === "added")).toBe(true);
    expect(d.map((c) => c.path)).toContain("containers[app]");
    expect(d.map((c) => c.path)).toContain("cpu");
  });
});
