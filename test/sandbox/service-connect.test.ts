// Service Connect across accounts (issue 18): a Cloud Map namespace owned by one account, shared
// through AWS RAM; visible to another account only once the share reaches it (invitation accepted,
// or inside an organization with RAM sharing enabled); ECS refuses a namespace the service's account
// cannot use with NamespaceNotFoundException.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateServiceCommand, DescribeServiceRevisionsCommand, DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import {
  AcceptResourceShareInvitationCommand,
  GetResourceShareAssociationsCommand,
  GetResourceShareInvitationsCommand,
  GetResourceSharesCommand,
  ListResourceSharePermissionsCommand,
} from "@aws-sdk/client-ram";
import { GetNamespaceCommand, ListNamespacesCommand } from "@aws-sdk/client-servicediscovery";
import { startSandbox, type Fixture, type Sandbox } from "../../sandbox/index.js";
import { rejection } from "./clients.js";
import { assumeAs, meshClients } from "./mesh-clients.js";

const NAMESPACE = "arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-shopinternal0001";
const SC = { enabled: true, namespace: NAMESPACE, services: [{ portName: "http", clientAliases: [{ port: 8080 }] }] };

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, deploymentSeconds: 0.2 });
});
afterAll(async () => {
  await sb.stop();
});

const viewer = async (account: string) => meshClients(sb, await assumeAs(sb, account));
const deployer = async (account: string) => meshClients(sb, await assumeAs(sb, account, "deployer", `shop-deployer-${NAMES[account]}`));
const NAMES: Record<string, string> = { "222222222222": "dev", "444444444444": "prod-eu", "666666666666": "broken" };

/** Owner-side credentials in the CI account: a role applied through the admin API, trusting the CI user. */
async function owner() {
  sb.admin.applyIam({
    accounts: [
      {
        account: "111111111111",
        roles: [
          {
            name: "ram-reader",
            trustPolicy: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:user/ci" }, Action: "sts:AssumeRole" }],
            },
            inlinePolicies: {
              read: {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: ["ram:Get*", "ram:List*", "servicediscovery:*"], Resource: "*" }],
              },
            },
          },
        ],
      },
    ],
  });
  return meshClients(sb, await assumeAs(sb, "111111111111", "ram-reader", "unused"));
}

