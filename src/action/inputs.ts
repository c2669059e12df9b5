// The Action's inputs (`with:` in the workflow), read and validated up front: every problem is
// reported with the input's name and an example of a valid value, before anything talks to AWS.
import { parseImageSpec } from "../workflow/image-spec.js";
import { statSync } from "node:fs";
import path from "node:path";
import { DeployerError, DeployerErrors } from "../errors.js";
import { parseDurationSeconds } from "../workflow/duration.js";
import { PULL_REQUEST_EVENTS } from "./github-context.js";
import { parseRoleArn } from "../config/aws-names.js";
import { DEFAULT_AUDIENCE, type ActionAwsInputs } from "./aws-credentials.js";
import type { TargetSelection } from "../config/select.js";
import type { PreflightSettings } from "../workflow/make-plan.js";

export const ACTION_COMMANDS = ["plan", "rollout", "promote", "status", "drift"] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

/** `stage: all` selects every stage. */
export const ALL_STAGES = "all";

export interface ActionInputs {
  command: ActionCommand;
  /** Image tag (usually the git sha) or sha256: digest; required by plan and rollout. */
  image?: string;
  /** Stage names, in the order given; empty when none was given. */
  stages: string[];
  /** `stage: all`. */
  allStages: boolean;
  /** Environment (target) names. */
  environments: string[];
  /** promote: the stage to promote from. */
  from?: string;
  /** deployer.yaml, absolute; undefined: found by walking up from the working directory. */
  config?: string;
  /** Absolute. */
  workingDirectory: string;
  githubToken?: string;
  /** Post or update the sticky plan comment (resolved: `auto` became true/false). */
  comment: boolean;
  /** As given (`15m`) and in seconds. */
  timeout: string;
  timeoutSeconds: number;
  strict: boolean;
  /** Wait for a deployment someone else started instead of failing the check (CLI --wait-for-in-progress). */
  waitForInProgress: boolean;
  /** When one target of a stage fails, roll back the stage's updated targets too (CLI --rollback-stage). */
  rollbackStage: boolean;
  /** Where the base credentials come from: GitHub OIDC with `role-to-assume`, else the environment. */
  aws: ActionAwsInputs;
  /** rollout: apply exactly this saved plan (absolute; `plan-file`), instead of `image`. */
  planFile?: string;
  /**
   * plan: the name of the workflow artifact the saved plan is uploaded as (`plan-artifact`);
   * undefined: the default, `deployer-plan-<service>`; false: not uploaded.
   */
  planArtifact?: string | false;
  /** plan and rollout: the targets `stage` and `environments` select (the first stage by default). */
  selection: TargetSelection;
  /** `strict`, `timeout`, `wait-for-in-progress` as the core takes them. */
  preflight: PreflightSettings;
}

/** Reads one input by its action.yml name ("" when not set). */
export type InputReader = (name: string) => string;

