// The tests' one set of factories: targets, projects, images, task definitions (rendered from the
// example template, or minimal), services and deployments, check results, observed state, plan
// input. No AWS: the fake AWS they are served by is fake-aws.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { partitionOf } from "../../src/config/aws-names.js";
import Handlebars from "handlebars";
import type { DesiredTarget, Project, ResolvedImage, Target, TaskDefinitionInput } from "../../src/config/types.js";
import type { LiveDeployment, LiveService, LiveTaskDefinition } from "../../src/aws/ports.js";
import type { ObservedTarget } from "../../src/observe/types.js";
import type { BuildPlanInput } from "../../src/plan/build.js";
import type { CheckResult } from "../../src/checks/check-result.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The one-service example deploy repository (the repository's example before issue 17). */
export const EXAMPLE = path.join(ROOT, "test/fixtures/config/one-service");
export const DIGEST_A = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
export const DIGEST_B = "sha256:9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c";
export const REPO = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api";
export const SENTRY_DSN = "https://0f1e2d3c4b5a@o1.ingest.sentry.example/42";
/** The central repository (the example deployer.yaml's). */
export const CENTRAL = REPO;
/** The digest the checks and observation tests resolve `3f2a9c1` to. */
export const DIGEST = `sha256:${"ab".repeat(32)}`;

/** A DescribeTaskDefinition response fixture (`{ taskDefinition, tags }`). */
/**
 * A DescribeTaskDefinition answer as deployer's tests model it (test/fixtures/modelled: hand-written
 * inputs, not AWS responses; real responses live in test/fixtures/aws with their provenance).
 */
export function modelledDescription(name: string): {
  taskDefinition: Record<string, unknown>;
  tags: Array<{ key: string; value: string }>;
} {
  return JSON.parse(readFileSync(path.join(ROOT, "test/fixtures/modelled", name), "utf8"));
}

/**
 * A target (default: "dev" in account 222222222222, eu-west-1), its file in the example repository
 * and the position of each field in it; vars as the example template reads them, sentryDsn sensitive.
 */
export function makeTarget(overrides: Partial<Target> = {}): Target {
  const name = overrides.name ?? "dev";
  const account = overrides.account ?? "222222222222";
  const file = overrides.file ?? path.join(EXAMPLE, "environments", `${name}.yaml`);
  const at = (line: number) => ({ file, line, column: 1 });
  return {
    name,
    env: name,
    serviceKey: "shop-api",
    file,
    stage: "dev",
    account,
    region: "eu-west-1",
    cluster: "shop-dev",
    service: "api",
    deployRole: `arn:aws:iam::${account}:role/deployer`,
    externalId: "shop-deployer-dev",
    taskRole: `arn:aws:iam::${account}:role/shop-api-task`,
    executionRole: `arn:aws:iam::${account}:role/shop-api-exec`,
    vars: { cpu: 256, memory: 512, desiredCount: 1, containerPort: 8080, logLevel: "debug", sentryDsn: SENTRY_DSN },
    sensitive: ["vars.sentryDsn"],
    locations: {
      cluster: at(4),
      service: at(5),
      deployRole: at(6),
      externalId: at(7),
      taskRole: at(8),
      executionRole: at(9),
      imageRepository: at(10),
    },
    ...overrides,
  };
}

/** Renders the example repository's real template for a target, the way deployer does. */
export function renderTemplate(t: Target, image: string, service = "shop-api"): TaskDefinitionInput {
  const hb = Handlebars.create();
  hb.registerHelper("json", (v: unknown) => new Handlebars.SafeString(JSON.stringify(v)));
  const source = readFileSync(path.join(EXAMPLE, "templates/task-definition.json.hbs"), "utf8");
  const text = hb.compile(source, { noEscape: true, strict: true })({
    service,
    target: { name: t.name, stage: t.stage, account: t.account, region: t.region, partition: partitionOf(t.region) },
    taskRole: t.taskRole,
    executionRole: t.executionRole,
    vars: t.vars,
    image,
  });
  return JSON.parse(text) as TaskDefinitionInput;
}

export function image(digest = DIGEST_A, tag: string | undefined = "9c1e4b7"): ResolvedImage {
  return tag === undefined ? { repository: REPO, digest } : { repository: REPO, tag, digest };
}

export function desired(t: Target, img: ResolvedImage = image()): DesiredTarget {
  const ref = `${REPO}@${img.digest}`;
  return { target: t, image: img, imageRef: ref, taskDefinition: renderTemplate(t, ref) };
}

export function liveTaskDefinition(raw: Record<string, unknown>, arn: string, tags: Record<string, string> = {}): LiveTaskDefinition {
  const revision = Number(arn.split(":").pop());
  return {
    arn,
    family: String(raw.family),
    revision,
    status: "ACTIVE",
    raw: { ...raw, taskDefinitionArn: arn, revision, status: "ACTIVE" },
    tags,
  };
}

export function deployment(overrides: Partial<LiveDeployment> = {}): LiveDeployment {
  return {
    id: "ecs-svc/1234567890123456789",
    status: "PRIMARY",
    taskDefinition: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api-dev:7",
    rolloutState: "COMPLETED",
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    failedTasks: 0,
    ...overrides,
  };
}

