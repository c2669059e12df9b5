// Tags deployer puts on the task definitions it registers: provenance a human (or `deployer status`)
// can read in the console, within ECS's tag rules.

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

/** The revision that ran, healthy, before this one was deployed (what a rollback goes back to). */
export const PREVIOUS_TASK_DEFINITION_TAG = "deployer:previous-task-definition";
/** On an identical copy of an INACTIVE revision deployer registered to roll back to it: the original. */
export const COPY_OF_TAG = "deployer:copy-of";

export interface RegistrationTagInput {
  imageDigest: string;
  imageTag?: string;
  gitSha?: string;
  runId: string;
  by: string;
  fingerprint: string;
  /** The known-good revision a failure of this one rolls back to (tag `deployer:previous-task-definition`). */
  previousTaskDefinition?: string;
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
  put(PREVIOUS_TASK_DEFINITION_TAG, input.previousTaskDefinition);
  if (input.promotion) {
    put("deployer:promoted-from", input.promotion.sourceTarget ?? input.promotion.fromStage);
    put("deployer:source-stage", input.promotion.fromStage);
    put("deployer:source-task-definition", input.promotion.sourceTaskDefinitionArn);
  }
  return tags;
}

/**
 * Tags for an identical copy of a registered revision (rolling back to an INACTIVE one): its
 * deployer tags, except the rollback pointer (which was about the original's deployment), plus
 * `deployer:copy-of`.
 */
export function copyTags(original: { arn: string; tags: Record<string, string> }): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(original.tags))
    if (k.startsWith("deployer:") && k !== PREVIOUS_TASK_DEFINITION_TAG && k !== COPY_OF_TAG) tags[k] = v;
  tags[COPY_OF_TAG] = sanitiseTagValue(original.arn);
  return tags;
}
