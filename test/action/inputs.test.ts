// Input validation: the runner's INPUT_* names (hyphens kept), defaults, lists, and one clear error
// per bad input.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { envInputReader, readInputs } from "../../src/action/inputs.js";
import { errorsOf } from "../fixtures/config/repo.js";

const workspace = mkdtempSync(path.join(tmpdir(), "deployer-inputs-"));
mkdirSync(path.join(workspace, "deploy"));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const reader = (inputs: Record<string, string>) =>
  envInputReader(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])));

describe("readInputs", () => {
  it("reads hyphenated inputs the way the runner names them, resolves paths, splits lists", () => {
    const env = {
      "INPUT_WORKING-DIRECTORY": "deploy",
      "INPUT_GITHUB-TOKEN": " ghs_x ",
      INPUT_COMMAND: "plan",
      INPUT_IMAGE: "3f2a9c1",
      INPUT_STAGE: "dev,\nstaging",
      INPUT_ENVIRONMENTS: "dev staging",
      INPUT_CONFIG: "deployer.yaml",
    };
    const i = readInputs(envInputReader(env), { eventName: "push", workspace });
    expect(i).toMatchObject({
      command: "plan",
      image: "3f2a9c1",
      stages: ["dev", "staging"],
      allStages: false,
      environments: ["dev", "staging"],
      workingDirectory: path.join(workspace, "deploy"),
      config: path.join(workspace, "deploy/deployer.yaml"),
      githubToken: "ghs_x",
      comment: false,
      timeout: "15m",
      timeoutSeconds: 900,
      strict: false,
      waitForInProgress: false,
      rollbackStage: false,
    });
  });

  it("wait-for-in-progress and rollback-stage are booleans, off by default", () => {
    const i = readInputs(reader({ command: "rollout", image: "x1", "wait-for-in-progress": "true", "rollback-stage": "true" }), {
      eventName: "push",
      workspace,
    });
    expect(i).toMatchObject({ waitForInProgress: true, rollbackStage: true });
  });

  it("comment defaults to true on pull_request events only; `all` selects every stage", () => {
    const base = { command: "plan", image: "x1" };
    expect(readInputs(reader(base), { eventName: "pull_request", workspace }).comment).toBe(true);
    expect(readInputs(reader(base), { eventName: "pull_request_target", workspace }).comment).toBe(true);
    expect(readInputs(reader({ ...base, comment: "auto" }), { eventName: "push", workspace }).comment).toBe(false);
    expect(readInputs(reader({ ...base, comment: "false" }), { eventName: "pull_request", workspace }).comment).toBe(false);
    expect(readInputs(reader({ ...base, stage: "all" }), { eventName: "push", workspace })).toMatchObject({ allStages: true, stages: [] });
  });

  it("every bad input is reported at once, by name, with a hint", async () => {
    const errors = await errorsOf(() =>
      readInputs(
        reader({
          command: "rollout",
          stage: "all,dev",
          timeout: "0",
          strict: "yes",
          "working-directory": "nope",
          "rollback-stage": "maybe",
        }),
        { eventName: "push", workspace },
      ),
    );
    expect(errors.map((e) => [e.code, e.field])).toEqual([
      ["INVALID_ARGUMENT", "image"],
      ["INVALID_ARGUMENT", "stage"],
      ["INVALID_ARGUMENT", "working-directory"],
      ["INVALID_ARGUMENT", "timeout"],
      ["INVALID_ARGUMENT", "strict"],
      ["INVALID_ARGUMENT", "rollback-stage"],
    ]);
    expect(errors[2]!.message).toBe(`input \`working-directory\`: ${path.join(workspace, "nope")} is not a directory`);
    for (const e of errors) expect(e.hint).toBeTruthy();
  });

  it("role-to-assume: GitHub OIDC credentials, with a session name from the run id, 1 hour and the sts.amazonaws.com audience by default", () => {
    const i = readInputs(reader({ command: "plan", image: "x1", "role-to-assume": "arn:aws:iam::111111111111:role/deployer-ci" }), {
      eventName: "push",
      workspace,
      runId: "4242",
    });
    expect(i.aws).toEqual({
      roleToAssume: "arn:aws:iam::111111111111:role/deployer-ci",
      roleSessionName: "deployer-4242",
      roleDurationSeconds: 3600,
      audience: "sts.amazonaws.com",
    });
    const given = readInputs(
      reader({
        command: "plan",
        image: "x1",
        "role-to-assume": "arn:aws:iam::111111111111:role/ci/deployer",
        "role-session-name": "deploy-main",
        "role-duration-seconds": "7200",
        audience: "https://github.com/acme",
      }),
      { eventName: "push", workspace },
    );
    expect(given.aws).toEqual({
      roleToAssume: "arn:aws:iam::111111111111:role/ci/deployer",
      roleSessionName: "deploy-main",
      roleDurationSeconds: 7200,
      audience: "https://github.com/acme",
    });
    // Without it, the environment's credentials (as before).
    expect(readInputs(reader({ command: "plan", image: "x1" }), { eventName: "push", workspace }).aws.roleToAssume).toBeUndefined();
  });

  it("refuses a role-to-assume that is no role ARN, durations AWS refuses, a bad session name, and OIDC inputs without role-to-assume", async () => {
    const bad = await errorsOf(() =>
      readInputs(
        reader({
          command: "plan",
          image: "x1",
          "role-to-assume": "deployer-ci",
          "role-duration-seconds": "600",
          "role-session-name": "a b",
        }),
        { eventName: "push", workspace },
      ),
    );
    expect(bad.map((e) => e.field)).toEqual(["role-to-assume", "role-session-name", "role-duration-seconds"]);
    expect(bad[2]!.message).toContain("900 to 43200");
    const orphan = await errorsOf(() =>
      readInputs(reader({ command: "plan", image: "x1", "role-duration-seconds": "3600", audience: "sts.amazonaws.com" }), {
        eventName: "push",
        workspace,
      }),
    );
    expect(orphan.map((e) => [e.field, e.message])).toEqual([
      ["role-duration-seconds", "input `role-duration-seconds`: only applies with `role-to-assume`"],
      ["audience", "input `audience`: only applies with `role-to-assume`"],
    ]);
  });
});
