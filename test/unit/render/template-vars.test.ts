// vars typos: keys no template reads, and a variable every target sets but one, are warnings with
// the file and line.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadProject } from "../../../src/config/load.js";
import { templateVarsRefs, varsWarnings } from "../../../src/render/template-vars.js";
import { exampleRepo, type TempRepo } from "../../fixtures/config/repo.js";

let repo: TempRepo;
beforeEach(() => {
  repo = exampleRepo();
});
afterEach(() => repo.cleanup());

const TEMPLATE = "templates/task-definition.json.hbs";
const summary = (ws: ReturnType<typeof varsWarnings>) =>
  ws.map((w) => `${repo.file("") && w.location.file.slice(repo.dir.length + 1)}:${w.location.line} ${w.field}`);

describe("what the template reads of vars", () => {
  it("paths, helper arguments, blocks, lookup with a literal, @root and ../ count; a whole-vars use reads everything", () => {
    const refs = (src: string) => templateVarsRefs(src)!.map((r) => r.path.join("."));
    expect(
      refs(
        '{{vars.a}} {{upper vars.b.c}} {{#if vars.d}}{{../vars.e}}{{/if}} {{lookup vars "f"}} {{@root.vars.g}} {{json (default vars.h 1)}}',
      ),
    ).toEqual(["a", "b.c", "d", "e", "f", "g", "h"]);
    expect(refs("{{#each vars}}{{this}}{{/each}}")).toEqual([""]);
    expect(templateVarsRefs("{{#if}")).toBeUndefined();
  });
});

describe("varsWarnings on the example", () => {
  it("the example has none", async () => {
    const project = await loadProject({ cwd: repo.dir });
    expect(varsWarnings(project, project.targets)).toEqual([]);
  });

  it("a key no template reads: a warning at its line, with the likely intended name", async () => {
    repo.write("environments/dev.yaml", repo.read("environments/dev.yaml") + "  logLvl: trace\n  db: { host: x }\n");
    const project = await loadProject({ cwd: repo.dir });
    const ws = varsWarnings(project, project.targets);
    expect(summary(ws)).toEqual([
      `environments/dev.yaml:${repo.lineOf("environments/dev.yaml", "logLvl")} vars.logLvl`,
      `environments/dev.yaml:${repo.lineOf("environments/dev.yaml", "db:")} vars.db`,
    ]);
    expect(ws[0]!.message).toBe("set, but the template never reads it");
    expect(ws[0]!.hint).toMatch(/^Did you mean vars\.logLevel \(read at task-definition\.json\.hbs:21\)\?/);
  });

  it("a key of _defaults.yaml no template reads is one warning, not one per target", async () => {
    repo.write("environments/_defaults.yaml", repo.read("environments/_defaults.yaml").replace("vars:\n", "vars:\n  unused: 1\n"));
    const project = await loadProject({ cwd: repo.dir });
    expect(summary(varsWarnings(project, project.targets))).toEqual([
      `environments/_defaults.yaml:${repo.lineOf("environments/_defaults.yaml", "unused:")} vars.unused`,
    ]);
  });

  it("a nested key below a map the template reads only in part", async () => {
    repo.edit(TEMPLATE, '"{{vars.logLevel}}"', '"{{vars.log.level}}"');
    repo.write(
      "environments/_defaults.yaml",
      repo.read("environments/_defaults.yaml").replace("  logLevel: info\n", "  logLevel: info\n  log: { level: info, levle: x }\n"),
    );
    const project = await loadProject({ cwd: repo.dir });
    const fields = varsWarnings(project, project.targets).map((w) => w.field);
    expect(fields).toContain("vars.log.levle");
    expect(fields).not.toContain("vars.log.level");
  });

  it("a variable read with a fallback that every target sets but one: a warning on that target's file", async () => {
    repo.edit(TEMPLATE, '"{{vars.logLevel}}"', '"{{default vars.logLevel "info"}}"');
    repo.write("environments/_defaults.yaml", repo.read("environments/_defaults.yaml").replace("  logLevel: info\n", ""));
    repo.write("environments/staging.yaml", repo.read("environments/staging.yaml") + "vars:\n  logLevel: info\n");
    repo.write("environments/_prod.yaml", repo.read("environments/_prod.yaml").replace("  logLevel: warn\n", ""));
    repo.write("environments/prod-eu.yaml", repo.read("environments/prod-eu.yaml") + "vars:\n  logLevel: warn\n");
    repo.write("environments/prod-us.yaml", repo.read("environments/prod-us.yaml") + "vars:\n  loglevel: warn\n");
    const project = await loadProject({ cwd: repo.dir });
    const ws = varsWarnings(project, project.targets);
    const lacking = ws.find((w) => w.field === "vars.logLevel")!;
    // At prod-us's own vars (where the value would go).
    expect(lacking.location).toEqual({
      file: repo.file("environments/prod-us.yaml"),
      line: repo.lineOf("environments/prod-us.yaml", "loglevel:"),
      column: 3,
    });
    expect(lacking.message).toBe(
      'every other target sets it (dev, staging, prod-eu); "prod-us" does not and gets the template\'s fallback',
    );
    expect(lacking.hint).toMatch(/^Did you mean to write vars\.logLevel instead of vars\.loglevel\?/);
    expect(ws.map((w) => w.field)).toContain("vars.loglevel");
    // Not for a target whose definition failed to render (that is an error already), nor with two targets only.
    expect(varsWarnings(project, project.targets, new Set(["dev", "staging", "prod-eu"])).map((w) => w.field)).not.toContain(
      "vars.logLevel",
    );
    expect(varsWarnings(project, project.targets.slice(2)).map((w) => w.field)).not.toContain("vars.logLevel");
  });
});
