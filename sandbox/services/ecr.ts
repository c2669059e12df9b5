// ECR (JSON 1.1, AmazonEC2ContainerRegistry_V20150921): repository and image reads. Another account
// may read a repository only where its repository policy grants it (explicit account principals,
// role ARNs, aws:PrincipalOrgID ...), evaluated together with the caller's identity policies.
import { AwsError } from "../aws-error.js";
import type { CallContext } from "../call-context.js";
import type { EcrImage, EcrRepository } from "../world.js";

type Json = Record<string, unknown>;
export type EcrAction = (ctx: CallContext, input: Json) => Promise<Json>;

const MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
const secs = (ms: number): number => ms / 1000;

function registryOf(ctx: CallContext, input: Json): string {
  return typeof input.registryId === "string" && input.registryId ? input.registryId : ctx.account;
}

function repositoryNotFound(name: string, registry: string): AwsError {
  return new AwsError(
    "RepositoryNotFoundException",
    `The repository with name '${name}' does not exist in the registry with id '${registry}'`,
  );
}

/** Authorises `action` on the repository (resource policy included) and returns it. */
async function repository(ctx: CallContext, action: string, input: Json): Promise<EcrRepository> {
  const registry = registryOf(ctx, input);
  const name = typeof input.repositoryName === "string" ? input.repositoryName : "";
  if (!name)
    throw new AwsError(
      "InvalidParameterException",
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must not be null'",
    );
  const repo = ctx.world.account(registry)?.regions.get(ctx.region)?.repositories.get(name);
  const arn = repo?.arn ?? `arn:aws:ecr:${ctx.region}:${registry}:repository/${name}`;
  if (!repo) {
    // Identity side only: a missing repository is reported as missing to a caller allowed to look.
    await ctx.authorize(action, arn, { resourceAccount: ctx.account });
    throw repositoryNotFound(name, registry);
  }
  await ctx.authorize(action, arn, { resourceAccount: registry, resourcePolicy: repo.policy });
  return repo;
}

interface ImageId {
  imageTag?: string;
  imageDigest?: string;
}

function findImage(repo: EcrRepository, id: ImageId): EcrImage | undefined {
  return repo.images.find(
    (i) => (id.imageDigest === undefined || i.digest === id.imageDigest) && (id.imageTag === undefined || i.tags.includes(id.imageTag)),
  );
}

function imageIdText(id: ImageId): string {
  return `{imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'}`;
}

function renderRepository(r: EcrRepository): Json {
  return {
    repositoryArn: r.arn,
    registryId: r.registryId,
    repositoryName: r.name,
    repositoryUri: r.uri,
    createdAt: secs(r.createdAt),
    imageTagMutability: "MUTABLE",
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfiguration: { encryptionType: "AES256" },
  };
}

function renderImageDetail(r: EcrRepository, i: EcrImage): Json {
  return {
    registryId: r.registryId,
    repositoryName: r.name,
    imageDigest: i.digest,
    ...(i.tags.length > 0 ? { imageTags: i.tags } : {}),
    imageSizeInBytes: i.sizeBytes,
    imagePushedAt: secs(i.pushedAt),
    imageManifestMediaType: MANIFEST_TYPE,
    artifactMediaType: "application/vnd.docker.container.image.v1+json",
  };
}

export const ecrActions: Record<string, EcrAction> = {
  async DescribeRepositories(ctx, input) {
    const registry = registryOf(ctx, input);
    const names = Array.isArray(input.repositoryNames) ? (input.repositoryNames as string[]) : undefined;
    const all = ctx.world.account(registry)?.regions.get(ctx.region)?.repositories ?? new Map<string, EcrRepository>();
    const out: Json[] = [];
    if (names) {
      for (const name of names)
        out.push(renderRepository(await repository(ctx, "ecr:DescribeRepositories", { registryId: registry, repositoryName: name })));
    } else {
      for (const repo of all.values()) {
        await ctx.authorize("ecr:DescribeRepositories", repo.arn, { resourceAccount: registry, resourcePolicy: repo.policy });
        out.push(renderRepository(repo));
      }
    }
    return { repositories: out };
  },

  async DescribeImages(ctx, input) {
    const repo = await repository(ctx, "ecr:DescribeImages", input);
    const ids = Array.isArray(input.imageIds) ? (input.imageIds as ImageId[]) : undefined;
    if (!ids) {
      const tagStatus = (input.filter as { tagStatus?: string } | undefined)?.tagStatus ?? "ANY";
      const images = repo.images.filter((i) => tagStatus === "ANY" || (tagStatus === "TAGGED") === i.tags.length > 0);
      return { imageDetails: images.map((i) => renderImageDetail(repo, i)) };
    }
    const details: Json[] = [];
    for (const id of ids) {
      const img = findImage(repo, id);
      if (!img) {
        throw new AwsError(
          "ImageNotFoundException",
          `The image with imageId ${imageIdText(id)} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.registryId}'`,
        );
      }
      details.push(renderImageDetail(repo, img));
    }
    return { imageDetails: details };
  },

  async BatchGetImage(ctx, input) {
    const repo = await repository(ctx, "ecr:BatchGetImage", input);
    const ids = Array.isArray(input.imageIds) ? (input.imageIds as ImageId[]) : [];
    if (ids.length === 0)
      throw new AwsError(
        "InvalidParameterException",
        "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length greater than or equal to 1'",
      );
    const images: Json[] = [];
    const failures: Json[] = [];
    for (const id of ids) {
      const img = findImage(repo, id);
      if (!img) {
        const digestOnly = id.imageDigest !== undefined && id.imageTag === undefined;
        const tagMismatch =
          id.imageDigest !== undefined && id.imageTag !== undefined && repo.images.some((i) => i.tags.includes(id.imageTag!));
        failures.push({
          imageId: id,
          failureCode: tagMismatch ? "ImageTagDoesNotMatchDigest" : "ImageNotFound",
          failureReason: tagMismatch
            ? "Invalid image tag for image digest"
            : digestOnly
              ? "Requested image not found"
              : "Requested image not found",
        });
        continue;
      }
      images.push({
        registryId: repo.registryId,
        repositoryName: repo.name,
        imageId: { imageDigest: img.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
        imageManifest: img.manifest,
        imageManifestMediaType: MANIFEST_TYPE,
      });
    }
    return { images, failures };
  },

  async GetRepositoryPolicy(ctx, input) {
    const repo = await repository(ctx, "ecr:GetRepositoryPolicy", input);
    if (!repo.policy) {
      throw new AwsError(
        "RepositoryPolicyNotFoundException",
        `Repository policy does not exist for the repository with name '${repo.name}' in the registry with id '${repo.registryId}'`,
      );
    }
    return { registryId: repo.registryId, repositoryName: repo.name, policyText: JSON.stringify(repo.policy, null, 2) };
  },

  async DescribeRegistry(ctx) {
    await ctx.authorize("ecr:DescribeRegistry", "*");
    const rules = ctx.world.replication.get(ctx.account)?.filter((r) => r.sourceRegion === ctx.region) ?? [];
    return {
      registryId: ctx.account,
      replicationConfiguration: {
        rules: rules.map((r) => ({
          destinations: r.destinations,
          ...(r.repositoryFilters ? { repositoryFilters: r.repositoryFilters } : {}),
        })),
      },
    };
  },
};
