// The Principal element of resource and trust policies (src/iam/principal.ts), as documented in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html:
// - an account is named by its 12-digit id or by arn:aws:iam::ID:root, and either form stands for
//   the account's principals (#principal-accounts);
// - a role ARN names the role, whose sessions act as it; a role session ARN names that session
//   (#principal-roles, #principal-role-session); role session ARNs carry the role's name, not its
//   path (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, AssumedRoleUser.Arn);
// - no wildcard inside a principal ARN: "*" alone means everyone (#principal-anonymous);
// - a service is named under "Service" (#principal-services).
import { describe, expect, it } from "vitest";
import { principalAccount, principalMatches, type RequestPrincipal } from "../../../src/iam/principal.js";

const aws = (id: string): RequestPrincipal => ({ type: "AWS", id });
const service = (id: string): RequestPrincipal => ({ type: "Service", id });
const SESSION = "arn:aws:sts::111111111111:assumed-role/deployer-ci/gha-run-7";
const ROLE = "arn:aws:iam::111111111111:role/deployer-ci";
const USER = "arn:aws:iam::111111111111:user/ci";

describe("principalAccount", () => {
  it("is the account of an AWS principal: its id, or the account part of its ARN", () => {
    expect(principalAccount(aws("111111111111"))).toBe("111111111111");
    expect(principalAccount(aws(SESSION))).toBe("111111111111");
    expect(principalAccount(aws(USER))).toBe("111111111111");
  });

  it("is unknown for a service, for an ARN without a 12-digit account, and for something that is no ARN", () => {
    expect(principalAccount(service("ecs-tasks.amazonaws.com"))).toBeUndefined();
    expect(principalAccount(service("111111111111"))).toBeUndefined();
    expect(principalAccount(aws("arn:aws:s3:::bucket/key"))).toBeUndefined();
    expect(principalAccount(aws("arn:aws:iam::1111:role/x"))).toBeUndefined();
    expect(principalAccount(aws("arn:aws:iam::x111111111111:role/x"))).toBeUndefined();
    expect(principalAccount(aws("1111111111112"))).toBeUndefined();
    expect(principalAccount(aws("deployer-ci"))).toBeUndefined();
  });
});

describe("principalMatches: accounts", () => {
  it("the account id and the account's root ARN both admit every principal of the account", () => {
    for (const value of ["111111111111", "arn:aws:iam::111111111111:root"]) {
      for (const who of [SESSION, ROLE, USER, "111111111111"]) {
        expect([value, who, principalMatches({ AWS: value }, aws(who))]).toEqual([value, who, true]);
      }
      expect(principalMatches({ AWS: value }, aws("arn:aws:sts::222222222222:assumed-role/deployer-ci/x"))).toBe(false);
      expect(principalMatches({ AWS: value }, aws("222222222222"))).toBe(false);
    }
  });

  it("only `root` of an IAM ARN names the account", () => {
    expect(principalMatches({ AWS: "arn:aws:sts::111111111111:root" }, aws(USER))).toBe(false);
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:rooted" }, aws(USER))).toBe(false);
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:user/root" }, aws(USER))).toBe(false);
  });

  it("a principal known only by its account is not admitted by a grant to one identity of it", () => {
    expect(principalMatches({ AWS: ROLE }, aws("111111111111"))).toBe(false);
    expect(principalMatches({ AWS: USER }, aws("111111111111"))).toBe(false);
  });
});

