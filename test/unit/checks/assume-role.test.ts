import { describe, expect, it } from "vitest";
import { assumeDeployRole } from "../../../src/checks/assume-role.js";
import { DeployerError } from "../../../src/errors.js";
import { awsException, FakeWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";
import { deploySessionName } from "../../../src/aws/session-name.js";

describe("check: assume-role", () => {
  it("passes with the session, sending role, ExternalId, region and session name", async () => {
    const world = new FakeWorld();
    const target = makeTarget();
    const out = await assumeDeployRole(target, world.sessions(), "deployer-shop-api-r1");
    expect(out.check).toMatchObject({ id: "assume-role", verdict: "pass", target: "dev" });
    expect(out.session?.identity.arn).toBe("arn:aws:sts::222222222222:assumed-role/deployer/deployer-shop-api-r1");
    expect(world.assumed).toEqual([
      {
        roleArn: target.deployRole,
        externalId: "shop-deployer-dev",
        region: "eu-west-1",
        sessionName: "deployer-shop-api-r1",
        target: "dev",
      },
    ]);
  });

  it("fails ASSUME_ROLE_DENIED naming the role and the ExternalId sent, pointing at externalId", async () => {
    const world = new FakeWorld();
    const target = makeTarget();
    world.assumeFailures.set(
      target.deployRole,
      new DeployerError({
        code: "ASSUME_ROLE_DENIED",
        message: "denied",
        action: "sts:AssumeRole",
        resource: target.deployRole,
        awsCode: "AccessDenied",
        awsMessage: "User is not authorized to perform: sts:AssumeRole",
      }),
    );
    const out = await assumeDeployRole(target, world.sessions(), "s1");
    expect(out.session).toBeUndefined();
    expect(out.check.verdict).toBe("fail");
    expect(out.check.error).toMatchObject({
      code: "ASSUME_ROLE_DENIED",
      target: "dev",
      account: "222222222222",
      action: "sts:AssumeRole",
      resource: target.deployRole,
      awsCode: "AccessDenied",
      field: "externalId",
      location: { line: 7 },
    });
    expect(out.check.message).toContain('ExternalId "shop-deployer-dev"');
    expect(out.check.hint).toContain("trust policy");
  });

  it("says no ExternalId was sent when none is configured, pointing at deployRole", async () => {
    const world = new FakeWorld();
    const target = makeTarget({ externalId: undefined });
    world.assumeFailures.set(target.deployRole, Object.assign(awsException("AccessDenied", "sts:AssumeRole")));
    const out = await assumeDeployRole(target, world.sessions(), "s1");
    expect(out.check.error).toMatchObject({ code: "ASSUME_ROLE_DENIED", field: "deployRole", location: { line: 6 } });
    expect(out.check.message).toContain("no ExternalId");
    expect(world.assumed[0]).not.toHaveProperty("externalId");
  });

  it("keeps non-denial failures' codes (e.g. a connection error)", async () => {
    const world = new FakeWorld();
    const target = makeTarget();
    world.assumeFailures.set(
      target.deployRole,
      new DeployerError({ code: "AWS_ERROR", message: "sts:AssumeRole could not connect", awsCode: "ECONNREFUSED" }),
    );
    const out = await assumeDeployRole(target, world.sessions(), "s1");
    expect(out.check.error).toMatchObject({ code: "AWS_ERROR", awsCode: "ECONNREFUSED" });
  });
});

describe("deploySessionName", () => {
  it("is deployer-<service>-<runId>", () => {
    expect(deploySessionName("shop-api", "k3x9a1")).toBe("deployer-shop-api-k3x9a1");
  });
  it("replaces characters STS refuses and cuts to 64", () => {
    const name = deploySessionName("shop api/Ω".repeat(10), "run:1");
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(name).toHaveLength(64);
    expect(name.startsWith("deployer-shop-api-")).toBe(true);
  });
});
