import { describe, expect, it } from "vitest";
import { DeployerError } from "../../../src/errors.js";
import { parseRepositoryUri, repositoryArn, repositoryUri } from "../../../src/config/aws-names.js";

describe("parseRepositoryUri", () => {
  it("parses account, region and a nested name", () => {
    expect(parseRepositoryUri("111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api")).toEqual({
      registryId: "111111111111",
      region: "eu-west-1",
      name: "shop/api",
      uri: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api",
    });
  });

  it("accepts China and GovCloud regions", () => {
    expect(parseRepositoryUri("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app")).toMatchObject({ region: "cn-north-1", name: "app" });
    expect(parseRepositoryUri("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/a.b_c-d")).toMatchObject({
      region: "us-gov-west-1",
      name: "a.b_c-d",
    });
  });

  it.each([
    ["https://111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api", "scheme"],
    ["111111111111.dkr.ecr.eu-west-1.amazonaws.com", "no repository name"],
    ["11111111111.dkr.ecr.eu-west-1.amazonaws.com/shop", "is not ACCOUNT.dkr.ecr"],
    ["docker.io/library/nginx", "is not ACCOUNT.dkr.ecr"],
    ["111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api:latest", "no tag or digest"],
    ["111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@sha256:abc", "no tag or digest"],
    ["111111111111.dkr.ecr.eu-west-1.amazonaws.com/Shop/API", "not a valid ECR name"],
  ])("rejects %s", (uri, why) => {
    let err: unknown;
    try {
      parseRepositoryUri(uri);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeployerError);
    expect((err as DeployerError).code).toBe("CONFIG_INVALID");
    expect((err as DeployerError).message).toContain(why);
    expect((err as DeployerError).message).toContain(uri);
  });

  it("builds the URI and ARN back", () => {
    const ref = parseRepositoryUri("111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api");
    expect(repositoryUri(ref)).toBe(ref.uri);
    expect(repositoryArn(ref)).toBe("arn:aws:ecr:eu-west-1:111111111111:repository/shop/api");
    expect(repositoryArn({ registryId: "1", region: "cn-north-1", name: "x" })).toBe("arn:aws-cn:ecr:cn-north-1:1:repository/x");
  });
});
