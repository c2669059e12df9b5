// Know the lifetime before starting: base credentials that deployer cannot refresh (static session
// keys in the environment, with their expiry known from AWS_CREDENTIAL_EXPIRATION or an STS session)
// and that expire before the rollout's worst case are named before the first write, as a check of
// every target the plan updates: "unverified" (a warning; a failure with --strict, so nothing is
// written). Deploy-role sessions are chained from the base credentials and last at most one hour
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining):
// once the base credentials are gone, the next re-assume fails and the wait with it.
import type { BaseLifetime } from "../aws/ports.js";
import type { Plan, TargetPlan } from "../plan/types.js";
import type { CheckResult } from "../checks/check-result.js";

export const CREDENTIALS_LIFETIME_CHECK = { id: "credentials-lifetime", title: "base credentials last the whole rollout" } as const;

/** How long waiting on the target can take: every wait step's timeout. */
function waitSeconds(t: TargetPlan): number {
  let s = 0;
  for (const step of t.steps)
    if (step.kind === "wait-stable" || step.kind === "wait-foreign-deployment" || step.kind === "resume-wait") s += step.timeoutSeconds;
  return s;
}

/**
 * The rollout's worst case: stage after stage, each in batches of `maxParallel` targets, each batch
 * waiting as long as its slowest target may (stages × timeout when every stage fits in one batch).
 */
export function worstCaseSeconds(plan: Plan): { seconds: number; stages: number } {
  let seconds = 0;
  let stages = 0;
  for (const stage of plan.stages) {
    const updating = plan.targets.filter((t) => t.target.stage === stage.name && t.action === "update");
    if (updating.length === 0) continue;
    stages++;
    const batches = Math.ceil(updating.length / (stage.maxParallel ?? updating.length));
    seconds += batches * Math.max(...updating.map(waitSeconds));
  }
  return { seconds, stages };
}

/**
 * The check to add to every updating target when the base credentials may run out mid-rollout;
 * undefined when they refresh themselves, their expiry is unknown, or they outlive the worst case.
 */
export function credentialLifetimeCheck(
  plan: Plan,
  lifetime: BaseLifetime | undefined,
  now: number,
): ((target: string) => CheckResult) | undefined {
  if (!lifetime || lifetime.refreshable || !lifetime.expiresAt) return undefined;
  const worst = worstCaseSeconds(plan);
  if (worst.seconds === 0) return undefined;
  const left = Math.max(0, Math.floor((lifetime.expiresAt.getTime() - now) / 1000));
  if (left >= worst.seconds) return undefined;
  const message =
    `the base credentials, from ${lifetime.source}, cannot be refreshed and expire at ${lifetime.expiresAt.toISOString()} (in ${formatSeconds(left)}), ` +
    `before this rollout's worst case of ${formatSeconds(worst.seconds)} (${worst.stages} stage${worst.stages === 1 ? "" : "s"} of waits up to the timeout); ` +
    "a wait still running then ends with CREDENTIALS_EXPIRED";
  return (target) => ({
    ...CREDENTIALS_LIFETIME_CHECK,
    target,
    verdict: "unverified",
    message,
    hint: lifetime.fix,
    evidence: { expiresAt: lifetime.expiresAt!.toISOString(), secondsLeft: left, worstCaseSeconds: worst.seconds, refreshable: false },
  });
}

/** 45s, 9m58s, 15m, 1h, 1h30m */
function formatSeconds(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = Math.floor(total % 60);
  if (h > 0) return `${h}h${m ? `${m}m` : ""}`;
  if (m > 0) return `${m}m${s ? `${s}s` : ""}`;
  return `${s}s`;
}
