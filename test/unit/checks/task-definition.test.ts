import { describe, expect, it } from "vitest";
import { checkTaskDefinition } from "../../../src/checks/task-definition.js";
import { DeployerError } from "../../../src/errors.js";
import { checkContext } from "./check-context.js";
import { healthyWorld } from "../../helpers/fake-aws.js";
import { makeDesired, makeTarget } from "../../helpers/factories.js";

const target = makeTarget();

describe("check: task-definition", () => {
  it("passes when the validator finds nothing and the definition uses the image and roles", async () => {
    const r = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { validate: () => [] }));
    expect(r).toMatchObject({ id: "task-definition", verdict: "pass", evidence: { validator: "run" } });
  });

  it("is unverified (not pass) when no validator is supplied", async () => {
    const r = await checkTaskDefinition(await checkContext(healthyWorld(target), target));
    expect(r.verdict).toBe("unverified");
    expect(r.evidence).toMatchObject({ validator: "not supplied" });
  });

  it("fails RENDER_INVALID with the validator's location and field", async () => {
    const validate = () => [
      new DeployerError({
        code: "RENDER_INVALID",
        message: "cpu 300 is not a Fargate size",
        field: "cpu",
        location: { file: "/repo/templates/task-definition.json.hbs", line: 12, column: 3 },
        hint: "use 256, 512, …",
      }),
    ];
    const r = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { validate }));
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({ code: "RENDER_INVALID", field: "cpu", location: { line: 12 }, hint: "use 256, 512, …" });
    expect(r.message).toContain("cpu: cpu 300 is not a Fargate size");
  });

  it("fails when no container uses the resolved image", async () => {
    const desired = makeDesired(target, { containerDefinitions: [{ name: "app", image: "nginx:latest" }] });
    const r = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { desired, validate: () => [] }));
    expect(r.verdict).toBe("fail");
    expect(r.message).toContain("no container uses the resolved image");
  });

  it("fails when the template hard-codes another task role than the target's", async () => {
    const desired = makeDesired(target, { taskRoleArn: "arn:aws:iam::222222222222:role/admin" });
    const r = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { desired, validate: () => [] }));
    expect(r.error?.code).toBe("RENDER_INVALID");
    expect(r.message).toContain("taskRoleArn is arn:aws:iam::222222222222:role/admin");
  });
});
