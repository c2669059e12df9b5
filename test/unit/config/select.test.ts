import { beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../../src/config/load.js";
import { selectTargets } from "../../../src/config/select.js";
import type { Project } from "../../../src/config/types.js";
import { errorsOf, oneServiceRoot } from "../../fixtures/config/repo.js";

let project: Project;
beforeAll(async () => {
  project = await loadProject({ cwd: oneServiceRoot });
});
const names = (sel: Parameters<typeof selectTargets>[1]) => selectTargets(project, sel).map((t) => t.name);

describe("selectTargets", () => {
  it("defaults to the first stage", () => {
    expect(names({})).toEqual(["dev"]);
  });

  it("selects by stage, by name, and through a stage, in project order", () => {
    expect(names({ stages: ["prod"] })).toEqual(["prod-eu", "prod-us"]);
    expect(names({ stages: ["prod", "dev"] })).toEqual(["dev", "prod-eu", "prod-us"]);
    expect(names({ envs: ["prod-us", "dev"] })).toEqual(["dev", "prod-us"]);
    expect(names({ through: "staging" })).toEqual(["dev", "staging"]);
    expect(names({ through: "prod" })).toEqual(["dev", "staging", "prod-eu", "prod-us"]);
  });

  it("names narrow a stage selection; an empty intersection is refused", async () => {
    expect(names({ stages: ["prod"], envs: ["prod-eu"] })).toEqual(["prod-eu"]);
    const [e] = await errorsOf(() => selectTargets(project, { stages: ["prod"], envs: ["dev"] }));
    expect(e!.code).toBe("SELECTION_EMPTY");
    expect(e!.message).toBe("no target matches environment dev in stage prod");
    expect(e!.hint).toContain("prod: prod-eu, prod-us");
  });

  it("unknown names are refused with the valid ones listed", async () => {
    const [e] = await errorsOf(() => selectTargets(project, { envs: ["prod-eu", "prod-ue"] }));
    expect(e!.code).toBe("SELECTION_EMPTY");
    expect(e!.message).toBe('unknown environment "prod-ue" (--env)');
    expect(e!.hint).toBe('Did you mean "prod-us"? Valid environments: dev, staging, prod-eu, prod-us.');
    const [s] = await errorsOf(() => selectTargets(project, { stages: ["production"] }));
    expect(s!.message).toBe('unknown stage "production" (--stage)');
    expect(s!.hint).toContain("Valid stages: dev, staging, prod.");
    const [th] = await errorsOf(() => selectTargets(project, { through: "qa" }));
    expect(th!.message).toBe('unknown stage "qa" (--through)');
  });

  it("a stage without targets selects nothing and is refused", async () => {
    const empty: Project = { ...project, config: { ...project.config, stages: [{ name: "canary" }, ...project.config.stages] } };
    const [e] = await errorsOf(() => selectTargets(empty, {}));
    expect(e!.code).toBe("SELECTION_EMPTY");
    expect(e!.hint).toContain("canary: (none)");
  });
});