describe("sandbox: Cloud Map namespaces shared through RAM", () => {
  it("a consumer whose invitation is accepted sees the namespace by ARN, owned by the other account", async () => {
    const dev = await viewer("222222222222");
    const ns = (await dev.sd.send(new GetNamespaceCommand({ Id: NAMESPACE }))).Namespace!;
    expect(ns).toMatchObject({
      Id: "ns-shopinternal0001",
      Arn: NAMESPACE,
      ResourceOwner: "111111111111",
      Name: "shop.internal",
      Type: "HTTP",
    });
    expect(ns.Properties?.HttpProperties?.HttpName).toBe("shop.internal");
    const shared = await dev.sd.send(
      new ListNamespacesCommand({ Filters: [{ Name: "RESOURCE_OWNER", Values: ["OTHER_ACCOUNTS"], Condition: "EQ" }] }),
    );
    expect(shared.Namespaces?.map((n) => n.Arn)).toEqual([NAMESPACE]);
    const own = await dev.sd.send(new ListNamespacesCommand({ Filters: [{ Name: "RESOURCE_OWNER", Values: ["SELF"], Condition: "EQ" }] }));
    expect(own.Namespaces).toEqual([]);
    const shares = await dev.ram.send(new GetResourceSharesCommand({ resourceOwner: "OTHER-ACCOUNTS" }));
    expect(shares.resourceShares?.map((s) => [s.name, s.owningAccountId, s.status])).toEqual([
      ["shop-service-connect", "111111111111", "ACTIVE"],
    ]);
  });

  it("by ID only the account's own namespaces: a shared one named by ID is NamespaceNotFound", async () => {
    const dev = await viewer("222222222222");
    const err = await rejection(dev.sd.send(new GetNamespaceCommand({ Id: "ns-shopinternal0001" })));
    expect(err.name).toBe("NamespaceNotFound");
    expect(err.$metadata?.httpStatusCode).toBe(404);
  });

  it("with the invitation pending the namespace is NamespaceNotFound; the invitation names the share and its owner", async () => {
    const prod = await viewer("444444444444");
    const err = await rejection(prod.sd.send(new GetNamespaceCommand({ Id: NAMESPACE })));
    expect(err.name).toBe("NamespaceNotFound");
    expect(err.message).toBe("No namespace exists with the specified ID.");
    expect((await prod.sd.send(new ListNamespacesCommand({}))).Namespaces).toEqual([]);
    const inv = (await prod.ram.send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations!;
    expect(inv.map((i) => [i.resourceShareName, i.senderAccountId, i.receiverAccountId, i.status])).toEqual([
      ["shop-service-connect", "111111111111", "444444444444", "PENDING"],
    ]);
    expect(inv[0]!.resourceShareArn).toMatch(/^arn:aws:ram:eu-west-1:111111111111:resource-share\//);
    expect((await prod.ram.send(new GetResourceSharesCommand({ resourceOwner: "OTHER-ACCOUNTS" }))).resourceShares).toEqual([]);
  });

  it("not shared at all: NamespaceNotFound and no invitation", async () => {
    const broken = await viewer("666666666666");
    expect((await rejection(broken.sd.send(new GetNamespaceCommand({ Id: NAMESPACE })))).name).toBe("NamespaceNotFound");
    expect((await broken.ram.send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations).toEqual([]);
  });

  it("the owner sees who the share reaches: ASSOCIATED once accepted, ASSOCIATING while pending; and its ECS permission", async () => {
    const o = await owner();
    const share = (await o.ram.send(new GetResourceSharesCommand({ resourceOwner: "SELF" }))).resourceShares![0]!;
    const principals = await o.ram.send(
      new GetResourceShareAssociationsCommand({ associationType: "PRINCIPAL", resourceShareArns: [share.resourceShareArn!] }),
    );
    expect(principals.resourceShareAssociations?.map((a) => [a.associatedEntity, a.status])).toEqual([
      ["222222222222", "ASSOCIATED"],
      ["333333333333", "ASSOCIATED"],
      ["444444444444", "ASSOCIATING"],
    ]);
    const resources = await o.ram.send(new GetResourceShareAssociationsCommand({ associationType: "RESOURCE", resourceArn: NAMESPACE }));
    expect(resources.resourceShareAssociations?.map((a) => [a.resourceShareName, a.associatedEntity])).toEqual([
      ["shop-service-connect", NAMESPACE],
    ]);
    const bad = await rejection(
      o.ram.send(new GetResourceShareAssociationsCommand({ associationType: "PRINCIPAL", resourceArn: NAMESPACE })),
    );
    expect(bad.name).toBe("InvalidParameterException");
    const perms = await o.ram.send(new ListResourceSharePermissionsCommand({ resourceShareArn: share.resourceShareArn! }));
    expect(perms.permissions?.map((p) => p.arn)).toEqual(["arn:aws:ram::aws:permission/AWSRAMPermissionCloudMapECSFullPermission"]);
  });

  it("UpdateService with a namespace the service's account cannot see fails with NamespaceNotFoundException before any change", async () => {
    const cases: Array<[string, string, string]> = [
      ["444444444444", "shop-prod-eu", NAMESPACE], // invitation pending
      ["666666666666", "shop-broken", NAMESPACE], // not shared
      ["222222222222", "shop-dev", "shop.internal"], // a shared namespace by name: names resolve in the own account only
      ["222222222222", "shop-dev", "arn:aws:servicediscovery:us-east-1:111111111111:namespace/ns-shopinternal0001"], // another Region
    ];
    for (const [account, cluster, namespace] of cases) {
      const d = await deployer(account);
      const before = (await d.ecs.send(new DescribeServicesCommand({ cluster, services: ["api"] }))).services![0]!;
      const err = await rejection(
        d.ecs.send(
          new UpdateServiceCommand({ cluster, service: "api", serviceConnectConfiguration: { ...SC, namespace }, desiredCount: 5 }),
        ),
      );
      expect([account, namespace, err.name]).toEqual([account, namespace, "NamespaceNotFoundException"]);
      expect(err.message).toBe(`Failed to retrieve namespace for ${namespace}`);
      const after = (await d.ecs.send(new DescribeServicesCommand({ cluster, services: ["api"] }))).services![0]!;
      expect(after.deployments?.map((x) => x.id)).toEqual(before.deployments?.map((x) => x.id));
      expect(after.desiredCount).toBe(before.desiredCount);
    }
  });

  it("UpdateService with the shared namespace's ARN starts a deployment carrying serviceConnectConfiguration", async () => {
    const dev = await deployer("222222222222");
    const config = {
      ...SC,
      logConfiguration: { logDriver: "awslogs" as const, options: { "awslogs-group": "/ecs/sc", "awslogs-region": "eu-west-1" } },
    };
    const out = await dev.ecs.send(new UpdateServiceCommand({ cluster: "shop-dev", service: "api", serviceConnectConfiguration: config }));
    const svc = (await dev.ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] }))).services![0]!;
    expect(svc.deployments).toHaveLength(2);
    const primary = svc.deployments!.find((d) => d.status === "PRIMARY")!;
    expect(primary.id).toBe(out.service!.deployments![0]!.id);
    // As DescribeServices shows it (per deployment; ECS adds logConfiguration.secretOptions).
    expect(primary.serviceConnectConfiguration).toEqual({ ...config, logConfiguration: { ...config.logConfiguration, secretOptions: [] } });
    expect(svc.deployments!.find((d) => d.status === "ACTIVE")!.serviceConnectConfiguration).toBeUndefined();
    const revs = await dev.ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: svc.currentServiceRevisions!.map((r) => r.arn!) }),
    );
    const namespaces = revs.serviceRevisions!.map((r) => r.serviceConnectConfiguration?.namespace ?? null).sort();
    expect(namespaces).toEqual([NAMESPACE, null]);
  });

  it("accepting the invitation makes the namespace visible and usable; a second accept is ResourceShareInvitationAlreadyAcceptedException", async () => {
    // The deploy role has no ram:AcceptResourceShareInvitation; an operator role does (applied here).
    sb.admin.applyIam({
      accounts: [
        {
          account: "444444444444",
          roles: [
            {
              name: "operator",
              trustPolicy: {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "sts:AssumeRole" }],
              },
              inlinePolicies: {
                accept: {
                  Version: "2012-10-17",
                  Statement: [
                    { Effect: "Allow", Action: ["ram:AcceptResourceShareInvitation", "ram:GetResourceShareInvitations"], Resource: "*" },
                  ],
                },
              },
            },
          ],
        },
      ],
    });
    const ci = sb.admin.exportIam("111111111111");
    const user = ci.users!.find((u) => u.name === "ci")!;
    user.inlinePolicies!.operate = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::444444444444:role/operator" }],
    };
    sb.admin.applyIam({ accounts: [{ account: "111111111111", users: [user] }] });
    const op = meshClients(sb, await assumeAs(sb, "444444444444", "operator", "unused"));
    const inv = (await op.ram.send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations![0]!;
    const accepted = await op.ram.send(
      new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn! }),
    );
    expect(accepted.resourceShareInvitation?.status).toBe("ACCEPTED");
    const again = await rejection(
      op.ram.send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: inv.resourceShareInvitationArn! })),
    );
    expect(again.name).toBe("ResourceShareInvitationAlreadyAcceptedException");

    const prod = await viewer("444444444444");
    expect((await prod.sd.send(new GetNamespaceCommand({ Id: NAMESPACE }))).Namespace?.ResourceOwner).toBe("111111111111");
    const d = await deployer("444444444444");
    const out = await d.ecs.send(new UpdateServiceCommand({ cluster: "shop-prod-eu", service: "api", serviceConnectConfiguration: SC }));
    expect(out.service?.deployments?.[0]?.serviceConnectConfiguration?.namespace).toBe(NAMESPACE);
  });
});

