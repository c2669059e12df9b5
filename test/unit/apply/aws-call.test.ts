import { describe, expect, it } from "vitest";
import { awsError, callAws, CallAborted } from "../../../src/apply/aws-call.js";
import { DeployerError } from "../../../src/errors.js";
import { awsException } from "../../helpers/fake-aws.js";

const ctx = {
  target: "prod-eu",
  account: "222222222222",
  action: "ecs:UpdateService",
  resource: "arn:aws:ecs:eu-west-1:222222222222:service/main/api",
};

describe("awsError", () => {
  it("turns an SDK exception into a DeployerError naming target, account, action, resource and AWS's words", () => {
    const e = awsError(awsException("AccessDeniedException", "User is not authorized to perform ecs:UpdateService"), ctx);
    expect(e).toBeInstanceOf(DeployerError);
    expect(e).toMatchObject({
      code: "ACCESS_DENIED",
      ...ctx,
      awsCode: "AccessDeniedException",
      awsMessage: "User is not authorized to perform ecs:UpdateService",
    });
    expect(e.hint).toBe(
      "the deploy role of prod-eu (account 222222222222) needs ecs:UpdateService on arn:aws:ecs:eu-west-1:222222222222:service/main/api",
    );
  });

  it("keeps a port's DeployerError and fills in what it lacks", () => {
    const fromPort = new DeployerError({
      code: "AWS_ERROR",
      message: "throttled",
      awsCode: "ThrottlingException",
      action: "ecs:UpdateService",
    });
    const e = awsError(fromPort, ctx);
    expect(e).toMatchObject({
      code: "AWS_ERROR",
      message: "throttled",
      target: "prod-eu",
      account: "222222222222",
      resource: ctx.resource,
      awsCode: "ThrottlingException",
    });
    expect(e.hint).toMatch(/re-run the command/);
  });
});

describe("callAws", () => {
  it("stops waiting for the answer when the signal aborts", async () => {
    const ctl = new AbortController();
    const never = new Promise<string>(() => undefined);
    const call = callAws(ctx, ctl.signal, () => never);
    ctl.abort();
    await expect(call).rejects.toBeInstanceOf(CallAborted);
  });

  it("does not call at all when already aborted", async () => {
    const ctl = new AbortController();
    ctl.abort();
    let called = false;
    await expect(callAws(ctx, ctl.signal, async () => ((called = true), 1))).rejects.toBeInstanceOf(CallAborted);
    expect(called).toBe(false);
  });
});
