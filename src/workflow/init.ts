// `deployer init`: start a deploy repository.
//  - `init`: a minimal deployer.yaml, one template and one environment file, commented, with
//    example values to replace (they validate as they are).
//  - `init --from-service`: read a live service through its deploy role (the same assume-role path
//    as every command: base credentials, then the target's role with its ExternalId), turn its task
//    definition into the template (init-template.ts) and write deployer.yaml, the template and the
//    target's environment file. Before writing, the files are loaded and rendered like any deploy
//    repository and the result compared with what runs (the normal form of plan): `plan` right after
//    shows no change, or init says why not. In a repository that already has deployer.yaml, it adds
//    only the new target's environment file and reports how the existing template differs from the
//    one this service would give (a diff to review; the template is never overwritten).
// Nothing is overwritten without --force: an existing file is an error naming it.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify as yamlScalar } from "yaml";
import type { LiveTaskDefinition, SessionFactory } from "../aws/ports.js";
import type { Project } from "../config/types.js";
import { DeployerError } from "../errors.js";
import { loadProject } from "../config/load.js";
import { findConfigFile } from "../config/find-config.js";
import { parseRoleArn, taskDefinitionName } from "../config/aws-names.js";
import { renderTaskDefinition, targetImageRepository } from "../render/render.js";
import { sameTaskDefinition } from "../ecs/normalise.js";
import { diffTaskDefinitions } from "../plan/diff.js";
import type { FieldChange } from "../plan/types.js";
import { primaryTaskDefinitionArn } from "../checks/live-task-definition.js";
import { deploySessionName } from "../aws/session-name.js";
import { templateFromTaskDefinition } from "./init-template.js";
import { newRunId } from "./run-id.js";

export const TEMPLATE_FILE = "templates/task-definition.json.hbs";
export const ENVIRONMENTS_DIR = "environments";

/** What init wrote (paths relative to the deploy repository) and what to do next. */
export interface InitResult {
  /** The deploy repository (absolute). */
  dir: string;
  written: string[];
  /** Of `written`, the files that existed and were replaced (--force). */
  replaced: string[];
  /** --from-service into an existing repository: the existing template against the one this service gives ("" lines = none). */
  templateDiff?: string[];
  /** --from-service: the service read and what it runs. */
  source?: { cluster: string; service: string; account: string; region: string; taskDefinitionArn: string };
  /** What `plan` would show for the new target right after (none: no change). */
  planChanges?: FieldChange[];
  /** `deployer plan --image …` for the new target. */
  next: string[];
  warnings: string[];
}

export interface InitOptions {
  /** Where the deploy repository is (or goes): the directory of --config, else the current directory. */
  dir: string;
  /** deployer's service name (deployer.yaml `service`). */
  name?: string;
  /** The target's name (environment file). */
  env?: string;
  /** The target's stage. */
  stage?: string;
  /** Replace files init would write that already exist (default: refuse, naming them). */
  force?: boolean;
}

export interface FromServiceOptions extends InitOptions {
  cluster: string;
  service: string;
  deployRole: string;
  externalId?: string;
  /** The service's region. */
  region: string;
  container?: string;
  sessions: SessionFactory;
}

// ---------- init (scaffold) ----------

export async function initScaffold(o: InitOptions): Promise<InitResult> {
  await refuseExisting(o.dir, o.force ? ["deployer.yml"] : ["deployer.yaml", "deployer.yml"]);
  const name = o.name ?? serviceName(path.basename(o.dir));
  const env = o.env ?? "dev";
  const stage = o.stage ?? "dev";
  checkNames(name, env, stage);
  const files: Record<string, string> = {
    "deployer.yaml": deployerYaml({
      service: name,
      repository: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/" + name,
      stages: [stage],
      header: "deployer configuration, written by `deployer init`: replace the example values (account ids, ARNs, the repository).",
    }),
    [TEMPLATE_FILE]: SCAFFOLD_TEMPLATE,
    [`${ENVIRONMENTS_DIR}/${env}.yaml`]: environmentYaml({
      dir: ENVIRONMENTS_DIR,
      header: [
        `Target "${env}": one AWS account (and region) the service is deployed to. The file name is the target's name.`,
        "Replace the example values with your own.",
      ],
      stage,
      account: "123456789012",
      region: "eu-west-1",
      cluster: `${name}-${env}`,
      service: name,
      deployRole: "arn:aws:iam::123456789012:role/deployer",
      externalId: `${name}-deployer-${env}`,
      taskRole: `arn:aws:iam::123456789012:role/${name}-task`,
      executionRole: `arn:aws:iam::123456789012:role/${name}-exec`,
      vars: { cpu: 256, memory: 512, containerPort: 8080, logLevel: "info" },
    }),
  };
  const replaced = await replaceable(o.dir, Object.keys(files), o.force);
  const written = await writeFiles(o.dir, files, o.force);
  return {
    dir: o.dir,
    written,
    replaced,
    next: ["deployer validate", `deployer plan --image <tag> --env ${env}`],
    warnings: [],
  };
}