// ---------- an organization with RAM sharing enabled ----------

const ALL = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
const OWNER = "900000000001";
const MEMBER = "900000000002";
const OUTSIDER = "900000000003";

function orgFixture(extraPrincipal?: string): Fixture {
  return {
    deploymentSeconds: 0.2,
    organizations: [{ id: "o-meshtest001", managementAccount: OWNER, accounts: [OWNER, MEMBER], ramSharingEnabled: true }],
    accounts: [
      {
        id: OWNER,
        name: "network",
        users: [
          {
            name: "admin",
            accessKeys: [{ id: "AKIASANDBOXNET000001", secret: "sandbox/network/secret/000000000000000000" }],
            inlinePolicies: { all: ALL },
          },
        ],
        namespaces: [
          { region: "eu-west-1", name: "ecs.internal", id: "ns-ecsinternal0001" },
          { region: "eu-west-1", name: "reads.internal", id: "ns-readsinternal01", type: "DNS_PRIVATE" },
        ],
        resourceShares: [
          {
            region: "eu-west-1",
            name: "org-wide",
            resources: ["ecs.internal"],
            principals: [`arn:aws:organizations::${OWNER}:organization/o-meshtest001`],
          },
          // A share with another permission than the one ECS requires (a made-up name).
          {
            region: "eu-west-1",
            name: "not-for-ecs",
            resources: ["reads.internal"],
            principals: [MEMBER, ...(extraPrincipal ? [extraPrincipal] : [])],
            permission: "ExampleReadOnlyPermission",
          },
        ],
      },
      {
        id: MEMBER,
        name: "member",
        users: [
          {
            name: "admin",
            accessKeys: [{ id: "AKIASANDBOXMEM000001", secret: "sandbox/member/secret/0000000000000000000" }],
            inlinePolicies: { all: ALL },
          },
        ],
      },
      { id: OUTSIDER, name: "outsider" },
    ],
    targets: [{ name: "member", account: MEMBER, region: "eu-west-1", desiredCount: 1 }],
  };
}

