import { describe, expect, it } from "vitest";
import { checkTaskDefinition, checkTemplateTags } from "../../../src/checks/task-definition.js";
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

  it("passes naming the family and the image it uses, the validator given the definition and the target", async () => {
    const seen: unknown[] = [];
    const validate = (def: unknown, t: unknown) => (seen.push([def, t]), []);
    const ctx = await checkContext(healthyWorld(target), target, { validate });
    const r = await checkTaskDefinition(ctx);
    expect(r.message).toBe(`shop-api: valid, uses ${ctx.desired.imageRef}`);
    expect(r.evidence).toEqual({ family: "shop-api", image: ctx.desired.imageRef, validator: "run" });
    expect(seen).toEqual([[ctx.desired.taskDefinition, target]]);
  });

  it("says what it checked when no validator is supplied", async () => {
    const ctx = await checkContext(healthyWorld(target), target);
    const r = await checkTaskDefinition(ctx);
    expect(r.message).toBe("uses the resolved image and the target's roles; full validation was not run (no validator supplied)");
    expect(r.evidence).toEqual({ family: "shop-api", image: ctx.desired.imageRef, validator: "not supplied" });
  });

  it("fails deployer's own rules even without a validator, listing every problem, pointing at the template", async () => {
    const desired = makeDesired(target, {
      family: "",
      executionRoleArn: "arn:aws:iam::222222222222:role/other-exec",
    });
    const r = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { desired }));
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(
      "the rendered task definition for dev is invalid: it has no family; executionRoleArn is arn:aws:iam::222222222222:role/other-exec " +
        `but the target's executionRole is ${target.executionRole}: use {{executionRole}} in the template`,
    );
    expect(r.error).toMatchObject({
      code: "RENDER_INVALID",
      target: "dev",
      location: { file: "/repo/templates/task-definition.json.hbs", line: 1, column: 1 },
      hint: "Fix the template /repo/templates/task-definition.json.hbs (deployer render --env dev shows the result).",
    });
    expect(r.error?.field).toBeUndefined();
    expect(r.evidence).toMatchObject({ problems: [expect.stringContaining("no family"), expect.stringContaining("executionRoleArn is")] });
  });

  it("fails a definition without containers", async () => {
    for (const containerDefinitions of [[], "app" as never]) {
      const desired = makeDesired(target, { containerDefinitions });
      const r = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { desired, validate: () => [] }));
      expect(r.verdict).toBe("fail");
      expect(r.message).toBe("the rendered task definition for dev is invalid: it has no containerDefinitions");
    }
  });

  it("names the images the containers use when none is the resolved one", async () => {
    const desired = makeDesired(target, {
      containerDefinitions: [
        { name: "app", image: "nginx:latest" },
        { name: "proxy", image: "envoy:1" },
      ],
    });
    const r = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { desired, validate: () => [] }));
    expect(r.message).toContain(
      `no container uses the resolved image ${desired.imageRef} (images: nginx:latest, envoy:1): use {{image}} in the template`,
    );
    // One container with the image is enough.
    desired.taskDefinition.containerDefinitions.push({ name: "main", image: desired.imageRef });
    const ok = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { desired, validate: () => [] }));
    expect(ok.verdict).toBe("pass");
  });

  it("accepts a definition that names no roles (the target's are filled in), and names the task role it expected", async () => {
    const desired = makeDesired(target);
    delete desired.taskDefinition.taskRoleArn;
    delete desired.taskDefinition.executionRoleArn;
    const r = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { desired, validate: () => [] }));
    expect(r.verdict).toBe("pass");
    const wrong = makeDesired(target, { taskRoleArn: "arn:aws:iam::222222222222:role/admin" });
    const w = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { desired: wrong, validate: () => [] }));
    expect(w.message).toContain(`but the target's taskRole is ${target.taskRole}: use {{taskRole}} in the template`);
  });

  it("lists the validator's problems after deployer's, the plain ones without a field, the fix hint when it has none", async () => {
    const desired = makeDesired(target, { family: "" });
    const validate = () => [
      { code: "RENDER_INVALID" as const, message: "memory missing" },
      { code: "RENDER_INVALID" as const, message: "bad", field: "cpu" },
    ];
    const r = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { desired, validate }));
    expect(r.message).toBe("the rendered task definition for dev is invalid: it has no family; memory missing; cpu: bad");
    expect(r.error?.hint).toBe("Fix the template /repo/templates/task-definition.json.hbs (deployer render --env dev shows the result).");
    expect(r.error?.location).toEqual({ file: "/repo/templates/task-definition.json.hbs", line: 1, column: 1 });
    expect(r.error?.field).toBeUndefined();
    expect(r.evidence).toMatchObject({ validator: "run", problems: ["it has no family", "memory missing", "cpu: bad"] });
  });

  it("is unverified, with the reason, when the validator itself throws", async () => {
    const validate = () => {
      throw new Error("schema file unreadable");
    };
    const r = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { validate }));
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe("the task definition validator failed: schema file unreadable");
    expect(r.evidence).toMatchObject({ validator: "run" });
    // deployer's own rules still fail the definition.
    const desired = makeDesired(target, { family: "" });
    const f = await checkTaskDefinition(await checkContext(healthyWorld(target), target, { desired, validate }));
    expect(f.verdict).toBe("fail");
  });
});

describe("check: task-definition-tags", () => {
  const run = async (tags: unknown) => {
    const desired = makeDesired(target, tags === undefined ? {} : { tags });
    return checkTemplateTags(await checkContext(healthyWorld(target), target, { desired }));
  };

  it("passes when the template writes no tags", async () => {
    expect(await run(undefined)).toMatchObject({
      id: "task-definition-tags",
      verdict: "pass",
      message: "the template writes no tags",
      evidence: { templateTags: [] },
    });
  });

  it("passes, counting and naming the template's tags", async () => {
    expect(await run([{ key: "team", value: "shop" }])).toMatchObject({ verdict: "pass", message: "1 template tag kept (team)" });
    expect(
      await run([
        { key: "team", value: "shop" },
        { key: "cost-centre", value: "42" },
      ]),
    ).toMatchObject({
      verdict: "pass",
      message: "2 template tags kept (team, cost-centre)",
      evidence: { templateTags: ["team", "cost-centre"] },
    });
  });

  it("warns when a template tag collides with one of deployer's, whose value wins", async () => {
    const r = await run([
      { key: "team", value: "shop" },
      { key: "deployer:run-id", value: "x" },
    ]);
    expect(r.verdict).toBe("warn");
    expect(r.message).toBe("the template's tag deployer:run-id collides with deployer's: deployer's value will be registered");
    expect(r.hint).toMatch(
      /^Rename it in \/repo\/templates\/task-definition\.json\.hbs: the deployer: prefix is deployer's \(deployer:image-digest, /,
    );
    expect(r.evidence).toEqual({ templateTags: ["team", "deployer:run-id"], collisions: ["deployer:run-id"] });
  });

  it("speaks in the plural for several collisions", async () => {
    const r = await run([
      { key: "deployer:run-id", value: "x" },
      { key: "deployer:by", value: "y" },
    ]);
    expect(r.message).toBe(
      "the template's tags deployer:run-id, deployer:by collide with deployer's: deployer's values will be registered",
    );
    expect(r.hint).toMatch(/^Rename them in /);
  });
});
