// Builds a small fleet for the apply tests: one FakeEcs per account (targets of one account share
// it, as they would share a session's ECS client), services running revision 1 of `shop-api`, and a
// Plan whose steps deploy `IMAGE_NEW` (or an image the test picks) to them.
import type { TaskDefinitionInput } from "../../../src/config/types.js";
import type { Plan, Step, TargetAction, TargetPlan } from "../../../src/plan/types.js";
import type { RunEvent } from "../../../src/apply/types.js";
import type { TargetSession } from "../../../src/aws/ports.js";
import { FakeClock, FakeEcs, fakeSession, type DeploymentScript, type FakeEcsOptions } from "../../helpers/fake-aws.js";

export const REPO = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api";
export const DIGEST_OLD = "sha256:" + "a".repeat(64);
export const DIGEST_NEW = "sha256:" + "b".repeat(64);
export const DIGEST_BAD = "sha256:" + "c".repeat(64);

export function taskDefinition(digest: string, family = "shop-api"): TaskDefinitionInput {
  return {
    family,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "app", image: `${REPO}@${digest}`, essential: true }],
  };
}

export interface FleetTarget {
  name: string;
  stage: string;
  account: string;
  action?: TargetAction;
  /** Digest the plan deploys (default DIGEST_NEW). */
  digest?: string;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  rolloutStates?: boolean;
  timeoutSeconds?: number;
  /** Replace the register step by reusing this ARN. */
  reuse?: string;
  waitForeign?: boolean;
}

export interface Fleet {
  clock: FakeClock;
  ecs: Map<string, FakeEcs>;
  sessions: Map<string, TargetSession>;
  plan: Plan;
  events: RunEvent[];
  onEvent: (e: RunEvent) => void;
  ecsOf(target: string): FakeEcs;
}

/**
 * `script` decides how each new deployment behaves from its image digest (default: the bad digest
 * fails, anything else is healthy after 60 s).
 */
export function fleet(
  stages: Array<{ name: string; maxParallel?: number }>,
  targets: FleetTarget[],
  script: (digest: string | undefined) => DeploymentScript = (d) =>
    d === DIGEST_BAD ? { kind: "failing" } : { kind: "healthy", afterMs: 60_000 },
  ecsOptions: Partial<Omit<FakeEcsOptions, "clock" | "account" | "script">> = {},
): Fleet {
  const clock = new FakeClock();
  const ecs = new Map<string, FakeEcs>();
  const sessionsByAccount = new Map<string, TargetSession>();
  const sessions = new Map<string, TargetSession>();
  const plans: TargetPlan[] = [];
  for (const t of targets) {
    let fake = ecs.get(t.account);
    if (!fake) {
      fake = new FakeEcs({
        ...ecsOptions,
        clock,
        account: t.account,
        script: (_arn, input) => script(/@(sha256:[0-9a-f]+)/.exec(input?.containerDefinitions[0]?.image ?? "")?.[1]),
      });
      ecs.set(t.account, fake);
      sessionsByAccount.set(t.account, fakeSession(fake));
    }
    fake.addService({
      service: `api-${t.name}`,
      taskDefinition: taskDefinition(DIGEST_OLD),
      circuitBreaker: t.circuitBreaker,
      rolloutStates: t.rolloutStates,
      events: [{ message: "(service old) has reached a steady state." }],
    });
    sessions.set(t.name, sessionsByAccount.get(t.account)!);
    const liveArn = fake.primaryTaskDefinition(`api-${t.name}`);
    const primaryId = fake.snapshot(`api-${t.name}`).deployments.find((d) => d.status === "PRIMARY")?.id;
    const action = t.action ?? "update";
    const digest = t.digest ?? DIGEST_NEW;
    const steps: Step[] = [];
    if (action === "update") {
      if (t.waitForeign) steps.push({ kind: "wait-foreign-deployment", timeoutSeconds: t.timeoutSeconds ?? 900 });
      steps.push(
        t.reuse
          ? { kind: "reuse-task-definition", taskDefinitionArn: t.reuse }
          : { kind: "register-task-definition", tags: { "deployer:image-digest": digest, "deployer:run-id": "r1" } },
      );
      steps.push({ kind: "update-service", cluster: "main", service: `api-${t.name}` });
      steps.push({ kind: "wait-stable", timeoutSeconds: t.timeoutSeconds ?? 900 });
    }
    plans.push({
      target: {
        name: t.name,
        env: t.name,
        serviceKey: "api",
        stage: t.stage,
        account: t.account,
        region: "eu-west-1",
        cluster: "main",
        service: `api-${t.name}`,
        file: `environments/${t.name}.yaml`,
      },
      action,
      imageRef: `${REPO}@${digest}`,
      desired: taskDefinition(digest),
      fingerprint: `fp-${digest}`,
      live: {
        taskDefinitionArn: liveArn,
        revision: 1,
        imageDigest: DIGEST_OLD,
        fingerprint: `fp-${DIGEST_OLD}`,
        desiredCount: 2,
        runningCount: 2,
        rolloutState: "COMPLETED",
        tags: {},
        ...(primaryId ? { primaryDeploymentId: primaryId } : {}),
      },
      // The services start settled on revision 1: it is what a failure rolls back to.
      rollbackTo: { taskDefinitionArn: liveArn, source: "steady-state", evidence: "the service runs it, settled", status: "ACTIVE" },
      diff:
        action === "update"
          ? [{ path: "containers[app].image", kind: "changed", before: `${REPO}@${DIGEST_OLD}`, after: `${REPO}@${digest}` }]
          : [],
      checks:
        action === "blocked"
          ? [
              {
                id: "pass-role:taskRole",
                title: "deploy role can pass the task role",
                target: t.name,
                verdict: "fail",
                message: "PassRole denied",
                hint: "allow iam:PassRole on the task role",
              },
            ]
          : [{ id: "assume-role", title: "deploy role is assumable", target: t.name, verdict: "pass", message: "ok" }],
      steps,
      sensitivePaths: [],
    });
  }
  const events: RunEvent[] = [];
  const plan: Plan = {
    formatVersion: 1,
    deployerVersion: "0.1.0-test",
    createdAt: new Date(clock.now()).toISOString(),
    runId: "r1",
    service: "shop-api",
    image: { repository: REPO, tag: "3f2a9c1", digest: DIGEST_NEW },
    stages,
    targets: plans,
    summary: {
      targets: plans.length,
      toChange: plans.filter((p) => p.action === "update").length,
      unchanged: plans.filter((p) => p.action === "noop").length,
      blocked: plans.filter((p) => p.action === "blocked").length,
      failingChecks: plans.filter((p) => p.action === "blocked").length,
      warnings: 0,
    },
  };
  return {
    clock,
    ecs,
    sessions,
    plan,
    events,
    onEvent: (e) => events.push(e),
    ecsOf: (target) => ecs.get(targets.find((t) => t.name === target)!.account)!,
  };
}

/** The highest number of targets between their target-start and target-done events at once. */
export function maxConcurrency(events: RunEvent[]): number {
  let now = 0;
  let max = 0;
  for (const e of events) {
    if (e.type === "target-start") max = Math.max(max, ++now);
    if (e.type === "target-done" && e.outcome !== "not-started" && e.outcome !== "unchanged") now--;
  }
  return max;
}

export function eventsOf(events: RunEvent[], target: string): RunEvent[] {
  return events.filter((e) => "target" in e && e.target === target);
}