// ---------- init --from-service ----------

export async function initFromService(o: FromServiceOptions): Promise<InitResult> {
  const role = parseRoleArn(o.deployRole);
  if (!role) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `--deploy-role ${JSON.stringify(o.deployRole)} is not an IAM role ARN`,
      hint: "e.g. --deploy-role arn:aws:iam::222222222222:role/deployer (the role deployer assumes in the service's account)",
    });
  }
  const account = role.account;
  const existing = await existingConfig(o.dir);
  const project = existing ? await loadProject({ config: existing }) : undefined;
  const env = o.env ?? defaultEnvName(o.cluster);
  const stage = o.stage ?? (project ? (project.config.stages.find((s) => s.name === env)?.name ?? undefined) : env);
  if (!stage) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `which stage is target "${env}" in? --stage is needed when the target's name is not a stage`,
      hint: `stages in ${path.basename(existing!)}: ${project!.config.stages.map((s) => s.name).join(", ")}; e.g. --stage ${project!.config.stages.at(-1)!.name}`,
    });
  }
  checkNames(o.name ?? "x", env, stage);
  if (project && !project.config.stages.some((s) => s.name === stage)) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `stage "${stage}" is not in ${path.basename(existing!)}`,
      hint: `stages: ${project.config.stages.map((s) => s.name).join(", ")}. Add it under \`stages:\` (in promotion order) and run init again, or give --stage with one of them.`,
    });
  }
  const same = project?.targets.find((t) => t.name === env);
  // --force re-imports a target into its own file; a target of that name elsewhere stays an error.
  if (same && !(o.force && path.relative(project!.config.environmentsDir, same.file) === `${env}.yaml`)) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `target "${env}" already exists (${path.relative(o.dir, same.file)})`,
      hint: `give the new target another name with --env NAME${o.force ? "" : `, or re-import it with --force (replaces ${path.relative(o.dir, same.file)})`}`,
    });
  }

  // Read the service and the task definition it runs, through its deploy role.
  const session = await o.sessions.target({
    roleArn: o.deployRole,
    region: o.region,
    sessionName: deploySessionName(project?.config.service ?? o.name ?? "init", newRunId()),
    target: env,
    ...(o.externalId !== undefined ? { externalId: o.externalId } : {}),
  });
  const service = (await session.ecs.describeServices(o.cluster, [o.service])).get(o.service);
  if (!service) {
    throw new DeployerError({
      code: "SERVICE_NOT_FOUND",
      message: `service ${o.cluster}/${o.service} does not exist in account ${account} (${o.region})`,
      action: "ecs:DescribeServices",
      resource: `${o.cluster}/${o.service}`,
      hint: "check --cluster, --service and --region (the service's region)",
    });
  }
  const arn = primaryTaskDefinitionArn(service);
  const td = await session.ecs.describeTaskDefinition(arn);
  if (!td) {
    throw new DeployerError({
      code: "AWS_ERROR",
      message: `${o.cluster}/${o.service} runs ${arn}, which DescribeTaskDefinition does not find`,
      action: "ecs:DescribeTaskDefinition",
      resource: arn,
    });
  }

  const gen = templateFromTaskDefinition({
    td,
    env,
    account,
    region: o.region,
    cluster: o.cluster,
    service: o.service,
    ...(project ? { name: project.config.service } : o.name ? { name: o.name } : {}),
    ...(o.container ? { container: o.container } : {}),
  });
  checkNames(gen.name, env, stage);
  const warnings = [...gen.warnings];
  if (!gen.taskRole || !gen.executionRole) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `${taskDefinitionName(arn)} has no ${!gen.taskRole ? "task role" : "execution role"}: deployer's targets name both (taskRole, executionRole)`,
      hint: "give the service's task definition a task role and an execution role, then run init again",
    });
  }

  const envFile = `${ENVIRONMENTS_DIR}/${env}.yaml`;
  const central = project?.config.image.repository ?? gen.repository;
  const environmentsDir = project ? path.relative(o.dir, project.config.environmentsDir) : ENVIRONMENTS_DIR;
  const envText = environmentYaml({
    dir: environmentsDir,
    header: [
      `Target "${env}": the service ${o.cluster}/${o.service} in account ${account} (${o.region}),`,
      `read by \`deployer init --from-service\` from ${taskDefinitionName(arn)}.`,
    ],
    stage,
    account,
    region: o.region,
    cluster: o.cluster,
    service: o.service,
    deployRole: o.deployRole,
    ...(o.externalId !== undefined ? { externalId: o.externalId } : {}),
    taskRole: gen.taskRole,
    executionRole: gen.executionRole,
    ...(gen.repository !== central ? { imageRepository: gen.repository } : {}),
    vars: gen.vars,
  });

  const files: Record<string, string> = project
    ? { [envFile]: envText }
    : {
        "deployer.yaml": deployerYaml({
          service: gen.name,
          repository: gen.repository,
          stages: [stage],
          header: `deployer configuration, written by \`deployer init --from-service\` from ${o.cluster}/${o.service} (${account}, ${o.region}).`,
        }),
        [TEMPLATE_FILE]: gen.template,
        [envFile]: envText,
      };
  if (project && environmentsDir !== ENVIRONMENTS_DIR) {
    delete files[envFile];
    files[`${environmentsDir}/${env}.yaml`] = envText;
  }
  const replaced = await replaceable(o.dir, Object.keys(files), o.force);

  // Render the repository as it will be, for this target, and compare it with what runs.
  const image = gen.digest ?? gen.tag;
  const changes = await checkRender(o.dir, files, env, td, image);
  let templateDiff: string[] | undefined;
  if (project) {
    const current = await readFile(project.template.file, "utf8");
    templateDiff = current === gen.template ? [] : lineDiff(current, gen.template);
  }
  const written = await writeFiles(o.dir, files, o.force);
  const imageArg = tagOf(td) ?? gen.digest ?? gen.tag ?? "<tag>";
  return {
    dir: o.dir,
    written,
    replaced,
    ...(templateDiff ? { templateDiff } : {}),
    source: { cluster: o.cluster, service: o.service, account, region: o.region, taskDefinitionArn: arn },
    planChanges: changes,
    next: ["deployer validate", `deployer plan --image ${imageArg} --env ${env}`],
    warnings,
  };
}

