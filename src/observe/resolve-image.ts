// Resolve `--image` once per run: a tag (typically the git sha), a digest (`sha256:…`), or
// `REPOSITORY@sha256:…` / `REPOSITORY:TAG` naming the central repository. Looked up in the central
// repository with the base credentials, or as `image.registryRole` when set. Every target then gets
// the same digest.
import { toDeployerError } from "../aws/aws-error.js";
import type { EcrPort, ImageDetail, RepositoryRef, SessionFactory } from "../aws/ports.js";
import type { DeployerConfig, ResolvedImage } from "../config/types.js";
import { DeployerError, isDeployerError } from "../errors.js";
import { parseRepositoryUri, isImageDigest } from "../config/aws-names.js";

// Docker tag grammar.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export type ImageQuery = { tag: string } | { digest: string };

/** Parse the `--image` argument against the configured central repository. */
export function parseImageRef(ref: string, repository: RepositoryRef): ImageQuery {
  const input = ref.trim();
  const bad = (why: string, hint: string): never => {
    throw new DeployerError({ code: "IMAGE_NOT_FOUND", message: `--image ${JSON.stringify(ref)}: ${why}`, field: "image", hint });
  };
  const usage = `Pass a tag (--image 3f2a9c1), a digest (--image sha256:…), or ${repository.uri}@sha256:….`;
  if (input === "") bad("empty image reference", usage);

  let rest = input;
  const at = input.indexOf("@");
  const lastSlash = input.lastIndexOf("/");
  const tagColon = input.indexOf(":", lastSlash + 1);
  if (at >= 0 || lastSlash >= 0) {
    const repoPart = at >= 0 ? input.slice(0, at) : tagColon > 0 ? input.slice(0, tagColon) : input;
    if (repoPart.toLowerCase() !== repository.uri.toLowerCase()) {
      bad(
        `names repository ${repoPart}, but deployer.yaml's image.repository is ${repository.uri}`,
        `deployer deploys images of ${repository.uri} only. ${usage}`,
      );
    }
    rest = at >= 0 ? input.slice(at + 1) : tagColon > 0 ? input.slice(tagColon + 1) : bad("no tag or digest after the repository", usage);
  }
  if (rest.startsWith("sha256:")) {
    if (!isImageDigest(rest)) bad("a digest is sha256: followed by 64 lower-case hex characters", usage);
    return { digest: rest };
  }
  if (!TAG.test(rest)) bad("not a valid image tag (letters, digits, _ . -, at most 128, not starting with . or -)", usage);
  return { tag: rest };
}

/** The configuration as one service's images see it: its own image repository (and registry role). */
export function serviceImageConfig(config: DeployerConfig, serviceKey: string): DeployerConfig {
  const service = config.services.find((s) => s.key === serviceKey);
  return service && service.image !== config.image ? { ...config, image: service.image } : config;
}

async function centralEcr(config: DeployerConfig, sessions: SessionFactory, repo: RepositoryRef): Promise<EcrPort> {
  if (config.image.registryRole) {
    const { ecr } = await sessions.registry({
      roleArn: config.image.registryRole,
      region: repo.region,
      sessionName: `deployer-${config.service}-registry`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64),
      ...(config.image.registryExternalId !== undefined ? { externalId: config.image.registryExternalId } : {}),
    });
    return ecr;
  }
  return (await sessions.base(repo.region)).ecr;
}

/**
 * Resolve the image once for the run. Throws DeployerError IMAGE_NOT_FOUND (unknown tag or digest,
 * missing repository, malformed reference), ASSUME_ROLE_DENIED (registry role), or the AWS error.
 */
