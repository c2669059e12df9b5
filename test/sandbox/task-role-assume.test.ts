// Cross-account AssumeRole from a task role (issue 18): a task's credentials (issued as ECS issues
// them) calling sts:AssumeRole on a role in another account go through the same evaluation as any
// caller: the task role's identity policy must allow it AND the destination's trust must name the
// task role (or its account); within one account a trust naming the role suffices.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { clients, rejection, type Creds } from "./clients.js";
import { taskRoleCreds } from "./mesh-clients.js";

const PUBLISHER = "arn:aws:iam::333333333333:role/shop-events-publisher";
const AUDIT = "arn:aws:iam::333333333333:role/shop-audit-writer";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.stop();
});

const assume = (creds: Creds, RoleArn: string, DurationSeconds?: number) =>
  clients(sb, creds).sts.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: "from-task", DurationSeconds }));

describe("sandbox: task-role credentials (admin API)", () => {
  it("are a session of the task role, named by the task id", async () => {
    const c = await taskRoleCreds(sb, "222222222222");
    const me = await clients(sb, c).sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(c.arn);
    expect(me.Arn).toMatch(/^arn:aws:sts::222222222222:assumed-role\/shop-api-task\/[0-9a-f]{32}$/);
  });

  it("are refused for a role that does not trust ecs-tasks.amazonaws.com (broken's task role trusts EC2)", async () => {
    const res = await fetch(`${sb.endpoint}/_sandbox/credentials/task-role`, {
      method: "POST",
      body: JSON.stringify({ account: "666666666666", role: "shop-api-task" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(
      "role arn:aws:iam::666666666666:role/shop-api-task does not let ecs-tasks.amazonaws.com assume it: ECS cannot give a task its credentials",
    );
  });
});

describe("sandbox: AssumeRole from a task role into another account", () => {
  it("succeeds when the task role's policy allows it and the destination's trust names the task role", async () => {
    const out = await assume(await taskRoleCreds(sb, "222222222222"), PUBLISHER);
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::333333333333:assumed-role/shop-events-publisher/from-task");
  });

  it("is capped at one hour (role chaining)", async () => {
    const err = await rejection(assume(await taskRoleCreds(sb, "222222222222"), PUBLISHER, 7200));
    expect(err.message).toBe("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  });

  it("is AccessDenied when the destination's trust does not name the task role or its account", async () => {
    const c = await taskRoleCreds(sb, "222222222222");
    const err = await rejection(assume(c, AUDIT));
    expect(err.name).toBe("AccessDenied");
    expect(err.message).toBe(`User: ${c.arn} is not authorized to perform: sts:AssumeRole on resource: ${AUDIT}`);
  });

  it("within one account a trust naming the task role suffices without an Allow in its policy", async () => {
    // staging's task role has no sts:AssumeRole in its policy; shop-audit-writer (same account) trusts it by ARN.
    const out = await assume(await taskRoleCreds(sb, "333333333333"), AUDIT);
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::333333333333:assumed-role/shop-audit-writer/from-task");
  });

  it("needs both sides: without the task role's Allow, or without the trust, it is denied; a trust naming the account works", async () => {
    const before = sb.admin.exportIam("222222222222");
    const dest = sb.admin.exportIam("333333333333");
    try {
      // 1. The task role's Allow removed: the trust alone does not do across accounts.
      expect(sb.admin.removeIamAction({ account: "222222222222", role: "shop-api-task", action: "sts:AssumeRole" })).toEqual([
        { where: "role shop-api-task inline policy app", statement: "AssumeCrossAccountRoles", statementRemoved: true },
      ]);
      expect((await rejection(assume(await taskRoleCreds(sb, "222222222222"), PUBLISHER))).name).toBe("AccessDenied");
      sb.admin.applyIam({ accounts: [{ account: "222222222222", roles: before.roles!.filter((r) => r.name === "shop-api-task") }] });
      expect((await assume(await taskRoleCreds(sb, "222222222222"), PUBLISHER)).AssumedRoleUser).toBeDefined();

      // 2. The destination's trust without the statement: denied.
      sb.admin.removeIamAction({ account: "333333333333", role: "shop-events-publisher", from: "trust", action: "sts:AssumeRole" });
      expect((await rejection(assume(await taskRoleCreds(sb, "222222222222"), PUBLISHER))).name).toBe("AccessDenied");

      // 3. A trust naming the task role's account (arn:aws:iam::ACCOUNT:root) delegates to it: allowed with the Allow.
      const publisher = dest.roles!.find((r) => r.name === "shop-events-publisher")!;
      sb.admin.applyIam({
        accounts: [
          {
            account: "333333333333",
            roles: [
              {
                ...publisher,
                trustPolicy: {
                  Version: "2012-10-17",
                  Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "sts:AssumeRole" }],
                },
              },
            ],
          },
        ],
      });
      expect((await assume(await taskRoleCreds(sb, "222222222222"), PUBLISHER)).AssumedRoleUser).toBeDefined();
    } finally {
      sb.admin.applyIam({ accounts: [before, dest].map((a) => ({ account: a.account, roles: a.roles })) });
    }
  });
});
