// Everything the Action's commands do to the outside world besides AWS: log, mask, annotate,
// outputs, the job summary, the GitHub API. One interface, so the commands are plain functions and
// the runner-facing implementation (over @actions/core) lives in one place.
import path from "node:path";
import * as core from "@actions/core";
import { createActionLog, type ActionLog } from "./action-log.js";
import type { AnnotationSink } from "./annotations.js";
import type { GitHubRunContext } from "./github-context.js";
import { createOctokit, type Octokit } from "./pr-comment.js";
import { SecretMask } from "./secret-mask.js";

export interface ActionRuntime {
  github: GitHubRunContext;
  log: ActionLog;
  mask: SecretMask;
  annotations: AnnotationSink;
  setOutput(name: string, value: string): void;
  /** Appends Markdown to the job summary (no-op outside a runner). */
  writeSummary(markdown: string): Promise<void>;
  octokit(token: string): Octokit;
  /** Aborted when the job is cancelled (SIGINT/SIGTERM from the runner). */
  signal: AbortSignal;
  /** A fresh GitHub OIDC ID token for `audience` (needs `permissions: id-token: write`). */
  idToken: (audience: string) => Promise<string>;
  /**
   * Uploads `file` as the workflow artifact `name` (the runner's artifact service; a name must be
   * unique in the workflow run). Undefined where there is no artifact service (not on a runner).
   */
  uploadArtifact?: (name: string, file: string) => Promise<{ id?: number; size?: number }>;
}

/**
 * The runner's artifact service, when the job has one: the runner gives every step ACTIONS_RUNTIME_TOKEN
 * and ACTIONS_RESULTS_URL (what @actions/artifact reads, internal/shared/config).
 */
export function runnerArtifactUpload(env: NodeJS.ProcessEnv = process.env): ActionRuntime["uploadArtifact"] {
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) return undefined;
  return async (name, file) => {
    const { DefaultArtifactClient } = await import("@actions/artifact");
    const r = await new DefaultArtifactClient().uploadArtifact(name, [file], path.dirname(file));
    return { ...(r.id !== undefined ? { id: r.id } : {}), ...(r.size !== undefined ? { size: r.size } : {}) };
  };
}

export function createRunnerRuntime(github: GitHubRunContext, signal: AbortSignal): ActionRuntime {
  const mask = new SecretMask((v) => core.setSecret(v));
  return {
    github,
    log: createActionLog(mask),
    mask,
    annotations: {
      error: (message, props) => core.error(message, props),
      warning: (message, props) => core.warning(message, props),
    },
    setOutput: (name, value) => core.setOutput(name, value),
    async writeSummary(markdown) {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(mask.scrub(markdown), true).write();
    },
    octokit: (token) => createOctokit(token, github.apiUrl),
    signal,
    // core.getIDToken registers the token with ::add-mask:: itself.
    idToken: (audience) => core.getIDToken(audience),
    uploadArtifact: runnerArtifactUpload(),
  };
}
