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

/**
 * Every key deployer may write on a task definition: its provenance tags (registrationTags), the
 * rollback pointer and the copy marker. A template tag with one of these keys collides: deployer's
 * value wins, and preflight says so.
 */
export const DEPLOYER_TAG_KEYS: readonly string[] = [
  "deployer:image-digest",
  "deployer:image-tag",
  "deployer:git-sha",
  "deployer:run-id",
  "deployer:by",
  "deployer:fingerprint",
  PREVIOUS_TASK_DEFINITION_TAG,
  "deployer:promoted-from",
  "deployer:source-stage",
  "deployer:source-task-definition",
  COPY_OF_TAG,
];

/**
 * ECS's limit: "Maximum number of 50 items" per resource (botocore ecs Tags). botocore adds that
 * aws:-prefixed tags "do not count", but they may not be written at all; every tag counts here.
 */
export const MAX_TAGS = 50;

/** The `tags` a template writes (`[{key, value}]`, as RegisterTaskDefinition takes them), as a map. */
export function templateTags(def: object): Record<string, string> {
  const out: Record<string, string> = {};
  const tags = (def as { tags?: unknown }).tags;
  if (!Array.isArray(tags)) return out;
  for (const t of tags as Array<{ key?: unknown; value?: unknown }>) {
    if (typeof t?.key !== "string") continue;
    out[t.key] = typeof t.value === "string" ? t.value : "";
  }
  return out;
}

/** The template keys deployer's own would overwrite. */
export function tagCollisions(template: Record<string, string>, deployerKeys: Iterable<string> = DEPLOYER_TAG_KEYS): string[] {
  const mine = new Set(deployerKeys);
  return Object.keys(template).filter((k) => mine.has(k));
}

/** The tags a registration sends: the template's, then deployer's over them (deployer's keys win). */
export function mergeTags(template: Record<string, string>, deployer: Record<string, string>): Record<string, string> {
  return { ...template, ...deployer };
}
