// Reading iam:SimulatePrincipalPolicy finely (src/checks/simulation.ts): which result answers an
// (action, resource), who denies (SCP, boundary, a Deny statement, no Allow), when the answer cannot
// be known before the task runs (missing context keys), the identity side of a cross-account
// resource, and the texts and hints that name the fix.
import { describe, expect, it } from "vitest";
import { allowStatement, denialHint, denialText, findResult, readAccess } from "../../../src/checks/simulation.js";
import type { SimulationResult } from "../../../src/aws/ports.js";

const ROLE = "arn:aws:iam::222222222222:role/deployer";
const TASK_ROLE = "arn:aws:iam::222222222222:role/shop-api-task";
const EXEC_ROLE = "arn:aws:iam::222222222222:role/shop-api-exec";
const REPO = "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api";

function result(overrides: Partial<SimulationResult> = {}): SimulationResult {
  return {
    action: "iam:PassRole",
    resource: TASK_ROLE,
    decision: "allowed",
    matchedStatements: [],
    missingContextValues: [],
    ...overrides,
  };
}

describe("findResult: the simulation's answer for one (action, resource)", () => {
  const results = [
    result({ action: "iam:PassRole", resource: TASK_ROLE, decision: "allowed" }),
    result({ action: "iam:PassRole", resource: EXEC_ROLE, decision: "implicitDeny" }),
    result({ action: "ecs:UpdateService", resource: "arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api", decision: "explicitDeny" }),
  ];

  it("picks the result of that action on that resource, not another resource's", () => {
    expect(findResult(results, "iam:PassRole", EXEC_ROLE)?.decision).toBe("implicitDeny");
    expect(findResult(results, "iam:PassRole", TASK_ROLE)?.decision).toBe("allowed");
  });

  it("matches the action case-insensitively (IAM echoes actions as it pleases)", () => {
    expect(findResult(results, "IAM:passrole", EXEC_ROLE)?.decision).toBe("implicitDeny");
    expect(
      findResult([result({ action: "IAM:PASSROLE", resource: EXEC_ROLE, decision: "implicitDeny" })], "iam:PassRole", EXEC_ROLE),
    ).toBeDefined();
  });

  it("is undefined when IAM answered for that action but another resource only", () => {
    expect(findResult(results, "iam:PassRole", "arn:aws:iam::222222222222:role/other")).toBeUndefined();
    expect(findResult(results, "ecs:UpdateService", "arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/other")).toBeUndefined();
  });

  it("is undefined when IAM gave nothing for the action", () => {
    expect(findResult(results, "ecs:RegisterTaskDefinition", "*")).toBeUndefined();
    expect(findResult([], "iam:PassRole", TASK_ROLE)).toBeUndefined();
  });

  it("a simulation without ResourceArns answers for '*' only: that answer stands for any resource", () => {
    const star = [result({ action: "ecs:DescribeTaskDefinition", resource: "*", decision: "implicitDeny" })];
    expect(findResult(star, "ecs:DescribeTaskDefinition", "arn:aws:ecs:eu-west-1:222222222222:task-definition/x:1")?.decision).toBe(
      "implicitDeny",
    );
    // …but not another action's "*".
    expect(findResult(star, "ecs:UpdateService", "*")).toBeUndefined();
  });

  it("a simulation with ResourceArns (one of them '*') answers only for those: not for another resource", () => {
    const some = [
      result({ action: "ecs:UpdateService", resource: TASK_ROLE, decision: "allowed" }),
      result({ action: "ecs:UpdateService", resource: "*", decision: "allowed" }),
    ];
    expect(findResult(some, "ecs:UpdateService", "arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api")).toBeUndefined();
    expect(findResult(some, "ecs:UpdateService", "*")).toBe(some[1]);
  });
});

