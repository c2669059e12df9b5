// What every check of a target shares (src/checks/context.ts): the roles a task definition names,
// the service principal they are passed to, and the one-off tasks a rollout of this unit runs
// (which decide whether the deploy role's simulation asks ecs:RunTask & co.).
import { describe, expect, it } from "vitest";
import { ECS_TASKS_SERVICE, ROLE_FIELDS, plannedTasks } from "../../../src/checks/context.js";
import type { TaskConfig } from "../../../src/config/types.js";
import { makeProject, makeTarget } from "../../helpers/factories.js";

const migrate: TaskConfig = { name: "migrate", command: ["bin/migrate"], container: "app", timeoutSeconds: 600 };
const seed: TaskConfig = { name: "seed", command: ["bin/seed"], container: "app", timeoutSeconds: 60 };

function projectWith(tasksByService: Record<string, TaskConfig[] | undefined>) {
  const project = makeProject([makeTarget()]);
  const base = project.config.services[0]!;
  project.config.services = Object.entries(tasksByService).map(([key, tasks]) => ({ ...base, key, ...(tasks ? { tasks } : {}) }));
  return project;
}

describe("context", () => {
  it("roles are passed to ECS tasks: ecs-tasks.amazonaws.com; the task definition names a task and an execution role", () => {
    expect(ECS_TASKS_SERVICE).toBe("ecs-tasks.amazonaws.com");
    expect(ROLE_FIELDS).toEqual(["taskRole", "executionRole"]);
  });

  describe("plannedTasks: the one-off tasks a rollout of this unit runs", () => {
    it("the tasks of the target's own service, in declared order", () => {
      const project = projectWith({ "shop-api": [migrate, seed], worker: [] });
      expect(plannedTasks({ project, target: makeTarget(), options: { waitForInProgress: false } })).toEqual([migrate, seed]);
    });

    it("not another service's tasks", () => {
      const project = projectWith({ "shop-api": [], worker: [migrate] });
      expect(plannedTasks({ project, target: makeTarget(), options: { waitForInProgress: false } })).toEqual([]);
      expect(plannedTasks({ project, target: makeTarget({ serviceKey: "worker" }), options: { waitForInProgress: false } })).toEqual([
        migrate,
      ]);
    });

    it("none with --skip-tasks", () => {
      const project = projectWith({ "shop-api": [migrate] });
      expect(plannedTasks({ project, target: makeTarget(), options: { waitForInProgress: false, skipTasks: true } })).toEqual([]);
      expect(plannedTasks({ project, target: makeTarget(), options: { waitForInProgress: false, skipTasks: false } })).toEqual([migrate]);
    });

    it("none when the service declares no tasks, or is not in the project", () => {
      expect(
        plannedTasks({ project: projectWith({ "shop-api": undefined }), target: makeTarget(), options: { waitForInProgress: false } }),
      ).toEqual([]);
      expect(
        plannedTasks({ project: projectWith({ other: [migrate] }), target: makeTarget(), options: { waitForInProgress: false } }),
      ).toEqual([]);
    });
  });
});
