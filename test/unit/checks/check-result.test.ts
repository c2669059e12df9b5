// CheckResult builders (src/checks/check-result.ts): the worst verdict decides whether a rollout may
// go ahead, a parent check reports its worst child's message, hint and error, AWS errors become
// values about the target, and messages point at the file and line the user must edit.
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  VERDICT_SEVERITY,
  awsFailure,
  isAccessDenied,
  locationOf,
  parentOf,
  targetError,
  verdict,
  whereWritten,
  worstOf,
  type CheckResult,
  type Verdict,
} from "../../../src/checks/check-result.js";
import { DeployerError } from "../../../src/errors.js";
import { makeTarget } from "../../helpers/factories.js";

const target = makeTarget({ name: "prod", account: "333333333333" });
const head = { id: "pass-role:taskRole", title: "deploy role can pass the task role", target };

function c(v: Verdict, extra: Partial<CheckResult> = {}): CheckResult {
  return { id: `c-${v}`, title: v, target: "prod", verdict: v, message: `${v} message`, ...extra };
}

function awsError(name: string, message = "boom"): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

describe("worstOf", () => {
  it("orders fail > unverified > warn > pass > skip", () => {
    expect(VERDICT_SEVERITY).toEqual({ fail: 4, unverified: 3, warn: 2, pass: 1, skip: 0 });
    expect(worstOf([c("pass"), c("warn"), c("fail"), c("unverified")])).toBe("fail");
    expect(worstOf([c("warn"), c("unverified"), c("pass")])).toBe("unverified");
    expect(worstOf([c("pass"), c("warn"), c("skip")])).toBe("warn");
    expect(worstOf([c("fail"), c("pass")])).toBe("fail");
  });

  it("is pass for no checks, skip when every check skipped, pass when some passed", () => {
    expect(worstOf([])).toBe("pass");
    expect(worstOf([c("skip")])).toBe("skip");
    expect(worstOf([c("skip"), c("skip")])).toBe("skip");
    expect(worstOf([c("skip"), c("pass")])).toBe("pass");
    expect(worstOf([c("pass"), c("skip")])).toBe("pass");
  });

  it("counts sub-checks: a passing parent with a failing child is a failure", () => {
    expect(worstOf([c("pass", { children: [c("pass"), c("fail")] })])).toBe("fail");
    expect(worstOf([c("pass", { children: [c("pass", { children: [c("unverified")] })] })])).toBe("unverified");
    expect(worstOf([c("skip", { children: [c("warn")] })])).toBe("warn");
  });
});

describe("verdict", () => {
  it("a result about the target, carrying only what was given", () => {
    const r = verdict(head, "pass", { message: "ok" });
    expect(r).toEqual({
      id: "pass-role:taskRole",
      title: "deploy role can pass the task role",
      target: "prod",
      verdict: "pass",
      message: "ok",
    });
    expect(Object.keys(r)).toEqual(["id", "title", "target", "verdict", "message"]);
  });

  it("keeps hint, evidence and children; the error as ErrorInfo", () => {
    const error = new DeployerError({ code: "PASSROLE_DENIED", message: "denied", hint: "error's hint", action: "iam:PassRole" });
    const r = verdict(head, "fail", { message: "no", hint: "own hint", evidence: { method: "x" }, error, children: [c("fail")] });
    expect(r).toMatchObject({ verdict: "fail", hint: "own hint", evidence: { method: "x" }, children: [c("fail")] });
    expect(r.error).toEqual({ code: "PASSROLE_DENIED", message: "denied", hint: "error's hint", action: "iam:PassRole" });
    expect(r.error).not.toBeInstanceOf(DeployerError);
  });

  it("the error's hint when no hint is given: every failure names its fix", () => {
    const error = new DeployerError({ code: "ACCESS_DENIED", message: "denied", hint: "Allow ecs:UpdateService" });
    expect(verdict(head, "fail", { message: "no", error }).hint).toBe("Allow ecs:UpdateService");
    expect("hint" in verdict(head, "fail", { message: "no", error: new DeployerError({ code: "ACCESS_DENIED", message: "x" }) })).toBe(
      false,
    );
  });
});

describe("targetError and awsFailure: errors about this target", () => {
  it("targetError fills in the target's name and account", () => {
    const e = targetError(target, { code: "ACCESS_DENIED", message: "denied", action: "ecs:UpdateService" });
    expect(e).toBeInstanceOf(DeployerError);
    expect(e).toMatchObject({
      code: "ACCESS_DENIED",
      message: "denied",
      action: "ecs:UpdateService",
      target: "prod",
      account: "333333333333",
    });
  });

  it("awsFailure turns an SDK exception into a DeployerError naming the action, resource, target and account", () => {
    const e = awsFailure(target, awsError("AccessDeniedException", "not authorized"), "ecs:DescribeServices", "shop-dev/api");
    expect(e).toMatchObject({
      code: "ACCESS_DENIED",
      action: "ecs:DescribeServices",
      resource: "shop-dev/api",
      target: "prod",
      account: "333333333333",
      awsCode: "AccessDeniedException",
    });
    expect(awsFailure(target, awsError("ThrottlingException"), "iam:GetRole")).toMatchObject({ action: "iam:GetRole", target: "prod" });
  });
});

