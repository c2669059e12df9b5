// Check assume-role in a read-only run (checkDeployRoleTrust, issue 18), verdict by verdict: what the
// user reads (message, hint naming the fix, the error's code and config location) and the evidence
// that says what was evaluated. A separate file from deploy-trust.test.ts so that an incremental
// mutation run reuses the earlier results.
//
// AWS behaviour relied on (cited in src/checks/deploy-trust.ts):
// - aws:PrincipalArn of an assumed-role session is the role's ARN, not the session's
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn);
// - a trust policy naming the account (arn:aws:iam::A:root) delegates to the account's identities
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts);
// - an explicit Deny in the trust policy wins over any Allow
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
// - across accounts the caller's own identity policies must allow sts:AssumeRole too
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
import { describe, expect, it } from "vitest";
import { checkDeployRoleTrust, deployTrustStatement, principalArnOf } from "../../../src/checks/deploy-trust.js";
import type { CallerIdentity } from "../../../src/aws/ports.js";
import { DeployerError } from "../../../src/errors.js";
import type { Target } from "../../../src/config/types.js";
import { checkContext } from "./check-context.js";
import { accessDenied, healthyWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const target = makeTarget({ externalId: "shop-deployer-dev" });
const ROLE = target.deployRole; // arn:aws:iam::222222222222:role/deployer
const CI_SESSION = "arn:aws:sts::111111111111:assumed-role/deployer-ci/gha";
const CI_ROLE = "arn:aws:iam::111111111111:role/deployer-ci";
const identity = (arn: string, account = arn.split(":")[4]!): CallerIdentity => ({ account, arn, userId: "AROA:x" });

const trustOf = (...Statement: Array<Record<string, unknown>>) => ({ Version: "2012-10-17", Statement });
const allowCi = (extra: Record<string, unknown> = {}) => ({
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::111111111111:root" },
  Action: "sts:AssumeRole",
  ...extra,
});

async function run(trust: Record<string, unknown> | undefined, who: CallerIdentity = identity(CI_SESSION), t: Target = target) {
  const world = healthyWorld(t);
  if (trust) world.account(t.account).roles.get("deployer")!.trustPolicy = trust as never;
  return checkDeployRoleTrust(await checkContext(world, t), () => Promise.resolve(who));
}

describe("checkDeployRoleTrust: who the caller is cannot be told", () => {
  it("is unverified, naming the GetCallerIdentity failure and the role, with the --strict hint", async () => {
    const world = healthyWorld(target);
    const ctx = await checkContext(world, target);
    const r = await checkDeployRoleTrust(ctx, () => Promise.reject(new Error("ExpiredToken")));
    expect(r).toMatchObject({ id: "assume-role", verdict: "unverified" });
    expect(r.message).toBe(
      `could not tell who deployer runs as (sts:GetCallerIdentity: ExpiredToken): whether it may assume ${ROLE} is unverified`,
    );
    expect(r.hint).toBe(
      "This run only reads, so it does not assume the deploy role; a rollout does, before any write. --strict turns this warning into an error.",
    );
    expect(r.evidence).toEqual({
      method: "local-evaluation",
      action: "sts:AssumeRole",
      roleArn: ROLE,
      externalIdSent: true,
      assumed: false,
    });
    // No GetRole was made for a caller nobody knows.
    expect(world.calls.filter((c) => c.method === "getRole")).toEqual([]);
  });

  it("a rejection that is not an Error is shown as text", async () => {
    const ctx = await checkContext(healthyWorld(target), target);
    const r = await checkDeployRoleTrust(ctx, async () => {
      throw "socket hang up";
    });
    expect(r.message).toContain("(sts:GetCallerIdentity: socket hang up)");
  });
});

describe("checkDeployRoleTrust: the deploy role cannot be read", () => {
  it("a deploy role that does not exist fails ROLE_NOT_FOUND at deployRole, naming the account to create it in", async () => {
    const world = healthyWorld(target);
    world.account(target.account).roles.delete("deployer");
    const r = await checkDeployRoleTrust(await checkContext(world, target), () => Promise.resolve(identity(CI_SESSION)));
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(`the deploy role ${ROLE} does not exist`);
    expect(r.hint).toMatch(/^Create the role in 222222222222, or fix `deployRole` in .*dev\.yaml:6\.$/);
    expect(r.error).toMatchObject({
      code: "ROLE_NOT_FOUND",
      message: `the deploy role ${ROLE} does not exist`,
      action: "iam:GetRole",
      resource: ROLE,
      awsCode: "NoSuchEntity",
      field: "deployRole",
      location: { line: 6 },
    });
    expect(r.evidence).toMatchObject({ caller: CI_SESSION, assumed: false });
  });

  it("GetRole denied: unverified with the AWS error, and the hint names the viewer role to grant", async () => {
    const viewer = makeTarget({ externalId: "shop-deployer-dev", viewRole: "arn:aws:iam::222222222222:role/deployer-viewer" });
    for (const [t, who] of [
      [target, "the viewer role"],
      [viewer, "arn:aws:iam::222222222222:role/deployer-viewer"],
    ] as const) {
      const world = healthyWorld(t);
      world.account(t.account).failures.set("getRole", accessDenied("iam:GetRole", ROLE));
      const r = await checkDeployRoleTrust(await checkContext(world, t), () => Promise.resolve(identity(CI_SESSION)));
      expect(r.verdict).toBe("unverified");
      expect(r.message).toBe(
        `could not read the trust policy of ${ROLE} (iam:GetRole: AccessDenied): whether ${CI_SESSION} may assume it is unverified`,
      );
      expect(r.hint).toBe(
        `Allow ${who} iam:GetRole on ${ROLE} (deployer iam grants it) so deployer can read its trust without assuming it. --strict turns this warning into an error.`,
      );
      expect(r.error?.code).toBe("ACCESS_DENIED");
      expect(r.evidence).toMatchObject({ caller: CI_SESSION });
    }
  });

  it("GetRole failing for another reason: unverified naming the code, without passing the error on as a denial", async () => {
    const world = healthyWorld(target);
    world.account(target.account).failures.set("getRole", new DeployerError({ code: "AWS_ERROR", message: "connection reset" }));
    const r = await checkDeployRoleTrust(await checkContext(world, target), () => Promise.resolve(identity(CI_SESSION)));
    expect(r.verdict).toBe("unverified");
    expect(r.message).toContain(`(iam:GetRole: AWS_ERROR)`);
    expect(r.error).toBeUndefined();
  });
});

describe("checkDeployRoleTrust: the trust evaluated for the caller", () => {
  it("passes, saying the role was not assumed; the evidence names the principal ARN, the decision and the statement", async () => {
    const r = await run(trustOf(allowCi({ Sid: "Ci", Condition: { StringEquals: { "sts:ExternalId": "shop-deployer-dev" } } })));
    expect(r.verdict).toBe("pass");
    expect(r.message).toBe(
      `${ROLE}'s trust lets ${CI_SESSION} assume it with ExternalId "shop-deployer-dev" (its trust policy, read as the viewer role: this run does not assume the deploy role)`,
    );
    expect(r.evidence).toMatchObject({
      method: "local-evaluation",
      caller: CI_SESSION,
      principalArn: CI_ROLE,
      decision: "allowed",
      matchedStatements: ["trust:deployer#Ci"],
      externalIdSent: true,
      assumed: false,
    });
  });

  it("across accounts the evidence says the caller's own policies were not evaluated; in the same account it says nothing", async () => {
    const cross = await run(trustOf(allowCi()));
    expect(cross.evidence?.identitySide).toBe(
      `not evaluated: ${CI_SESSION}'s own policies (account 111111111111) must allow sts:AssumeRole on ${ROLE} too`,
    );
    const local = "arn:aws:sts::222222222222:assumed-role/ops/alice";
    const same = await run(
      trustOf({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "sts:AssumeRole" }),
      identity(local),
    );
    expect(same.verdict).toBe("pass");
    expect(same.evidence).not.toHaveProperty("identitySide");
  });

  it("the caller's account is taken from its ARN when GetCallerIdentity gives none (aws:PrincipalAccount)", async () => {
    const trust = trustOf(allowCi({ Condition: { StringEquals: { "aws:PrincipalAccount": "111111111111" } } }));
    const r = await run(trust, identity(CI_SESSION, ""));
    expect(r.verdict).toBe("pass");
    expect(r.evidence?.identitySide).toContain("(account 111111111111)");
  });

  it("sends no ExternalId when none is configured: a trust requiring one fails, and the statement to add has no condition", async () => {
    const noId = makeTarget({ externalId: undefined });
    const r = await run(
      trustOf(allowCi({ Condition: { StringEquals: { "sts:ExternalId": "shop-deployer-dev" } } })),
      identity(CI_SESSION),
      noId,
    );
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(`${ROLE}'s trust policy does not let ${CI_ROLE} sts:AssumeRole it with no ExternalId`);
    expect(r.evidence).toMatchObject({ externalIdSent: false, decision: "implicitDeny", matchedStatements: [] });
    const statement = JSON.stringify({ Effect: "Allow", Principal: { AWS: CI_ROLE }, Action: "sts:AssumeRole" });
    expect(r.error?.hint).toMatch(
      new RegExp(
        `^Add this statement to the trust policy of ${ROLE.replace(/[/]/g, "\\/")} \\(aws iam update-assume-role-policy\\), or fix the externalId in .*dev\\.yaml:7: `,
      ),
    );
    expect(r.error?.hint?.endsWith(`: ${statement}`)).toBe(true);
    expect(r.error).toMatchObject({
      code: "ASSUME_ROLE_DENIED",
      action: "sts:AssumeRole",
      resource: ROLE,
      field: "deployRole",
      location: { line: 6 },
    });
  });

  it("an explicit Deny fails naming the statement, and the hint says to remove or narrow it", async () => {
    const r = await run(trustOf(allowCi(), { Sid: "NoCi", Effect: "Deny", Principal: { AWS: CI_ROLE }, Action: "sts:AssumeRole" }));
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(`${ROLE}'s trust policy denies ${CI_SESSION} sts:AssumeRole (trust:deployer#NoCi)`);
    expect(r.error?.hint).toBe(`Remove or narrow the Deny (trust:deployer#NoCi) in the trust policy of ${ROLE}.`);
    expect(r.evidence).toMatchObject({ decision: "explicitDeny", matchedStatements: ["trust:deployer#NoCi"] });
  });

  it("a trust resting on an operator deployer does not evaluate is unverified, naming the operators and what to check by hand", async () => {
    const r = await run(trustOf(allowCi({ Condition: { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } } })));
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe(
      `${ROLE}'s trust policy uses condition operators deployer does not evaluate (IpAddress): whether ${CI_SESSION} may assume it is unverified`,
    );
    expect(r.hint).toBe(
      `Check by hand that it lets ${CI_ROLE} sts:AssumeRole with ExternalId "shop-deployer-dev". --strict turns this warning into an error.`,
    );
    expect(r.evidence).toMatchObject({ unsupported: ["IpAddress"], uncertainDenies: [], decision: "implicitDeny" });
  });

  it("a Deny that may apply (unevaluated operator) beside an Allow is unverified, naming the Deny in the evidence", async () => {
    const r = await run(
      trustOf(allowCi(), {
        Sid: "Net",
        Effect: "Deny",
        Principal: "*",
        Action: "sts:AssumeRole",
        Condition: { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" }, StringLike: { "aws:PrincipalArn": "*" } },
      }),
    );
    expect(r.verdict).toBe("unverified");
    expect(r.message).toContain("(NotIpAddress)");
    expect(r.evidence).toMatchObject({ decision: "allowed", uncertainDenies: ["trust:deployer#Net"] });
  });

  it("lists every unevaluated operator, comma-separated", async () => {
    const r = await run(
      trustOf(allowCi({ Condition: { IpAddress: { "aws:SourceIp": "203.0.113.0/24" }, BinaryEquals: { "aws:x": "AA==" } } })),
    );
    expect(r.message).toContain("(IpAddress, BinaryEquals)");
  });
});

describe("checkDeployRoleTrust: the caller's role with a path (GetCallerIdentity shows none)", () => {
  const withPath = "arn:aws:iam::111111111111:role/ci/deployer-ci";
  const pinned = (arns: string | string[]) => trustOf(allowCi({ Condition: { ArnEquals: { "aws:PrincipalArn": arns } } }));

  it("the path variant that admits the caller is the principal ARN in the evidence", async () => {
    const r = await run(pinned(withPath));
    expect(r.verdict).toBe("pass");
    expect(r.evidence).toMatchObject({ principalArn: withPath });
  });

  it("is found anywhere in the policy (a list of principals, a list of condition values)", async () => {
    const trust = trustOf({
      Effect: "Allow",
      Principal: { AWS: ["arn:aws:iam::999999999999:root", withPath] },
      Action: "sts:AssumeRole",
    });
    expect((await run(trust)).verdict).toBe("pass");
    expect((await run(pinned(["arn:aws:iam::111111111111:role/x", withPath]))).verdict).toBe("pass");
  });

  it("a role of the same name in another account, of another name, or of another partition is not the caller's", async () => {
    for (const other of [
      "arn:aws:iam::333333333333:role/ci/deployer-ci",
      "arn:aws:iam::111111111111:role/ci/deployer-ci-2",
      "arn:aws:iam::111111111111:role/ci/deployer",
      "arn:aws-cn:iam::111111111111:role/ci/deployer-ci",
    ]) {
      const r = await run(pinned(other));
      expect([other, r.verdict]).toEqual([other, "fail"]);
      // The statement to add names the caller's role as GetCallerIdentity shows it.
      expect(r.error?.hint).toContain(`{"Effect":"Allow","Principal":{"AWS":"${CI_ROLE}"}`);
    }
  });

  it("a user caller has no path variants: its ARN is the principal ARN", async () => {
    const user = "arn:aws:iam::111111111111:user/ci";
    const r = await run(pinned("arn:aws:iam::111111111111:user/ci"), identity(user));
    expect(r.verdict).toBe("pass");
    expect(r.evidence).toMatchObject({ principalArn: user });
  });
});

describe("principalArnOf and deployTrustStatement", () => {
  it("keeps the session's partition and account and gives the role it stands for", () => {
    expect(principalArnOf("arn:aws-cn:sts::111111111111:assumed-role/deployer-ci/gha")).toEqual({
      principalArn: "arn:aws-cn:iam::111111111111:role/deployer-ci",
      role: { account: "111111111111", name: "deployer-ci", partition: "aws-cn" },
    });
    expect(principalArnOf("arn:aws:iam::111111111111:user/ci")).toEqual({ principalArn: "arn:aws:iam::111111111111:user/ci" });
    // A session ARN without a session name is not an assumed-role session ARN.
    expect(principalArnOf("arn:aws:sts::111111111111:assumed-role/deployer-ci/")).toEqual({
      principalArn: "arn:aws:sts::111111111111:assumed-role/deployer-ci/",
    });
  });

  it("requires the ExternalId in the statement only when one is configured", () => {
    expect(deployTrustStatement(CI_ROLE, "x")).toEqual({
      Effect: "Allow",
      Principal: { AWS: CI_ROLE },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "x" } },
    });
    expect(deployTrustStatement(CI_ROLE, undefined)).toEqual({ Effect: "Allow", Principal: { AWS: CI_ROLE }, Action: "sts:AssumeRole" });
  });
});