/** The image tag deployer recorded on a revision it registered, if any. */
function tagOf(td: LiveTaskDefinition): string | undefined {
  return td.tags["deployer:image-tag"];
}

/**
 * Loads the deploy repository as it will be (a copy, with the new files) and renders the new target
 * for the image it runs: the differences from the live definition, as plan would show them.
 */
async function checkRender(
  dir: string,
  files: Record<string, string>,
  env: string,
  td: LiveTaskDefinition,
  image: string | undefined,
): Promise<FieldChange[]> {
  const tmp = await mkdtemp(path.join(tmpdir(), "deployer-init-"));
  try {
    const existing = await existingConfig(dir);
    if (existing) {
      const p = await loadProject({ config: existing });
      await copyInto(p, tmp);
    }
    await writeFiles(tmp, files, true);
    const project = await loadProject({ config: path.join(tmp, "deployer.yaml") });
    const target = project.targets.find((t) => t.name === env)!;
    const repo = targetImageRepository(project, target);
    const ref = image?.startsWith("sha256:") ? `${repo}@${image}` : `${repo}:${image ?? "latest"}`;
    const rendered = renderTaskDefinition(project, target, ref) as unknown as Record<string, unknown>;
    if (sameTaskDefinition(rendered, td.raw)) return [];
    return diffTaskDefinitions(td.raw, rendered);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** deployer.yaml, the template and the environment files of a project, copied into `dir` at the same relative paths. */
async function copyInto(p: Project, dir: string): Promise<void> {
  const root = p.config.rootDir;
  const copies: Record<string, string> = {
    [path.relative(root, p.config.file)]: await readFile(p.config.file, "utf8"),
    [path.relative(root, p.template.file)]: p.template.source,
  };
  const envDir = p.config.environmentsDir;
  const { readdir } = await import("node:fs/promises");
  for (const f of await readdir(envDir)) {
    if (/\.ya?ml$/.test(f)) copies[path.relative(root, path.join(envDir, f))] = await readFile(path.join(envDir, f), "utf8");
  }
  await writeFiles(dir, copies, false);
}

// ---------- files ----------

async function existingConfig(dir: string): Promise<string | undefined> {
  try {
    const found = await findConfigFile({ cwd: dir });
    return path.dirname(found) === path.resolve(dir) ? found : undefined;
  } catch {
    return undefined;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function existing(dir: string, files: string[]): Promise<string[]> {
  const there: string[] = [];
  for (const f of files) if (await exists(path.join(dir, f))) there.push(f);
  return there;
}

async function refuseExisting(dir: string, files: string[]): Promise<void> {
  const there = await existing(dir, files);
  if (there.length === 0) return;
  throw new DeployerError({
    code: "INVALID_ARGUMENT",
    message: `${there.join(", ")} already exist${there.length === 1 ? "s" : ""} in ${dir}: init does not overwrite a file without --force`,
    hint: there.some((f) => f.startsWith("deployer.y"))
      ? "this is a deploy repository already: `deployer init --from-service … --env NAME` adds a target to it (--force replaces the files init writes)"
      : "move the file away, give the target another name with --env NAME, or replace it with --force",
  });
}

/** The files init is about to write that exist: an error without --force, the list of what it replaces with it. */
async function replaceable(dir: string, files: string[], force: boolean | undefined): Promise<string[]> {
  if (!force) {
    await refuseExisting(dir, files);
    return [];
  }
  return existing(dir, files);
}

async function writeFiles(dir: string, files: Record<string, string>, force: boolean | undefined): Promise<string[]> {
  const written: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    // "wx": never overwrite (even a file that appeared since it was checked) unless --force.
    await writeFile(file, text, { flag: force ? "w" : "wx" });
    written.push(rel.split(path.sep).join("/"));
  }
  return written;
}

// ---------- names ----------

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

function checkNames(name: string, env: string, stage: string): void {
  const bad: string[] = [];
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/.test(name)) bad.push(`service name ${JSON.stringify(name)} (--name: letters, digits, - and _)`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(env)) bad.push(`target name ${JSON.stringify(env)} (--env: letters, digits, -, _ and .)`);
  if (!NAME.test(stage)) bad.push(`stage ${JSON.stringify(stage)} (--stage: lower-case letters, digits and -)`);
  if (bad.length > 0) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `not a valid ${bad.join("; ")}`,
      hint: "e.g. --name shop-api --env dev --stage dev",
    });
  }
}

