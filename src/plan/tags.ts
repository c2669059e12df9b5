// Tags deployer puts on the task definitions it registers: provenance a human (or `deployer status`)
// can read in the console, within ECS's tag rules.
import type { Plan } from "./types.js";

/** ECS tag limits (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html). */
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
/** Letters, digits and spaces (any script), and + - = . _ : / @ */
const TAG_DISALLOWED = /[^\p{L}\p{N}\s+\-=._:/@]/gu;

/** A tag value ECS accepts: disallowed characters become `_`, then cut to 256 characters. */
export function sanitiseTagValue(value: string): string {
  return Array.from(value.replace(TAG_DISALLOWED, "_")).slice(0, TAG_VALUE_MAX).join("");
}

export function sanitiseTagKey(key: string): string {
  return Array.from(key.replace(TAG_DISALLOWED, "_")).slice(0, TAG_KEY_MAX).join("");
}

export interface RegistrationTagInput {
  imageDigest: string;
  imageTag?: string;
  gitSha?: string;
  runId: string;
  by: string;
  fingerprint: string;
  promotion?: {
    fromStage: string;
    /** The environment the promoted definition came from, when known. */
    sourceTarget?: string;
    sourceTaskDefinitionArn?: string;
  };
}

/**
 * `deployer:image-digest`, `deployer:image-tag`, `deployer:git-sha`, `deployer:run-id`, `deployer:by`,
 * `deployer:fingerprint`, and with a promotion `deployer:promoted-from`, `deployer:source-stage`,
 * `deployer:source-task-definition`. Absent inputs produce no tag (never an empty value).
 */
export function registrationTags(input: RegistrationTagInput): Record<string, string> {
  const tags: Record<string, string> = {};
  const put = (key: string, value: string | undefined) => {
    if (value === undefined || value === "") return;
    tags[sanitiseTagKey(key)] = sanitiseTagValue(value);
  };
  put("deployer:image-digest", input.imageDigest);
  put("deployer:image-tag", input.imageTag);
  put("deployer:git-sha", input.gitSha);
  put("deployer:run-id", input.runId);
  put("deployer:by", input.by);
  put("deployer:fingerprint", input.fingerprint);
  if (input.promotion) {
    put("deployer:promoted-from", input.promotion.sourceTarget ?? input.promotion.fromStage);
    put("deployer:source-stage", input.promotion.fromStage);
    put("deployer:source-task-definition", input.promotion.sourceTaskDefinitionArn);
  }
  return tags;
}

/** The promotion part of the tags for one target of a plan. */
export function promotionTagInput(promotion: Plan["promotion"], targetName: string): RegistrationTagInput["promotion"] {
  if (!promotion) return undefined;
  return {
    fromStage: promotion.fromStage,
    sourceTarget: promotion.sourceTargets?.[targetName],
    sourceTaskDefinitionArn: promotion.sourceTaskDefinitionArns[targetName],
  };
}
