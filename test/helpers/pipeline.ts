// In-process pipeline against the local sandbox: the real SDK v3 clients over real HTTP to
// 127.0.0.1, the same functions the CLI calls (prepareRun → makePlan → applyPlan), a temp copy of
// the example deploy repo to edit, and fast polling.
import { readFileSync, cpSync, mkdirSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { startSandbox, DEMO_FIXTURE, type Sandbox, type StartSandboxOptions, type Fixture } from "../../sandbox/index.js";
import { exampleRepo, projectRoot, type TempRepo } from "../fixtures/config/repo.js";
import { createSessionFactory } from "../../src/aws/session.js";
import { prepareRun, type PreparedRun } from "../../src/workflow/prepare-run.js";
import { makePlan, sessionsOf, type PlanResult } from "../../src/workflow/make-plan.js";
import { applyPlan } from "../../src/apply/apply.js";
import type { TargetSelection } from "../../src/config/select.js";
import type { BuildPlanOptions } from "../../src/plan/build.js";
import type { RunEvent, RunReport } from "../../src/apply/types.js";

export interface Pipeline {
  sandbox: Sandbox;
  repo: TempRepo;
  prepare(selection?: TargetSelection, config?: string): Promise<PreparedRun>;
  plan(
    selection: TargetSelection | undefined,
    image: string,
    options?: Partial<BuildPlanOptions>,
    config?: string,
  ): Promise<PlanResult & { run: PreparedRun }>;
  rollout(
    selection: TargetSelection | undefined,
    image: string,
    options?: Partial<BuildPlanOptions> & { rollbackStage?: boolean },
  ): Promise<{ plan: PlanResult["plan"]; report: RunReport; events: RunEvent[] }>;
  /** Copy examples/broken into the temp repo; returns its deployer.yaml path. */
  brokenConfig(): string;
  /** The writes the sandbox saw (RegisterTaskDefinition, UpdateService, TagResource, …) per account. */
  writes(account?: string): string[];
  stop(): Promise<void>;
}

const WRITE_ACTIONS = new Set([
  "RegisterTaskDefinition",
  "UpdateService",
  "TagResource",
  "UntagResource",
  "DeregisterTaskDefinition",
  "CreateService",
  "DeleteService",
]);

/** The demo fixture as an object, to patch per test (e.g. circuit breaker off for one target). */
export function demoFixture(): Fixture {
  return parseYaml(readFileSync(DEMO_FIXTURE, "utf8")) as Fixture;
}

export async function startPipeline(opts: StartSandboxOptions = {}): Promise<Pipeline> {
  const sandbox = await startSandbox({ port: 0, deploymentSeconds: 0.3, ...opts });
  const repo = exampleRepo();
  const sessions = () =>
    createSessionFactory({ endpointUrl: sandbox.endpoint, baseCredentials: async () => ({ ...sandbox.credentials }), maxAttempts: 8 });

  const defaults = (by: string): BuildPlanOptions => ({ strict: false, timeoutSeconds: 30, waitForInProgress: false, by });

  const p: Pipeline = {
    sandbox,
    repo,
    prepare: (selection, config) => prepareRun({ config: config ?? repo.file("deployer.yaml"), selection, sessions: sessions() }),
    async plan(selection, image, options = {}, config) {
      const run = await p.prepare(selection, config);
      try {
        const result = await makePlan({
          project: run.project,
          targets: run.targets,
          image,
          sessions: run.sessions,
          runId: run.runId,
          // The pipeline's plans are applied (sessionsOf): the deploy role is assumed for them.
          access: "write",
          options: { ...defaults(run.by), ...options },
        });
        return { ...result, run };
      } catch (e) {
        await run.sessions.close();
        throw e;
      }
    },
    async rollout(selection, image, options = {}) {
      const { plan, observed, run } = await p.plan(selection, image, options);
      const events: RunEvent[] = [];
      try {
        const report = await applyPlan(plan, {
          sessions: sessionsOf(observed),
          onEvent: (e) => events.push(e),
          poll: { initialMs: 50, maxMs: 200, factor: 1.5 },
          rollbackStage: options.rollbackStage,
        });
        return { plan, report, events };
      } finally {
        await run.sessions.close();
      }
    },
    brokenConfig() {
      const dest = path.join(repo.dir, "examples", "broken");
      mkdirSync(dest, { recursive: true });
      cpSync(path.join(projectRoot, "examples", "broken"), dest, { recursive: true });
      return path.join(dest, "deployer.yaml");
    },
    writes(account) {
      return sandbox.admin
        .log(account ? { account } : undefined)
        .filter((e) => e.service === "ecs" && WRITE_ACTIONS.has(e.action) && e.status < 400)
        .map((e) => `${e.account}:${e.action}`);
    },
    async stop() {
      await sandbox.stop();
      repo.cleanup();
    },
  };
  return p;
}
