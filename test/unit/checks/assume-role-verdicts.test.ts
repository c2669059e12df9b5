// Checks assume-role and assume-view-role: what the user reads when the role can or cannot be assumed
// (message, hint, the config field the error points at) and what was sent to STS. A separate file from
// assume-role.test.ts so that an incremental mutation run reuses the earlier results.
//
// AWS behaviour relied on: a role whose trust policy requires sts:ExternalId refuses AssumeRole
// without it or with another value, with AccessDenied
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_Errors).
import { describe, expect, it } from "vitest";
import { ASSUME_VIEW_ROLE_CHECK, assumeDeployRole, assumeViewRole } from "../../../src/checks/assume-role.js";
import { DeployerError } from "../../../src/errors.js";
import { awsException, FakeWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const VIEWER = "arn:aws:iam::222222222222:role/deployer-viewer";

function viewerTarget(viewExternalId: string | undefined) {
  const base = makeTarget({ viewRole: VIEWER, viewExternalId });
  const at = (line: number) => ({ file: base.file, line, column: 1 });
  return { ...base, locations: { ...base.locations, viewRole: at(11), viewExternalId: at(12) } };
}

describe("check: assume-role (the deploy role)", () => {
  it("passes naming the role and the identity it got, with what was sent in the evidence", async () => {
    const world = new FakeWorld();
    const target = makeTarget();
    const out = await assumeDeployRole(target, world.sessions(), "deployer-shop-api-r1");
    const identity = "arn:aws:sts::222222222222:assumed-role/deployer/deployer-shop-api-r1";
    expect(out.check).toMatchObject({ id: "assume-role", title: "deploy role can be assumed", verdict: "pass" });
    expect(out.check.message).toBe(`assumed ${target.deployRole} as ${identity}`);
    expect(out.check.evidence).toEqual({
      action: "sts:AssumeRole",
      roleArn: target.deployRole,
      sessionName: "deployer-shop-api-r1",
      externalIdSent: true,
      identity,
    });
  });

  it("an SDK AccessDenied (not yet a DeployerError) is ASSUME_ROLE_DENIED, with the fix spelled out", async () => {
    const world = new FakeWorld();
    const target = makeTarget();
    world.assumeFailures.set(target.deployRole, awsException("AccessDenied", "User is not authorized to perform: sts:AssumeRole"));
    const out = await assumeDeployRole(target, world.sessions(), "s1");
    expect(out.check.verdict).toBe("fail");
    expect(out.check.message).toBe(`cannot assume ${target.deployRole} (sent ExternalId "shop-deployer-dev")`);
    expect(out.check.error).toMatchObject({
      code: "ASSUME_ROLE_DENIED",
      action: "sts:AssumeRole",
      resource: target.deployRole,
      awsCode: "AccessDenied",
      awsMessage: "User is not authorized to perform: sts:AssumeRole",
      field: "externalId",
    });
    expect(out.check.hint).toMatch(
      /^The role's trust policy must allow the identity deployer runs as to sts:AssumeRole, and its sts:ExternalId condition must equal the externalId in .*dev\.yaml:7 \(ExternalId "shop-deployer-dev" was sent\)\. Check both, and that arn:aws:iam::222222222222:role\/deployer exists in account 222222222222\.$/,
    );
    expect(out.check.evidence).toEqual({ action: "sts:AssumeRole", roleArn: target.deployRole, sessionName: "s1", externalIdSent: true });
  });

  it("another failure keeps its code and hint, and the message says what failed and what was sent", async () => {
    const world = new FakeWorld();
    const target = makeTarget({ externalId: undefined });
    world.assumeFailures.set(
      target.deployRole,
      new DeployerError({ code: "ENDPOINT_UNREACHABLE", message: "could not reach STS", hint: "Check AWS_ENDPOINT_URL_STS." }),
    );
    const out = await assumeDeployRole(target, world.sessions(), "s1");
    expect(out.check.message).toBe(`assuming ${target.deployRole} failed (sent no ExternalId): could not reach STS`);
    expect(out.check.error).toMatchObject({ code: "ENDPOINT_UNREACHABLE", field: "deployRole", location: { line: 6 } });
    expect(out.check.hint).toBe("Check AWS_ENDPOINT_URL_STS.");
    expect(out.check.evidence).toMatchObject({ externalIdSent: false });
  });

  it("a failure other than a denial points at deployRole even when an ExternalId was sent", async () => {
    const world = new FakeWorld();
    const target = makeTarget();
    world.assumeFailures.set(target.deployRole, awsException("RegionDisabledException", "STS is not activated in this region"));
    const out = await assumeDeployRole(target, world.sessions(), "s1");
    expect(out.check.error).toMatchObject({ field: "deployRole", awsCode: "RegionDisabledException" });
    expect(out.check.message).toContain('(sent ExternalId "shop-deployer-dev")');
  });
});

describe("check: assume-view-role (the viewer role)", () => {
  it("assumes viewRole with viewExternalId, never the deploy role, under its own check id", async () => {
    const world = new FakeWorld();
    const target = viewerTarget("shop-viewer");
    const out = await assumeViewRole(target, world.sessions(), "s1");
    expect(world.assumed).toEqual([{ roleArn: VIEWER, externalId: "shop-viewer", region: "eu-west-1", sessionName: "s1", target: "dev" }]);
    expect(out.check).toMatchObject({ ...ASSUME_VIEW_ROLE_CHECK, verdict: "pass" });
    expect(ASSUME_VIEW_ROLE_CHECK).toEqual({ id: "assume-view-role", title: "viewer role can be assumed" });
    expect(out.check.message).toBe(`assumed ${VIEWER} as arn:aws:sts::222222222222:assumed-role/deployer-viewer/s1`);
    expect(out.session).toBeDefined();
  });

  it("a denial points at viewExternalId and names it in the hint", async () => {
    const world = new FakeWorld();
    const target = viewerTarget("shop-viewer");
    world.assumeFailures.set(VIEWER, awsException("AccessDenied", "not authorized"));
    const out = await assumeViewRole(target, world.sessions(), "s1");
    expect(out.check).toMatchObject({ id: "assume-view-role", verdict: "fail" });
    expect(out.check.message).toBe(`cannot assume ${VIEWER} (sent ExternalId "shop-viewer")`);
    expect(out.check.error).toMatchObject({
      code: "ASSUME_ROLE_DENIED",
      resource: VIEWER,
      field: "viewExternalId",
      location: { line: 12 },
    });
    expect(out.check.hint).toContain("must equal the viewExternalId in ");
    expect(out.check.hint).toContain(":12 (");
  });

  it("without viewExternalId a denial points at viewRole and says none was sent", async () => {
    const world = new FakeWorld();
    const target = viewerTarget(undefined);
    world.assumeFailures.set(VIEWER, awsException("AccessDenied", "not authorized"));
    const out = await assumeViewRole(target, world.sessions(), "s1");
    expect(world.assumed[0]).not.toHaveProperty("externalId");
    expect(out.check.error).toMatchObject({ field: "viewRole", location: { line: 11 } });
    expect(out.check.message).toBe(`cannot assume ${VIEWER} (sent no ExternalId)`);
  });
});
