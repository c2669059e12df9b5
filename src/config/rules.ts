// The rules of a deploy repository a JSON Schema cannot express: target names, roles in the target's
// own account and partition, replicas in the target's or the central account and the target's region,
// existing stages, unique files and services, sensitive values long enough (sensitive-values.ts).
// Each error names its file, line and field, with a hint.
import path from "node:path";
import { DeployerError, type SourceLocation } from "../errors.js";
import { dnsSuffixOf, parseEcrRepository, parseRoleArn, partitionOf } from "./aws-names.js";
import { type MergedLayers } from "./merge.js";
import { closest } from "./suggest.js";
import type { Target } from "./types.js";

export const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function duplicateFile(file: string, name: string): DeployerError {
  return new DeployerError({
    code: "CONFIG_INVALID",
    message: `two files define "${name}" (.yaml and .yml)`,
    location: { file, line: 1, column: 1 },
    target: name,
    hint: "Keep one file per target name; delete or rename the other.",
  });
}

export function semanticErrors(
  name: string,
  file: string,
  merged: MergedLayers,
  stageNames: string[],
  stagesHint: () => string,
  /** deployer.yaml's image.repository (the central repository), when it is valid. */
  centralRepository?: string,
): DeployerError[] {
  const v = merged.value as Record<string, string>;
  const out: DeployerError[] = [];
  const loc = (field: string) => merged.locate("/" + field)?.loc ?? { file, line: 1, column: 1 };

  if (stageNames.length > 0 && !stageNames.includes(v.stage!)) {
    const guess = closest(v.stage!, stageNames);
    out.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: "stage is not one of the stages of deployer.yaml",
        target: name,
        location: loc("stage"),
        field: "stage",
        hint: `${guess ? `Did you mean "${guess}"? ` : ""}${stagesHint()}`,
      }),
    );
  }

  const roleHints: Record<string, string> = {
    deployRole:
      "deployer assumes deployRole in the target's account; a role ARN from another account is usually a line copied from another environment file.",
    viewRole:
      "viewRole is the read-only role deployer assumes in the target's account; a role ARN from another account is usually a line copied from another environment file.",
    taskRole: "ECS only accepts a task role from the task's own account.",
    executionRole: "ECS only accepts an execution role from the task's own account.",
  };
  const partition = typeof v.region === "string" ? partitionOf(v.region) : undefined;
  for (const field of ["deployRole", "viewRole", "taskRole", "executionRole"] as const) {
    if (typeof v[field] !== "string") continue;
    const role = parseRoleArn(v[field]);
    // An ARN names its partition; the target's region decides which one its account lives in
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
    if (role && partition && role.partition !== partition) {
      out.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `${field} is in partition ${role.partition}, but target "${name}" is in region ${v.region} (partition ${partition})`,
          target: name,
          account: v.account,
          location: loc(field),
          field,
          hint: `Write arn:${partition}:iam::${role.account}:role/${role.name}, or arn:{partition}:… in a pattern to follow each target's region (region is set at ${fmt(loc("region"))}).`,
        }),
      );
      continue;
    }
    if (role && role.account !== v.account) {
      out.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `${field} is in account ${role.account}, but target "${name}" is account ${v.account}`,
          target: name,
          account: v.account,
          location: loc(field),
          field,
          hint: `${roleHints[field]} Expected arn:${role.partition}:iam::${v.account}:role/${role.name} (account is set at ${fmt(loc("account"))}).`,
        }),
      );
    }
  }

  if (typeof v.viewRole === "string" && v.viewRole === v.deployRole) {
    out.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `viewRole is the deploy role ${v.deployRole}: the viewer must be a read-only role of its own`,
        target: name,
        account: v.account,
        location: loc("viewRole"),
        field: "viewRole",
        hint: `The viewer role answers plan, check, status and drift without write permissions; leave viewRole out to use the deploy role for everything, or name the read-only role (\`deployer iam\` generates it). deployRole is set at ${fmt(loc("deployRole"))}.`,
      }),
    );
  }
  if (typeof v.viewExternalId === "string" && typeof v.viewRole !== "string") {
    out.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: "viewExternalId is set but viewRole is not",
        target: name,
        account: v.account,
        location: loc("viewExternalId"),
        field: "viewExternalId",
        hint: "viewExternalId is the ExternalId deployer sends when it assumes viewRole; set viewRole (e.g. arn:aws:iam::{account}:role/deployer-viewer in _defaults.yaml) or remove viewExternalId.",
      }),
    );
  }

  const region = v.region!;
  const central = centralRepository ? parseEcrRepository(centralRepository) : undefined;
  if (typeof v.imageRepository === "string") {
    // A replica of the central repository: in the target's own account, or in the central account
    // (the central registry replicated into other regions of itself), and in the target's region.
    // The region rule is deployer's, not AWS's (ECS can pull across regions): a replica exists to
    // be pulled from the task's own region.
    const replica = parseEcrRepository(v.imageRepository);
    if (replica && replica.registryId !== v.account && replica.registryId !== central?.registryId) {
      out.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `imageRepository is in account ${replica.registryId}, but target "${name}" is account ${v.account}${central ? ` and the central repository is in ${central.registryId}` : ""}`,
          target: name,
          account: v.account,
          location: loc("imageRepository"),
          field: "imageRepository",
          hint: `imageRepository names a replica of the central repository (ECR replication) in the target's account ${v.account}${central ? ` or in the central account ${central.registryId}` : ""}; to pull from the central repository itself, leave imageRepository out and grant ${v.account} in its repository policy.`,
        }),
      );
    } else if (replica && replica.region !== region) {
      out.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `imageRepository is in region ${replica.region}, but target "${name}" is in region ${v.region}`,
          target: name,
          account: v.account,
          location: loc("imageRepository"),
          field: "imageRepository",
          hint: `A replica must be in the target's region (deployer's rule: a replica is there for the task to pull from its own region): ${replica.registryId}.dkr.ecr.${v.region}.${dnsSuffixOf(region)}/${replica.name}, replicated by an ECR replication rule of ${central?.registryId ?? "the central registry"}. To pull across regions, leave imageRepository out.`,
        }),
      );
    } else if (
      replica &&
      replica.uri.slice(0, replica.uri.indexOf("/")) !== `${replica.registryId}.dkr.ecr.${region}.${dnsSuffixOf(region)}`
    ) {
      out.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `imageRepository's host is not one of ${v.region}'s (${dnsSuffixOf(region)})`,
          target: name,
          account: v.account,
          location: loc("imageRepository"),
          field: "imageRepository",
          hint: `Write it as ${replica.registryId}.dkr.ecr.${v.region}.${dnsSuffixOf(region)}/${replica.name}.`,
        }),
      );
    }
  } else if (central && partitionOf(central.region) !== partition) {
    out.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `the central repository is in partition ${partitionOf(central.region)} (${central.region}), but target "${name}" is in ${v.region} (partition ${partition}): it cannot pull across partitions`,
        target: name,
        account: v.account,
        location: loc("region"),
        field: "region",
        hint: `Give the target a repository in its own partition with imageRepository (ECR replication does not cross partitions either: push the image there).`,
      }),
    );
  }

  const clusterArn = /^arn:([^:]+):ecs:([a-z0-9-]+):(\d{12}):cluster\//.exec(v.cluster!);
  if (clusterArn && clusterArn[1] !== partition) {
    out.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `cluster is an ARN of partition ${clusterArn[1]}, but target "${name}" is in ${v.region} (partition ${partition})`,
        target: name,
        account: v.account,
        location: loc("cluster"),
        field: "cluster",
        hint: "A plain cluster name avoids the repetition.",
      }),
    );
  } else if (clusterArn && (clusterArn[2] !== v.region || clusterArn[3] !== v.account)) {
    out.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `cluster ARN is in ${clusterArn[3]}/${clusterArn[2]}, but target "${name}" is ${v.account}/${v.region}`,
        target: name,
        account: v.account,
        location: loc("cluster"),
        field: "cluster",
        hint: "The cluster must be in the target's account and region; a plain cluster name avoids the repetition.",
      }),
    );
  }
  return out;
}

export function fmt(l: SourceLocation): string {
  return `${path.basename(l.file)}:${l.line}`;
}

/** Two targets cannot deploy the same ECS service: (account, region, cluster, service) is unique. */
export function duplicateServiceErrors(targets: Target[]): DeployerError[] {
  const out: DeployerError[] = [];
  const seen = new Map<string, Target>();
  for (const t of targets) {
    const clusterName = t.cluster.replace(/^arn:[^:]+:ecs:[^:]+:\d{12}:cluster\//, "");
    const key = [t.account, t.region, clusterName, t.service].join("|");
    const first = seen.get(key);
    if (!first) {
      seen.set(key, t);
      continue;
    }
    const firstLoc = first.locations["service"];
    out.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `targets "${first.name}" and "${t.name}" both deploy service ${t.service} in cluster ${clusterName} (account ${t.account}, ${t.region})`,
        target: t.name,
        account: t.account,
        location: t.locations["service"] ?? { file: t.file, line: 1, column: 1 },
        field: "service",
        hint: `Each ECS service is deployed by one target; ${path.basename(first.file)}${firstLoc ? `:${firstLoc.line}` : ""} already targets it. Fix the account, region, cluster or service of one of them.`,
      }),
    );
  }
  return out;
}
