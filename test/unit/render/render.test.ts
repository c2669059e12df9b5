import { beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../../src/config/load.js";
import type { Project, Target } from "../../../src/config/types.js";
import type { DeployerError } from "../../../src/errors.js";
import { renderDesired, renderTaskDefinition, targetImageRepository } from "../../../src/render/render.js";
import { compileTemplate } from "../../../src/render/template-engine.js";
import { errorsOf, oneServiceRoot } from "../../fixtures/config/repo.js";

let example: Project;
beforeAll(async () => {
  example = await loadProject({ cwd: oneServiceRoot });
});

const target = (name: string): Target => example.targets.find((t) => t.name === name)!;
const TEMPLATE_FILE = "/repo/templates/td.json.hbs";

/** The example project with another template (and optionally extra vars on the target). */
function withTemplate(source: string, vars: Record<string, unknown> = {}): { project: Project; t: Target } {
  const t: Target = { ...target("dev"), vars: { ...target("dev").vars, ...vars } };
  return { project: { ...example, template: { file: TEMPLATE_FILE, source } }, t };
}

/** A minimal valid task definition around `container` (a JSON fragment of container fields). */
const minimal = (container: string, top = "") =>
  `{
  "family": "{{service}}-{{target.name}}",${top}
  "containerDefinitions": [
    { "name": "app", "image": "{{image}}", "memory": 512${container} }
  ]
}`;

const where = (e: DeployerError | undefined) => e?.location && `${e.location.file}:${e.location.line}`;

describe("renderTaskDefinition on the example", () => {
  it("renders prod-eu with its replica repository, roles, _prod sizes and the given image", () => {
    const t = target("prod-eu");
    const image = `${targetImageRepository(example, t)}:sha-abc`;
    const def = renderTaskDefinition(example, t, image);
    expect(def.family).toBe("shop-api-prod-eu");
    expect(def.taskRoleArn).toBe("arn:aws:iam::444444444444:role/shop-api-task");
    expect(def.cpu).toBe("512");
    expect(def.memory).toBe("1024");
    expect(def.containerDefinitions[0]!.image).toBe("444444444444.dkr.ecr.eu-west-1.amazonaws.com/shop/api:sha-abc");
    expect(def.containerDefinitions[0]!.portMappings).toEqual([
      { name: "http", containerPort: 8080, protocol: "tcp", appProtocol: "http" },
    ]);
    expect(def.containerDefinitions[0]!.secrets).toEqual([
      { name: "DATABASE_URL", valueFrom: "arn:aws:ssm:eu-west-1:444444444444:parameter/shop-api/database-url" },
    ]);
  });

  it("renderDesired references the image by digest in the target's repository", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    const image = { repository: example.config.image.repository, tag: "v1", digest };
    const eu = renderDesired(example, target("prod-eu"), image);
    expect(eu.imageRef).toBe(`444444444444.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${digest}`);
    expect(eu.taskDefinition.containerDefinitions[0]!.image).toBe(eu.imageRef);
    const us = renderDesired(example, target("prod-us"), image);
    expect(us.imageRef).toBe(`111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${digest}`);
  });
});

