// Check `service-connect` (issue 18): a Service Connect namespace of another account must be visible
// from the target's account (shared through AWS RAM, invitation accepted), else the service update
// fails with NamespaceNotFoundException after the task definition was registered. When it is not
// visible, the check says why from RAM (the target's invitations, the owner's shares when the fleet
// has a viewer role there) and names the command that fixes it.
import { describe, expect, it } from "vitest";
import { checkServiceConnect } from "../../../src/checks/service-connect.js";
import type { CheckContext, FleetSession } from "../../../src/checks/context.js";
import type { NamespaceInfo, RamPort, ShareAssociationInfo, ShareInvitationInfo, TargetSession } from "../../../src/aws/ports.js";
import type { Target } from "../../../src/config/types.js";
import { checkContext } from "./check-context.js";
import { accessDenied, awsException, healthyWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const A = "222222222222";
const OWNER = "111111111111";
const NS = `arn:aws:servicediscovery:eu-west-1:${OWNER}:namespace/ns-shopinternal0001`;
const NS2 = `arn:aws:servicediscovery:eu-west-1:333333333333:namespace/ns-payments00001`;
const SHARE = `arn:aws:ram:eu-west-1:${OWNER}:resource-share/0a1b2c3d-shop-internal`;
const INVITATION = `arn:aws:ram:eu-west-1:${OWNER}:resource-share-invitation/9f8e7d6c-shop-internal`;
const PERMISSION = "arn:aws:ram::aws:permission/AWSRAMPermissionCloudMapECSFullPermission";
const VIEWER = `arn:aws:iam::${A}:role/deployer-viewer`;
const OWNER_VIEWER = `arn:aws:iam::${OWNER}:role/deployer-viewer`;

const target = makeTarget();

interface Cloud {
  /** Namespaces GetNamespace finds from the target's account (ARN → name and owner); an Error: it throws. */
  visible?: Map<string, Omit<NamespaceInfo, "arn" | "id">> | Error;
  /** false: the session has no Cloud Map client. */
  serviceDiscovery?: boolean;
  /** What the target's account received (GetResourceShareInvitations); an Error: it throws; undefined: no RAM client. */
  invitations?: ShareInvitationInfo[] | Error;
  /** The owner's side, when the fleet has a session there. */
  owner?:
    { resources: ShareAssociationInfo[] | Error | string; principals?: ShareAssociationInfo[] } | { unavailable: string } | { noRam: true };
  /** A viewer session in the target's own account (the reader of Cloud Map and RAM there). */
  viewer?: boolean;
  /** The namespaces the service's deployments use. */
  namespaces?: string[];
}

interface Log {
  getNamespace: Array<[string, string]>;
  listAssociations: unknown[];
  /** Which session read Cloud Map: its identity ARN. */
  readers: string[];
}

function invitation(status: string, over: Partial<ShareInvitationInfo> = {}): ShareInvitationInfo {
  return { arn: INVITATION, shareArn: SHARE, shareName: "shop-internal", sender: OWNER, receiver: A, status, ...over };
}

function resource(over: Partial<ShareAssociationInfo> = {}): ShareAssociationInfo {
  return { shareArn: SHARE, shareName: "shop-internal", entity: NS, type: "RESOURCE", status: "ASSOCIATED", ...over };
}

function principal(status: string, over: Partial<ShareAssociationInfo> = {}): ShareAssociationInfo {
  return { shareArn: SHARE, shareName: "shop-internal", entity: A, type: "PRINCIPAL", status, ...over };
}

async function scContext(cloud: Cloud, t: Target = target): Promise<{ ctx: CheckContext; log: Log }> {
  const world = healthyWorld(t);
  const key = `${t.cluster}/${t.service}`;
  const svc = world.account(t.account).services.get(key)!;
  const namespaces = cloud.namespaces ?? [NS];
  svc.deployments = namespaces.map((ns, i) => ({ ...svc.deployments[0]!, id: `ecs-svc/${i + 1}`, serviceConnectNamespace: ns }));
  const ctx = await checkContext(world, t);
  const log: Log = { getNamespace: [], listAssociations: [], readers: [] };

  const session = (
    { ram: _ram, serviceDiscovery: _sd, ...base }: TargetSession,
    identityArn: string,
    ram: RamPort | undefined,
  ): TargetSession => ({
    ...base,
    identity: { ...base.identity, arn: identityArn },
    ...(cloud.serviceDiscovery === false
      ? {}
      : {
          serviceDiscovery: {
            getNamespace: async (region: string, arn: string) => {
              log.getNamespace.push([region, arn]);
              log.readers.push(identityArn);
              if (cloud.visible instanceof Error) throw cloud.visible;
              const ns = cloud.visible?.get(arn);
              return ns ? { id: arn.split("/").pop()!, arn, ...ns } : undefined;
            },
          },
        }),
    ...(ram ? { ram } : {}),
  });
  const targetRam: RamPort | undefined =
    cloud.invitations === undefined
      ? undefined
      : {
          listInvitations: async () => {
            if (cloud.invitations instanceof Error) throw cloud.invitations;
            return cloud.invitations!;
          },
          listAssociations: () => Promise.reject(new Error("the target's account owns no share")),
        };
  const deploySessionArn = `arn:aws:sts::${A}:assumed-role/deployer/test`;
  ctx.session = session(ctx.session, deploySessionArn, targetRam);

  const owner = cloud.owner;
  const fleetSessions = new Map<string, FleetSession>();
  if (cloud.viewer)
    fleetSessions.set(t.account, { ok: true, session: session(ctx.session, VIEWER, targetRam), role: VIEWER, target: "dev" });
  if (owner && "unavailable" in owner) fleetSessions.set(OWNER, { ok: false, reason: owner.unavailable });
  else if (owner) {
    const ownerRam: RamPort | undefined =
      "noRam" in owner
        ? undefined
        : {
            listInvitations: () => Promise.reject(new Error("the owner received nothing")),
            listAssociations: async (region, q) => {
              log.listAssociations.push([region, q]);
              if (q.type === "RESOURCE") {
                if (!Array.isArray(owner.resources)) throw owner.resources;
                return owner.resources.filter((a) => !q.resourceArn || a.entity === q.resourceArn);
              }
              return (owner.principals ?? []).filter((a) => !q.shareArns || q.shareArns.includes(a.shareArn));
            },
          };
    fleetSessions.set(OWNER, { ok: true, session: session(ctx.session, OWNER_VIEWER, ownerRam), role: OWNER_VIEWER, target: "shared" });
  }
  if (cloud.viewer || owner) {
    ctx.fleet = {
      session: async (account) => fleetSessions.get(account) ?? { ok: false, reason: `no target in account ${account} has a viewRole` },
    };
  }
  return { ctx, log };
}

async function run(cloud: Cloud, t?: Target) {
  const { ctx, log } = await scContext(cloud, t);
  return { r: await checkServiceConnect(ctx), log };
}

describe("check service-connect: which namespaces are checked", () => {
  it("passes without asking Cloud Map when the service uses no namespace of another account", async () => {
    const own = `arn:aws:servicediscovery:eu-west-1:${A}:namespace/ns-own00000001`;
    const { r, log } = await run({ namespaces: ["shop.internal", own] });
    expect(r.verdict).toBe("pass");
    expect(r.message).toBe("the service uses no Service Connect namespace of another account");
    expect(r.children).toBeUndefined();
    expect(log.getNamespace).toEqual([]);
  });

  it("is skipped, not passed, when the service cannot be read (the service check fails it)", async () => {
    const world = healthyWorld(target);
    world.account(A).failures.set("describeServices", accessDenied("ecs:DescribeServices", "shop-dev/api"));
    const r = await checkServiceConnect(await checkContext(world, target));
    expect(r.verdict).toBe("skip");
    expect(r.message).toBe("not run: the service could not be read (see the service check)");

    const gone = healthyWorld(target);
    gone.account(A).services.clear();
    const g = await checkServiceConnect(await checkContext(gone, target));
    expect([g.verdict, g.message]).toEqual(["skip", "not run: the service could not be read (see the service check)"]);
  });

  it("passes when each shared namespace is visible, asking GetNamespace by ARN in its Region", async () => {
    const visible = new Map([
      [NS, { name: "shop.internal", owner: OWNER }],
      [NS2, { name: "payments.internal" }],
    ]);
    const { r, log } = await run({ visible, namespaces: [NS, NS2] });
    expect(r.verdict).toBe("pass");
    expect(r.message).toBe(`2 shared namespaces visible from ${A}`);
    expect(log.getNamespace).toEqual([
      ["eu-west-1", NS],
      ["eu-west-1", NS2],
    ]);
    const [one, two] = r.children!;
    expect(one).toMatchObject({
      id: `service-connect:${NS}`,
      verdict: "pass",
      title: `namespace ${NS} (owner ${OWNER}) is visible from ${A}`,
    });
    expect(one!.message).toBe(`${NS} (shop.internal, owner ${OWNER}) is visible from ${A}`);
    expect(one!.evidence).toEqual({ namespace: NS, owner: OWNER, usedBy: ["deployment ecs-svc/1 (PRIMARY)"], name: "shop.internal" });
    // Cloud Map did not name the owner: the ARN's account is.
    expect(two!.message).toBe(`${NS2} (payments.internal, owner 333333333333) is visible from ${A}`);
  });

  it("says 'namespace' for one", async () => {
    const { r } = await run({ visible: new Map([[NS, { name: "shop.internal" }]]) });
    expect(r.message).toBe(`1 shared namespace visible from ${A}`);
  });

  it("reads Cloud Map with the viewer session of the target's account when the fleet has one", async () => {
    const { r, log } = await run({ visible: new Map([[NS, { name: "shop.internal" }]]), viewer: true });
    expect(r.verdict).toBe("pass");
    expect(log.readers).toEqual([VIEWER]);
    const without = await run({ visible: new Map([[NS, { name: "shop.internal" }]]) });
    expect(without.log.readers).toEqual([`arn:aws:sts::${A}:assumed-role/deployer/test`]);
  });

  it("fails a namespace of another Region without asking Cloud Map: Service Connect needs one of the service's Region", async () => {
    const other = `arn:aws:servicediscovery:us-east-1:${OWNER}:namespace/ns-shopinternal0001`;
    const { r, log } = await run({ namespaces: [other], visible: new Map([[other, { name: "shop.internal" }]]) });
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({ code: "NAMESPACE_NOT_SHARED", resource: other, target: "dev" });
    expect(r.message).toBe(
      `the service uses namespace ${other} of us-east-1, but ECS Service Connect needs a namespace in the service's Region eu-west-1`,
    );
    expect(r.hint).toBe(`Use a namespace of eu-west-1 (shared from ${OWNER} through AWS RAM).`);
    expect(log.getNamespace).toEqual([]);
  });
});

describe("check service-connect: Cloud Map unreadable", () => {
  it("is unverified when the session has no Cloud Map client", async () => {
    const { r } = await run({ serviceDiscovery: false });
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe("deployer cannot read Cloud Map with this session");
    expect(r.evidence).toMatchObject({ namespace: NS, owner: OWNER });
  });

  it("GetNamespace AccessDenied: unverified, naming the reader and the permissions to grant", async () => {
    const { r } = await run({ visible: accessDenied("servicediscovery:GetNamespace", NS), viewer: true });
    expect(r.verdict).toBe("unverified");
    expect(r.error).toMatchObject({ code: "ACCESS_DENIED" });
    expect(r.message).toContain(`could not read namespace ${NS}: `);
    expect(r.hint).toBe(
      `Allow ${VIEWER} servicediscovery:GetNamespace (and ram:GetResourceShareInvitations) so deployer can check the share. --strict turns this warning into an error.`,
    );
  });

  it("any other GetNamespace error fails (not a permission problem: the update would fail too)", async () => {
    const { r } = await run({ visible: awsException("InvalidInput", "bad namespace id") });
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({ action: "servicediscovery:GetNamespace", resource: NS });
    expect(r.message).toBe(`could not read namespace ${NS}: servicediscovery:GetNamespace failed for ${NS}: InvalidInput`);
  });
});

describe("check service-connect: not visible, and why (the owner's side read)", () => {
  it("no share of the owner holds it: create one with the ECS permission", async () => {
    const { r, log } = await run({ owner: { resources: [] }, invitations: [] });
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({
      code: "NAMESPACE_NOT_SHARED",
      action: "servicediscovery:GetNamespace",
      resource: NS,
      awsCode: "NamespaceNotFound",
    });
    expect(r.message).toBe(
      `namespace ${NS} of account ${OWNER} is not visible from ${A} (Cloud Map: NamespaceNotFound): no RAM share of ${OWNER} includes it; the service update would fail with NamespaceNotFoundException`,
    );
    expect(r.hint).toBe(
      `Share it with ${A} through AWS RAM, in account ${OWNER}: aws ram create-resource-share --region eu-west-1 --name <name> --resource-arns ${NS} --principals ${A} --permission-arns ${PERMISSION}`,
    );
    expect(r.evidence).toMatchObject({ namespace: NS, owner: OWNER, invitations: [], ownerShares: [] });
    expect(r.evidence).not.toHaveProperty("ownerUnavailable");
    // Only the shares holding this namespace were asked about.
    expect(log.listAssociations).toEqual([["eu-west-1", { type: "RESOURCE", resourceArn: NS }]]);
  });

  it("a share holding it only in a state other than ASSOCIATED (or another resource) counts as none", async () => {
    const { r } = await run({
      owner: {
        resources: [
          resource({ status: "DISASSOCIATED" }),
          resource({ status: "ASSOCIATING", shareArn: `${SHARE}-2` }),
          resource({ entity: NS2, shareArn: `${SHARE}-3` }),
        ],
      },
    });
    expect(r.message).toContain(`no RAM share of ${OWNER} includes it`);
  });

  it("the share names the account but the invitation is PENDING: accept it, with the command", async () => {
    const { r, log } = await run({
      owner: { resources: [resource()], principals: [principal("ASSOCIATING")] },
      invitations: [invitation("PENDING")],
    });
    expect(r.message).toContain(`the RAM share shop-internal (${SHARE}) of ${OWNER} names ${A}, but its invitation is PENDING`);
    expect(r.hint).toBe(
      `Accept the invitation, in account ${A}: aws ram accept-resource-share-invitation --region eu-west-1 --resource-share-invitation-arn ${INVITATION}`,
    );
    expect(log.listAssociations).toEqual([
      ["eu-west-1", { type: "RESOURCE", resourceArn: NS }],
      ["eu-west-1", { type: "PRINCIPAL", shareArns: [SHARE] }],
    ]);
    expect(r.evidence).toMatchObject({
      invitations: [{ share: "shop-internal", shareArn: SHARE, status: "PENDING" }],
      ownerShares: [{ arn: SHARE, name: "shop-internal", principal: principal("ASSOCIATING") }],
    });
  });

  it("an ASSOCIATED principal whose invitation is still PENDING is also an invitation to accept", async () => {
    const { r } = await run({
      owner: { resources: [resource()], principals: [principal("ASSOCIATED")] },
      invitations: [invitation("PENDING")],
    });
    expect(r.message).toContain("but its invitation is PENDING");
    expect(r.hint).toContain("accept-resource-share-invitation");
  });

  it("ASSOCIATING without an invitation the target can see: accept it in the console", async () => {
    const { r } = await run({ owner: { resources: [resource()], principals: [principal("ASSOCIATING")] } });
    expect(r.message).toContain(`names ${A}, but its invitation is not accepted`);
    expect(r.hint).toBe(`Accept the invitation to shop-internal in account ${A} (AWS RAM console, Shared with me).`);
    expect(r.evidence).toMatchObject({ invitations: null });
  });

  it("the account's association FAILED: associate it again (a new invitation)", async () => {
    const { r } = await run({
      owner: { resources: [resource()], principals: [principal("FAILED")] },
      invitations: [invitation("REJECTED")],
    });
    expect(r.message).toContain(
      `the RAM share shop-internal (${SHARE}) of ${OWNER} names ${A}, but its association is FAILED (invitation REJECTED)`,
    );
    expect(r.hint).toBe(
      `Associate the account with the share again (a new invitation to accept), in account ${OWNER}: aws ram associate-resource-share --region eu-west-1 --resource-share-arn ${SHARE} --principals ${A}`,
    );
    const noInvitation = await run({ owner: { resources: [resource()], principals: [principal("DISASSOCIATED")] }, invitations: [] });
    expect(noInvitation.r.message).toContain("but its association is DISASSOCIATED;");
  });

  it("an association of the account's organization counts as naming it; another account's does not", async () => {
    const org = `arn:aws:organizations::${OWNER}:organization/o-a1b2c3d4e5`;
    const { r } = await run({
      owner: {
        resources: [resource()],
        principals: [principal("ASSOCIATED", { entity: "999999999999" }), principal("FAILED", { entity: org })],
      },
    });
    expect(r.message).toContain(`names ${A}, but its association is FAILED`);
    expect(r.evidence).toMatchObject({ ownerShares: [{ principal: { entity: org } }] });
  });

  it("the account's own association wins over its organization's", async () => {
    const org = `arn:aws:organizations::${OWNER}:organization/o-a1b2c3d4e5`;
    const { r } = await run({
      owner: { resources: [resource()], principals: [principal("FAILED", { entity: org }), principal("DISASSOCIATED")] },
    });
    expect(r.message).toContain("but its association is DISASSOCIATED");
  });

  it("the share holds it but does not name the account: add the account, then accept", async () => {
    const { r } = await run({
      owner: { resources: [resource()], principals: [principal("ASSOCIATED", { entity: "999999999999" })] },
    });
    expect(r.message).toContain(`the RAM share shop-internal (${SHARE}) of ${OWNER} includes it but does not name ${A}`);
    expect(r.hint).toBe(
      `Add the account to the share, in account ${OWNER}: aws ram associate-resource-share --region eu-west-1 --resource-share-arn ${SHARE} --principals ${A}; then accept the invitation in ${A}.`,
    );
    expect(r.evidence).toMatchObject({ ownerShares: [{ arn: SHARE, name: "shop-internal" }] });
    expect((r.evidence!.ownerShares as Array<Record<string, unknown>>)[0]).not.toHaveProperty("principal");
  });

  it("of several shares, the one naming the account is reported, whatever their order", async () => {
    const other = `${SHARE}-other`;
    const { r } = await run({
      owner: {
        resources: [resource({ shareArn: other, shareName: "other" }), resource()],
        principals: [principal("FAILED")],
      },
    });
    expect(r.message).toContain(`the RAM share shop-internal (${SHARE}) of ${OWNER} names ${A}, but its association is FAILED`);
    expect(r.evidence).toMatchObject({
      ownerShares: [
        { arn: other, name: "other" },
        { arn: SHARE, name: "shop-internal" },
      ],
    });
  });

  it("several shares naming the account, each with its own invitation: the pending one is reported with its own invitation", async () => {
    const old = `${SHARE}-old`;
    const oldInvitation = `${INVITATION}-old`;
    const { r } = await run({
      owner: {
        resources: [resource({ shareArn: old, shareName: "old" }), resource()],
        principals: [principal("ASSOCIATED", { shareArn: old, shareName: "old" }), principal("ASSOCIATING")],
      },
      invitations: [invitation("ACCEPTED", { arn: oldInvitation, shareArn: old, shareName: "old" }), invitation("PENDING")],
    });
    expect(r.message).toContain(`the RAM share shop-internal (${SHARE}) of ${OWNER} names ${A}, but its invitation is PENDING`);
    expect(r.hint).toBe(
      `Accept the invitation, in account ${A}: aws ram accept-resource-share-invitation --region eu-west-1 --resource-share-invitation-arn ${INVITATION}`,
    );
  });

  it("an organization associated with another share does not make the first one name the account", async () => {
    const org = `arn:aws:organizations::${OWNER}:organization/o-a1b2c3d4e5`;
    const other = `${SHARE}-other`;
    const { r } = await run({
      owner: {
        resources: [resource({ shareArn: other, shareName: "other" }), resource()],
        principals: [principal("FAILED", { entity: org })],
      },
    });
    expect(r.message).toContain(`the RAM share shop-internal (${SHARE}) of ${OWNER} names ${A}, but its association is FAILED`);
    const shares = r.evidence!.ownerShares as Array<Record<string, unknown>>;
    expect(shares[0]).toMatchObject({ arn: other });
    expect(shares[0]).not.toHaveProperty("principal");
    expect(shares[1]).toMatchObject({ arn: SHARE, principal: { entity: org } });
  });

  it("the owner's shares unreadable: says why and falls back to the target's invitations", async () => {
    const { r } = await run({ owner: { resources: accessDenied("ram:GetResourceShareAssociations", "*") }, invitations: [] });
    expect(r.message).toContain(`no RAM share from ${OWNER} reaches ${A} (no invitation received); the owner's shares were not read: `);
    expect(r.message).toContain(
      `reading the owner's RAM shares as ${OWNER_VIEWER} failed: Access denied: ram:GetResourceShareAssociations`,
    );
    expect(r.evidence).toMatchObject({ ownerShares: null });
    expect(String(r.evidence!.ownerUnavailable)).toContain(`as ${OWNER_VIEWER} failed`);
  });

  it("the owner's RAM rejecting with something that is not an Error: its text", async () => {
    const { r } = await run({ owner: { resources: "socket closed" }, invitations: [] });
    expect(r.evidence).toMatchObject({ ownerUnavailable: `reading the owner's RAM shares as ${OWNER_VIEWER} failed: socket closed` });
  });

  it("the owner's side without RAM, without a viewer, or without any fleet: noted as unavailable", async () => {
    const noRam = await run({ owner: { noRam: true }, invitations: [] });
    expect(noRam.r.evidence).toMatchObject({ ownerUnavailable: "no RAM access" });
    expect(noRam.r.message).toContain("the owner's shares were not read: no RAM access");
    const noViewer = await run({ owner: { unavailable: `no target in account ${OWNER} has a viewRole` }, invitations: [] });
    expect(noViewer.r.evidence).toMatchObject({ ownerUnavailable: `no target in account ${OWNER} has a viewRole` });
    const noFleet = await run({ invitations: [] });
    expect(noFleet.r.evidence).toMatchObject({ ownerUnavailable: "no session in the owner's account", ownerShares: null });
  });
});

describe("check service-connect: not visible, and why (only the target's invitations)", () => {
  it("a PENDING invitation from the owner: accept it", async () => {
    const { r } = await run({
      invitations: [invitation("ACCEPTED", { shareArn: `${SHARE}-old`, shareName: "old" }), invitation("PENDING")],
    });
    expect(r.message).toContain(`the RAM share shop-internal (${SHARE}) from ${OWNER} is not accepted: its invitation is PENDING`);
    expect(r.hint).toBe(
      `Accept the invitation, in account ${A}: aws ram accept-resource-share-invitation --region eu-west-1 --resource-share-invitation-arn ${INVITATION}`,
    );
    expect(r.evidence).toMatchObject({
      invitations: [
        { share: "old", shareArn: `${SHARE}-old`, status: "ACCEPTED" },
        { share: "shop-internal", shareArn: SHARE, status: "PENDING" },
      ],
    });
  });

  it("invitations from other accounts are not this namespace's", async () => {
    const { r } = await run({ invitations: [invitation("PENDING", { sender: "999999999999" })] });
    expect(r.message).toContain(`no RAM share from ${OWNER} reaches ${A} (no invitation received)`);
    expect(r.evidence).toMatchObject({ invitations: [] });
  });

  it("a REJECTED or EXPIRED invitation: the owner must invite again", async () => {
    for (const status of ["REJECTED", "EXPIRED"]) {
      const { r } = await run({ invitations: [invitation(status)] });
      expect(r.message).toContain(`the invitation to the RAM share shop-internal (${SHARE}) from ${OWNER} is ${status}`);
      expect(r.hint).toBe(
        `The owner must invite the account again, in account ${OWNER}: aws ram associate-resource-share --region eu-west-1 --resource-share-arn ${SHARE} --principals ${A}; then accept the invitation in ${A}.`,
      );
    }
  });

  it("an ACCEPTED share that does not hold the namespace: add it to the share with the ECS permission", async () => {
    const { r } = await run({ invitations: [invitation("ACCEPTED")] });
    expect(r.message).toContain(
      `${A} accepted the RAM share shop-internal (${SHARE}) from ${OWNER}, but the namespace is not in it (or not with AWSRAMPermissionCloudMapECSFullPermission)`,
    );
    expect(r.hint).toBe(
      `In account ${OWNER}, add the namespace to a share with ${A} using the managed permission ${PERMISSION}: aws ram associate-resource-share --region eu-west-1 --resource-share-arn ${SHARE} --resource-arns ${NS}`,
    );
  });

  it("no invitation at all: share it, then accept", async () => {
    const { r } = await run({ invitations: [] });
    expect(r.message).toContain(`: no RAM share from ${OWNER} reaches ${A} (no invitation received); the owner's shares were not read: `);
    expect(r.hint).toBe(
      `Share it with ${A} through AWS RAM, in account ${OWNER}: aws ram create-resource-share --region eu-west-1 --name <name> --resource-arns ${NS} --principals ${A} --permission-arns ${PERMISSION}; then accept the invitation in ${A}.`,
    );
  });

  it("no invitation and the owner's shares read as none: the owner's verdict, no 'not read' note", async () => {
    const { r } = await run({ invitations: [], owner: { resources: [] } });
    expect(r.message).not.toContain("were not read");
  });

  it("RAM unreadable: says so, and still names the fix and the permission to grant", async () => {
    const { r } = await run({ invitations: accessDenied("ram:GetResourceShareInvitations", "*") });
    expect(r.verdict).toBe("fail");
    expect(r.message).toContain(": why could not be read (Access denied: ram:GetResourceShareInvitations on *);");
    expect(r.hint).toBe(
      `Share it with ${A} through AWS RAM (in account ${OWNER}: aws ram create-resource-share --region eu-west-1 --name <name> --resource-arns ${NS} --principals ${A} --permission-arns ${PERMISSION}) and accept the invitation in ${A}; or allow arn:aws:sts::${A}:assumed-role/deployer/test ram:GetResourceShareInvitations so deployer can name the share.`,
    );
    expect(r.evidence).toMatchObject({ invitations: null, invitationsError: "Access denied: ram:GetResourceShareInvitations on *" });
    const failing = await run({ invitations: awsException("InternalException", "RAM is unwell") });
    expect(failing.r.evidence).toMatchObject({ invitationsError: "ram:GetResourceShareInvitations failed for *: InternalException" });
    const noRam = await run({});
    expect(noRam.r.message).toContain(": why could not be read (no RAM access);");
    expect(noRam.r.evidence).not.toHaveProperty("invitationsError");
  });

  it("in the China partition the RAM permission ARN is the partition's", async () => {
    const cn = makeTarget({ region: "cn-north-1", account: A });
    const ns = `arn:aws-cn:servicediscovery:cn-north-1:${OWNER}:namespace/ns-shopinternal0001`;
    const { r } = await run({ namespaces: [ns], invitations: [] }, cn);
    expect(r.hint).toContain("--permission-arns arn:aws-cn:ram::aws:permission/AWSRAMPermissionCloudMapECSFullPermission");
    expect(r.hint).toContain("--region cn-north-1");
  });
});