/** A service name from a directory name: `Shop API` → `shop-api`. */
function serviceName(dir: string): string {
  const s = dir
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s || "my-service";
}

/** The target name `init --from-service` gives without --env: the cluster's name. */
function defaultEnvName(cluster: string): string {
  return cluster.replace(/[^A-Za-z0-9_.-]/g, "-");
}

// ---------- file text ----------

function scalar(v: unknown): string {
  return yamlScalar(v).trimEnd();
}

/**
 * The schema comment editors read (YAML language server, as in VS Code's YAML extension): the schemas
 * ship with the package, so they are under node_modules once deployer is installed in the repository.
 */
const SCHEMAS = "node_modules/ecs-fleet-deployer/schemas";
function schemaLine(fromDir: string, schema: string): string {
  const up =
    fromDir === "" || fromDir === "."
      ? "."
      : fromDir
          .split(/[\\/]/)
          .map(() => "..")
          .join("/");
  return `# yaml-language-server: $schema=${up}/${SCHEMAS}/${schema}`;
}

function deployerYaml(o: { service: string; repository: string; stages: string[]; header: string }): string {
  return [
    schemaLine("", "deployer.schema.json"),
    `# ${o.header}`,
    "# One template, one file per target account under environments/, stages in promotion order.",
    '# Reference: the README\'s "The files you write"; schema: schemas/deployer.schema.json.',
    `service: ${scalar(o.service)}                 # task-definition family prefix and tags`,
    `template: ${TEMPLATE_FILE}`,
    "image:",
    "  # The central ECR repository: CI pushes one image per commit here; deployer resolves tags to digests in it.",
    `  repository: ${scalar(o.repository)}`,
    "stages:                                # in promotion order (deployer promote --stage NEXT)",
    ...o.stages.map((s) => `  - name: ${scalar(s)}`),
    "    # maxParallel: 2                   # targets of the stage rolled out at once (default: all)",
    "    # requireConfirmation: true        # rollout to it always asks (--yes without a terminal)",
    "    # requirePreviousStage: true       # refuse a digest that never ran healthy in the stage before",
    `environmentsDir: ${ENVIRONMENTS_DIR}`,
    "",
  ].join("\n");
}