describe("readAccess: what one simulated (action, resource) means", () => {
  it("allowed, whatever else IAM says, with the matched statements", () => {
    const a = readAccess(
      result({ decision: "Allowed", matchedStatements: ["inline:deploy#Pass"], missingContextValues: ["aws:SourceVpce"] }),
    );
    expect(a).toEqual({ kind: "allowed", matched: ["inline:deploy#Pass"] });
  });

  it("an SCP denies (AllowedByOrganizations false): the denier is the SCP, even with missing keys or a boundary", () => {
    expect(
      readAccess(
        result({
          decision: "implicitDeny",
          allowedByOrganizations: false,
          allowedByPermissionsBoundary: false,
          missingContextValues: ["aws:SourceIp"],
        }),
      ),
    ).toEqual({ kind: "denied", by: "scp", matched: [] });
    expect(readAccess(result({ decision: "explicitDeny", allowedByOrganizations: false }))).toMatchObject({ by: "scp" });
  });

  it("an organization that allows does not make a denial an SCP's", () => {
    expect(readAccess(result({ decision: "implicitDeny", allowedByOrganizations: true }))).toMatchObject({
      kind: "denied",
      by: "no-allow",
    });
  });

  it("missing context keys make a denial unverified (decided at run time), naming the keys and IAM's decision", () => {
    const r = result({ decision: "explicitDeny", missingContextValues: ["aws:SourceVpce"], matchedStatements: ["inline:guard#Vpce"] });
    expect(readAccess(r)).toEqual({
      kind: "unverified",
      missing: ["aws:SourceVpce"],
      matched: ["inline:guard#Vpce"],
      decision: "explicitDeny",
    });
    // …also over a boundary's denial: the missing key may be what the boundary tests.
    expect(
      readAccess(result({ decision: "implicitDeny", missingContextValues: ["aws:PrincipalTag/team"], allowedByPermissionsBoundary: false }))
        .kind,
    ).toBe("unverified");
  });

  it("the permissions boundary denies (AllowedByPermissionsBoundary false), even over an explicit Deny", () => {
    expect(readAccess(result({ decision: "implicitDeny", allowedByPermissionsBoundary: false }))).toEqual({
      kind: "denied",
      by: "boundary",
      matched: [],
    });
    expect(readAccess(result({ decision: "explicitDeny", allowedByPermissionsBoundary: false }))).toMatchObject({ by: "boundary" });
    expect(readAccess(result({ decision: "implicitDeny", allowedByPermissionsBoundary: true }))).toMatchObject({ by: "no-allow" });
  });

  it("explicitDeny (any case) is a Deny statement; implicitDeny is no Allow", () => {
    expect(readAccess(result({ decision: "ExplicitDeny", matchedStatements: ["inline:guard#No"] }))).toEqual({
      kind: "denied",
      by: "explicit-deny",
      matched: ["inline:guard#No"],
    });
    expect(readAccess(result({ decision: "implicitDeny" }))).toEqual({ kind: "denied", by: "no-allow", matched: [] });
  });

  describe("a cross-account resource: only the identity side is read", () => {
    it("EvalDecisionDetails: allowed when every identity policy type allows, whatever the resource policy says", () => {
      const r = result({
        action: "ecr:BatchGetImage",
        resource: REPO,
        decision: "implicitDeny",
        decisionDetails: { IdentityPolicy: "allowed", ResourcePolicy: "implicitDeny" },
      });
      expect(readAccess(r, { crossAccountResource: true })).toEqual({ kind: "allowed", matched: [], identityOnly: true });
      // Without the flag the overall decision stands.
      expect(readAccess(r)).toMatchObject({ kind: "denied", by: "no-allow" });
      expect(readAccess(r, { crossAccountResource: false })).toMatchObject({ kind: "denied", by: "no-allow" });
    });

    it("EvalDecisionDetails: denied when an identity policy type does not allow (even with matched statements)", () => {
      const r = result({
        resource: REPO,
        decision: "implicitDeny",
        matchedStatements: ["inline:pull#Pull"],
        decisionDetails: { IdentityPolicy: "implicitDeny", ResourcePolicy: "allowed" },
      });
      expect(readAccess(r, { crossAccountResource: true })).toEqual({ kind: "denied", by: "no-allow", matched: ["inline:pull#Pull"] });
      const mixed = result({
        resource: REPO,
        decision: "implicitDeny",
        decisionDetails: { IdentityPolicy: "allowed", PermissionsBoundary: "implicitDeny" },
      });
      expect(readAccess(mixed, { crossAccountResource: true }).kind).toBe("denied");
      const caps = result({ resource: REPO, decision: "implicitDeny", decisionDetails: { IdentityPolicy: "ALLOWED" } });
      expect(readAccess(caps, { crossAccountResource: true }).kind).toBe("allowed");
    });

    it("only resource-policy details: falls back to the matched identity statements", () => {
      const none = result({ resource: REPO, decision: "implicitDeny", decisionDetails: { resourcePolicy: "allowed" } });
      expect(readAccess(none, { crossAccountResource: true })).toMatchObject({ kind: "denied", by: "no-allow" });
      const matched = result({
        resource: REPO,
        decision: "implicitDeny",
        matchedStatements: ["inline:pull#Pull"],
        decisionDetails: { ResourcePolicy: "implicitDeny" },
      });
      expect(readAccess(matched, { crossAccountResource: true })).toMatchObject({ kind: "allowed", identityOnly: true });
    });

    it("no EvalDecisionDetails: an implicitDeny that matched identity Allow statements is the identity side allowing", () => {
      expect(
        readAccess(result({ resource: REPO, decision: "implicitDeny", matchedStatements: ["inline:pull#Pull"] }), {
          crossAccountResource: true,
        }),
      ).toEqual({
        kind: "allowed",
        matched: ["inline:pull#Pull"],
        identityOnly: true,
      });
      expect(readAccess(result({ resource: REPO, decision: "implicitDeny" }), { crossAccountResource: true })).toMatchObject({
        kind: "denied",
        by: "no-allow",
      });
    });

    it("an explicit Deny, a boundary or an SCP still deny a cross-account resource", () => {
      const opts = { crossAccountResource: true };
      expect(readAccess(result({ resource: REPO, decision: "explicitDeny", matchedStatements: ["inline:x#D"] }), opts)).toMatchObject({
        by: "explicit-deny",
      });
      expect(
        readAccess(
          result({ resource: REPO, decision: "implicitDeny", matchedStatements: ["a"], allowedByPermissionsBoundary: false }),
          opts,
        ),
      ).toMatchObject({
        by: "boundary",
      });
      expect(
        readAccess(result({ resource: REPO, decision: "implicitDeny", matchedStatements: ["a"], allowedByOrganizations: false }), opts),
      ).toMatchObject({
        by: "scp",
      });
    });
  });
});