export function service(t: Target, taskDefinitionArn: string, deployments?: LiveDeployment[]): LiveService {
  return {
    arn: `arn:aws:ecs:${t.region}:${t.account}:service/${t.cluster}/${t.service}`,
    name: t.service,
    clusterArn: `arn:aws:ecs:${t.region}:${t.account}:cluster/${t.cluster}`,
    status: "ACTIVE",
    taskDefinition: taskDefinitionArn,
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    deploymentController: "ECS",
    circuitBreaker: { enable: true, rollback: true },
    deployments: deployments ?? [deployment({ taskDefinition: taskDefinitionArn })],
    events: [],
  };
}

export function check(id: string, verdict: CheckResult["verdict"], extra: Partial<CheckResult> = {}): CheckResult {
  return { id, title: `check ${id}`, target: "dev", verdict, message: `${id}: ${verdict}`, ...extra };
}

export const PASSING_CHECKS = (name = "dev"): CheckResult[] => [
  check("assume-role", "pass", { target: name, title: "deploy role assumable" }),
  check("service", "pass", { target: name, title: "service exists and is ACTIVE" }),
  check("pass-role:taskRole", "pass", { target: name, title: "deploy role can pass the task role" }),
  check("image-pull", "pass", { target: name, title: "image pullable" }),
];

/** An observed target whose service runs `live` (a definition object as DescribeTaskDefinition returns it). */
export function observed(t: Target, live: Record<string, unknown> | undefined, extra: Partial<ObservedTarget> = {}): ObservedTarget {
  const arn = `arn:aws:ecs:${t.region}:${t.account}:task-definition/shop-api-${t.name}:7`;
  const td = live ? liveTaskDefinition(live, arn, { "deployer:run-id": "3f9c2a1b" }) : undefined;
  return {
    target: t,
    service: live ? service(t, arn) : undefined,
    liveTaskDefinition: td,
    latestRevision: td,
    checks: PASSING_CHECKS(t.name),
    readsAs: "deploy",
    ...extra,
  };
}

export function planInput(
  entries: BuildPlanInput["entries"],
  overrides: Partial<BuildPlanInput["options"]> = {},
  img = image(),
): BuildPlanInput {
  return {
    service: "shop-api",
    image: img,
    runId: "7d2e91ab",
    deployerVersion: "0.1.0",
    createdAt: "2025-03-19T10:00:00.000Z",
    stages: [{ name: "dev" }, { name: "staging" }, { name: "prod", maxParallel: 2 }],
    entries,
    options: { strict: false, timeoutSeconds: 900, waitForInProgress: false, by: "alice@example.com", gitSha: "9c1e4b7d0a", ...overrides },
    rootDir: EXAMPLE,
  };
}

export function makeProject(targets: Target[], image: Partial<Project["config"]["image"]> = {}): Project {
  return {
    config: {
      file: "/repo/deployer.yaml",
      rootDir: "/repo",
      service: "shop-api",
      template: "/repo/templates/task-definition.json.hbs",
      image: { repository: CENTRAL, ...image },
      services: [{ key: "shop-api", template: "/repo/templates/task-definition.json.hbs", image: { repository: CENTRAL, ...image } }],
      stages: [{ name: "dev" }],
      environmentsDir: "/repo/environments",
    },
    targets,
    template: { file: "/repo/templates/task-definition.json.hbs", source: "{}" },
  };
}

/** A minimal desired definition (one container, the target's roles) for `CENTRAL@DIGEST`. */
export function makeDesired(target: Target, overrides: Partial<TaskDefinitionInput> = {}): DesiredTarget {
  const imageRef = `${target.imageRepository ?? CENTRAL}@${DIGEST}`;
  return {
    target,
    image: { repository: CENTRAL, tag: "3f2a9c1", digest: DIGEST },
    imageRef,
    taskDefinition: {
      family: "shop-api",
      taskRoleArn: target.taskRole,
      executionRoleArn: target.executionRole,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "app", image: imageRef, essential: true }],
      ...overrides,
    },
  };
}

/** Revision `revision` of a family in `account`, as DescribeTaskDefinition returns it. */
export function makeRevision(account: string, revision: number, def: Record<string, unknown>, status = "ACTIVE"): LiveTaskDefinition {
  const family = (def.family as string | undefined) ?? "shop-api";
  return {
    arn: `arn:aws:ecs:eu-west-1:${account}:task-definition/${family}:${revision}`,
    family,
    revision,
    status,
    raw: { ...def, taskDefinitionArn: `arn:aws:ecs:eu-west-1:${account}:task-definition/${family}:${revision}`, revision, status },
    tags: { "deployer:run-id": "old" },
  };
}

/** A settled service (one COMPLETED PRIMARY deployment) of `cluster` in `account`. */
export function liveService(account: string, cluster: string, taskDefinition: string, overrides: Partial<LiveService> = {}): LiveService {
  return {
    arn: `arn:aws:ecs:eu-west-1:${account}:service/${cluster}/api`,
    name: "api",
    clusterArn: `arn:aws:ecs:eu-west-1:${account}:cluster/${cluster}`,
    status: "ACTIVE",
    taskDefinition,
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    deploymentController: "ECS",
    deployments: [
      {
        id: "ecs-svc/1",
        status: "PRIMARY",
        taskDefinition,
        rolloutState: "COMPLETED",
        desiredCount: 1,
        runningCount: 1,
        pendingCount: 0,
        failedTasks: 0,
      },
    ],
    events: [],
    ...overrides,
  };
}
