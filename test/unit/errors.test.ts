import { describe, expect, it } from "vitest";
import { DeployerError, withErrorContext } from "../../src/errors.js";

describe("withErrorContext", () => {
  const inner = new DeployerError({
    code: "ACCESS_DENIED",
    message: "denied",
    action: "ecs:UpdateService",
    awsCode: "AccessDeniedException",
    location: { file: "f.yaml", line: 3, column: 1 },
  });

  it("fills only what the error lacks; the error's own fields win", () => {
    const e = withErrorContext(inner, { target: "dev", account: "222222222222", action: "ecs:Other", resource: "arn:x", hint: "h" });
    expect(e).not.toBe(inner);
    expect(e.toJSON()).toEqual({
      code: "ACCESS_DENIED",
      message: "denied",
      target: "dev",
      account: "222222222222",
      action: "ecs:UpdateService",
      resource: "arn:x",
      awsCode: "AccessDeniedException",
      hint: "h",
      location: { file: "f.yaml", line: 3, column: 1 },
    });
    expect(e.cause).toBe(inner);
  });

  it("returns the error itself when nothing is missing", () => {
    expect(withErrorContext(inner, { action: "ecs:Other" })).toBe(inner);
    expect(withErrorContext(inner, {})).toBe(inner);
  });
});