/** The runner passes input `foo-bar` as env INPUT_FOO-BAR (upper-cased, hyphens kept). */
export function envInputReader(env: NodeJS.ProcessEnv = process.env): InputReader {
  return (name) => (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

export interface InputContext {
  eventName: string;
  /** GITHUB_WORKSPACE: relative working-directory values are resolved against it. */
  workspace: string;
  /** GITHUB_RUN_ID: the default `role-session-name` is deployer-<run id>. */
  runId?: string;
}

// AssumeRoleWithWebIdentity's limits (botocore sts service-2.json: roleSessionNameType,
// roleDurationSecondsType): session names [\w+=,.@-]{2,64}; 900 to 43200 seconds, and at most the
// role's MaxSessionDuration (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html).
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const MIN_DURATION = 900;
const MAX_DURATION = 43_200;

/** Reads and validates every input; throws DeployerErrors with one INVALID_ARGUMENT per problem. */
export function readInputs(read: InputReader, ctx: InputContext): ActionInputs {
  const errors: DeployerError[] = [];
  const fail = (input: string, message: string, hint: string) =>
    errors.push(new DeployerError({ code: "INVALID_ARGUMENT", field: input, message: `input \`${input}\`: ${message}`, hint }));

  const rawCommand = read("command");
  let command: ActionCommand | undefined;
  if (rawCommand === "") {
    fail("command", "is required", `set it to one of ${ACTION_COMMANDS.join(", ")}, e.g. \`command: plan\``);
  } else if (!(ACTION_COMMANDS as readonly string[]).includes(rawCommand)) {
    fail("command", `${JSON.stringify(rawCommand)} is not a command`, `use one of ${ACTION_COMMANDS.join(", ")}`);
  } else {
    command = rawCommand as ActionCommand;
  }

  const image = read("image") || undefined;
  const planFileInput = read("plan-file");
  const planFile = planFileInput ? path.resolve(ctx.workspace, read("working-directory") || ".", planFileInput) : undefined;
  if (planFile !== undefined && command !== undefined && command !== "rollout") {
    fail("plan-file", `only applies to \`command: rollout\`, not \`command: ${command}\``, "remove `plan-file`, or use `command: rollout`");
  }
  if (planFile !== undefined && command === "rollout") {
    if (image)
      fail(
        "image",
        "and `plan-file` both say what to deploy: give one",
        "`plan-file` applies the saved plan's image to its targets; remove `image`",
      );
    for (const name of ["stage", "environments"])
      if (read(name) !== "") fail(name, "does not apply with `plan-file`: the saved plan names its targets", `remove \`${name}\``);
  }
  if (!image && planFile === undefined && command !== undefined && (command === "plan" || command === "rollout")) {
    fail(
      "image",
      `is required for \`command: ${command}\``,
      "give the tag CI pushed to the central repository, usually `image: ${{ github.sha }}`, or a sha256: digest",
    );
  } else if (image && image.split(/[,\n]/).some((item) => /\s/.test(item.trim()))) {
    fail(
      "image",
      `${JSON.stringify(image)} contains whitespace`,
      "give one tag (e.g. the git sha) or one sha256: digest; per service SERVICE=TAG, one per line or comma-separated",
    );
  } else if (image) {
    try {
      parseImageSpec(image, "image");
    } catch (e) {
      if (!(e instanceof DeployerError)) throw e;
      fail("image", e.message.replace(/^image /, ""), e.hint ?? "");
    }
  }

  const stageList = list(read("stage"));
  const allStages = stageList.includes(ALL_STAGES);
  if (allStages && stageList.length > 1) {
    fail(
      "stage",
      `\`${ALL_STAGES}\` cannot be combined with stage names (${stageList.filter((s) => s !== ALL_STAGES).join(", ")})`,
      "use `stage: all`, or list the stages you want",
    );
  }
  const stages = allStages ? [] : stageList;
  if (command === "promote") {
    if (stageList.length !== 1 || allStages) {
      fail(
        "stage",
        "`command: promote` needs exactly one stage: the one to deploy to",
        "e.g. `stage: prod` (from the stage before it), with `from: dev` to skip a stage",
      );
    }
    if (image)
      fail(
        "image",
        "`command: promote` deploys the digest the source stage runs, not an image you give",
        "remove `image`, or use `command: rollout` to deploy a given image",
      );
  }
  const environments = list(read("environments"));
  const from = read("from") || undefined;

  const artifactInput = read("plan-artifact");
  let planArtifact: string | false | undefined;
  if (artifactInput.toLowerCase() === "false") planArtifact = false;
  else if (artifactInput !== "") {
    // Artifact names: no " : < > | * ? \ / and no CR/LF (@actions/artifact, internal/upload/path-and-artifact-name-validation).
    if (/[":<>|*?\\/\r\n]/.test(artifactInput)) {
      fail(
        "plan-artifact",
        `${JSON.stringify(artifactInput)} is not a valid artifact name`,
        "letters, digits, - _ . and spaces, e.g. `plan-artifact: deployer-plan`",
      );
    }
    planArtifact = artifactInput;
  }
  if (artifactInput !== "" && command !== undefined && command !== "plan") {
    fail("plan-artifact", `only applies to \`command: plan\``, "remove `plan-artifact`");
  }

  const workingDirectory = path.resolve(ctx.workspace, read("working-directory") || ".");
  if (!isDirectory(workingDirectory)) {
    fail(
      "working-directory",
      `${workingDirectory} is not a directory`,
      "give a path relative to the repository root (GITHUB_WORKSPACE); did the job check the repository out (actions/checkout)?",
    );
  }
  const configInput = read("config");
  const config = configInput ? path.resolve(workingDirectory, configInput) : undefined;

  const githubToken = read("github-token") || undefined;

  const commentInput = read("comment").toLowerCase();
  let comment = PULL_REQUEST_EVENTS.includes(ctx.eventName);
  if (commentInput === "true") comment = true;
  else if (commentInput === "false") comment = false;
  else if (commentInput !== "" && commentInput !== "auto") {
    fail(
      "comment",
      `${JSON.stringify(read("comment"))} is not true, false or auto`,
      "leave it unset (auto: comment on pull_request events), or set `comment: false`",
    );
  }

  const timeout = read("timeout") || "15m";
  let timeoutSeconds = 900;
  try {
    timeoutSeconds = parseDurationSeconds(timeout, "timeout");
  } catch {
    fail(
      "timeout",
      `${JSON.stringify(timeout)} is not a duration`,
      "give seconds or a unit, e.g. `timeout: 900`, `timeout: 15m`, `timeout: 1h`",
    );
  }

  const strict = booleanInput(read, "strict", false, fail);
  const waitForInProgress = booleanInput(read, "wait-for-in-progress", false, fail);
  const rollbackStage = booleanInput(read, "rollback-stage", false, fail);

  const aws = awsInputs(read, ctx, fail);

  if (errors.length > 0) throw new DeployerErrors(errors, `${errors.length} invalid input${errors.length === 1 ? "" : "s"}`);
  return {
    command: command!,
    image,
    stages,
    allStages,
    environments,
    from,
    config,
    workingDirectory,
    githubToken,
    comment,
    timeout,
    timeoutSeconds,
    strict,
    waitForInProgress,
    rollbackStage,
    aws,
    ...(planFile !== undefined ? { planFile } : {}),
    ...(planArtifact !== undefined ? { planArtifact } : {}),
    selection: { envs: environments, stages, all: allStages },
    preflight: { strict, timeoutSeconds, waitForInProgress },
  };
}

/** `role-to-assume` and the inputs that only mean something with it. */
function awsInputs(read: InputReader, ctx: InputContext, fail: (input: string, message: string, hint: string) => void): ActionAwsInputs {
  const roleToAssume = read("role-to-assume") || undefined;
  const sessionInput = read("role-session-name");
  const durationInput = read("role-duration-seconds");
  const audienceInput = read("audience");
  if (roleToAssume !== undefined && !parseRoleArn(roleToAssume)) {
    fail(
      "role-to-assume",
      `${JSON.stringify(roleToAssume)} is not an IAM role ARN`,
      "e.g. `role-to-assume: arn:aws:iam::111111111111:role/deployer-ci`",
    );
  }
  if (roleToAssume === undefined) {
    for (const [name, value] of [
      ["role-session-name", sessionInput],
      ["role-duration-seconds", durationInput],
      ["audience", audienceInput],
    ] as const) {
      if (value !== "") fail(name, "only applies with `role-to-assume`", "set `role-to-assume` (GitHub OIDC), or remove this input");
    }
  }
  const roleSessionName = sessionInput || `deployer-${ctx.runId ?? "github-actions"}`.slice(0, 64);
  if (!SESSION_NAME.test(roleSessionName)) {
    fail(
      "role-session-name",
      `${JSON.stringify(roleSessionName)} is not a valid session name`,
      "2 to 64 characters among letters, digits and _ + = , . @ -",
    );
  }
  let roleDurationSeconds = 3600;
  if (durationInput !== "") {
    const n = Number(durationInput);
    if (!Number.isInteger(n) || n < MIN_DURATION || n > MAX_DURATION) {
      fail(
        "role-duration-seconds",
        `${JSON.stringify(durationInput)} is not a whole number of seconds from ${MIN_DURATION} to ${MAX_DURATION}`,
        "e.g. `role-duration-seconds: 3600` (at most the role's maximum session duration)",
      );
    } else {
      roleDurationSeconds = n;
    }
  }
  return { roleToAssume, roleSessionName, roleDurationSeconds, audience: audienceInput || DEFAULT_AUDIENCE };
}

/** A list input: comma-, space- or newline-separated (YAML block scalars work). */
function list(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function booleanInput(
  read: InputReader,
  name: string,
  fallback: boolean,
  fail: (input: string, message: string, hint: string) => void,
): boolean {
  const v = read(name).toLowerCase();
  if (v === "") return fallback;
  if (v === "true") return true;
  if (v === "false") return false;
  fail(name, `${JSON.stringify(read(name))} is not true or false`, `e.g. \`${name}: true\``);
  return fallback;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
