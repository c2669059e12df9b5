// The promotion gate of `rollout`: an image digest deployed to a stage should have run healthy in the
// stage before it. For every stage of a plan whose stage before is not part of the same run (a run
// `--through staging` proves dev first, stage by stage), deployer reads the targets of that stage
// (read-only, their deploy roles): the digest ran healthy there when a target runs it now, stable, or
// when ECS's service deployment history shows a deployment of a revision with that digest that ended
// SUCCESSFUL (or a rollback to one that ROLLBACK_SUCCESSFUL). The verdict is a check on every target
// of the stage that would be updated (`previous-stage`): pass, a warning (a question in a terminal),
// or with `requirePreviousStage: true` on the stage a failure (nothing is deployed).
import type { Project, StageConfig, Target } from "../config/types.js";
import type { SessionFactory } from "../aws/ports.js";
import type { Plan } from "../plan/types.js";
import type { CheckResult, Verdict } from "../checks/check-result.js";
import { readTarget, runSessionNames, type RunSessionNames } from "../fleet/read-target.js";
import { deployedImage } from "../fleet/deployed.js";
import { serviceState } from "../ecs/deployment-state.js";
import { readDeploymentHistory } from "../ecs/deployment-history.js";
import { mapBounded } from "../concurrency.js";
import { shortDigest, taskDefinitionName } from "../config/aws-names.js";

export const PREVIOUS_STAGE_CHECK = { id: "previous-stage", title: "the image ran healthy in the stage before" } as const;

/** What the stage before says about a digest. */
export interface PreviousStageEvidence {
  stage: string;
  /** true: ran healthy there (see `evidence`); false: never did; undefined: could not be read at all. */
  ran: boolean | undefined;
  evidence: string;
}

/** The stage before `stage` in deployer.yaml, if any. */
export function stageBefore(project: Project, stage: string): StageConfig | undefined {
  const i = project.config.stages.findIndex((s) => s.name === stage);
  return i > 0 ? project.config.stages[i - 1] : undefined;
}

/** Whether `digest` ran healthy in `stage` (now or in its service deployment history). Never throws. */
export async function ranHealthyIn(
  project: Project,
  stage: string,
  digest: string,
  sessions: SessionFactory,
  runId: string,
): Promise<PreviousStageEvidence> {
  const targets = project.targets.filter((t) => t.stage === stage);
  if (targets.length === 0) return { stage, ran: false, evidence: `stage ${stage} has no targets` };
  const names = runSessionNames(project.config.service, runId);
  const results = await mapBounded(targets, (t) => ranHealthyInTarget(t, digest, sessions, names));
  const yes = results.find((r) => r.ran === true);
  if (yes) return { stage, ran: true, evidence: yes.evidence };
  const unread = results.filter((r) => r.ran === undefined);
  if (unread.length === results.length) {
    return { stage, ran: undefined, evidence: `no target of ${stage} could be read (${unread.map((r) => r.evidence).join("; ")})` };
  }
  return {
    stage,
    ran: false,
    evidence: `no target of ${stage} runs it or shows a successful deployment of it${unread.length ? ` (${unread.length} could not be read)` : ""}`,
  };
}

async function ranHealthyInTarget(
  target: Target,
  digest: string,
  sessions: SessionFactory,
  names: RunSessionNames,
): Promise<{ ran: boolean | undefined; evidence: string }> {
  const read = await readTarget(target, sessions, names);
  if (!read.ok) return { ran: undefined, evidence: `${target.name}: ${read.error.code}` };
  const state = serviceState(read.service, read.serviceDeployment);
  if (deployedImage(read.taskDefinition).digest === digest && state.kind === "stable") {
    return { ran: true, evidence: `${target.name} runs it, stable (${taskDefinitionName(read.taskDefinition.arn)})` };
  }
  const history = await readDeploymentHistory(read.session.ecs, target.cluster, target.service);
  const healthy = new Map<string, string>();
  for (const e of history.entries) {
    const d = e.deployment;
    const td =
      d.status === "SUCCESSFUL" ? e.targetTaskDefinition : d.status === "ROLLBACK_SUCCESSFUL" ? e.rollbackTaskDefinition : undefined;
    if (td && !healthy.has(td)) healthy.set(td, `${d.status}${d.finishedAt ? ` ${d.finishedAt}` : ""}`);
  }
  for (const [arn, how] of healthy) {
    const td = await read.session.ecs.describeTaskDefinition(arn).catch(() => undefined);
    if (td && deployedImage(td).digest === digest) {
      return { ran: true, evidence: `${target.name} ran it: ${taskDefinitionName(arn)}, deployment ${how}` };
    }
  }
  return { ran: false, evidence: `${target.name}: not run` };
}

