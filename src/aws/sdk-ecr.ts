// EcrPort over @aws-sdk/client-ecr. The client must be in the repository's region.
import { DescribeImagesCommand, GetRepositoryPolicyCommand, ECRClient, type ImageIdentifier } from "@aws-sdk/client-ecr";
import { DeployerError } from "../errors.js";
import { isAwsError, toDeployerError } from "./aws-error.js";
import { isoDate } from "./json-safe.js";
import { parsePolicyDocument } from "./policy-document.js";
import type { PortContext } from "./port-context.js";
import type { EcrPort, ImageDetail, RepositoryRef } from "./ports.js";
import { repositoryArn } from "../config/aws-names.js";

/** The port over a client of its own made with `config` (region, credentials, retries, endpoint): what sessions use. */
export function ecrPortWith(config: Record<string, unknown>, context: PortContext = {}): EcrPort {
  return createEcrPort(new ECRClient(config), context);
}

export function createEcrPort(client: ECRClient, context: PortContext = {}): EcrPort {
  const repositoryMissing = (repo: RepositoryRef, action: string, cause: unknown): DeployerError =>
    new DeployerError({
      code: "IMAGE_NOT_FOUND",
      message: `Repository ${repo.name} does not exist in registry ${repo.registryId} (${repo.region})`,
      target: context.target,
      account: context.account,
      action,
      resource: repositoryArn(repo),
      awsCode: "RepositoryNotFoundException",
      awsMessage: cause instanceof Error ? cause.message : undefined,
      hint: `Check the repository URI ${repo.uri}: account, region and name must match an existing ECR repository.`,
      cause,
    });

  return {
    async findImage(repo, ref) {
      const imageId: ImageIdentifier = "digest" in ref ? { imageDigest: ref.digest } : { imageTag: ref.tag };
      let out;
      try {
        out = await client.send(new DescribeImagesCommand({ registryId: repo.registryId, repositoryName: repo.name, imageIds: [imageId] }));
      } catch (e) {
        if (isAwsError(e, "ImageNotFoundException")) return undefined;
        if (isAwsError(e, "RepositoryNotFoundException")) throw repositoryMissing(repo, "ecr:DescribeImages", e);
        throw toDeployerError(e, {
          ...context,
          action: "ecr:DescribeImages",
          // The ARN: what an IAM policy names, so the ACCESS_DENIED hint can be pasted as is.
          resource: repositoryArn(repo),
        });
      }
      const detail =
        out.imageDetails?.find((d) => ("digest" in ref ? d.imageDigest === ref.digest : (d.imageTags ?? []).includes(ref.tag))) ??
        out.imageDetails?.[0];
      if (!detail?.imageDigest) return undefined;
      const image: ImageDetail = { digest: detail.imageDigest, tags: detail.imageTags ?? [] };
      const pushedAt = isoDate(detail.imagePushedAt);
      if (pushedAt) image.pushedAt = pushedAt;
      return image;
    },

    async getRepositoryPolicy(repo) {
      let out;
      try {
        out = await client.send(new GetRepositoryPolicyCommand({ registryId: repo.registryId, repositoryName: repo.name }));
      } catch (e) {
        if (isAwsError(e, "RepositoryPolicyNotFoundException")) return undefined;
        if (isAwsError(e, "RepositoryNotFoundException")) throw repositoryMissing(repo, "ecr:GetRepositoryPolicy", e);
        throw toDeployerError(e, { ...context, action: "ecr:GetRepositoryPolicy", resource: repositoryArn(repo) });
      }
      if (!out.policyText) return undefined;
      try {
        return parsePolicyDocument(out.policyText, { action: "ecr:GetRepositoryPolicy", resource: repositoryArn(repo), urlEncoded: false });
      } catch (e) {
        throw toDeployerError(e, { ...context, action: "ecr:GetRepositoryPolicy", resource: repositoryArn(repo) });
      }
    },
  };
}