describe("denialText: who denies, said so the reader knows where to look", () => {
  it("scp", () => {
    expect(denialText("scp", ROLE, "ecs:UpdateService", "svc")).toBe(
      `an SCP denies ecs:UpdateService on svc to ${ROLE} (IAM's simulation: AllowedByOrganizations false)`,
    );
  });

  it("boundary, with its ARN when known", () => {
    expect(denialText("boundary", ROLE, "iam:PassRole", TASK_ROLE, { boundaryArn: "arn:aws:iam::222222222222:policy/cap" })).toBe(
      `the permissions boundary arn:aws:iam::222222222222:policy/cap of ${ROLE} denies iam:PassRole on ${TASK_ROLE}`,
    );
    expect(denialText("boundary", ROLE, "iam:PassRole", TASK_ROLE)).toBe(
      `the permissions boundary of ${ROLE} denies iam:PassRole on ${TASK_ROLE}`,
    );
  });

  it("explicit-deny, naming the matched statements when there are any", () => {
    expect(denialText("explicit-deny", ROLE, "iam:PassRole", TASK_ROLE, { matched: ["inline:guard#A", "inline:guard#B"] })).toBe(
      `a Deny statement (inline:guard#A, inline:guard#B) forbids ${ROLE} iam:PassRole on ${TASK_ROLE}`,
    );
    expect(denialText("explicit-deny", ROLE, "iam:PassRole", TASK_ROLE, { matched: [] })).toBe(
      `a Deny statement forbids ${ROLE} iam:PassRole on ${TASK_ROLE}`,
    );
    expect(denialText("explicit-deny", ROLE, "iam:PassRole", TASK_ROLE)).toBe(
      `a Deny statement forbids ${ROLE} iam:PassRole on ${TASK_ROLE}`,
    );
  });

  it("no-allow", () => {
    expect(denialText("no-allow", ROLE, "iam:PassRole", TASK_ROLE)).toBe(`no policy of ${ROLE} allows iam:PassRole on ${TASK_ROLE}`);
  });
});

describe("denialHint: the fix, with the statement to paste where it belongs", () => {
  const statement = allowStatement("iam:PassRole", TASK_ROLE, { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
  const json = JSON.stringify(statement);

  it("scp: no change to the role helps; ask the organization's administrators, with the statement", () => {
    const h = denialHint("scp", ROLE, statement);
    expect(h).toBe(
      `A service control policy of the organization forbids it; no change to ${ROLE} can allow it. Ask the organization's administrators to exempt it from the SCP (the statement ${ROLE} needs: ${json}).`,
    );
  });

  it("boundary: allow it in the boundary (named when known)", () => {
    expect(denialHint("boundary", ROLE, statement, { boundaryArn: "arn:aws:iam::222222222222:policy/cap" })).toBe(
      `Allow it in the permissions boundary arn:aws:iam::222222222222:policy/cap of ${ROLE} (the boundary caps every policy of the role): ${json}`,
    );
    expect(denialHint("boundary", ROLE, statement)).toBe(
      `Allow it in the permissions boundary of ${ROLE} (the boundary caps every policy of the role): ${json}`,
    );
  });

  it("explicit-deny: narrow the Deny (named when matched)", () => {
    expect(denialHint("explicit-deny", ROLE, statement, { matched: ["inline:guard#A", "inline:guard#B"] })).toBe(
      `Narrow the Deny (inline:guard#A, inline:guard#B) so it no longer covers this request; ${ROLE} needs: ${json}`,
    );
    expect(denialHint("explicit-deny", ROLE, statement, { matched: [] })).toBe(
      `Narrow the Deny so it no longer covers this request; ${ROLE} needs: ${json}`,
    );
    expect(denialHint("explicit-deny", ROLE, statement)).toBe(
      `Narrow the Deny so it no longer covers this request; ${ROLE} needs: ${json}`,
    );
  });

  it("no-allow: add the statement to a policy of the role", () => {
    expect(denialHint("no-allow", ROLE, statement)).toBe(`Add to a policy of ${ROLE}: ${json}`);
  });
});

describe("allowStatement", () => {
  it("an Allow statement, with a Condition only when given", () => {
    expect(allowStatement("ecs:UpdateService", "svc")).toEqual({ Effect: "Allow", Action: "ecs:UpdateService", Resource: "svc" });
    expect(Object.keys(allowStatement(["a", "b"], ["r1", "r2"]))).toEqual(["Effect", "Action", "Resource"]);
    expect(allowStatement(["ecs:TagResource"], ["r"], { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } })).toEqual({
      Effect: "Allow",
      Action: ["ecs:TagResource"],
      Resource: ["r"],
      Condition: { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } },
    });
  });
});