/**
 * The `previous-stage` check of each target of `plan` that would be updated, for the stages whose
 * stage before is not in the plan; empty when there is nothing to gate.
 */
export async function previousStageChecks(
  project: Project,
  plan: Plan,
  sessions: SessionFactory,
  runId: string,
): Promise<Map<string, CheckResult>> {
  const out = new Map<string, CheckResult>();
  const inPlan = new Set(plan.stages.map((s) => s.name));
  const digest = plan.image.digest;
  for (const s of plan.stages) {
    const before = stageBefore(project, s.name);
    if (!before || inPlan.has(before.name)) continue;
    const updating = plan.targets.filter((t) => t.target.stage === s.name && t.action === "update");
    if (updating.length === 0) continue;
    const required = project.config.stages.find((c) => c.name === s.name)?.requirePreviousStage === true;
    const ev = await ranHealthyIn(project, before.name, digest, sessions, runId);
    const image = `${plan.image.tag ? `${plan.image.tag} ` : ""}${shortDigest(digest)}`;
    let verdict: Verdict;
    let message: string;
    let hint: string | undefined;
    if (ev.ran === true) {
      verdict = "pass";
      message = `${image} ran healthy in ${before.name}: ${ev.evidence}`;
    } else if (ev.ran === false) {
      verdict = required ? "fail" : "warn";
      message = `${image} has never run healthy in ${before.name} (the stage before ${s.name}): ${ev.evidence}`;
      hint = required
        ? `${s.name} has requirePreviousStage: true in deployer.yaml: deploy it to ${before.name} first (deployer rollout --image ${plan.image.tag ?? digest} --stage ${before.name}), then promote it (deployer promote --stage ${s.name})`
        : `deploy it to ${before.name} first, then promote it: deployer promote --stage ${s.name}`;
    } else {
      verdict = required ? "fail" : "unverified";
      message = `whether ${image} ran healthy in ${before.name} is unknown: ${ev.evidence}`;
      hint = `check the deploy roles of ${before.name} (deployer status --stage ${before.name})`;
    }
    for (const t of updating) {
      const check: CheckResult = {
        id: PREVIOUS_STAGE_CHECK.id,
        title: `${PREVIOUS_STAGE_CHECK.title} (${before.name})`,
        target: t.target.name,
        verdict,
        message,
      };
      if (hint) check.hint = hint;
      check.evidence = { previousStage: before.name, digest };
      out.set(t.target.name, check);
    }
  }
  return out;
}

/** The targets of `plan` whose gate asks a question (a warning or an unverified previous-stage check). */
export function gateWarnings(plan: Plan): CheckResult[] {
  return plan.targets.flatMap((t) =>
    t.checks.filter((c) => c.id === PREVIOUS_STAGE_CHECK.id && (c.verdict === "warn" || c.verdict === "unverified")),
  );
}

/** The stages of `plan` with `requireConfirmation: true` that it would update. */
export function stagesRequiringConfirmation(project: Project, plan: Plan): string[] {
  return plan.stages
    .filter((s) => project.config.stages.find((c) => c.name === s.name)?.requireConfirmation === true)
    .filter((s) => plan.targets.some((t) => t.target.stage === s.name && t.action === "update"))
    .map((s) => s.name);
}
