// The resources of a target that the statements of the mesh name (actions.ts ResourceKind), as ARNs
// built with the partition of the target's region (aws-names.ts). The execution role's are read from
// the rendered task definition: the ECR repositories its containers pull from, the awslogs groups it
// writes, the SSM parameters and Secrets Manager secrets it injects.
import type { Target, TaskDefinitionInput } from "../config/types.js";
import { ecsServiceArn, parseEcrRepository, partitionOf, regionalArn, repositoryArn } from "../config/aws-names.js";
import type { ResourceKind } from "./actions.js";

/** One target with its rendered task definition (any image: only roles, logs and secrets are read). */
export interface MeshTarget {
  target: Target;
  taskDefinition: TaskDefinitionInput;
}

export type Resolved = Partial<Record<ResourceKind, string[]>>;

const clusterName = (cluster: string) => (cluster.startsWith("arn:") ? cluster.slice(cluster.lastIndexOf("/") + 1) : cluster);

/** The resources of one target, per kind (kinds it has none of are absent or empty). */
export function targetResources(mt: MeshTarget): Resolved {
  const { target: t, taskDefinition: d } = mt;
  const ecs = (resource: string) => regionalArn("ecs", t.region, t.account, resource);
  const cluster = clusterName(t.cluster);
  const needs = executionNeeds(t, d);
  const replica = t.imageRepository ? parseEcrRepository(t.imageRepository) : undefined;
  return {
    "*": ["*"],
    cluster: [ecs(`cluster/${cluster}`)],
    service: [ecsServiceArn(t)],
    "service-deployments": [ecs(`service-deployment/${cluster}/${t.service}/*`)],
    "service-revisions": [ecs(`service-revision/${cluster}/${t.service}/*`)],
    "cluster-tasks": [ecs(`task/${cluster}/*`)],
    "task-definition-revisions": [ecs(`task-definition/${d.family}:*`)],
    "task-definition-family": [ecs(`task-definition/${d.family}`)],
    "deploy-role": [t.deployRole],
    "task-role": [t.taskRole],
    "execution-role": [t.executionRole],
    "replica-repository": replica ? [repositoryArn(replica)] : [],
    "pull-repositories": needs.pullRepositories,
    "log-streams": needs.logStreams,
    "log-groups-created": needs.logGroupsCreated,
    "ssm-parameters": needs.parameters,
    secrets: needs.secrets,
    "task-assumes": [...(t.taskAssumes ?? [])],
    "secret-keys": secretKeys([...needs.parameters, ...needs.secrets]),
  };
}

/** arn:P:kms:R:A:key/* of each account and region the parameters and secrets (ARNs) live in. */
function secretKeys(arns: string[]): string[] {
  const keys = arns.flatMap((a) => {
    const [, partition, , region, account] = a.split(":");
    return partition && region && account ? [`arn:${partition}:kms:${region}:${account}:key/*`] : [];
  });
  return [...new Set(keys)].sort();
}

interface ExecutionNeeds {
  pullRepositories: string[];
  logStreams: string[];
  logGroupsCreated: string[];
  parameters: string[];
  secrets: string[];
}

type Json = Record<string, unknown>;
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => typeof x === "object" && x !== null) : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

// ECR image references: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]/NAME[:TAG][@DIGEST]
const ECR_IMAGE = /^(\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/[^:@]+)(?::[^@]*)?(?:@.*)?$/;

/** What ECS does as the execution role when a task of this definition starts. */
export function executionNeeds(t: Target, d: TaskDefinitionInput): ExecutionNeeds {
  const out: ExecutionNeeds = { pullRepositories: [], logStreams: [], logGroupsCreated: [], parameters: [], secrets: [] };
  const partition = partitionOf(t.region);
  for (const c of objects(d.containerDefinitions)) {
    // Images from ECR (any account): pulled with the execution role; other registries need none.
    const m = ECR_IMAGE.exec(str(c.image) ?? "");
    const repo = m ? parseEcrRepository(m[1]!) : undefined;
    if (repo) out.pullRepositories.push(repositoryArn(repo));
    // The awslogs driver: the stream PREFIX/CONTAINER/TASK in awslogs-group, in awslogs-region
    // (default: the task's region) of the task's account (using_awslogs.html).
    const log = c.logConfiguration as Json | undefined;
    if (log && log.logDriver === "awslogs") {
      const o = (log.options ?? {}) as Json;
      const group = str(o["awslogs-group"]);
      const region = str(o["awslogs-region"]) ?? t.region;
      if (group) {
        const groupArn = regionalArn("logs", region, t.account, `log-group:${group}`);
        out.logStreams.push(`${groupArn}:log-stream:*`);
        if (o["awslogs-create-group"] === "true") out.logGroupsCreated.push(groupArn);
      }
    }
    const refs = [...objects(c.secrets), ...objects(log?.secretOptions)].map((s) => str(s.valueFrom)).filter((s) => s !== undefined);
    for (const ref of refs) {
      if (/^arn:[^:]+:secretsmanager:/.test(ref)) out.secrets.push(...secretArns(ref));
      else out.parameters.push(parameterArn(ref, t, partition));
    }
    const credentials = str((c.repositoryCredentials as Json | undefined)?.credentialsParameter);
    if (credentials) out.secrets.push(...secretArns(credentials));
  }
  for (const k of Object.keys(out) as Array<keyof ExecutionNeeds>) out[k] = [...new Set(out[k])].sort();
  return out;
}

/**
 * A parameter's ARN: valueFrom is a full ARN, or a name in the task's region and account
 * ("If the parameter exists in the same Region as the task … you can use either the full ARN or name",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html).
 * The ARN drops a name's leading slash: arn:…:parameter/shop-api/x (SAR ssm parameter resource).
 */
function parameterArn(ref: string, t: Target, partition: string): string {
  if (ref.startsWith("arn:")) return ref;
  return `arn:${partition}:ssm:${t.region}:${t.account}:parameter/${ref.replace(/^\//, "")}`;
}

/**
 * The secret's ARN without ECS's suffixes (ARN:json-key:version-stage:version-id,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
 * A complete secret ARN ends in "-" and the six random characters Secrets Manager adds; a partial
 * one (without them) matches the secret only with "-??????" in a policy (botocore secretsmanager
 * SecretIdType: "the final hyphen and six random characters that Secrets Manager adds at the end of
 * the ARN"; https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html).
 */
function secretArns(ref: string): string[] {
  const arn = ref.split(":").slice(0, 7).join(":");
  return /-[A-Za-z0-9]{6}$/.test(arn) ? [arn] : [arn, `${arn}-??????`];
}