export async function resolveImage(config: DeployerConfig, sessions: SessionFactory, ref: string): Promise<ResolvedImage> {
  let repo: RepositoryRef;
  try {
    repo = parseRepositoryUri(config.image.repository);
  } catch (e) {
    if (isDeployerError(e))
      throw new DeployerError({
        code: e.code,
        message: `image.repository in ${config.file}: ${e.message}`,
        hint: e.hint,
        field: "image.repository",
        cause: e,
      });
    throw e;
  }
  const query = parseImageRef(ref, repo);
  const asked = "tag" in query ? `tag ${query.tag}` : `digest ${query.digest}`;
  const how = config.image.registryRole ? `as ${config.image.registryRole}` : "with the base credentials";

  let ecr: EcrPort;
  try {
    ecr = await centralEcr(config, sessions, repo);
  } catch (e) {
    const err = isDeployerError(e)
      ? e
      : toDeployerError(e, { action: "sts:AssumeRole", resource: config.image.registryRole ?? "base credentials" });
    throw new DeployerError({
      code: err.code,
      message: `cannot read the central repository ${repo.uri} ${how}: ${err.message}`,
      action: err.action,
      resource: err.resource,
      awsCode: err.awsCode,
      awsMessage: err.awsMessage,
      field: config.image.registryRole ? "image.registryRole" : undefined,
      hint: err.hint,
      cause: err,
    });
  }

  let detail: ImageDetail | undefined;
  try {
    detail = await ecr.findImage(repo, query);
  } catch (e) {
    const err = toDeployerError(e, { action: "ecr:DescribeImages", resource: repo.uri });
    if (err.code === "IMAGE_NOT_FOUND") {
      throw new DeployerError({
        code: "IMAGE_NOT_FOUND",
        message: `repository ${repo.uri} does not exist (looking for ${asked})`,
        action: "ecr:DescribeImages",
        resource: repo.uri,
        awsCode: err.awsCode,
        awsMessage: err.awsMessage,
        field: "image.repository",
        hint: `Check image.repository in ${config.file}: account ${repo.registryId}, region ${repo.region}, name ${repo.name}.`,
        cause: err,
      });
    }
    throw new DeployerError({
      code: err.code,
      message: `looking up ${asked} in ${repo.uri} ${how} failed: ${err.message}`,
      action: "ecr:DescribeImages",
      resource: repo.uri,
      awsCode: err.awsCode,
      awsMessage: err.awsMessage,
      hint:
        err.code === "ACCESS_DENIED"
          ? `Allow ecr:DescribeImages on ${repo.uri} for the identity deployer reads the registry ${how}${config.image.registryRole ? "" : " (or set image.registryRole)"}.`
          : err.hint,
      cause: err,
    });
  }

  if (!detail) {
    const imageId = "tag" in query ? `imageTag=${query.tag}` : `imageDigest=${query.digest}`;
    throw new DeployerError({
      code: "IMAGE_NOT_FOUND",
      message: `${asked} is not in ${repo.uri}`,
      action: "ecr:DescribeImages",
      resource: repo.uri,
      awsCode: "ImageNotFoundException",
      hint:
        ("tag" in query ? `Has CI pushed it? docker push ${repo.uri}:${query.tag}. ` : "") +
        `Check with: aws ecr describe-images --registry-id ${repo.registryId} --region ${repo.region} --repository-name ${repo.name} --image-ids ${imageId}`,
    });
  }
  if (!isImageDigest(detail.digest)) {
    throw new DeployerError({
      code: "AWS_ERROR",
      message: `ECR returned an unexpected digest "${detail.digest}" for ${asked} in ${repo.uri}`,
      action: "ecr:DescribeImages",
      resource: repo.uri,
    });
  }
  if ("digest" in query && detail.digest !== query.digest) {
    throw new DeployerError({
      code: "AWS_ERROR",
      message: `ECR returned ${detail.digest} when asked for ${query.digest} in ${repo.uri}`,
      action: "ecr:DescribeImages",
      resource: repo.uri,
    });
  }
  const resolved: ResolvedImage = { repository: config.image.repository, digest: detail.digest };
  if ("tag" in query) resolved.tag = query.tag;
  return resolved;
}

/**
 * The same identity's ECR in `region` of the central registry: what the image-pull check reads a
 * replica of the central account with (the central repository replicated into a target's region).
 * One port per region, with shared policy reads.
 */
export function registryEcrIn(config: DeployerConfig, sessions: SessionFactory): (region: string) => Promise<EcrPort> {
  const central = parseRepositoryUri(config.image.repository);
  const ports = new Map<string, Promise<EcrPort>>();
  return (region) => {
    let p = ports.get(region);
    if (!p) {
      p = centralEcr(config, sessions, { ...central, region }).then(withSharedPolicyReads);
      ports.set(region, p);
      p.catch(() => ports.delete(region));
    }
    return p;
  };
}

/** The ECR port the image-pull check reads the central repository policy with (same identity as resolveImage). */
export async function centralRegistryEcr(config: DeployerConfig, sessions: SessionFactory): Promise<EcrPort> {
  return withSharedPolicyReads(await centralEcr(config, sessions, parseRepositoryUri(config.image.repository)));
}

/**
 * Every target's image-pull check reads the same central repository policy: read it once per run
 * (per repository), not once per target. A failed read is not cached, so each target reports it.
 */
export function withSharedPolicyReads(ecr: EcrPort): EcrPort {
  const policies = new Map<string, ReturnType<EcrPort["getRepositoryPolicy"]>>();
  return {
    findImage: (repo, ref) => ecr.findImage(repo, ref),
    getRepositoryPolicy(repo) {
      let p = policies.get(repo.uri);
      if (!p) {
        p = ecr.getRepositoryPolicy(repo);
        policies.set(repo.uri, p);
        p.catch(() => policies.delete(repo.uri));
      }
      return p;
    },
  };
}
