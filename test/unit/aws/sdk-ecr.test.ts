import { beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  DescribeImagesCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  ImageNotFoundException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
} from "@aws-sdk/client-ecr";
import { createEcrPort } from "../../../src/aws/sdk-ecr.js";
import type { DeployerError } from "../../../src/errors.js";
import { parseRepositoryUri, repositoryArn } from "../../../src/config/aws-names.js";

const ecrMock = mockClient(ECRClient);
const port = createEcrPort(new ECRClient({ region: "eu-west-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } }));
const repo = parseRepositoryUri("111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api");
const digest = "sha256:" + "a".repeat(64);

beforeEach(() => ecrMock.reset());

describe("findImage", () => {
  it("looks an image up by tag in the repository's registry", async () => {
    ecrMock.on(DescribeImagesCommand).resolves({
      imageDetails: [
        {
          imageDigest: digest,
          imageTags: ["abc123", "latest"],
          imagePushedAt: new Date("2024-05-01T08:00:00.000Z"),
          repositoryName: "shop/api",
        },
      ],
    });
    const image = await port.findImage(repo, { tag: "abc123" });
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      registryId: "111111111111",
      repositoryName: "shop/api",
      imageIds: [{ imageTag: "abc123" }],
    });
    expect(image).toEqual({ digest, tags: ["abc123", "latest"], pushedAt: "2024-05-01T08:00:00.000Z" });
  });

  it("looks an image up by digest", async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: digest }] });
    expect(await port.findImage(repo, { digest })).toEqual({ digest, tags: [] });
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0]?.args[0].input.imageIds).toEqual([{ imageDigest: digest }]);
  });

  it("returns undefined when the repository has no such image", async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: "The image with imageId {imageTag:'nope'} does not exist", $metadata: {} }));
    expect(await port.findImage(repo, { tag: "nope" })).toBeUndefined();
  });

  it("throws IMAGE_NOT_FOUND naming the repository when the repository does not exist", async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(new RepositoryNotFoundException({ message: "The repository with name 'shop/api' does not exist", $metadata: {} }));
    const err = (await port.findImage(repo, { tag: "abc" }).catch((e: unknown) => e)) as DeployerError;
    expect(err.code).toBe("IMAGE_NOT_FOUND");
    expect(err.message).toContain("shop/api");
    expect(err.message).toContain("111111111111");
    expect(err.resource).toBe("arn:aws:ecr:eu-west-1:111111111111:repository/shop/api");
    expect(err.awsCode).toBe("RepositoryNotFoundException");
  });
});

describe("getRepositoryPolicy", () => {
  it("parses the policy (ECR returns plain JSON)", async () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [{ Sid: "pull", Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: ["ecr:BatchGetImage"] }],
    };
    ecrMock
      .on(GetRepositoryPolicyCommand)
      .resolves({ registryId: "111111111111", repositoryName: "shop/api", policyText: JSON.stringify(policy, null, 2) });
    expect(await port.getRepositoryPolicy(repo)).toEqual(policy);
  });

  it("returns undefined when the repository has no policy", async () => {
    ecrMock.on(GetRepositoryPolicyCommand).rejects(new RepositoryPolicyNotFoundException({ message: "no policy", $metadata: {} }));
    expect(await port.getRepositoryPolicy(repo)).toBeUndefined();
  });

  it("maps AccessDenied to ACCESS_DENIED on the repository", async () => {
    ecrMock
      .on(GetRepositoryPolicyCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }));
    await expect(port.getRepositoryPolicy(repo)).rejects.toMatchObject({
      code: "ACCESS_DENIED",
      action: "ecr:GetRepositoryPolicy",
      resource: repositoryArn(repo),
    });
  });
});
