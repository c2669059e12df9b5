// Template errors all at once: every missing value of every target, grouped across targets; the JSON
// hint only where an inserted value can be the cause; templates bounded before Handlebars runs.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { loadProject } from "../../../src/config/load.js";
import type { Project } from "../../../src/config/types.js";
import { checkRenders } from "../../../src/render/render-all.js";
import { missingPath, renderTaskDefinition } from "../../../src/render/render.js";
import { TEMPLATE_LIMITS } from "../../../src/render/template-bounds.js";
import { compileTemplate } from "../../../src/render/template-engine.js";
import { errorsOf, oneServiceRoot } from "../../fixtures/config/repo.js";

// The real compiler, watched: "refused before Handlebars runs" means it was never called.
vi.mock("../../../src/render/template-engine.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../src/render/template-engine.js")>();
  return { ...real, compileTemplate: vi.fn(real.compileTemplate) };
});

let example: Project;
beforeAll(async () => {
  example = await loadProject({ cwd: oneServiceRoot });
});

const FILE = "/repo/templates/td.json.hbs";
const withTemplate = (edit: (source: string) => string): Project => ({
  ...example,
  template: { file: FILE, source: edit(example.template.source) },
});
const lineOf = (p: Project, needle: string) => p.template.source.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("every missing value at once", () => {
  it("one target: each missing value once, at its first use", async () => {
    const p = withTemplate((s) =>
      s
        .replace('"{{vars.logLevel}}"', '"{{vars.logLvl}}{{vars.also.missing}}{{vars.logLvl}}"')
        .replace('"{{vars.cpu}}"', '"{{vars.cpuu}}"'),
    );
    const errors = await errorsOf(() => renderTaskDefinition(p, p.targets[0]!, "img:1"));
    expect(errors.map((e) => `${e.code} ${e.location?.line} ${e.message}`)).toEqual([
      `TEMPLATE_ERROR ${lineOf(p, "cpuu")} {{vars.cpuu}} is not defined (rendering for target "dev")`,
      `TEMPLATE_ERROR ${lineOf(p, "logLvl")} {{vars.logLvl}} is not defined (rendering for target "dev")`,
      `TEMPLATE_ERROR ${lineOf(p, "logLvl")} {{vars.also.missing}} is not defined (rendering for target "dev")`,
    ]);
  });

  it("every target: the same missing value is one error listing the targets; a value missing from one target names it", async () => {
    const p = withTemplate((s) =>
      s.replace('"{{vars.logLevel}}"', '"{{vars.nope}}{{#if (eq target.stage "prod")}}{{vars.prodOnly}}{{/if}}"'),
    );
    const errors = await errorsOf(() => checkRenders(p, p.targets));
    expect(errors.map((e) => [e.target, e.message])).toEqual([
      [undefined, '{{vars.nope}} is not defined (rendering for targets "dev", "staging", "prod-eu", "prod-us")'],
      [undefined, '{{vars.prodOnly}} is not defined (rendering for targets "prod-eu", "prod-us")'],
    ]);
    expect(errors[0]!.account).toBeUndefined();
    const one = await errorsOf(() => checkRenders(p, [p.targets[0]!]));
    expect(one.map((e) => [e.target, e.account])).toEqual([["dev", "222222222222"]]);
  });

  it("only paths of the template's context are filled in to go on; anything else stops at the first", async () => {
    expect(
      ["{{vars.a.b}} is not defined", "vars.a is not defined", "{{../vars.x}} is null", "{{@root.vars.y}} is not defined"].map(missingPath),
    ).toEqual(["vars.a.b", "vars.a", "vars.x", "vars.y"]);
    expect(missingPath('{{default vars.a "x"}} is not defined')).toBeUndefined();
    const p = withTemplate((s) => s.replace('"{{vars.logLevel}}"', '"{{#with vars.nope}}{{inner}}{{/with}}{{vars.later}}"'));
    const errors = await errorsOf(() => renderTaskDefinition(p, p.targets[0]!, "img:1"));
    expect(errors.map((e) => e.message)).toEqual([
      'vars.nope is not defined (rendering for target "dev")',
      '{{inner}} is not defined (rendering for target "dev")',
    ]);
    // A root-looking path that is relative (inside each): reported once, not again after filling in.
    const q = withTemplate((s) => s.replace('"{{vars.logLevel}}"', '"{{#each vars.list}}{{vars.x}}{{/each}}"'));
    const t = { ...q.targets[0]!, vars: { ...q.targets[0]!.vars, list: [1] } };
    expect((await errorsOf(() => renderTaskDefinition(q, t, "img:1"))).map((e) => e.message)).toEqual([
      '{{vars.x}} is not defined (rendering for target "dev")',
    ]);
  });
});

