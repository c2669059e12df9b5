// What the tasks of a rendered task definition need from AWS when ECS starts them, read from the
// definition itself: the ECR repositories its images come from, the SSM parameters and Secrets
// Manager secrets of `secrets[].valueFrom` and `logConfiguration.secretOptions[].valueFrom`, and the
// CloudWatch Logs groups of the `awslogs` driver. The execution role fetches all of them
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html).
// Pure: no AWS call. ARNs are built in the target's partition.
import type { ContainerDefinition, Target, TaskDefinitionInput } from "../config/types.js";
import { parseEcrRepository, regionalArn, type EcrRepository } from "../config/aws-names.js";

/** Where a `valueFrom` points. */
export type SecretSource =
  | {
      kind: "ssm";
      region: string;
      account: string;
      /** The parameter's name as SSM knows it ("/shop-api/database-url", or "plain"). */
      name: string;
      /** arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME-WITHOUT-LEADING-SLASH: what IAM authorises. */
      arn: string;
    }
  | {
      kind: "secretsmanager";
      region: string;
      account: string;
      /** The secret's ARN (complete or partial), without the json-key/version part of valueFrom. */
      secretId: string;
      jsonKey?: string;
    }
  /** An SSM parameter under /aws/reference/secretsmanager/: a Secrets Manager secret read through SSM. */
  | { kind: "ssm-secret-reference"; region: string; account: string; name: string }
  | { kind: "invalid"; why: string };

export interface SecretNeed {
  container: string;
  /** The environment variable (or log option) it sets. */
  name: string;
  valueFrom: string;
  /** Where in the container definition it is written. */
  field: "secrets" | "logConfiguration.secretOptions";
  source: SecretSource;
}

export interface LogNeed {
  container: string;
  group: string;
  /** awslogs-region (the log group's region), else the task's. */
  region: string;
  /** awslogs-create-group "true": the task creates the group, which needs logs:CreateLogGroup. */
  createGroup: boolean;
  streamPrefix?: string;
}

export interface ImageNeed {
  container: string;
  image: string;
  /** The ECR repository it is pulled from; undefined for other registries (Docker Hub, public.ecr.aws…). */
  repository?: EcrRepository;
}

export interface LaunchNeeds {
  images: ImageNeed[];
  secrets: SecretNeed[];
  logs: LogNeed[];
}

/** An image reference's ECR repository (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME[:tag|@digest]`). */
export function ecrRepositoryOfImage(image: string): EcrRepository | undefined {
  const at = image.indexOf("@");
  let repo = at >= 0 ? image.slice(0, at) : image;
  const slash = repo.lastIndexOf("/");
  const colon = repo.lastIndexOf(":");
  if (colon > slash) repo = repo.slice(0, colon);
  return parseEcrRepository(repo);
}

const SSM_ARN = /^arn:([a-z-]+):ssm:([a-z0-9-]+):(\d{12}):parameter(\/.+)$/;
const SECRET_ARN = /^arn:([a-z-]+):secretsmanager:([a-z0-9-]+):(\d{12}):secret:([^:]+)(?::([^:]*))?(?::([^:]*))?(?::([^:]*))?$/;
const SECRET_REFERENCE = "/aws/reference/secretsmanager/";

/**
 * Where a valueFrom points: an SSM parameter ARN, a parameter name (same region and account as the
 * task: "If the SSM Parameter Store parameter exists in the same Region as the task … you can use
 * either the full ARN or name", botocore ecs Secret.valueFrom), or a Secrets Manager ARN with its
 * optional `:json-key:version-stage:version-id`
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
 */