describe("strict rendering", () => {
  it("a missing variable is an error naming the template line and the target", async () => {
    const { project, t } = withTemplate(minimal(`,\n      "user": "{{vars.nope}}"`));
    const [e] = await errorsOf(() => renderTaskDefinition(project, t, "img:1"));
    expect(e!.code).toBe("TEMPLATE_ERROR");
    expect(where(e)).toBe(`${TEMPLATE_FILE}:5`);
    expect(e!.target).toBe("dev");
    expect(e!.message).toBe('{{vars.nope}} is not defined (rendering for target "dev")');
    expect(e!.hint).toContain('{{default vars.nope "fallback"}}');
  });

  it("a missing value inside a helper argument or a nested path is an error too", async () => {
    for (const expr of ["{{upper vars.nope}}", "{{vars.nope.deeper}}", "{{json vars.nope}}", '{{lookup vars "nope"}}']) {
      const { project, t } = withTemplate(minimal(`, "user": "${expr}"`));
      const [e] = await errorsOf(() => renderTaskDefinition(project, t, "img:1"));
      expect(e!.code, expr).toBe("TEMPLATE_ERROR");
      expect(where(e), expr).toBe(`${TEMPLATE_FILE}:4`);
    }
  });

  it("default, eq, upper, lower and if work, and default accepts a missing value", () => {
    const { project, t } = withTemplate(
      minimal(`, "user": "{{default vars.nope "nobody"}}", "hostname": "{{upper target.stage}}-{{lower "AB"}}",
      "essential": {{#if (eq target.stage "dev")}}true{{else}}false{{/if}}`),
    );
    const def = renderTaskDefinition(project, t, "img:1");
    expect(def.containerDefinitions[0]).toMatchObject({ user: "nobody", hostname: "DEV-ab", essential: true });
  });

  it("a map in a string position is an error (no [object Object])", async () => {
    const { project, t } = withTemplate(minimal(`, "user": "{{vars.obj}}"`), { obj: { a: 1 } });
    const [e] = await errorsOf(() => renderTaskDefinition(project, t, "img:1"));
    expect(e!.code).toBe("TEMPLATE_ERROR");
    expect(e!.hint).toContain("{{json vars.obj}}");
  });

  it("json writes values as JSON", () => {
    const { project, t } = withTemplate(minimal(`, "command": {{json vars.cmd}}, "dockerLabels": {{json vars.labels}}`), {
      cmd: ["node", "server.js"],
      labels: { team: "shop", quote: 'a"b' },
    });
    const c = renderTaskDefinition(project, t, "img:1").containerDefinitions[0]!;
    expect(c.command).toEqual(["node", "server.js"]);
    expect(c.dockerLabels).toEqual({ team: "shop", quote: 'a"b' });
  });
});

describe("JSON safety of {{…}}", () => {
  it.each([
    ["a double quote", 'x", "privileged": true, "y": "'],
    ["a backslash", "C:\\path\\"],
    ["a trailing backslash", "end\\"],
    ["a newline", "line1\nline2"],
    ["control characters", "bell\u0007tab\tnul\u0000"],
    ["unicode and markers", "é ✓ \u2028 \uE000 \uE001"],
  ])("a value with %s stays inside its string, unchanged", (_what, value) => {
    const { project, t } = withTemplate(minimal(`, "environment": [{ "name": "V", "value": "{{vars.v}}" }]`), { v: value });
    const c = renderTaskDefinition(project, t, "img:1").containerDefinitions[0]!;
    expect(c.environment).toEqual([{ name: "V", value }]);
    expect(c.privileged).toBeUndefined();
  });

  it("a value cannot inject JSON outside quotes either", async () => {
    const { project, t } = withTemplate(minimal(`, "stopTimeout": {{vars.v}}`), { v: '1, "privileged": true' });
    const [e] = await errorsOf(() => renderTaskDefinition(project, t, "img:1"));
    expect(e!.code).toBe("RENDER_INVALID");
    expect(where(e)).toBe(`${TEMPLATE_FILE}:4`);
  });

  it("no prototype access", async () => {
    for (const expr of [
      "{{vars.constructor}}",
      "{{target.name.constructor}}",
      "{{__proto__}}",
      '{{lookup vars "constructor"}}',
      "{{vars.toString}}",
    ]) {
      const { project, t } = withTemplate(minimal(`, "user": "${expr}"`));
      const [e] = await errorsOf(() => renderTaskDefinition(project, t, "img:1"));
      expect(e!.code, expr).toBe("TEMPLATE_ERROR");
      expect(where(e), expr).toBe(`${TEMPLATE_FILE}:4`);
    }
  });
});

