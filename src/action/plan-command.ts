// `command: plan`: the plan in the log (a group per target), as annotations, in the job summary, as
// files (outputs plan-json, plan-markdown, changes), and on a pull request as one sticky comment.
// Fails the step when preflight fails for any target, as `deployer plan` exits 1.
import { planMarker } from "../report/plan-markdown.js";
import { plural, writeCapableNote } from "../report/plan-format.js";
import { PULL_REQUEST_EVENTS } from "./github-context.js";
import type { ActionInputs } from "./inputs.js";
import type { ActionRuntime } from "./runtime.js";
import type { CommandOutcome } from "./command-outcome.js";
import { imagePlanner, makeActionPlan, withActionRun } from "./action-plan.js";
import { planSummary } from "./job-summary.js";
import { upsertStickyComment } from "./pr-comment.js";
import { emitAnnotations } from "./annotations.js";

/** Said in the comment and summary when diffs are cut to fit GitHub's size limit. */
const ARTIFACT_HINT = "the file named by this step's `plan-json` output";

export async function runPlanCommand(inputs: ActionInputs, rt: ActionRuntime): Promise<CommandOutcome> {
  return withActionRun(inputs, rt, inputs.selection, async (run) => {
    const { plan, planJson } = await makeActionPlan(run, inputs, rt, imagePlanner(inputs.image!, "read"));
    await uploadPlan(inputs, rt, plan.service, planJson);
    // The summary says it (formatPlanMarkdown) when targets were read with their deploy role; on a
    // pull request — code anyone who opens one controls — it is also a warning on the run (issue 18).
    const markdown = planSummary(plan, rt.mask.all(), ARTIFACT_HINT);
    await rt.writeSummary(markdown);
    const writeCapable = writeCapableNote(plan);
    if (writeCapable && PULL_REQUEST_EVENTS.includes(rt.github.eventName)) {
      emitAnnotations(
        rt.annotations,
        [{ level: "warning", message: writeCapable, title: "deployer: write-capable credentials on a pull request" }],
        (s) => rt.mask.scrub(s),
      );
    }
    await commentOnPullRequest(inputs, rt, planMarker(plan.service), rt.mask.scrub(markdown));
    if (plan.summary.blocked > 0) {
      return {
        failed: `preflight failed for ${plural(plan.summary.blocked, "target")} (${plan.targets
          .filter((t) => t.action === "blocked")
          .map((t) => t.target.name)
          .join(", ")}): a rollout of this plan would not start`,
      };
    }
    return {};
  });
}

/**
 * The saved plan (plan.json: redacted, what `deployer rollout --plan` and the Action's `plan-file`
 * apply) as a workflow artifact, so the reviewed plan is the one applied on merge: outputs
 * `plan-artifact` (its name) and `plan-artifact-id`. Not on a runner (no artifact service), or an
 * upload that fails: a warning, the plan is still in the summary, the comment and `plan-json`.
 */
async function uploadPlan(inputs: ActionInputs, rt: ActionRuntime, service: string, file: string): Promise<void> {
  if (inputs.planArtifact === false) return;
  const name = inputs.planArtifact ?? `deployer-plan-${service}`;
  if (!rt.uploadArtifact) {
    const why =
      "this job has no artifact service (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL): the plan was not uploaded; it is in the file named by the plan-json output";
    // Asked for by name: a warning; the default outside a runner (a local run, a test): a log line.
    if (inputs.planArtifact !== undefined) rt.annotations.warning(why, { title: "deployer: plan not uploaded" });
    else rt.log.info(why);
    return;
  }
  try {
    const r = await rt.uploadArtifact(name, file);
    rt.setOutput("plan-artifact", name);
    if (r.id !== undefined) rt.setOutput("plan-artifact-id", String(r.id));
    rt.log.info(
      `Plan uploaded as artifact ${name}${r.id !== undefined ? ` (id ${r.id})` : ""}: apply it with \`command: rollout\` and \`plan-file\``,
    );
  } catch (e) {
    rt.annotations.warning(rt.mask.scrub(`the plan was not uploaded as artifact ${name}: ${(e as Error).message ?? String(e)}`), {
      title: "deployer: plan not uploaded",
    });
  }
}

/**
 * The sticky comment, when asked for (`comment`, default on pull_request events) and possible. A
 * comment that cannot be written is a warning, not a failure: the plan is in the summary anyway.
 */
async function commentOnPullRequest(inputs: ActionInputs, rt: ActionRuntime, marker: string, body: string): Promise<void> {
  if (!inputs.comment) return;
  const pr = rt.github.pullRequest;
  if (!pr) {
    rt.annotations.warning(
      `comment: true, but this run (event ${rt.github.eventName || "unknown"}) has no pull request to comment on; the plan is in the job summary`,
      { title: "deployer: no pull request" },
    );
    return;
  }
  if (!inputs.githubToken) {
    rt.annotations.warning(
      "no github-token: the plan comment was not written (the default, `${{ github.token }}`, was overridden with an empty value)",
      {
        title: "deployer: no token",
      },
    );
    return;
  }
  try {
    const r = await upsertStickyComment(rt.octokit(inputs.githubToken), pr, marker, body);
    rt.log.info(`Plan comment ${r.action} on pull request #${pr.number}: ${r.url}`);
  } catch (e) {
    const err = e as { message?: string; hint?: string };
    emitAnnotations(
      rt.annotations,
      [
        {
          level: "warning",
          message: `${err.message ?? String(e)}${err.hint ? `\nHint: ${err.hint}` : ""}`,
          title: "deployer: plan comment not written",
        },
      ],
      (s) => rt.mask.scrub(s),
    );
  }
}
