// Taint tracking through the template engine: values under `sensitive:` paths, and whatever a
// helper or lookup computes from them, are redacted wherever they land in the rendered definition
// (by position, whatever their length or case), and what would spell them out is refused.
import { beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../../src/config/load.js";
import type { Project, Target } from "../../../src/config/types.js";
import { DeployerError, DeployerErrors } from "../../../src/errors.js";
import { renderTaskDefinition } from "../../../src/render/render.js";
import { redactSensitive } from "../../../src/render/redact.js";
import { sensitivityOf } from "../../../src/render/sensitivity.js";
import { oneServiceRoot } from "../../fixtures/config/repo.js";
import { collectSensitiveValues } from "../../../src/render/redact.js";

const API_KEY = "k3y-Sup3rS3cret-991";
const TEMPLATE_FILE = "/repo/templates/td.json.hbs";
let example: Project;
beforeAll(async () => {
  example = await loadProject({ cwd: oneServiceRoot });
});

function setup(container: string, vars: Record<string, unknown> = {}, sensitive = ["vars.apiKey", "vars.table", "vars.creds"]) {
  const base = example.targets.find((t) => t.name === "dev")!;
  const t: Target = { ...base, vars: { ...base.vars, apiKey: API_KEY, ...vars }, sensitive: [...base.sensitive, ...sensitive] };
  const source = `{
  "family": "{{service}}-{{target.name}}",
  "containerDefinitions": [
    { "name": "app", "image": "{{image}}", "memory": 512${container} }
  ]
}`;
  const project: Project = { ...example, template: { file: TEMPLATE_FILE, source } };
  return { project, t };
}

function render(container: string, vars: Record<string, unknown> = {}) {
  const { project, t } = setup(container, vars);
  const def = renderTaskDefinition(project, t, "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@sha256:" + "a".repeat(64));
  return {
    def,
    t,
    shown: JSON.stringify(redactSensitive(def, t)),
    values: collectSensitiveValues(t, def),
  };
}

function renderError(container: string, vars: Record<string, unknown> = {}): DeployerError {
  try {
    render(container, vars);
  } catch (e) {
    if (e instanceof DeployerErrors) return e.errors[0]!;
    if (e instanceof DeployerError) return e;
    throw e;
  }
  throw new Error("rendered without an error");
}

describe("taint: sensitive input marks the fields it is written to", () => {
  it("a sensitive value in a field not named like a secret is redacted by position", () => {
    const { def, shown } = render(`, "command": ["serve", "--key={{vars.apiKey}}"]`);
    expect(def.containerDefinitions[0]!.command).toEqual(["serve", `--key=${API_KEY}`]);
    expect(sensitivityOf(def).pointers).toEqual(["/containerDefinitions/0/command/1"]);
    expect(shown).not.toContain(API_KEY);
    expect(shown).toContain('"command":["serve","(sensitive)"]');
  });

  it("upper / lower: the transformed value is sensitive, and masked in every case", () => {
    const { shown, values } = render(
      `, "environment": [{ "name": "X", "value": "{{upper vars.apiKey}}" }, { "name": "Y", "value": "{{lower vars.apiKey}}" }]`,
    );
    expect(values).toEqual(expect.arrayContaining([API_KEY.toUpperCase(), API_KEY.toLowerCase()]));
    expect(shown).not.toContain(API_KEY.toUpperCase());
    expect(shown).not.toContain(API_KEY.toLowerCase());
  });

  it("a lookup by a sensitive key yields a sensitive result, however short", () => {
    const { def, shown, values } = render(`, "environment": [{ "name": "TIER", "value": "{{lookup vars.tiers vars.apiKey}}" }]`, {
      tiers: { [API_KEY]: "7" },
    });
    expect(def.containerDefinitions[0]!.environment).toEqual([{ name: "TIER", value: "7" }]);
    expect(values).toContain("7");
    expect(shown).toContain('{"name":"TIER","value":"(sensitive)"}');
  });

  it("default of a sensitive value, json of a sensitive map, and a sensitive JSON key are all redacted", () => {
    const { shown, def } = render(
      `, "environment": [{ "name": "A", "value": "{{default vars.apiKey "none"}}" }], "dockerLabels": {{json vars.creds}}, "ulimits": [], "extraHosts": [{ "hostname": "h", "ipAddress": {{json vars.apiKey}} }]`,
      { creds: { user: "service-user-1", token: "t0ken-t0ken-t0ken" } },
    );
    for (const secret of [API_KEY, "service-user-1", "t0ken-t0ken-t0ken"]) expect(shown).not.toContain(secret);
    expect(sensitivityOf(def).pointers).toEqual(
      expect.arrayContaining([
        "/containerDefinitions/0/environment/0/value",
        "/containerDefinitions/0/dockerLabels/user",
        "/containerDefinitions/0/dockerLabels/token",
      ]),
    );
    const keyed = render(`, "dockerLabels": { "{{vars.apiKey}}": "x" }`);
    expect(keyed.shown).not.toContain(API_KEY);
  });

  it("JSON-escaped: a secret with quotes and backslashes is masked as it appears in JSON", () => {
    const secret = 'p"ss\\w0rd-with-quotes';
    const { shown } = render(`, "environment": [{ "name": "P", "value": "{{vars.apiKey}}" }]`, { apiKey: secret });
    expect(shown).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(shown).not.toContain("ss\\\\w0rd");
  });

  it("presence may steer a branch; values of other vars stay as they are", () => {
    const { def } = render(`{{#if vars.apiKey}}, "environment": [{ "name": "HAS_KEY", "value": "yes" }]{{/if}}`);
    expect(def.containerDefinitions[0]!.environment).toEqual([{ name: "HAS_KEY", value: "yes" }]);
    expect(sensitivityOf(def).pointers).toEqual([]);
  });

  it("a value carrying the engine's private marker characters cannot fake or hide taint", () => {
    const { def, shown } = render(
      `, "environment": [{ "name": "N", "value": "{{vars.note}}" }, { "name": "K", "value": "{{vars.apiKey}}" }]`,
      { note: "a\uE003b\uE002c\uE000" },
    );
    expect(def.containerDefinitions[0]!.environment![0]!.value).toBe("a\uE003b\uE002c\uE000");
    expect(sensitivityOf(def).pointers).toEqual(["/containerDefinitions/0/environment/1/value"]);
    expect(shown).not.toContain(API_KEY);
  });
});

describe("taint: what would spell a secret out is refused", () => {
  it.each([
    ["eq", `, "environment": [{{#if (eq vars.apiKey "x")}}{ "name": "A", "value": "1" }{{/if}}]`, /eq cannot compare a sensitive value/],
    [
      "lookup of a character",
      `, "environment": [{ "name": "C", "value": "{{lookup vars.apiKey 0}}" }]`,
      /lookup cannot read inside a sensitive value/,
    ],
    [
      "each over it",
      `, "environment": [{{#each vars.apiKey}}{ "name": "C", "value": "{{this}}" }{{/each}}]`,
      /each cannot go through a sensitive value/,
    ],
    ["a path into it", `, "environment": [{ "name": "C", "value": "{{vars.apiKey.[0]}}" }]`, /not defined/],
  ])("%s", (_name, container, message) => {
    const e = renderError(container);
    expect(e.code).toBe("TEMPLATE_ERROR");
    expect(e.message).toMatch(message);
    expect(JSON.stringify(e)).not.toContain(API_KEY);
  });
});

describe("errors about the rendered template never quote the output", () => {
  it("RENDER_INVALID of an unquoted sensitive value quotes the template line, not the secret", () => {
    const e = renderError(`, "environment": [{ "name": "K", "value": {{vars.apiKey}} }]`);
    expect(e.code).toBe("RENDER_INVALID");
    expect(e.message).toContain(
      'template line 4: { "name": "app", "image": "{{image}}", "memory": 512, "environment": [{ "name": "K", "value": {{vars.apiKey}} }] }',
    );
    expect(e.message).toContain("where a sensitive value is written");
    expect(JSON.stringify(e)).not.toContain(API_KEY);
    expect(JSON.stringify(e)).not.toContain("k3y");
  });

  it("RENDER_INVALID of a broken value that is not sensitive says what is wrong, still from the template line", () => {
    const e = renderError(`, "environment": [{ "name": "K", "value": {{vars.logLevel}} }]`);
    expect(e.message).toMatch(/unexpected a letter|expected/);
    expect(e.message).toContain("{{vars.logLevel}}");
    expect(e.message).not.toMatch(/\bdebug\b/);
  });

  it("schema errors of the rendered definition describe the value instead of quoting it", () => {
    const e = renderError(`, "cpu": "{{vars.apiKey}}"`);
    expect(e.code).toBe("RENDER_INVALID");
    expect(JSON.stringify(e)).not.toContain(API_KEY);
  });
});
