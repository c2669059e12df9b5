// ECR repository URIs: ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/NAME, the form `image.repository`
// and `imageRepository` are written in.
import { DeployerError } from "../errors.js";
import type { RepositoryRef } from "./ports.js";

// Repository names: lower-case components separated by `/`, each [a-z0-9] runs joined by . _ - (ECR's rule).
const NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/** Parse an ECR repository URI. Throws CONFIG_INVALID naming what is wrong with it. */
export function parseRepositoryUri(uri: string): RepositoryRef {
  const fail = (why: string): never => {
    throw new DeployerError({
      code: "CONFIG_INVALID",
      message: `Not an ECR repository URI: "${uri}" (${why})`,
      hint: "Write it as ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME, e.g. 111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api, without a tag or digest.",
    });
  };
  const trimmed = uri.trim();
  if (/^[a-z]+:\/\//i.test(trimmed)) fail("no scheme: drop the https://");
  const slash = trimmed.indexOf("/");
  if (slash < 0) fail("no repository name after the host");
  const host = trimmed.slice(0, slash).toLowerCase();
  const name = trimmed.slice(slash + 1);
  const m = HOST.exec(host);
  if (!m) fail(`host "${host}" is not ACCOUNT.dkr.ecr.REGION.amazonaws.com`);
  if (name.includes("@") || /:[^/]*$/.test(name)) fail("a repository URI has no tag or digest");
  if (!NAME.test(name)) fail(`repository name "${name}" is not a valid ECR name (lower case letters, digits, . _ - and /)`);
  const [, registryId, region] = m as RegExpExecArray;
  return { registryId: registryId as string, region: region as string, name, uri: `${host}/${name}` };
}

/** The URI of a repository reference, as users write it. */
export function repositoryUri(ref: Pick<RepositoryRef, "registryId" | "region" | "name">): string {
  const suffix = ref.region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `${ref.registryId}.dkr.ecr.${ref.region}.${suffix}/${ref.name}`;
}

/** arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME */
export function repositoryArn(ref: Pick<RepositoryRef, "registryId" | "region" | "name">): string {
  const partition = ref.region.startsWith("cn-") ? "aws-cn" : ref.region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  return `arn:${partition}:ecr:${ref.region}:${ref.registryId}:repository/${ref.name}`;
}
