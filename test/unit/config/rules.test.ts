// The configuration rules a JSON Schema cannot express (src/config/rules.ts), called directly: which
// targets collide, which stages and roles are refused, and what the errors say.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { duplicateFile, duplicateServiceErrors, semanticErrors } from "../../../src/config/rules.js";
import type { MergedLayers } from "../../../src/config/merge.js";
import { makeTarget } from "../../helpers/factories.js";

const FILE = "/repo/environments/dev.yaml";

/** A merged environment file whose every field was written at a line of its own. */
function merged(value: Record<string, string>): MergedLayers {
  const lines = Object.keys(value);
  return {
    value,
    locate: (pointer) => {
      const i = lines.indexOf(pointer.slice(1));
      return i < 0 ? undefined : ({ loc: { file: FILE, line: i + 1, column: 1 } } as ReturnType<MergedLayers["locate"]>);
    },
    locations: {},
  };
}

const DEV = {
  stage: "dev",
  account: "222222222222",
  region: "eu-west-1",
  cluster: "shop-dev",
  service: "api",
  deployRole: "arn:aws:iam::222222222222:role/deployer",
  taskRole: "arn:aws:iam::222222222222:role/shop-api-task",
  executionRole: "arn:aws:iam::222222222222:role/shop-api-exec",
};
const hint = () => "Stages in deployer.yaml: dev, prod.";

describe("config rules", () => {
  it("a target of its own account, region and a declared stage has no errors", () => {
    expect(semanticErrors("dev", FILE, merged(DEV), ["dev", "prod"], hint)).toEqual([]);
  });

  it("without stages declared, any stage is accepted (the schema error about stages is reported elsewhere)", () => {
    expect(semanticErrors("dev", FILE, merged({ ...DEV, stage: "anything" }), [], hint)).toEqual([]);
  });

  it("an unknown stage: the message, a guess, and the stages there are", () => {
    const [e, ...rest] = semanticErrors("dev", FILE, merged({ ...DEV, stage: "prd" }), ["dev", "prod"], hint);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ code: "CONFIG_INVALID", field: "stage", target: "dev", location: { file: FILE, line: 1 } });
    expect(e!.message).toBe("stage is not one of the stages of deployer.yaml");
    expect(e!.hint).toBe('Did you mean "prod"? Stages in deployer.yaml: dev, prod.');
    const [far] = semanticErrors("dev", FILE, merged({ ...DEV, stage: "qqqqqqqq" }), ["dev", "prod"], hint);
    expect(far!.hint).toBe("Stages in deployer.yaml: dev, prod.");
  });

  it("each role of another account is refused with its own hint and the ARN expected", () => {
    const errors = semanticErrors(
      "dev",
      FILE,
      merged({
        ...DEV,
        deployRole: "arn:aws:iam::999999999999:role/deployer",
        taskRole: "arn:aws:iam::999999999999:role/shop-api-task",
        executionRole: "arn:aws:iam::999999999999:role/x/shop-api-exec",
      }),
      ["dev"],
      hint,
    );
    expect(errors.map((e) => e.field)).toEqual(["deployRole", "taskRole", "executionRole"]);
    expect(errors[0]!.message).toBe('deployRole is in account 999999999999, but target "dev" is account 222222222222');
    expect(errors[0]!.hint).toBe(
      "deployer assumes deployRole in the target's account; a role ARN from another account is usually a line copied from another environment file. Expected arn:aws:iam::222222222222:role/deployer (account is set at dev.yaml:2).",
    );
    expect(errors[1]!.hint).toMatch(
      /^ECS only accepts a task role from the task's own account\. Expected arn:aws:iam::222222222222:role\/shop-api-task /,
    );
    expect(errors[2]!.hint).toMatch(
      /^ECS only accepts an execution role from the task's own account\. Expected arn:aws:iam::222222222222:role\/x\/shop-api-exec /,
    );
    // The ARN expected keeps the role's partition and path. (A role of another partition than the
    // target's region gets the partition rule's error first, so the region is one of aws-cn here.)
    const cn = semanticErrors(
      "dev",
      FILE,
      merged({
        ...DEV,
        region: "cn-north-1",
        deployRole: "arn:aws-cn:iam::222222222222:role/deployer",
        taskRole: "arn:aws-cn:iam::222222222222:role/shop-api-task",
        executionRole: "arn:aws-cn:iam::999999999999:role/x/shop-api-exec",
      }),
      ["dev"],
      hint,
    );
    expect(cn.map((e) => e.field)).toEqual(["executionRole"]);
    expect(cn[0]!.message).toBe('executionRole is in account 999999999999, but target "dev" is account 222222222222');
    expect(cn[0]!.hint).toBe(
      "ECS only accepts an execution role from the task's own account. Expected arn:aws-cn:iam::222222222222:role/x/shop-api-exec (account is set at dev.yaml:2).",
    );
  });

  it("a cluster ARN of another account or region is refused, with a hint", () => {
    const [e] = semanticErrors(
      "dev",
      FILE,
      merged({ ...DEV, cluster: "arn:aws:ecs:us-east-1:222222222222:cluster/shop-dev" }),
      ["dev"],
      hint,
    );
    expect(e).toMatchObject({ field: "cluster", location: { line: 4 } });
    expect(e!.message).toBe('cluster ARN is in 222222222222/us-east-1, but target "dev" is 222222222222/eu-west-1');
    expect(e!.hint).toBe("The cluster must be in the target's account and region; a plain cluster name avoids the repetition.");
  });

  it("a .yaml and a .yml of one name: an error at the first line, with what to do", () => {
    expect(duplicateFile(FILE, "dev")).toMatchObject({
      code: "CONFIG_INVALID",
      message: 'two files define "dev" (.yaml and .yml)',
      location: { file: FILE, line: 1, column: 1 },
      target: "dev",
      hint: "Keep one file per target name; delete or rename the other.",
    });
  });
});