interface EnvironmentFields {
  /** The environments directory, relative to the repository (for the schema comment). */
  dir: string;
  header: string[];
  stage: string;
  account: string;
  region: string;
  cluster: string;
  service: string;
  deployRole: string;
  externalId?: string;
  taskRole: string;
  executionRole: string;
  imageRepository?: string;
  vars: Record<string, unknown>;
}

function environmentYaml(e: EnvironmentFields): string {
  const lines = [
    schemaLine(e.dir, "environment.schema.json"),
    ...e.header.map((h) => `# ${h}`),
    `stage: ${scalar(e.stage)}`,
    `account: ${JSON.stringify(e.account)}                 # quoted: 12 digits, leading zeros matter`,
    `region: ${scalar(e.region)}`,
    `cluster: ${scalar(e.cluster)}`,
    `service: ${scalar(e.service)}                          # the ECS service`,
    `deployRole: ${scalar(e.deployRole)}   # assumed by deployer, with the ExternalId`,
    e.externalId !== undefined
      ? `externalId: ${scalar(e.externalId)}`
      : "# externalId: …                       # the ExternalId the deploy role's trust policy requires",
    `taskRole: ${scalar(e.taskRole)}       # must be in the target's own account`,
    `executionRole: ${scalar(e.executionRole)}`,
  ];
  if (e.imageRepository) lines.push(`imageRepository: ${scalar(e.imageRepository)}   # this target pulls from its own replica`);
  const vars = Object.entries(e.vars);
  if (vars.length > 0) {
    lines.push("vars:                                   # free-form values for the template ({{vars.NAME}})");
    for (const [k, v] of vars) lines.push(`  ${scalar(k)}: ${scalar(v)}`);
  }
  lines.push("# sensitive: [vars.apiKey]             # values never shown in plans, logs or PR comments");
  lines.push("");
  return lines.join("\n");
}

const SCAFFOLD_TEMPLATE = `{
  "family": "{{service}}-{{target.name}}",
  "taskRoleArn": "{{taskRole}}",
  "executionRoleArn": "{{executionRole}}",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "{{vars.cpu}}",
  "memory": "{{vars.memory}}",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "{{image}}",
      "essential": true,
      "portMappings": [{ "containerPort": {{json vars.containerPort}}, "protocol": "tcp" }],
      "environment": [
        { "name": "STAGE", "value": "{{target.stage}}" },
        { "name": "LOG_LEVEL", "value": "{{vars.logLevel}}" }
      ],
      "logConfiguration": {
        "logDriver": "awslogs",
        "options": {
          "awslogs-group": "/ecs/{{service}}/{{target.name}}",
          "awslogs-region": "{{target.region}}",
          "awslogs-stream-prefix": "app"
        }
      }
    }
  ]
}
`;

// ---------- a line diff ----------

/** A unified-style line diff (`  ` same, `- ` only in `a`, `+ ` only in `b`), with 2 lines of context. */
export function lineDiff(a: string, b: string, context = 2): string[] {
  const x = a.split("\n");
  const y = b.split("\n");
  // Longest common subsequence table (templates are small: at most 1 MiB, bounded elsewhere).
  const n = x.length;
  const m = y.length;
  if (n * m > 4_000_000) return [`- (${n} lines)`, `+ (${m} lines)`];
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Array<{ op: " " | "-" | "+"; line: string }> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      ops.push({ op: " ", line: x[i]! });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      ops.push({ op: "-", line: x[i]! });
      i++;
    } else {
      ops.push({ op: "+", line: y[j]! });
      j++;
    }
  }
  const keep = ops.map((o, k) => o.op !== " " || ops.slice(Math.max(0, k - context), k + context + 1).some((p) => p.op !== " "));
  const out: string[] = [];
  ops.forEach((o, k) => {
    if (keep[k]) out.push(`${o.op} ${o.line}`);
    else if (k === 0 || keep[k - 1]) out.push("  …");
  });
  return out;
}
