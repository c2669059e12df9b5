// `deployer drift`: changes made behind deployer's back. Two comparisons, both through the plan's one
// normalised comparison (diffTaskDefinitions):
//  1. per target: what the configuration renders for the digest the target runs now, against what it
//     runs. A difference is a change made outside deployer (a revision registered by hand), or a
//     configuration change not rolled out yet: either way, the next rollout would change it.
//  2. per stage: the targets of the stage with each other, on everything but their environment-specific
//     values (see environment-mask.ts), so a hand-edited target stands out even where the config
//     cannot be rendered, and a stage split across images shows.
// Read-only. Values are redacted by the one redaction rule (src/render/redact.ts), as in plan outputs: the report is safe to print.
import type { LiveTaskDefinition } from "../aws/ports.js";
import type { Project, Target, TaskDefinitionInput } from "../config/types.js";
import type { FieldChange } from "../plan/types.js";
import { DeployerError, DeployerErrors, toErrorInfo } from "../errors.js";
import { targetSummary } from "../plan/build.js";
import { diffTaskDefinitions } from "../plan/diff.js";
import { canonicalJson, normaliseTaskDefinition } from "../ecs/normalise.js";
import { markSensitiveChanges, redactChange } from "../plan/redact-plan.js";
import { renderDesired, renderTaskDefinition } from "../render/render.js";
import { deployedImage, TAG } from "./deployed.js";
import { environmentSpecificFields, maskEnvironment, masksFor } from "./environment-mask.js";
import { readTargets, type TargetRead } from "./read-target.js";
import type { DriftReport, FleetRun, StageConsistency, TargetDrift } from "./types.js";
import { shortDigest } from "../config/aws-names.js";
import { collectSensitiveValues, mergeSensitiveValues, scrubDeep } from "../render/redact.js";

export interface DetectDriftOptions {
  concurrency?: number;
  now?: () => Date;
}

interface Rendered {
  desired?: TaskDefinitionInput;
  error?: DeployerError;
}

export async function detectDrift(run: FleetRun, opts: DetectDriftOptions = {}): Promise<DriftReport> {
  const { project } = run;
  const reads = await readTargets(run.targets, run.sessions, {
    service: project.config.service,
    runId: run.runId,
    concurrency: opts.concurrency,
  });

  const sensitive: string[][] = [];
  const targets: TargetDrift[] = reads.map((read) => {
    const { drift, values } = targetDrift(project, read);
    sensitive.push(values);
    return drift;
  });
  const stages = stageConsistency(project, reads, sensitive);
  const all = mergeSensitiveValues(...sensitive);

  const report: DriftReport = {
    service: project.config.service,
    createdAt: (opts.now?.() ?? new Date()).toISOString(),
    targets: targets.map((t) => ({ ...t, changes: t.changes.map((c) => redactChange(c, all)) })),
    stages: stages.map((s) => ({
      ...s,
      differences: s.differences.map((d) => ({ ...d, changes: d.changes.map((c) => redactChange(c, all)) })),
    })),
    summary: {
      targets: targets.length,
      inSync: targets.filter((t) => t.status === "in-sync").length,
      drifted: targets.filter((t) => t.status === "drifted").length,
      errors: targets.filter((t) => t.status === "error").length,
      inconsistentStages: stages.filter((s) => s.differences.length > 0).length,
    },
  };
  // Last line of defence, as in plan outputs: no sensitive value anywhere in the report.
  return scrubDeep(report, all) as DriftReport;
}

/** True when the report found drift (exit code 2 of `deployer drift`). */
export function hasDrift(report: DriftReport): boolean {
  return report.summary.drifted > 0 || report.summary.inconsistentStages > 0;
}

function render(project: Project, target: Target, td: LiveTaskDefinition): Rendered & { digest?: string } {
  const image = deployedImage(td);
  try {
    if (image.digest) {
      const desired = renderDesired(project, target, {
        repository: project.config.image.repository,
        digest: image.digest,
        ...(image.imageTag ? { tag: image.imageTag } : {}),
      });
      return { desired: desired.taskDefinition, digest: image.digest };
    }
    // Not pinned and untagged: render with the image as it runs, to compare everything else.
    return { desired: renderTaskDefinition(project, target, image.ref ?? "") };
  } catch (e) {
    if (e instanceof DeployerErrors && e.errors[0]) return { error: e.errors[0] };
    if (e instanceof DeployerError) return { error: e };
    throw e;
  }
}

