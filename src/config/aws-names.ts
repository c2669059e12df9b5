// AWS identifiers, parsed, built and shown in one place: partitions, ARNs (built from the region's
// partition, never a hard-coded `arn:aws:`), IAM role ARNs, ECR repository URIs, task-definition ARNs
// and image digests. So every module reads and every output names them the same way.
import { DeployerError } from "../errors.js";

// ---------- partitions and ARNs ----------

/** The partition of a region: `aws-cn` for cn-*, `aws-us-gov` for us-gov-*, else `aws`. */
export function partitionOf(region: string): string {
  return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** The DNS suffix of a region's endpoints (and ECR registry hosts). */
export function dnsSuffixOf(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

/** `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, the partition taken from the region. */
export function regionalArn(service: string, region: string, account: string, resource: string): string {
  return `arn:${partitionOf(region)}:${service}:${region}:${account}:${resource}`;
}

/** `arn:PARTITION:iam::ACCOUNT:root`: the account as a principal, in the partition of `region`. */
export function accountRootArn(account: string, region: string): string {
  return `arn:${partitionOf(region)}:iam::${account}:root`;
}

/** The ARN of an ECS service (a cluster given as an ARN is reduced to its name). */
export function ecsServiceArn(t: { region: string; account: string; cluster: string; service: string }): string {
  const cluster = t.cluster.startsWith("arn:") ? t.cluster.slice(t.cluster.lastIndexOf("/") + 1) : t.cluster;
  return regionalArn("ecs", t.region, t.account, `service/${cluster}/${t.service}`);
}

// ---------- IAM ----------

export interface RoleArn {
  partition: string;
  account: string;
  /** Path and name: `service-role/deployer`. */
  name: string;
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(.+)$/;

export function parseRoleArn(arn: string): RoleArn | undefined {
  const m = ROLE_ARN.exec(arn);
  return m ? { partition: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/** A role's name (without its path) from a role ARN; a plain name is returned as it is. */
export function roleNameOf(roleNameOrArn: string): string {
  const role = parseRoleArn(roleNameOrArn);
  return role ? role.name.slice(role.name.lastIndexOf("/") + 1) : roleNameOrArn;
}

/** The account of an IAM or STS ARN (roles, users, assumed roles); undefined for anything else. */
export function accountOfArn(arn: string): string | undefined {
  return /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

// ---------- ECR ----------

/** An ECR repository, as `image.repository` and `imageRepository` name it (the ECR port's RepositoryRef). */
export interface EcrRepository {
  /** 12-digit registry (account) id. */
  registryId: string;
  region: string;
  /** e.g. shop/api */
  name: string;
  /** full URI: ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME */
  uri: string;
}

// Repository names: lower-case components separated by `/`, each [a-z0-9] runs joined by . _ - (ECR's rule).
const ECR_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/** An ECR repository URI read, or why it is not one. */
function readEcrRepository(uri: string): EcrRepository | { problem: string } {
  const trimmed = uri.trim();
  if (/^[a-z]+:\/\//i.test(trimmed)) return { problem: "no scheme: drop the https://" };
  const slash = trimmed.indexOf("/");
  if (slash < 0) return { problem: "no repository name after the host" };
  const host = trimmed.slice(0, slash).toLowerCase();
  const name = trimmed.slice(slash + 1);
  const m = ECR_HOST.exec(host);
  if (!m) return { problem: `host "${host}" is not ACCOUNT.dkr.ecr.REGION.amazonaws.com` };
  if (name.includes("@") || /:[^/]*$/.test(name)) return { problem: "a repository URI has no tag or digest" };
  if (!ECR_NAME.test(name))
    return { problem: `repository name "${name}" is not a valid ECR name (lower case letters, digits, . _ - and /)` };
  return { registryId: m[1]!, region: m[2]!, name, uri: `${host}/${name}` };
}

/** An ECR repository URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/NAME), or undefined when it is not one. */
export function parseEcrRepository(uri: string): EcrRepository | undefined {
  const r = readEcrRepository(uri);
  return "problem" in r ? undefined : r;
}

/** Parse an ECR repository URI. Throws CONFIG_INVALID naming what is wrong with it. */
export function parseRepositoryUri(uri: string): EcrRepository {
  const r = readEcrRepository(uri);
  if (!("problem" in r)) return r;
  throw new DeployerError({
    code: "CONFIG_INVALID",
    message: `Not an ECR repository URI: "${uri}" (${r.problem})`,
    hint: "Write it as ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME, e.g. 111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api, without a tag or digest.",
  });
}

/** The URI of a repository reference, as users write it. */
export function repositoryUri(ref: Pick<EcrRepository, "registryId" | "region" | "name">): string {
  return `${ref.registryId}.dkr.ecr.${ref.region}.${dnsSuffixOf(ref.region)}/${ref.name}`;
}

/** arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME */
export function repositoryArn(ref: Pick<EcrRepository, "registryId" | "region" | "name">): string {
  return regionalArn("ecr", ref.region, ref.registryId, `repository/${ref.name}`);
}

// ---------- ECS task definitions ----------

export interface TaskDefinitionRef {
  /** `family:revision` (or the input, when it has no revision). */
  name: string;
  family: string;
  revision?: number;
}

/** Family and revision of a task-definition ARN or `family:revision`. */
export function parseTaskDefinitionRef(arnOrName: string): TaskDefinitionRef {
  const i = arnOrName.indexOf(":task-definition/");
  const name = i >= 0 ? arnOrName.slice(i + ":task-definition/".length) : arnOrName;
  const m = /^(.*):(\d+)$/.exec(name);
  return m ? { name, family: m[1]!, revision: Number(m[2]) } : { name, family: name };
}

/** `family:revision` of a task-definition ARN (the input unchanged when it is not an ARN). */
export function taskDefinitionName(arn: string): string {
  return parseTaskDefinitionRef(arn).name;
}

// ---------- image digests ----------

/** An image digest: `sha256:` and 64 lower-case hex digits. */
export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isImageDigest(s: string): boolean {
  return IMAGE_DIGEST.test(s);
}

/** The digest an image reference is pinned to (`REPO@sha256:…`), if it is. */
export function pinnedDigest(imageRef: string): string | undefined {
  const at = imageRef.lastIndexOf("@");
  if (at < 0) return undefined;
  const digest = imageRef.slice(at + 1);
  return isImageDigest(digest) ? digest : undefined;
}

/** `sha256:` and the first 12 hex digits: enough to tell digests apart in a table. */
export function shortDigest(digest: string): string {
  return digest.startsWith("sha256:") ? digest.slice(0, 7 + 12) : digest;
}
