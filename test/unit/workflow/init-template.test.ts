// init --from-service's template: per-target values become variables, a secret-looking environment
// value is never written, and text that looks like Handlebars stays text.
import { describe, expect, it } from "vitest";
import { lineDiff } from "../../../src/workflow/init.js";
import { templateFromTaskDefinition } from "../../../src/workflow/init-template.js";
import type { LiveTaskDefinition } from "../../../src/aws/ports.js";

const ARN = "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:7";
const DIGEST = `sha256:${"a".repeat(64)}`;

function td(env: Array<{ name: string; value: string }>, extra: Record<string, unknown> = {}): LiveTaskDefinition {
  return {
    arn: ARN,
    family: "shop-api-dev",
    revision: 7,
    status: "ACTIVE",
    tags: {},
    raw: {
      taskDefinitionArn: ARN,
      revision: 7,
      status: "ACTIVE",
      family: "shop-api-dev",
      taskRoleArn: "arn:aws:iam::222222222222:role/shop-api-task",
      executionRoleArn: "arn:aws:iam::222222222222:role/shop-api-exec",
      networkMode: "awsvpc",
      cpu: "512",
      memory: "1024",
      containerDefinitions: [
        { name: "envoy", image: "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29", essential: false, mountPoints: [] },
        {
          name: "app",
          image: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${DIGEST}`,
          environment: env,
          dockerLabels: { "com.example.note": "{{not a template}}" },
          ...extra,
        },
      ],
      volumes: [],
    },
  };
}

const base = { env: "dev", account: "222222222222", region: "eu-west-1", cluster: "shop-dev", service: "api" };

describe("templateFromTaskDefinition", () => {
  it("the application container is the one from ECR; names, roles, cpu and memory become variables", () => {
    const g = templateFromTaskDefinition({ ...base, td: td([{ name: "BUCKET", value: "shop-api-dev-assets-222222222222" }]) });
    expect(g).toMatchObject({ name: "shop-api", container: "app", digest: DIGEST, vars: { cpu: 512, memory: 1024 } });
    expect(g.template).toContain('"image": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29"');
    expect(g.template).toContain('"value": "{{service}}-{{target.name}}-assets-{{target.account}}"');
    expect(g.template).not.toContain("mountPoints");
    expect(() => JSON.parse(g.template.replace(/\{\{[^}]*\}\}/g, "x"))).not.toThrow();
  });

  it("a secret-looking environment value is not written: a variable and a warning instead", () => {
    const g = templateFromTaskDefinition({ ...base, td: td([{ name: "DB_PASSWORD", value: "hunter2-hunter2" }]) });
    expect(g.template).not.toContain("hunter2");
    expect(g.template).toContain('"value": "{{vars.dbPassword}}"');
    expect(g.warnings.join("\n")).toContain("DB_PASSWORD -> vars.dbPassword");
  });

  it("text that looks like Handlebars stays text: it goes into vars, which are never parsed", () => {
    const g = templateFromTaskDefinition({ ...base, td: td([]) });
    expect(g.template).toContain('"com.example.note": "{{vars.literal1}}"');
    expect(g.vars.literal1).toBe("{{not a template}}");
  });
});

describe("lineDiff", () => {
  it("marks removed and added lines with context, and elides what is far from a change", () => {
    const a = ["1", "2", "3", "4", "5", "6", "7", "8"].join("\n");
    const b = ["1", "2", "3", "4", "5", "six", "7", "8"].join("\n");
    expect(lineDiff(a, b)).toEqual(["  …", "  4", "  5", "- 6", "+ six", "  7", "  8"]);
    expect(lineDiff(a, a).every((l) => !/^[-+]/.test(l))).toBe(true);
  });
});