function targetDrift(project: Project, read: TargetRead): { drift: TargetDrift; values: string[] } {
  const summary = targetSummary(read.target, project.config.rootDir);
  if (!read.ok)
    return {
      drift: { target: summary, status: "error", error: toErrorInfo(read.error), changes: [], notes: [] },
      values: collectSensitiveValues(read.target),
    };

  const td = read.taskDefinition;
  const image = deployedImage(td);
  const notes: string[] = [];
  if (!image.imageDigest)
    notes.push(
      `the image ${image.ref ?? "(none)"} is not pinned by digest${image.tagDigest ? ` (its deployer:image-digest tag says ${shortDigest(image.tagDigest)})` : ""}`,
    );
  if (image.conflict) notes.push(`the image runs ${image.imageDigest} but the deployer:image-digest tag says ${image.tagDigest}`);
  if (!td.tags[TAG.runId]) {
    const by = typeof td.raw.registeredBy === "string" ? ` by ${td.raw.registeredBy}` : "";
    notes.push(`${td.family}:${td.revision} was registered outside deployer${by} (no deployer tags)`);
  }

  const running: TargetDrift["running"] = { taskDefinitionArn: td.arn };
  if (image.digest) running.digest = image.digest;
  if (image.imageTag) running.imageTag = image.imageTag;
  if (typeof td.raw.registeredBy === "string") running.registeredBy = td.raw.registeredBy;

  const rendered = render(project, read.target, td);
  if (!rendered.desired) {
    const values = collectSensitiveValues(read.target, td.raw);
    return { drift: { target: summary, status: "error", error: toErrorInfo(rendered.error!), running, changes: [], notes }, values };
  }
  const desired = rendered.desired as unknown as Record<string, unknown>;
  const values = collectSensitiveValues(read.target, desired, td.raw);
  // One meaning of before/after across plan and drift: before = what runs, after = what the
  // configuration wants (renders for the running digest).
  const changes = markSensitiveChanges(diffTaskDefinitions(td.raw, desired), values);
  return { drift: { target: summary, status: changes.length > 0 ? "drifted" : "in-sync", running, changes, notes }, values };
}

/** Compare the readable targets of each stage with each other, environment-specific values masked. */
export function stageConsistency(project: Project, reads: TargetRead[], sensitive: string[][]): StageConsistency[] {
  const out: StageConsistency[] = [];
  // With several services (issue 17) a stage is compared per service: an api and a worker differ by design.
  const serviceKeys = [...new Set(project.targets.map((t) => t.serviceKey))];
  const several = serviceKeys.length > 1 || project.targets.some((t) => t.name === `${t.env}/${t.serviceKey}`);
  const groups = project.config.stages.flatMap((s) => serviceKeys.map((serviceKey) => ({ stage: s.name, serviceKey })));
  for (const { stage, serviceKey } of groups) {
    const inStage = reads.map((r, i) => ({ r, i })).filter(({ r }) => r.target.stage === stage && r.target.serviceKey === serviceKey);
    if (inStage.length === 0) continue;
    const configured = project.targets.filter((t) => t.stage === stage && t.serviceKey === serviceKey);
    const fields = environmentSpecificFields(project, configured);
    const readable = inStage.filter(({ r }) => r.ok) as Array<{ r: Extract<TargetRead, { ok: true }>; i: number }>;
    const consistency: StageConsistency = {
      stage,
      ...(several ? { serviceKey } : {}),
      compared: readable.map(({ r }) => r.target.name),
      differences: [],
      maskedFields: fields,
    };
    out.push(consistency);
    if (readable.length < 2) continue;

    const values = mergeSensitiveValues(...inStage.map(({ i }) => sensitive[i] ?? []));
    const masked = readable.map(({ r }) => {
      const def = maskEnvironment(normaliseTaskDefinition(r.taskDefinition.raw), masksFor(project, r.target, fields));
      return { name: r.target.name, def, key: canonicalJson(def) };
    });
    // The reference: the first target of the largest group of identical (masked) definitions.
    const groups = new Map<string, number>();
    for (const m of masked) groups.set(m.key, (groups.get(m.key) ?? 0) + 1);
    const best = Math.max(...groups.values());
    const reference = masked.find((m) => groups.get(m.key) === best)!;
    consistency.reference = reference.name;
    for (const m of masked) {
      if (m.key === reference.key) continue;
      const changes: FieldChange[] = markSensitiveChanges(diffTaskDefinitions(reference.def, m.def), values);
      consistency.differences.push({ target: m.name, changes });
    }
  }
  return out;
}