describe("principalMatches: roles, sessions, users", () => {
  it("a role ARN admits the role's sessions, with or without a path in the policy", () => {
    expect(principalMatches({ AWS: ROLE }, aws(SESSION))).toBe(true);
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:role/ci/deployer-ci" }, aws(SESSION))).toBe(true);
    expect(principalMatches({ AWS: ROLE }, aws(ROLE))).toBe(true);
  });

  it("not the sessions of a role of another name or another account, nor a user of that name", () => {
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:role/deployer" }, aws(SESSION))).toBe(false);
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:role/deployer-ci-2" }, aws(SESSION))).toBe(false);
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:role/deployer-ci/x" }, aws(SESSION))).toBe(false);
    expect(principalMatches({ AWS: "arn:aws:iam::222222222222:role/deployer-ci" }, aws(SESSION))).toBe(false);
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:user/deployer-ci" }, aws(SESSION))).toBe(false);
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:role/" }, aws(SESSION))).toBe(false);
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:role/deployer-ci/" }, aws(SESSION))).toBe(false);
    // A user whose path is /role/ is no role; an sts ARN is no role ARN.
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:user/role/deployer-ci" }, aws(SESSION))).toBe(false);
    expect(principalMatches({ AWS: "arn:aws:sts::111111111111:role/deployer-ci" }, aws(SESSION))).toBe(false);
  });

  it("only sessions stand for a role: a user, or an ARN that only looks like a session, does not", () => {
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:role/ci" }, aws(USER))).toBe(false);
    // The same resource text under iam: is not a role session.
    expect(principalMatches({ AWS: ROLE }, aws("arn:aws:iam::111111111111:assumed-role/deployer-ci/gha"))).toBe(false);
    // A federated user's session is not a role session.
    expect(principalMatches({ AWS: ROLE }, aws("arn:aws:sts::111111111111:federated-user/deployer-ci"))).toBe(false);
    // An assumed-role ARN without a session name is not a session.
    expect(principalMatches({ AWS: ROLE }, aws("arn:aws:sts::111111111111:assumed-role/deployer-ci/"))).toBe(false);
    expect(principalMatches({ AWS: ROLE }, aws("arn:aws:sts::111111111111:assumed-role/deployer-ci"))).toBe(false);
  });

  it("a session ARN in the policy names that session, not other sessions of the role", () => {
    expect(principalMatches({ AWS: SESSION }, aws(SESSION))).toBe(true);
    expect(principalMatches({ AWS: SESSION }, aws("arn:aws:sts::111111111111:assumed-role/deployer-ci/other"))).toBe(false);
  });

  it("a user ARN names that user", () => {
    expect(principalMatches({ AWS: USER }, aws(USER))).toBe(true);
    expect(principalMatches({ AWS: USER }, aws("arn:aws:iam::111111111111:user/cd"))).toBe(false);
  });

  it("no wildcard inside an ARN, and a value that is no ARN names nobody", () => {
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:role/*" }, aws(SESSION))).toBe(false);
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:user/*" }, aws(USER))).toBe(false);
    expect(principalMatches({ AWS: "deployer-ci" }, aws(SESSION))).toBe(false);
    expect(principalMatches({ AWS: "arn:aws:iam::111111111111:user/ci".toUpperCase() }, aws(USER))).toBe(false);
  });

  it("any value of a list may name the principal", () => {
    expect(principalMatches({ AWS: ["arn:aws:iam::999999999999:root", ROLE] }, aws(SESSION))).toBe(true);
    expect(principalMatches({ AWS: ["arn:aws:iam::999999999999:root", USER] }, aws(SESSION))).toBe(false);
  });
});

describe("principalMatches: everyone, services, other types", () => {
  it('"*" and {"AWS": "*"} admit any AWS principal', () => {
    expect(principalMatches("*", aws(SESSION))).toBe(true);
    expect(principalMatches("*", service("ecs-tasks.amazonaws.com"))).toBe(true);
    expect(principalMatches({ AWS: "*" }, aws(SESSION))).toBe(true);
    expect(principalMatches({ AWS: ["arn:aws:iam::999999999999:root", "*"] }, aws("111111111111"))).toBe(true);
  });

  it("no Principal element names nobody", () => {
    expect(principalMatches(undefined, aws(SESSION))).toBe(false);
    expect(principalMatches({}, aws(SESSION))).toBe(false);
  });

  it("a service is named under Service only (case-insensitively), never by an AWS value other than *", () => {
    const ecs = service("ecs-tasks.amazonaws.com");
    expect(principalMatches({ Service: "ecs-tasks.amazonaws.com" }, ecs)).toBe(true);
    expect(principalMatches({ Service: ["lambda.amazonaws.com", "ECS-Tasks.amazonaws.com"] }, ecs)).toBe(true);
    expect(principalMatches({ Service: ["lambda.amazonaws.com", "ecs.amazonaws.com"] }, ecs)).toBe(false);
    expect(principalMatches({ AWS: "ecs-tasks.amazonaws.com" }, ecs)).toBe(false);
    expect(principalMatches({ AWS: ["arn:aws:iam::111111111111:root"] }, ecs)).toBe(false);
    expect(principalMatches({ Federated: "ecs-tasks.amazonaws.com" }, ecs)).toBe(false);
  });

  it("an AWS principal is not named under Service or Federated", () => {
    expect(principalMatches({ Service: ROLE }, aws(ROLE))).toBe(false);
    expect(principalMatches({ Service: "*" }, aws(ROLE))).toBe(false);
    expect(principalMatches({ Federated: ROLE }, aws(ROLE))).toBe(false);
  });

  it("with several principal types, the principal's own type decides", () => {
    const element = { Service: "ecs-tasks.amazonaws.com", AWS: ROLE };
    expect(principalMatches(element, aws(SESSION))).toBe(true);
    expect(principalMatches(element, service("ecs-tasks.amazonaws.com"))).toBe(true);
    expect(principalMatches(element, service("lambda.amazonaws.com"))).toBe(false);
  });
});