describe("the hint of a JSON syntax error", () => {
  it("the template's own JSON (a missing comma): no advice about {{json}}", async () => {
    const p = withTemplate((s) => s.replace('"networkMode": "awsvpc",', '"networkMode": "awsvpc"'));
    const [e] = await errorsOf(() => renderTaskDefinition(p, p.targets[0]!, "img:1"));
    expect(e!.code).toBe("RENDER_INVALID");
    expect(e!.hint).toMatch(/^The template's own JSON is broken here.*missing comma/);
    expect(e!.hint).not.toContain("{{json");
  });

  it("where an inserted value breaks it: the {{json}} advice", async () => {
    const p = withTemplate((s) => s.replace('"cpu": "{{vars.cpu}}",', '"cpu": {{vars.cpu}} {{vars.memory}},'));
    const [e] = await errorsOf(() => renderTaskDefinition(p, p.targets[0]!, "img:1"));
    expect(e!.hint).toContain("{{json vars.x}}");
  });
});

describe("templates are bounded before Handlebars runs", () => {
  // "At once" is a property of the order of work, not of a clock: the bounds are checked on the
  // parsed template before Handlebars compiles it, so a bomb never reaches the compiler. (How long a
  // refusal takes is measured by `npm run bench`, never asserted in a test.)
  const refused = async (p: Project, vars: Record<string, unknown> = {}) => {
    const t = { ...p.targets[0]!, vars: { ...p.targets[0]!.vars, ...vars } };
    vi.mocked(compileTemplate).mockClear();
    const errors = await errorsOf(() => renderTaskDefinition(p, t, "img:1"));
    return { errors, compiled: vi.mocked(compileTemplate).mock.calls.length };
  };

  it("too many expressions (a 1 MiB template of them): refused at the line, at once", async () => {
    const p = withTemplate((s) => s.replace('"{{vars.logLevel}}"', `"${"{{vars.logLevel}}".repeat(60_000)}"`));
    const { errors, compiled } = await refused(p);
    expect(errors.map((e) => [e.code, e.location?.line, e.message])).toEqual([
      [
        "TEMPLATE_ERROR",
        lineOf(p, "LOG_LEVEL"),
        `the template has more than ${TEMPLATE_LIMITS.maxExpressions} {{…}} expressions (by this line)`,
      ],
    ]);
    expect(compiled, "Handlebars compiled the template").toBe(0);
  });

  it("blocks nested 40 000 deep: refused at once", async () => {
    const p = withTemplate((s) => s.replace('"{{vars.logLevel}}"', `"${"{{#if vars.cpu}}".repeat(40_000)}x${"{{/if}}".repeat(40_000)}"`));
    const { errors, compiled } = await refused(p);
    expect(errors[0]!.message).toBe(`blocks are nested more than ${TEMPLATE_LIMITS.maxDepth} deep in the template`);
    expect(compiled, "Handlebars compiled the template").toBe(0);
  });

  it("{{#each}} nested over a long list (10^11 copies): refused before rendering, at the each", async () => {
    const list = Array.from({ length: 5000 }, (_, i) => i);
    const p = withTemplate((s) =>
      s.replace('"{{vars.logLevel}}"', `"${"{{#each @root.vars.list}}".repeat(3)}{{this}}${"{{/each}}".repeat(3)}"`),
    );
    const { errors, compiled } = await refused(p, { list });
    expect(errors[0]!.message).toMatch(/^the template could write more than 2 MiB for target "dev"/);
    expect(errors[0]!.location?.line).toBe(lineOf(p, "LOG_LEVEL"));
    expect(compiled, "Handlebars compiled the template").toBe(0);
    // One each over a short list is what templates do (and it is compiled: the watch works).
    const fine = withTemplate((s) => s.replace('"{{vars.logLevel}}"', '"{{#each @root.vars.list}}{{this}},{{/each}}"'));
    vi.mocked(compileTemplate).mockClear();
    expect(
      renderTaskDefinition(fine, { ...fine.targets[0]!, vars: { ...fine.targets[0]!.vars, list: [1, 2, 3] } }, "img:1")
        .containerDefinitions[0]!.environment,
    ).toContainEqual({ name: "LOG_LEVEL", value: "1,2,3," });
    expect(vi.mocked(compileTemplate)).toHaveBeenCalledTimes(1);
  });
});
