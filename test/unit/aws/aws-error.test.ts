import { describe, expect, it } from "vitest";
import { ClusterNotFoundException } from "@aws-sdk/client-ecs";
import { isAwsError, redactSecrets, toDeployerError } from "../../../src/aws/aws-error.js";
import { DeployerError } from "../../../src/errors.js";

const sdkError = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: 400, attempts: 1 }, ...extra });

describe("toDeployerError", () => {
  it.each(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"])(
    "maps %s to ACCESS_DENIED quoting action and resource",
    (name) => {
      const e = toDeployerError(sdkError(name, "User: arn:aws:sts::1:assumed-role/x is not authorized"), {
        action: "ecs:UpdateService",
        resource: "arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api",
        target: "dev",
        account: "222222222222",
      });
      expect(e).toBeInstanceOf(DeployerError);
      expect(e).toMatchObject({
        code: "ACCESS_DENIED",
        awsCode: name,
        action: "ecs:UpdateService",
        target: "dev",
        account: "222222222222",
      });
      expect(e.hint).toContain("ecs:UpdateService");
      expect(e.hint).toContain("arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api");
      expect(e.awsMessage).toContain("is not authorized");
    },
  );

  it("maps expired tokens to CREDENTIALS_EXPIRED with a hint naming the fixes", () => {
    const e = toDeployerError(sdkError("ExpiredTokenException", "The security token included in the request is expired"), {
      action: "sts:AssumeRole",
    });
    expect(e.code).toBe("CREDENTIALS_EXPIRED");
    expect(e.awsCode).toBe("ExpiredTokenException");
    expect(e.message).toMatch(/expired/i);
    expect(e.hint).toContain("role-duration-seconds");
    expect(e.hint).toContain("role-to-assume");
    // With the base credentials' source and fix known, the hint says where they came from.
    const known = toDeployerError(sdkError("ExpiredToken", "The security token included in the request is expired"), {
      action: "ecs:DescribeServices",
      credentials: { source: "the environment", fix: "Use role-to-assume." },
    });
    expect(known).toMatchObject({
      code: "CREDENTIALS_EXPIRED",
      hint: "The base credentials (from the environment) expired. Use role-to-assume.",
    });
  });

  it("maps throttling (after the SDK's retries) to AWS_ERROR saying how many attempts were made", () => {
    const e = toDeployerError(sdkError("ThrottlingException", "Rate exceeded", { $metadata: { httpStatusCode: 400, attempts: 6 } }), {
      action: "ecs:DescribeServices",
      resource: "shop-dev/api",
    });
    expect(e.code).toBe("AWS_ERROR");
    expect(e.message).toContain("6 attempts");
    expect(e.hint).toContain("maxParallel");
  });

  it("names the endpoint on connection errors: ENDPOINT_UNREACHABLE, never a credentials hint", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4566"), {
      code: "ECONNREFUSED",
      address: "127.0.0.1",
      port: 4566,
      $metadata: { attempts: 6 },
    });
    const e = toDeployerError(refused, { action: "ecs:DescribeServices", credentials: { source: "the environment", fix: "x" } });
    expect(e).toMatchObject({ code: "ENDPOINT_UNREACHABLE", awsCode: "ECONNREFUSED" });
    expect(e.message).toContain("127.0.0.1:4566");
    expect(e.message).toContain("connection refused");
    expect(e.message).toContain("6 attempts");
    expect(e.hint).not.toMatch(/credential/i);

    const dns = Object.assign(new Error("getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com"), {
      code: "ENOTFOUND",
      hostname: "sts.eu-west-1.amazonaws.com",
    });
    expect(toDeployerError(dns, { action: "sts:GetCallerIdentity", endpoint: "https://sts.eu-west-1.amazonaws.com" })).toMatchObject({
      code: "ENDPOINT_UNREACHABLE",
      awsCode: "ENOTFOUND",
      message: "sts:GetCallerIdentity: could not reach https://sts.eu-west-1.amazonaws.com (DNS lookup failed)",
    });
    const tls = Object.assign(new Error("unable to verify the first certificate"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    expect(toDeployerError(tls, { action: "sts:GetCallerIdentity", endpoint: "https://proxy.example" })).toMatchObject({
      code: "ENDPOINT_UNREACHABLE",
      message: expect.stringContaining("TLS handshake failed"),
    });

    const hangup = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const e2 = toDeployerError(hangup, { action: "sts:AssumeRole", endpoint: "http://127.0.0.1:9999" });
    expect(e2.message).toContain("http://127.0.0.1:9999");
    expect(e2.hint).toContain("http://127.0.0.1:9999");

    const timeout = Object.assign(
      new Error("@smithy/node-http-handler - [ERROR] a request has exceeded the configured 100 ms requestTimeout."),
      { name: "TimeoutError", code: "ETIMEDOUT" },
    );
    const e3 = toDeployerError(timeout, { action: "ecs:UpdateService", endpoint: "https://ecs.eu-west-1.amazonaws.com" });
    expect(e3.message).toContain("timed out");
    expect(e3.message).toContain("https://ecs.eu-west-1.amazonaws.com");
  });

  it("maps modelled ECS exceptions to their codes", () => {
    const e = toDeployerError(new ClusterNotFoundException({ message: "Cluster not found.", $metadata: {} }), {
      action: "ecs:DescribeServices",
      resource: "shop-dev",
    });
    expect(e).toMatchObject({ code: "CLUSTER_NOT_FOUND", awsCode: "ClusterNotFoundException", awsMessage: "Cluster not found." });
  });

  it("maps a missing credential chain to a hint on how to provide credentials", () => {
    const e = toDeployerError(
      Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
      { action: "sts:GetCallerIdentity" },
    );
    expect(e.code).toBe("AWS_ERROR");
    expect(e.hint).toContain("AWS_PROFILE");
  });

  it("says when AWS failed server-side", () => {
    const e = toDeployerError(
      Object.assign(new Error("We encountered an internal error."), {
        name: "ServerException",
        $fault: "server",
        $metadata: { httpStatusCode: 500 },
      }),
      { action: "ecs:UpdateService", resource: "shop-dev/api" },
    );
    expect(e.code).toBe("AWS_ERROR");
    expect(e.message).toContain("HTTP 500");
    expect(e.hint).toMatch(/server-side/);
  });

  it("passes DeployerErrors through, filling in the target", () => {
    const original = new DeployerError({ code: "ASSUME_ROLE_DENIED", message: "x", action: "sts:AssumeRole" });
    const e = toDeployerError(original, { action: "ecs:DescribeServices", target: "dev", account: "222222222222" });
    expect(e).toMatchObject({ code: "ASSUME_ROLE_DENIED", action: "sts:AssumeRole", target: "dev", account: "222222222222" });
    const already = new DeployerError({ code: "TIMEOUT", message: "t", target: "prod" });
    expect(toDeployerError(already, { action: "a", target: "dev" })).toBe(already);
  });

  it("never carries credentials in the message", () => {
    const token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD" + "A".repeat(120);
    const e = toDeployerError(
      sdkError(
        "SignatureDoesNotMatch",
        `The request signature we calculated does not match. X-Amz-Security-Token=${token}&X-Amz-Signature=${"f".repeat(64)} secretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`,
      ),
      { action: "sts:GetCallerIdentity" },
    );
    const text = JSON.stringify(e.toJSON());
    expect(text).not.toContain(token.slice(0, 60));
    expect(text).not.toContain("f".repeat(64));
    expect(text).not.toContain("wJalrXUtnFEMI");
    expect(e.hint).toMatch(/credentials/);
  });
});

describe("redactSecrets / isAwsError", () => {
  it("keeps ARNs and access key ids", () => {
    const msg = "User: arn:aws:iam::111111111111:user/ci (AKIASANDBOXCI0000001) is not authorized";
    expect(redactSecrets(msg)).toBe(msg);
  });
  it("matches on the error name", () => {
    expect(isAwsError(sdkError("ImageNotFoundException", "x"), "RepositoryNotFoundException", "ImageNotFoundException")).toBe(true);
    expect(isAwsError(new Error("ImageNotFoundException"), "ImageNotFoundException")).toBe(false);
    expect(isAwsError("nope", "x")).toBe(false);
  });
});
