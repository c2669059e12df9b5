// Small factories for plan tests: targets, rendered definitions, observed state. No AWS.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import type { DesiredTarget, ResolvedImage, Target, TaskDefinitionInput } from "../../../src/config/types.js";
import type { LiveDeployment, LiveService, LiveTaskDefinition } from "../../../src/aws/ports.js";
import type { ObservedTarget } from "../../../src/observe/types.js";
import type { BuildPlanInput } from "../../../src/plan/build.js";
import type { CheckResult } from "../../../src/checks/check-result.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const DIGEST_A = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
export const DIGEST_B = "sha256:9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c";
export const REPO = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api";
export const SENTRY_DSN = "https://0f1e2d3c4b5a@o1.ingest.sentry.example/42";

/** A DescribeTaskDefinition response fixture (`{ taskDefinition, tags }`). */
export function describeFixture(name: string): { taskDefinition: Record<string, unknown>; tags: Array<{ key: string; value: string }> } {
  return JSON.parse(readFileSync(path.join(ROOT, "test/fixtures/aws", name), "utf8"));
}

export function target(overrides: Partial<Target> = {}): Target {
  const name = overrides.name ?? "dev";
  const account = overrides.account ?? "222222222222";
  return {
    name,
    file: path.join(ROOT, "environments", `${name}.yaml`),
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
    locations: {},
    ...overrides,
  };
}

/** Renders the example repository's real template for a target, the way deployer does. */
export function renderTemplate(t: Target, image: string, service = "shop-api"): TaskDefinitionInput {
  const hb = Handlebars.create();
  hb.registerHelper("json", (v: unknown) => new Handlebars.SafeString(JSON.stringify(v)));
  const source = readFileSync(path.join(ROOT, "templates/task-definition.json.hbs"), "utf8");
  const text = hb.compile(source, { noEscape: true, strict: true })({
    service,
    target: { name: t.name, stage: t.stage, account: t.account, region: t.region },
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
    rootDir: ROOT,
  };
}
