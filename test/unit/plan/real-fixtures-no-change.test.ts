// Issue 13: a plan over every real-response fixture (test/fixtures/aws, provenance in its README) shows
// no change when the template writes what the request wrote — for a published request/response pair,
// the request itself; for a published DescribeTaskDefinition / DeregisterTaskDefinition, the
// definition without anything ECS fills in (empty lists, computed fields), as its author wrote it.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/plan/build.js";
import type { TaskDefinitionInput } from "../../../src/config/types.js";
import { ROOT, desired, makeTarget, observed, planInput } from "../../helpers/factories.js";

/** What an author wrote for each real response that has no published request. */
const WRITTEN: Record<string, Record<string, unknown>> = {
  "describe-task-definition.aws-cli-docs-hello-world.json": {
    family: "hello_world",
    containerDefinitions: [
      {
        name: "wordpress",
        image: "wordpress",
        links: ["mysql"],
        portMappings: [{ containerPort: 80, hostPort: 80 }],
        memory: 500,
        cpu: 10,
      },
      { name: "mysql", image: "mysql", environment: [{ name: "MYSQL_ROOT_PASSWORD", value: "password" }], cpu: 10, memory: 500 },
    ],
  },
  "deregister-task-definition.aws-cli-docs-curler.json": {
    family: "curler",
    containerDefinitions: [{ name: "curler", image: "curl:latest", cpu: 100, memory: 256, command: ["curl -v http://example.com/"] }],
  },
};

function readJson(dir: string, file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>;
}

/** Real responses carrying a task definition, and the template equivalent to each. */
function realCases(): Array<{ file: string; live: Record<string, unknown>; template: Record<string, unknown> }> {
  const dir = path.join(ROOT, "test/fixtures/aws");
  const out: Array<{ file: string; live: Record<string, unknown>; template: Record<string, unknown> }> = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json") && !f.endsWith(".request.json"))) {
    const live = readJson(dir, file).taskDefinition as Record<string, unknown> | undefined;
    if (!live || !Array.isArray(live.containerDefinitions)) continue;
    const request = file.replace(/\.json$/, ".request.json");
    const template = readdirSync(dir).includes(request) ? readJson(dir, request) : WRITTEN[file];
    expect(template, `${file}: no equivalent template`).toBeDefined();
    out.push({ file, live, template: template! });
  }
  return out;
}

describe("plan over every real-response fixture", () => {
  const cases = realCases();

  it("covers every real response that carries a task definition", () => {
    expect(cases.map((c) => c.file).sort()).toEqual([
      "deregister-task-definition.aws-cli-docs-curler.json",
      "describe-task-definition.aws-cli-docs-hello-world.json",
      "register-task-definition.aws-cli-docs-sleep360.json",
      "register-task-definition.botocore-example-sleep360.json",
    ]);
  });

  for (const c of cases) {
    it(`${c.file}: the equivalent template plans as no change`, () => {
      const t = makeTarget();
      const want = { ...desired(t), taskDefinition: c.template as unknown as TaskDefinitionInput };
      const plan = buildPlan(planInput([{ desired: want, observed: observed(t, c.live) }]));
      const target = plan.targets[0]!;
      expect(target.diff).toEqual([]);
      expect(target.action).toBe("noop");
    });
  }

  it("and a real change is still seen (the comparison is not vacuous)", () => {
    const [c] = cases;
    const t = makeTarget();
    const changed = structuredClone(c!.template) as { containerDefinitions: Array<Record<string, unknown>> };
    changed.containerDefinitions[0]!.image = "busybox:2";
    const plan = buildPlan(
      planInput([
        { desired: { ...desired(t), taskDefinition: changed as unknown as TaskDefinitionInput }, observed: observed(t, c!.live) },
      ]),
    );
    expect(plan.targets[0]!.action).toBe("update");
    expect(plan.targets[0]!.diff.map((d) => d.path)).toEqual([expect.stringMatching(/image$/)]);
  });
});
