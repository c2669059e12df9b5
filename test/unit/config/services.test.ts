// Issue 17: `services:` in deployer.yaml and per-service overrides in environment files: one Target per
// environment and service, and every new field's errors at its file and line.
import { afterEach, describe, expect, it } from "vitest";
import path from "node:path";
import { loadProject } from "../../../src/config/load.js";
import { selectTargets } from "../../../src/config/select.js";
import { dependencyCycle } from "../../../src/config/services.js";
import { checkRenders } from "../../../src/render/render-all.js";
import { errorsOf, servicesRepo, type TempRepo } from "../../fixtures/config/repo.js";

let repo: TempRepo | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
});

const at = (e: { location?: { file: string; line: number } }) => (e.location ? `${path.basename(e.location.file)}:${e.location.line}` : "");

describe("services: (issue 17)", () => {
  it("one Target per environment and service, in stage, environment and declared service order; overrides per service", async () => {
    repo = servicesRepo();
    const project = await loadProject({ cwd: repo.dir });
    expect(project.config.service).toBe("shop");
    expect(project.config.services.map((s) => [s.key, s.dependsOn ?? [], (s.tasks ?? []).map((t) => t.name)])).toEqual([
      ["api", [], ["migrate"]],
      ["worker", ["api"], []],
    ]);
    expect(project.targets.map((t) => t.name)).toEqual([
      "dev/api",
      "dev/worker",
      "staging/api",
      "staging/worker",
      "prod-eu/api",
      "prod-eu/worker",
      "prod-us/api",
      "prod-us/worker",
    ]);
    const worker = project.targets.find((t) => t.name === "prod-eu/worker")!;
    // The ECS service defaults to the key; _prod.yaml's services.worker.vars override the environment's.
    expect(worker).toMatchObject({
      env: "prod-eu",
      serviceKey: "worker",
      service: "worker",
      vars: { cpu: 256, memory: 512, logLevel: "warn" },
    });
    expect(project.targets.find((t) => t.name === "prod-eu/api")!.vars).toMatchObject({ cpu: 512, memory: 1024 });
    // the override's value is located where it is written
    expect(path.basename(worker.locations["vars.cpu"]!.file)).toBe("_prod.yaml");
    expect(selectTargets(project, { envs: ["dev"], services: ["worker"] }).map((t) => t.name)).toEqual(["dev/worker"]);
    expect(selectTargets(project, { stages: ["prod"], services: ["api"] }).map((t) => t.name)).toEqual(["prod-eu/api", "prod-us/api"]);
  });

  it("an environment file's services.KEY sets a service's own name, cluster and vars over its top-level fields", async () => {
    repo = servicesRepo();
    repo.write(
      "environments/dev.yaml",
      `${repo.read("environments/dev.yaml")}services:\n  worker:\n    service: shop-worker-dev\n    vars:\n      logLevel: warn\n`,
    );
    const project = await loadProject({ cwd: repo.dir });
    const w = project.targets.find((t) => t.name === "dev/worker")!;
    expect(w.service).toBe("shop-worker-dev");
    expect(w.vars.logLevel).toBe("warn");
    expect(project.targets.find((t) => t.name === "dev/api")!.vars.logLevel).toBe("debug");
  });

  it("errors at file:line: both forms, unknown dependsOn, a dependsOn cycle, an unknown service override, a bad override field", async () => {
    repo = servicesRepo();
    repo.edit("deployer.yaml", "name: shop\n", "name: shop\nservice: shop-api\n");
    repo.edit("deployer.yaml", "dependsOn: [api]", "dependsOn: [apii]");
    repo.write(
      "environments/staging.yaml",
      `${repo.read("environments/staging.yaml")}services:\n  wroker:\n    cpu: 1\n  worker:\n    stage: dev\n`,
    );
    const errors = await errorsOf(() => loadProject({ cwd: repo!.dir }));
    const find = (s: string) => errors.find((e) => e.message.includes(s));
    expect(at(find("cannot both be used")!)).toBe(`deployer.yaml:${repo.lineOf("deployer.yaml", "service: shop-api")}`);
    const dep = find('depends on "apii"')!;
    expect(at(dep)).toBe(`deployer.yaml:${repo.lineOf("deployer.yaml", "dependsOn: [apii]")}`);
    expect(dep.hint).toContain('Did you mean "api"?');
    const unknown = find("overrides a service that deployer.yaml does not declare")!;
    expect(at(unknown)).toBe(`staging.yaml:${repo.lineOf("environments/staging.yaml", "wroker:")}`);
    expect(unknown.hint).toContain('Did you mean "worker"?');
    expect(at(find('unknown field "stage"')!)).toBe(`staging.yaml:${repo.lineOf("environments/staging.yaml", "stage: dev")}`);
  });

  it("a dependsOn cycle is an error at its line", async () => {
    repo = servicesRepo();
    repo.edit(
      "deployer.yaml",
      "    template: templates/task-definition.json.hbs\n",
      "    template: templates/task-definition.json.hbs\n    dependsOn: [worker]\n",
    );
    const errors = await errorsOf(() => loadProject({ cwd: repo!.dir }));
    const cycle = errors.find((e) => e.message.includes("dependsOn forms a cycle"))!;
    expect(cycle.message).toContain("api -> worker -> api");
    expect(at(cycle)).toBe(`deployer.yaml:${repo.lineOf("deployer.yaml", "dependsOn: [worker]")}`);
    expect(
      dependencyCycle([
        { key: "a", dependsOn: ["b"] },
        { key: "b", dependsOn: [] },
      ]),
    ).toBeUndefined();
  });

  it("a task's container the rendered definition lacks is RENDER_INVALID at the task's container: line", async () => {
    repo = servicesRepo();
    repo.edit("deployer.yaml", "container: app", "container: web");
    const project = await loadProject({ cwd: repo.dir });
    const errors = await errorsOf(() => checkRenders(project, project.targets));
    expect(errors[0]!.code).toBe("RENDER_INVALID");
    expect(errors[0]!.message).toContain('task "migrate" runs in container "web"');
    expect(at(errors[0]!)).toBe(`deployer.yaml:${repo.lineOf("deployer.yaml", "container: web")}`);
  });
});
