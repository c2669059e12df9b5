// The read-only viewer role (issue 18): it reads what plan/check/status/drift read and simulates the
// deploy role's policies (PolicySourceArn = the deploy role), every write is denied, and the request
// log says which role made each call.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { GetRoleCommand, ListRolePoliciesCommand, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { AcceptResourceShareInvitationCommand, GetResourceShareInvitationsCommand } from "@aws-sdk/client-ram";
import { GetNamespaceCommand } from "@aws-sdk/client-servicediscovery";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { rejection } from "./clients.js";
import { assumeAs, meshClients } from "./mesh-clients.js";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.stop();
});
beforeEach(() => sb.admin.clearLog());

const NAMESPACE = "arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-shopinternal0001";
const PASS_CTX = [
  { ContextKeyName: "iam:PassedToService", ContextKeyValues: ["ecs-tasks.amazonaws.com"], ContextKeyType: "string" as const },
];
const viewer = async (account: string) => meshClients(sb, await assumeAs(sb, account));

describe("sandbox: the deployer-viewer role", () => {
  it("is assumable from the CI account with its ExternalId only", async () => {
    const v = await viewer("222222222222");
    const me = await v.sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe("arn:aws:sts::222222222222:assumed-role/deployer-viewer/mesh-test");
    const err = await rejection(assumeAs(sb, "222222222222", "deployer-viewer", "shop-deployer-dev"));
    expect(err.name).toBe("AccessDenied");
  });

  it("reads services, task definitions, deployments, roles, images, namespaces and invitations", async () => {
    const v = await viewer("222222222222");
    const svc = await v.ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"], include: ["TAGS"] }));
    expect(svc.services?.[0]?.serviceName).toBe("api");
    const td = await v.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "shop-api-dev:1" }));
    expect(td.taskDefinition?.family).toBe("shop-api-dev");
    expect((await v.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "shop-api-dev" }))).taskDefinitionArns).toHaveLength(1);
    expect((await v.ecs.send(new ListServiceDeploymentsCommand({ cluster: "shop-dev", service: "api" }))).serviceDeployments).toHaveLength(
      1,
    );
    expect((await v.iam.send(new GetRoleCommand({ RoleName: "deployer" }))).Role?.Arn).toBe("arn:aws:iam::222222222222:role/deployer");
    expect((await v.iam.send(new ListRolePoliciesCommand({ RoleName: "deployer" }))).PolicyNames).toEqual(["deploy"]);
    expect((await v.sd.send(new GetNamespaceCommand({ Id: NAMESPACE }))).Namespace?.ResourceOwner).toBe("111111111111");
    expect((await v.ram.send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations).toHaveLength(1);
    // prod-eu reads its own replica of the image repository.
    const prod = await viewer("444444444444");
    const images = await prod.ecr.send(new DescribeImagesCommand({ repositoryName: "shop/api", imageIds: [{ imageTag: "c0ffee1" }] }));
    expect(images.imageDetails?.[0]?.imageDigest).toMatch(/^sha256:/);
  });

  it("simulates the deploy role's policies (PolicySourceArn = the deploy role): PassRole allowed in dev, implicitDeny where the deploy role lacks it", async () => {
    for (const [account, want] of [
      ["222222222222", "allowed"],
      ["666666666666", "implicitDeny"],
    ] as const) {
      const v = await viewer(account);
      const out = await v.iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: `arn:aws:iam::${account}:role/deployer`,
          ActionNames: ["iam:PassRole"],
          ResourceArns: [`arn:aws:iam::${account}:role/shop-api-task`],
          ContextEntries: PASS_CTX,
        }),
      );
      expect(out.EvaluationResults?.[0]?.EvalDecision).toBe(want);
    }
    const dev = await viewer("222222222222");
    const own = await rejection(
      dev.iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: "arn:aws:iam::222222222222:role/deployer-viewer",
          ActionNames: ["iam:PassRole", "ecs:UpdateService"],
        }),
      ),
    );
    // iam:SimulatePrincipalPolicy on the viewer itself is not granted: only the deploy and task roles.
    expect(own.name).toBe("AccessDenied");
  });

  it("may simulate only the roles its policy names (authorised on the simulated role's ARN)", async () => {
    const v = await viewer("222222222222");
    const err = await rejection(
      v.iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: "arn:aws:iam::222222222222:role/shop-api-exec",
          ActionNames: ["ecr:BatchGetImage"],
        }),
      ),
    );
    expect(err.name).toBe("AccessDenied");
    expect(err.message).toBe(
      "User: arn:aws:sts::222222222222:assumed-role/deployer-viewer/mesh-test is not authorized to perform: iam:SimulatePrincipalPolicy on resource: arn:aws:iam::222222222222:role/shop-api-exec because no identity-based policy allows the iam:SimulatePrincipalPolicy action",
    );
  });

  it("is denied every write, and nothing changes", async () => {
    const v = await viewer("222222222222");
    const prod = await viewer("444444444444");
    const svcArn = "arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api";
    const before = (await v.ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] }))).services![0]!;
    const deployments = (await v.ecs.send(new ListServiceDeploymentsCommand({ cluster: "shop-dev", service: "api" }))).serviceDeployments!;
    const invitation = (await prod.ram.send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations![0]!;
    const writes: Array<[string, () => Promise<unknown>]> = [
      [
        "ecs:RegisterTaskDefinition",
        () =>
          v.ecs.send(
            new RegisterTaskDefinitionCommand({
              family: "shop-api-dev",
              // A definition ECS would accept (container memory given): only the permission is missing.
              containerDefinitions: [{ name: "app", image: "public.ecr.aws/docker/library/nginx:stable", essential: true, memory: 128 }],
            }),
          ),
      ],
      ["ecs:UpdateService", () => v.ecs.send(new UpdateServiceCommand({ cluster: "shop-dev", service: "api", forceNewDeployment: true }))],
      ["ecs:TagResource", () => v.ecs.send(new TagResourceCommand({ resourceArn: svcArn, tags: [{ key: "x", value: "y" }] }))],
      ["ecs:UntagResource", () => v.ecs.send(new UntagResourceCommand({ resourceArn: svcArn, tagKeys: ["x"] }))],
      ["ecs:DeregisterTaskDefinition", () => v.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "shop-api-dev:1" }))],
      [
        "ecs:CreateService",
        () => v.ecs.send(new CreateServiceCommand({ cluster: "shop-dev", serviceName: "api2", taskDefinition: "shop-api-dev:1" })),
      ],
      ["ecs:CreateCluster", () => v.ecs.send(new CreateClusterCommand({ clusterName: "viewer-made" }))],
      [
        "ecs:StopServiceDeployment",
        () => v.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: deployments[0]!.serviceDeploymentArn! })),
      ],
      [
        "ram:AcceptResourceShareInvitation",
        () =>
          prod.ram.send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: invitation.resourceShareInvitationArn! })),
      ],
    ];
    for (const [action, call] of writes) {
      const err = await rejection(call());
      expect([action, err.name]).toEqual([action, "AccessDeniedException"]);
      expect(err.message).toContain(`assumed-role/deployer-viewer/mesh-test is not authorized to perform: ${action}`);
    }
    const after = (await v.ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] }))).services![0]!;
    expect(after.deployments?.map((d) => d.id)).toEqual(before.deployments?.map((d) => d.id));
    expect((await v.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "shop-api-dev" }))).taskDefinitionArns).toHaveLength(1);
    expect((await prod.ram.send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations![0]!.status).toBe("PENDING");
  });

  it("the request log names the role of every call: a viewer-only session makes no call with deploy-role credentials", async () => {
    const v = await viewer("333333333333");
    await v.ecs.send(new DescribeServicesCommand({ cluster: "shop-staging", services: ["api"] }));
    await v.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: "arn:aws:iam::333333333333:role/deployer",
        ActionNames: ["ecs:UpdateService"],
      }),
    );
    const all = sb.admin.log();
    expect(all.map((e) => [e.action, e.principal])).toEqual([
      ["AssumeRole", "arn:aws:iam::111111111111:user/ci"],
      ["DescribeServices", "arn:aws:sts::333333333333:assumed-role/deployer-viewer/mesh-test"],
      ["SimulatePrincipalPolicy", "arn:aws:sts::333333333333:assumed-role/deployer-viewer/mesh-test"],
    ]);
    expect(sb.admin.log({ role: "deployer" })).toEqual([]);
    expect(sb.admin.log({ role: "deployer-viewer" }).map((e) => e.action)).toEqual(["DescribeServices", "SimulatePrincipalPolicy"]);
    const http = (await (await fetch(`${sb.endpoint}/_sandbox/log?role=deployer-viewer&account=333333333333`)).json()) as {
      action: string;
    }[];
    expect(http.map((e) => e.action)).toEqual(["DescribeServices", "SimulatePrincipalPolicy"]);
  });
});
