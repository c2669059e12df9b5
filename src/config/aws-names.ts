// Parsing and showing AWS identifiers: IAM role ARNs, ECR repository URIs, task-definition ARNs and
// image digests. One place, so every output names them the same way.

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

export interface EcrRepository {
  account: string;
  region: string;
  /** `shop/api` */
  name: string;
  /** `111111111111.dkr.ecr.eu-west-1.amazonaws.com` */
  registry: string;
}

const ECR_URI = /^((\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?)\/(.+)$/;

export function parseEcrRepository(uri: string): EcrRepository | undefined {
  const m = ECR_URI.exec(uri);
  return m ? { registry: m[1]!, account: m[2]!, region: m[3]!, name: m[4]! } : undefined;
}

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

/** `sha256:` and the first 12 hex digits: enough to tell digests apart in a table. */
export function shortDigest(digest: string): string {
  return digest.startsWith("sha256:") ? digest.slice(0, 7 + 12) : digest;
}
