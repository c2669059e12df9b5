// Is a stage a sound source for promotion? Every target of it must be readable, run an image pinned
// by digest, be stable (PRIMARY COMPLETED, the only deployment, running == desired; a service scaled
// to zero is not: its digest never ran), not have failed its last deployment, and all of them must
// run the same digest. Pure: promotion refuses on what this
// finds, and `deployer status` shows it as promotion readiness.
import type { Target } from "../config/types.js";
import { DeployerError } from "../errors.js";
import type { TargetRead } from "./read-target.js";
import { deployedImage, serviceHealth, type DeployedImage, type ServiceHealth } from "./deployed.js";
import { shortDigest } from "../config/aws-names.js";

export interface SourceTarget {
  target: Target;
  /** Eligible as a promotion source on its own (stable, digest known, readable). */
  eligible: boolean;
  image?: DeployedImage;
  health?: ServiceHealth;
  taskDefinitionArn?: string;
  /** Why not eligible: one PROMOTION_REFUSED error (or the read error) naming target and reason. */
  refusal?: DeployerError;
}

export interface SourceStage {
  stage: string;
  targets: SourceTarget[];
  /** The digest every target runs, when the stage is a sound source. */
  digest?: string;
  /** `deployer:image-tag` when every target carries the same one. */
  imageTag?: string;
  gitSha?: string;
  /** Every reason to refuse, one error per target (empty when the stage is a sound source). */
  refusals: DeployerError[];
}

function refuse(
  target: Target,
  message: string,
  hint: string,
  extra: Partial<ConstructorParameters<typeof DeployerError>[0]> = {},
): DeployerError {
  return new DeployerError({ code: "PROMOTION_REFUSED", message, target: target.name, account: target.account, hint, ...extra });
}

export function assessSourceTarget(read: TargetRead, stage: string): SourceTarget {
  const { target } = read;
  const where = `${target.cluster}/${target.service}`;
  if (!read.ok) {
    const e = read.error;
    return {
      target,
      eligible: false,
      refusal: refuse(
        target,
        `cannot read what ${where} runs: ${e.message}`,
        e.hint ?? `Fix access to ${target.name} (account ${target.account}) or narrow the source with --env.`,
        {
          action: e.action,
          resource: e.resource,
          awsCode: e.awsCode ?? e.code,
          awsMessage: e.awsMessage,
          cause: e,
        },
      ),
    };
  }
  const image = deployedImage(read.taskDefinition);
  const health = serviceHealth(read.service, read.serviceDeployment);
  const base = { target, image, health, taskDefinitionArn: read.taskDefinition.arn };
  const resource = read.service.arn;
  const retry = `Re-run deployer promote once ${target.name} is stable.`;

  switch (health.state) {
    case "in-progress":
      return {
        ...base,
        eligible: false,
        refusal: refuse(
          target,
          `mid-deployment: ${health.reason}`,
          `Wait for the deployment to finish (deployer status shows it). ${retry}`,
          { resource },
        ),
      };
    case "failed":
      return {
        ...base,
        eligible: false,
        refusal: refuse(
          target,
          `its last deployment failed: ${health.reason}`,
          `Promotion only takes what runs healthy. Roll a fixed image out to ${stage} (deployer rollout --stage ${stage}); if ${target.name} already runs the image you want, a new successful deployment of it clears this (aws ecs update-service --cluster ${target.cluster} --service ${target.service} --force-new-deployment).`,
          { resource },
        ),
      };
    case "degraded":
      return {
        ...base,
        eligible: false,
        refusal: refuse(target, `not stable: ${health.reason}`, `Check the service's events and tasks. ${retry}`, { resource }),
      };
    case "scaled-to-zero":
      return {
        ...base,
        eligible: false,
        refusal: refuse(
          target,
          `scaled to zero (desiredCount 0): ${image.digest ? `${image.digest} never ran there` : "nothing runs there"}, so nothing is proven healthy`,
          `Promotion only takes what runs healthy. Scale ${target.name} up (aws ecs update-service --cluster ${target.cluster} --service ${target.service} --desired-count N), let it settle, then promote; or promote from another target of ${stage} with --env.`,
          { resource },
        ),
      };
    case "stable":
      break;
  }
  if (image.conflict) {
    return {
      ...base,
      eligible: false,
      refusal: refuse(
        target,
        `${read.taskDefinition.family}:${read.taskDefinition.revision} runs ${image.imageDigest} but its deployer:image-digest tag says ${image.tagDigest}`,
        "The task definition was changed or tagged outside deployer; run deployer drift, then roll out the stage again with deployer.",
        { resource: read.taskDefinition.arn },
      ),
    };
  }
  if (!image.digest) {
    return {
      ...base,
      eligible: false,
      refusal: refuse(
        target,
        `${read.taskDefinition.family}:${read.taskDefinition.revision} runs ${image.ref ?? "no image"}, not pinned by digest and without a deployer:image-digest tag`,
        `Promotion deploys exactly a digest; roll ${stage} out with deployer (which pins the digest) first.`,
        { resource: read.taskDefinition.arn },
      ),
    };
  }
  return { ...base, eligible: true };
}

/** Assess every target of the source stage and whether they agree on one digest. */
export function assessSourceStage(stage: string, reads: TargetRead[]): SourceStage {
  const targets = reads.map((r) => assessSourceTarget(r, stage));
  const refusals = targets.flatMap((t) => (t.refusal ? [t.refusal] : []));
  const out: SourceStage = { stage, targets, refusals };
  if (targets.length === 0) {
    refusals.push(
      new DeployerError({
        code: "PROMOTION_REFUSED",
        message: `stage ${stage} has no targets to promote from`,
        hint: "Pick another --from stage.",
      }),
    );
    return out;
  }
  if (refusals.length > 0) return out;

  const digests = [...new Set(targets.map((t) => t.image!.digest!))];
  if (digests.length > 1) {
    const summary = targets.map((t) => `${t.target.name} ${shortDigest(t.image!.digest!)}`).join(", ");
    for (const t of targets) {
      refusals.push(
        refuse(
          t.target,
          `stage ${stage} is split across ${digests.length} digests (${summary}); ${t.target.name} runs ${t.image!.digest}`,
          `Roll one image out to every target of ${stage} first (deployer rollout --stage ${stage}), or promote from one target with --env.`,
          {
            resource: t.taskDefinitionArn,
          },
        ),
      );
    }
    return out;
  }
  out.digest = digests[0]!;
  const tags = new Set(targets.map((t) => t.image!.imageTag));
  if (tags.size === 1 && [...tags][0] !== undefined) out.imageTag = [...tags][0];
  const shas = new Set(targets.map((t) => t.image!.gitSha));
  if (shas.size === 1 && [...shas][0] !== undefined) out.gitSha = [...shas][0];
  return out;
}
