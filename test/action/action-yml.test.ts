// action.yml and the code agree: every input the Action reads is declared (with a description),
// nothing declared is ignored, the outputs the Action sets are declared, and it runs dist/index.js
// on node24. The example workflows reference inputs that exist.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { readInputs } from "../../src/action/inputs.js";
import { projectRoot } from "../fixtures/config/repo.js";

interface ActionYml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}
const action = parse(readFileSync(path.join(projectRoot, "action.yml"), "utf8")) as ActionYml;

describe("action.yml", () => {
  it("declares exactly the inputs the Action reads, each with a description", () => {
    const read = new Set<string>();
    for (const command of ["plan", "promote"]) {
      try {
        readInputs((name) => (read.add(name), name === "command" ? command : ""), { eventName: "push", workspace: projectRoot });
      } catch {
        // Missing required inputs: only the names read matter here.
      }
    }
    expect([...read].sort()).toEqual(Object.keys(action.inputs).sort());
    for (const [name, i] of Object.entries(action.inputs)) expect(i.description.length, name).toBeGreaterThan(40);
  });

  it("declares the outputs, runs dist/index.js on node24", () => {
    expect(Object.keys(action.outputs).sort()).toEqual([
      "changes",
      "plan-artifact",
      "plan-artifact-id",
      "plan-json",
      "plan-markdown",
      "report-json",
      "task-definition-arns",
    ]);
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(action.inputs["github-token"]!.default).toBe("${{ github.token }}");
  });

  it("the example workflows only pass declared inputs", () => {
    const dir = path.join(projectRoot, "examples/workflows");
    const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
    expect(files.sort()).toEqual(["deploy.yml", "plan.yml", "promote.yml"]);
    for (const f of files) {
      const wf = parse(readFileSync(path.join(dir, f), "utf8")) as {
        jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
      };
      const ours = Object.values(wf.jobs)
        .flatMap((j) => j.steps)
        .filter((s) => s.uses === "./");
      expect(ours.length, f).toBe(1);
      for (const key of Object.keys(ours[0]!.with ?? {})) expect(Object.keys(action.inputs), `${f}: ${key}`).toContain(key);
    }
  });
});