describe("isAccessDenied: refused by IAM, as opposed to failing otherwise", () => {
  it("by deployer's code", () => {
    expect(isAccessDenied(new DeployerError({ code: "ACCESS_DENIED", message: "x" }))).toBe(true);
    expect(isAccessDenied(new DeployerError({ code: "ASSUME_ROLE_DENIED", message: "x" }))).toBe(true);
  });

  it("by AWS's code (AccessDenied…, …Unauthorized…, any case)", () => {
    for (const awsCode of [
      "AccessDeniedException",
      "AccessDenied",
      "UnauthorizedOperation",
      "accessdenied",
      "Client.UnauthorizedOperation",
    ])
      expect(isAccessDenied(new DeployerError({ code: "AWS_ERROR", message: "x", awsCode })), awsCode).toBe(true);
  });

  it("not for other failures", () => {
    expect(isAccessDenied(new DeployerError({ code: "AWS_ERROR", message: "x", awsCode: "ThrottlingException" }))).toBe(false);
    expect(isAccessDenied(new DeployerError({ code: "ENDPOINT_UNREACHABLE", message: "x" }))).toBe(false);
  });
});

describe("where a field was written", () => {
  it("locationOf: the field's position when known, else the field alone", () => {
    expect(locationOf(target, "taskRole")).toEqual({ location: target.locations.taskRole, field: "taskRole" });
    expect(locationOf(target, "vars")).toEqual({ field: "vars" });
    expect(locationOf(makeTarget({ locations: undefined }), "taskRole")).toEqual({ field: "taskRole" });
  });

  it("whereWritten: file:line relative to the working directory (hints end up in public PR comments)", () => {
    const file = path.join(process.cwd(), "environments", "prod.yaml");
    const t = makeTarget({ name: "prod", file, locations: { taskRole: { file, line: 8, column: 3 } } });
    expect(whereWritten(t, "taskRole")).toBe(`${path.join("environments", "prod.yaml")}:8`);
    expect(whereWritten(t, "executionRole")).toBe(path.join("environments", "prod.yaml"));
  });

  it("whereWritten: a target without positions names its file", () => {
    const file = path.join(process.cwd(), "environments", "prod.yaml");
    expect(whereWritten(makeTarget({ file, locations: undefined }), "taskRole")).toBe(path.join("environments", "prod.yaml"));
  });

  it("whereWritten: a file outside the working directory keeps its absolute path", () => {
    const file = path.resolve(process.cwd(), "..", "elsewhere", "prod.yaml");
    const t = makeTarget({ file, locations: { cluster: { file, line: 4, column: 1 } } });
    expect(whereWritten(t, "cluster")).toBe(`${file}:4`);
    expect(whereWritten(t, "service")).toBe(file);
  });

  it("whereWritten: the working directory itself is not written as an empty path", () => {
    const t = makeTarget({ file: process.cwd(), locations: {} });
    expect(whereWritten(t, "cluster")).toBe(process.cwd());
  });
});

describe("parentOf: a parent check is its worst child", () => {
  it("passes with the pass message (and evidence) when every child passes", () => {
    const children = [c("pass"), c("pass")];
    const r = parentOf(head, children, "all good", { roles: 2 });
    expect(r).toEqual({ ...r, verdict: "pass", message: "all good", children, evidence: { roles: 2 } });
    expect("evidence" in parentOf(head, children, "all good")).toBe(false);
    expect(parentOf(head, [], "nothing to check").verdict).toBe("pass");
  });

  it("skips when every child skipped; passes when some passed and the rest skipped", () => {
    expect(parentOf(head, [c("skip"), c("skip")], "n/a")).toMatchObject({ verdict: "skip", message: "n/a" });
    expect(parentOf(head, [c("skip"), c("pass")], "fine")).toMatchObject({ verdict: "pass", message: "fine" });
  });

  it("takes the first worst child's message, hint, error and evidence (not the pass message)", () => {
    const error = { code: "ACCESS_DENIED" as const, message: "denied" };
    const children = [
      c("pass", { message: "fine" }),
      c("warn", { message: "meh", hint: "warn hint" }),
      c("fail", { message: "first failure", hint: "fix it", error, evidence: { action: "iam:PassRole" } }),
      c("fail", { message: "second failure", hint: "other" }),
    ];
    const r = parentOf(head, children, "all good", { roles: 2 });
    expect(r).toEqual({
      id: head.id,
      title: head.title,
      target: "prod",
      verdict: "fail",
      message: "first failure",
      hint: "fix it",
      error,
      evidence: { action: "iam:PassRole" },
      children,
    });
  });

  it("a child whose own sub-check is worst counts as worst, and carries only what it has", () => {
    const children = [c("unverified", { message: "plain" }), c("pass", { message: "parent of a failure", children: [c("fail")] })];
    const r = parentOf(head, children, "all good");
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe("parent of a failure");
    expect(Object.keys(r).sort()).toEqual(["children", "id", "message", "target", "title", "verdict"]);
  });

  it("unverified and warn children make the parent unverified / warn", () => {
    expect(parentOf(head, [c("pass"), c("unverified", { message: "could not read" })], "ok")).toMatchObject({
      verdict: "unverified",
      message: "could not read",
    });
    expect(parentOf(head, [c("warn", { message: "heads up" }), c("pass")], "ok")).toMatchObject({ verdict: "warn", message: "heads up" });
  });
});