export function secretSource(valueFrom: string, target: Pick<Target, "region" | "account">): SecretSource {
  const ssm = SSM_ARN.exec(valueFrom);
  if (ssm) {
    const [, , region, account, rest] = ssm;
    // An ARN's resource part is "parameter/" + the name without its leading slash; a hierarchy name
    // ("/a/b") always has one. A `:version` or `:label` selector is not part of the name.
    // A one-segment "/x" may be the parameter "x" or "/x": the SSM port looks for both.
    return ssmSource(region!, account!, rest!.split(":")[0]!);
  }
  const asm = SECRET_ARN.exec(valueFrom);
  if (asm) {
    const [, partition, region, account, id, jsonKey] = asm;
    return {
      kind: "secretsmanager",
      region: region!,
      account: account!,
      secretId: `arn:${partition}:secretsmanager:${region}:${account}:secret:${id}`,
      ...(jsonKey ? { jsonKey } : {}),
    };
  }
  if (valueFrom.startsWith("arn:")) {
    return { kind: "invalid", why: "an ARN that is neither an SSM parameter nor a Secrets Manager secret" };
  }
  const name = valueFrom.split(":")[0]!;
  if (!/^[A-Za-z0-9_.\-/]+$/.test(name)) return { kind: "invalid", why: "not a parameter name" };
  return ssmSource(target.region, target.account, name);
}

function ssmSource(region: string, account: string, name: string): SecretSource {
  if (name.startsWith(SECRET_REFERENCE)) return { kind: "ssm-secret-reference", region, account, name };
  return { kind: "ssm", region, account, name, arn: parameterArn(region, account, name) };
}

/** arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME (a leading "/" of the name is not repeated). */
export function parameterArn(region: string, account: string, name: string): string {
  return regionalArn("ssm", region, account, `parameter/${name.replace(/^\//, "")}`);
}

/** arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME */
export function logGroupArn(region: string, account: string, group: string): string {
  return regionalArn("logs", region, account, `log-group:${group}`);
}

/**
 * The log stream a task's container writes: PREFIX/CONTAINER/TASK-ID with awslogs-stream-prefix
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html). The task id is
 * not known before the task exists; a representative one stands for it, as for aws:SourceArn.
 */
export function logStreamArn(need: LogNeed, account: string): string {
  const stream = `${need.streamPrefix ?? "ecs"}/${need.container}/00000000000000000000000000000000`;
  return `${logGroupArn(need.region, account, need.group)}:log-stream:${stream}`;
}

/** arn:PARTITION:kms:REGION:ACCOUNT:alias/NAME for an alias name, as KMS names aliases. */
export function kmsAliasArn(region: string, account: string, alias: string): string {
  return regionalArn("kms", region, account, alias);
}

export function launchNeeds(def: TaskDefinitionInput, target: Pick<Target, "region" | "account">): LaunchNeeds {
  const out: LaunchNeeds = { images: [], secrets: [], logs: [] };
  const containers: ContainerDefinition[] = Array.isArray(def.containerDefinitions) ? def.containerDefinitions : [];
  for (const c of containers) {
    if (typeof c.image === "string") {
      const repository = ecrRepositoryOfImage(c.image);
      out.images.push({ container: c.name, image: c.image, ...(repository ? { repository } : {}) });
    }
    for (const s of Array.isArray(c.secrets) ? c.secrets : []) {
      if (typeof s?.valueFrom !== "string") continue;
      out.secrets.push({
        container: c.name,
        name: s.name,
        valueFrom: s.valueFrom,
        field: "secrets",
        source: secretSource(s.valueFrom, target),
      });
    }
    const log = c.logConfiguration as { logDriver?: string; options?: Record<string, string>; secretOptions?: unknown } | undefined;
    for (const s of Array.isArray(log?.secretOptions) ? (log.secretOptions as Array<{ name?: string; valueFrom?: string }>) : []) {
      if (typeof s?.valueFrom !== "string") continue;
      out.secrets.push({
        container: c.name,
        name: String(s.name ?? ""),
        valueFrom: s.valueFrom,
        field: "logConfiguration.secretOptions",
        source: secretSource(s.valueFrom, target),
      });
    }
    if (log?.logDriver === "awslogs" && typeof log.options?.["awslogs-group"] === "string") {
      const o = log.options;
      out.logs.push({
        container: c.name,
        group: o["awslogs-group"]!,
        region: o["awslogs-region"] || target.region,
        // The option's value is the string "true" in AWS's examples (using_awslogs.html).
        createGroup: String(o["awslogs-create-group"]).toLowerCase() === "true",
        ...(o["awslogs-stream-prefix"] ? { streamPrefix: o["awslogs-stream-prefix"] } : {}),
      });
    }
  }
  return out;
}