describe("template errors", () => {
  it("a Handlebars syntax error names the line", async () => {
    const { project, t } = withTemplate(minimal(`, "user": "{{#if vars.cpu}}x"`));
    const [e] = await errorsOf(() => renderTaskDefinition(project, t, "img:1"));
    expect(e!.code).toBe("TEMPLATE_ERROR");
    expect(e!.message).toMatch(/Handlebars syntax error/);
    expect(e!.location?.file).toBe(TEMPLATE_FILE);
  });

  it("unknown helpers, partials and the log helper are refused", async () => {
    for (const [expr, message] of [
      ["{{shout vars.cpu}}", /unknown helper "shout"/],
      ["{{> other}}", /partials are not supported/],
      ["{{log vars.cpu}}", /unknown helper "log"/],
    ] as const) {
      const { project, t } = withTemplate(minimal(`,\n "user": "${expr}"`));
      const [e] = await errorsOf(() => renderTaskDefinition(project, t, "img:1"));
      expect(e!.code, expr).toBe("TEMPLATE_ERROR");
      expect(e!.message, expr).toMatch(message);
      expect(where(e), expr).toBe(`${TEMPLATE_FILE}:5`);
    }
  });

  it("invalid JSON names the template line, also after a block", async () => {
    const source = `{
  "family": "x",
  {{#each vars.list}}
  "k{{this}}": 1,
  {{/each}}
  "containerDefinitions": [ { "name": "app", "image": "{{image}}" } ]
  "cpu": "256"
}`;
    const { project, t } = withTemplate(source, { list: ["a", "b"] });
    const [e] = await errorsOf(() => renderTaskDefinition(project, t, "img:1"));
    expect(e!.code).toBe("RENDER_INVALID");
    expect(where(e)).toBe(`${TEMPLATE_FILE}:7`);
    expect(e!.message).toMatch(/not valid JSON: expected ',' or '}'/);
  });

  it("schema errors name the template line and the JSON path", async () => {
    const source = minimal(`,\n      "portMappings": [{ "containerPort": "{{vars.containerPort}}" }],\n      "healthcheck": {}`);
    const { project, t } = withTemplate(source);
    const errors = await errorsOf(() => renderTaskDefinition(project, t, "img:1"));
    expect(errors.map((e) => `${e.code} ${where(e)} ${e.field}`)).toEqual([
      `RENDER_INVALID ${TEMPLATE_FILE}:5 containerDefinitions[0].portMappings[0].containerPort`,
      `RENDER_INVALID ${TEMPLATE_FILE}:6 containerDefinitions[0].healthcheck`,
    ]);
    expect(errors[1]!.hint).toMatch(/Did you mean "healthCheck"\?/);
    expect(errors.every((e) => e.target === "dev")).toBe(true);
  });

  it("unknown top-level keys are rejected", async () => {
    const { project, t } = withTemplate(minimal("", `\n  "famliy": "x",`));
    const [e] = await errorsOf(() => renderTaskDefinition(project, t, "img:1"));
    expect(e!.field).toBe("famliy");
    expect(where(e)).toBe(`${TEMPLATE_FILE}:3`);
  });

  it("Fargate sizes, network mode and roles from another account are refused", async () => {
    const source = minimal(
      "",
      `\n  "requiresCompatibilities": ["FARGATE"], "networkMode": "bridge", "cpu": "256",\n  "memory": "4096",\n  "taskRoleArn": "arn:aws:iam::999999999999:role/x",`,
    );
    const { project, t } = withTemplate(source);
    const errors = await errorsOf(() => renderTaskDefinition(project, t, "img:1"));
    expect(errors.map((e) => `${where(e)} ${e.field}`)).toEqual([
      `${TEMPLATE_FILE}:3 networkMode`,
      `${TEMPLATE_FILE}:4 memory`,
      `${TEMPLATE_FILE}:5 taskRoleArn`,
    ]);
    expect(errors[1]!.message).toContain("memory 4096 is not valid with cpu 256 on Fargate (valid: 512, 1024, 2048)");
  });

  it("compiles a template once", () => {
    const a = compileTemplate("/x.hbs", "{{image}}");
    expect(compileTemplate("/x.hbs", "{{image}}")).toBe(a);
    expect(compileTemplate("/x.hbs", "{{service}}")).not.toBe(a);
  });
});