describe("one target per ECS service", () => {
  it("a cluster named by ARN in one file and by name in another is the same service: refused, at the second", () => {
    const first = makeTarget({ name: "dev" });
    const second = makeTarget({ name: "dev-copy", cluster: "arn:aws:ecs:eu-west-1:222222222222:cluster/shop-dev" });
    const [e, ...rest] = duplicateServiceErrors([first, second]);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ code: "CONFIG_INVALID", field: "service", target: "dev-copy", account: "222222222222" });
    expect(e!.message).toBe('targets "dev" and "dev-copy" both deploy service api in cluster shop-dev (account 222222222222, eu-west-1)');
    expect(e!.location).toEqual(second.locations.service);
    expect(e!.hint).toBe(
      `Each ECS service is deployed by one target; ${path.basename(first.file)}:${first.locations.service!.line} already targets it. Fix the account, region, cluster or service of one of them.`,
    );
  });

  it("without a recorded line, the hint names the file and the error sits at the file's first line", () => {
    const first = makeTarget({ name: "dev", locations: {} });
    const second = makeTarget({ name: "other", locations: {} });
    const [e] = duplicateServiceErrors([first, second]);
    expect(e!.hint).toContain(`one target; ${path.basename(first.file)} already targets it.`);
    expect(e!.location).toEqual({ file: second.file, line: 1, column: 1 });
  });

  it("services that differ in account, region, cluster or service are not duplicates, however their names line up", () => {
    const base = makeTarget({ name: "a" });
    expect(
      duplicateServiceErrors([
        base,
        makeTarget({ name: "b", account: "333333333333" }),
        makeTarget({ name: "c", region: "us-east-1" }),
        makeTarget({ name: "d", cluster: "shop-staging" }),
        makeTarget({ name: "e", service: "worker" }),
        // "shop-dev" + "api" and "shop-deva" + "pi" run together without a separator.
        makeTarget({ name: "f", cluster: "shop-deva", service: "pi" }),
        makeTarget({ name: "g", cluster: "arn:aws:ecs:eu-west-1:222222222222:cluster/shop-staging", service: "worker" }),
      ]),
    ).toEqual([]);
  });
});