describe("sandbox: RAM sharing inside an organization with sharing enabled", () => {
  let org: Sandbox;
  beforeAll(async () => {
    org = await startSandbox({ port: 0, fixture: orgFixture() });
  });
  afterAll(async () => {
    await org.stop();
  });
  const member = () =>
    meshClients(org, { accessKeyId: "AKIASANDBOXMEM000001", secretAccessKey: "sandbox/member/secret/0000000000000000000" });

  it("member accounts see the namespace without any invitation", async () => {
    const m = member();
    const ns = await m.sd.send(new GetNamespaceCommand({ Id: `arn:aws:servicediscovery:eu-west-1:${OWNER}:namespace/ns-ecsinternal0001` }));
    expect(ns.Namespace?.ResourceOwner).toBe(OWNER);
    expect((await m.ram.send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations).toEqual([]);
    const n = (await m.sd.send(new ListNamespacesCommand({}))).Namespaces!.map((x) => x.Name).sort();
    expect(n).toEqual(["ecs.internal", "reads.internal"]);
  });

  it("a namespace shared without AWSRAMPermissionCloudMapECSFullPermission is visible to Cloud Map but not usable by ECS", async () => {
    const m = member();
    const arn = `arn:aws:servicediscovery:eu-west-1:${OWNER}:namespace/ns-readsinternal01`;
    expect((await m.sd.send(new GetNamespaceCommand({ Id: arn }))).Namespace?.Type).toBe("DNS_PRIVATE");
    const err = await rejection(
      m.ecs.send(
        new UpdateServiceCommand({
          cluster: "shop-member",
          service: "api",
          serviceConnectConfiguration: { enabled: true, namespace: arn },
        }),
      ),
    );
    expect(err.name).toBe("NamespaceNotFoundException");
    const ok = await m.ecs.send(
      new UpdateServiceCommand({
        cluster: "shop-member",
        service: "api",
        serviceConnectConfiguration: {
          enabled: true,
          namespace: `arn:aws:servicediscovery:eu-west-1:${OWNER}:namespace/ns-ecsinternal0001`,
        },
      }),
    );
    expect(ok.service?.deployments?.[0]?.serviceConnectConfiguration?.enabled).toBe(true);
  });

  it("CreateService with a namespace that does not exist fails with NamespaceNotFoundException and creates nothing", async () => {
    const m = member();
    const missing = `arn:aws:servicediscovery:eu-west-1:${OWNER}:namespace/ns-doesnotexist001`;
    const err = await rejection(
      m.ecs.send(
        new CreateServiceCommand({
          cluster: "shop-member",
          serviceName: "worker",
          taskDefinition: "shop-api-member:1",
          desiredCount: 1,
          serviceConnectConfiguration: { enabled: true, namespace: missing },
        }),
      ),
    );
    expect([err.name, err.message]).toEqual(["NamespaceNotFoundException", `Failed to retrieve namespace for ${missing}`]);
    const d = await m.ecs.send(new DescribeServicesCommand({ cluster: "shop-member", services: ["worker"] }));
    expect(d.failures?.map((f) => f.reason)).toEqual(["MISSING"]);
  });

  it("refuses a fixture that shares a namespace with an account outside the owner's organization", async () => {
    await expect(startSandbox({ port: 0, fixture: orgFixture(OUTSIDER) })).rejects.toThrow(
      /account 900000000003 is not in the owner's organization; Cloud Map namespaces are shared only inside it/,
    );
  });
});
